/**
 * The part of a template the segment trie cannot index as whole segments: from the first
 * segment with literal text around a parameter (`{id}.json`), the first `**`, or the last
 * segment when a verb ends the path (`/v1/{name=projects/*}:cancel`), to the end. The trie hangs
 * a tail at the node where the whole segments before it end, so routes without one pay nothing.
 *
 * A tail matches the whole rest of the path or nothing: each of its segments takes exactly one
 * path segment, except `**`, which is last and takes the rest. No backtracking, no regular
 * expressions: the cost is one scan of the rest of the path. A matcher holds no names, only the
 * shape, so every tail of the same key (`{}.json`, `**`, `{}:cancel`) shares one matcher.
 */
import { segmentShape, type PathSegment } from './path-template.js';
import { decodeKeepingReserved, decodeSegment, matchMixedSegment } from './segment-matcher.js';

export interface TailMatcher {
  /** The tail with names erased: two templates with the same key at one node match the same paths. */
  readonly key: string;
  /**
   * Where it is tried at its node: `before` the parameter child (its first segment holds literal
   * text, or a verb ends it), or `after` it (it starts with `**`).
   */
  readonly rank: 'before' | 'after';
  /** Literal characters of the first segment and the verb: among `before` tails, more is tried first. */
  readonly specificity: number;
  /**
   * Literal text the path must end with for this tail to match (its verb, or the last text of a
   * last mixed segment, such as `.json`); '' when there is none. Lets a node index its tails.
   */
  readonly suffix: string;
  /**
   * Matches the raw path from `start` (the first character of the tail's first segment; past the
   * end when the path is used up) to its end, writing where each segment starts into
   * `starts[depth]`, `starts[depth + 1]`, … (a `**` writes one entry, for the rest).
   * @returns the depth after the last entry written, or -1 when the path does not match.
   */
  match(path: string, start: number, starts: Int32Array, depth: number, maxLength: number): number;
}

/** The index of the first segment that needs a tail, or -1 when the trie indexes them all. */
export function tailStart(segments: readonly PathSegment[]): number {
  const verb = segments.at(-1)?.verb !== undefined;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s.parts !== undefined || s.wildcard === '**' || s.verb !== undefined) return i;
    if (verb && i === segments.length - 2) return i;
  }
  return -1;
}

/** Compiles the segments from a tail's start (`tailStart`) to the end. */
export function compileTail(segments: readonly PathSegment[]): TailMatcher {
  const verb = segments.at(-1)?.verb;
  const steps = verb === undefined ? segments : segments.slice(0, -1);
  const verbText = verb === undefined ? '' : ':' + verb;
  const first = steps[0];
  const rank = first?.wildcard === '**' ? 'after' : 'before';
  let specificity = verbText.length;
  if (first?.text !== undefined) specificity += first.text.length;
  if (first?.parts !== undefined) for (const p of first.parts) specificity += p.text?.length ?? 0;
  const key = steps.map(segmentShape).join('/') + verbText;
  const lastStep = steps.at(-1);
  const lastText = lastStep?.parts !== undefined && lastStep.parts.length > 1 ? lastStep.parts.at(-1)!.text : undefined;
  const suffix = verbText !== '' ? verbText : (lastText ?? '');

  function match(path: string, start: number, starts: Int32Array, depth: number, maxLength: number): number {
    let end = path.length;
    if (verbText !== '') {
      // The verb ends the path's last segment; what precedes it is matched as the segment.
      if (start > end || !path.endsWith(verbText)) return -1;
      end -= verbText.length;
    }
    let pos = start;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      if (step.wildcard === '**') {
        // Zero or more segments: everything left, each segment well-formed.
        if (pos < end && (end - pos > maxLength || decodeKeepingReserved(path.slice(pos, end)) === undefined)) return -1;
        starts[depth++] = pos;
        return depth;
      }
      if (pos > end) return -1;
      let segEnd = path.indexOf('/', pos);
      if (segEnd === -1 || segEnd > end) segEnd = end;
      if (step.text !== undefined) {
        if (!sameDecoded(path, pos, segEnd, step.text)) return -1;
      } else {
        // Malformed escapes name nothing, in any kind of segment.
        const raw = path.slice(pos, segEnd);
        if (decodeSegment(raw) === undefined) return -1;
        if (step.parts !== undefined) {
          if (!matchMixedSegment(raw, step.parts, maxLength)) return -1;
        } else if (raw === '' || raw.length > maxLength) return -1;
      }
      starts[depth++] = pos;
      pos = segEnd + 1;
    }
    return pos > end ? depth : -1;
  }

  return { key, rank, specificity, suffix, match };
}

/** Whether path[from, to), decoded, is `text`; compared in place when it holds no escape. */
function sameDecoded(path: string, from: number, to: number, text: string): boolean {
  const escape = path.indexOf('%', from);
  if (escape !== -1 && escape < to) return decodeSegment(path.slice(from, to)) === text;
  return to - from === text.length && path.startsWith(text, from);
}
