/**
 * The part of a template the segment trie cannot index as whole segments: from the first
 * segment with literal text around a parameter (`{id}.json`), the first `**`, or the last
 * segment when a verb ends the path (`/v1/{name=projects/*}:cancel`), to the end. The trie hangs
 * a tail at the node where the whole segments before it end, so routes without one pay nothing.
 *
 * A tail matches the whole rest of the path or nothing: each of its segments takes exactly one
 * path segment, except `**`, which is last and takes the rest. No backtracking, no regular
 * expressions: the cost is one scan of the rest of the path.
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
   * Matches the raw path from `start` (the first character of the tail's first segment; past the
   * end when the path is used up) to its end, pushing where each segment starts into `starts`
   * (a `**` pushes one entry, for the rest). May leave entries behind when it fails.
   */
  match(path: string, start: number, starts: number[], maxLength: number): boolean;
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
  const suffix = verb === undefined ? '' : ':' + verb;
  const first = steps[0];
  const rank = first?.wildcard === '**' ? 'after' : 'before';
  let specificity = suffix.length;
  if (first?.text !== undefined) specificity += first.text.length;
  if (first?.parts !== undefined) for (const p of first.parts) specificity += p.text?.length ?? 0;
  const key = steps.map(segmentShape).join('/') + suffix;

  function match(path: string, start: number, starts: number[], maxLength: number): boolean {
    let end = path.length;
    if (suffix !== '') {
      // The verb ends the path's last segment; what precedes it is matched as the segment.
      if (start > end || !path.endsWith(suffix)) return false;
      end -= suffix.length;
    }
    let pos = start;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      if (step.wildcard === '**') {
        // Zero or more segments: everything left, each segment well-formed.
        const rest = pos > end ? '' : path.slice(pos, end);
        if (rest.length > maxLength || decodeKeepingReserved(rest) === undefined) return false;
        starts.push(pos);
        return true;
      }
      if (pos > end) return false;
      let segEnd = path.indexOf('/', pos);
      if (segEnd === -1 || segEnd > end) segEnd = end;
      const raw = path.slice(pos, segEnd);
      const text = decodeSegment(raw);
      if (text === undefined) return false;
      if (step.text !== undefined) {
        if (text !== step.text) return false;
      } else if (step.parts !== undefined) {
        if (!matchMixedSegment(raw, step.parts, maxLength)) return false;
      } else if (raw === '' || raw.length > maxLength) return false;
      starts.push(pos);
      pos = segEnd + 1;
    }
    return pos > end;
  }

  return { key, rank, specificity, match };
}
