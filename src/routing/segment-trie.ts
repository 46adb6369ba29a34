/**
 * The route index: per method, a trie with one level per path segment. A node's static
 * children sit in a Map (one hash lookup per segment, whatever the number of routes); its
 * parameter child (`{id}`, `*`, the wildcards inside `{name=shelves/*}`) is tried when no
 * static child leads to a match. What the trie cannot index as whole segments (literal text
 * around a parameter, `**`, a verb after a multi-segment variable) hangs at the node where the
 * whole segments end, as a tail (tail-matcher.ts): tails with literal text are tried before the
 * parameter child, `**` tails after it. So static beats parameter beats wildcard, with
 * backtracking, as in find-my-way and grpc-gateway, and routes without tails keep their cost.
 *
 * Matching cuts the raw path at '/', so an encoded slash (`%2F`) stays inside its segment;
 * static segments compare decoded, and a segment with malformed escapes matches nothing. Values
 * come back decoded once; a variable that spans segments keeps '/' between them and the escapes
 * of reserved characters (segment-matcher.ts).
 */
import { formatSegments, type PathSegment } from './path-template.js';
import { decodeKeepingReserved, decodeSegment, matchMixedSegment } from './segment-matcher.js';
import { compileTail, tailStart, type TailMatcher } from './tail-matcher.js';

export interface TrieMatch<T> {
  readonly value: T;
  readonly params: Record<string, string>;
}

/**
 * Builds an endpoint's parameters from the raw path, where each matched segment starts (a `**`
 * is one entry for the rest) and where the last one ends (before a verb).
 */
type Binder = (path: string, starts: readonly number[], end: number, maxLength: number) => Record<string, string>;

interface Endpoint<T> {
  readonly value: T;
  /**
   * Whole-segment templates (the hot path): the name of each parameter step in path order
   * (undefined for a bare `*`), bound from the decoded values the walk collected.
   */
  readonly names: readonly (string | undefined)[] | undefined;
  /** Every other template: bound from the raw path. */
  readonly bind: Binder | undefined;
  /** Length of ':verb' the path ends with, for `bind`. */
  readonly verbLength: number;
  /** Served only for this Host; undefined serves every host. */
  readonly host: string | undefined;
}

interface Tail<T> {
  readonly matcher: TailMatcher;
  readonly endpoints: Endpoint<T>[];
}

interface Node<T> {
  statics: Map<string, Node<T>> | undefined;
  param: Node<T> | undefined;
  /** Tails tried before the parameter child, most literal text first. */
  before: Tail<T>[] | undefined;
  /** `**` tails, tried after the parameter child. */
  after: Tail<T>[] | undefined;
  endpoints: Endpoint<T>[] | undefined;
}

const newNode = <T>(): Node<T> => ({ statics: undefined, param: undefined, before: undefined, after: undefined, endpoints: undefined });

export interface SegmentTrieOptions {
  /** Longest parameter value (raw, still percent-encoded); longer ones do not match. */
  readonly maxParamLength: number;
}

export class SegmentTrie<T> {
  readonly #roots = new Map<string, Node<T>>();
  readonly #maxParamLength: number;

  constructor(options: SegmentTrieOptions) {
    this.#maxParamLength = options.maxParamLength;
  }

  /**
   * Adds a route. `segments` are those of a template after its leading '/' (a trailing slash
   * is a last, empty static segment; the root path is one empty static segment). A trailing
   * empty segment after `**` or a verb adds nothing: those already end the path.
   * @throws Error when the same method, path shape and host are added twice (the same value
   * added again at the same place is ignored).
   */
  add(method: string, segments: readonly PathSegment[], host: string | undefined, value: T): void {
    const last = segments.at(-1);
    const beforeLast = segments.at(-2);
    if (last?.text === '' && last.variable === undefined && (beforeLast?.wildcard === '**' || beforeLast?.verb !== undefined)) segments = segments.slice(0, -1);
    let node = this.#roots.get(method);
    if (!node) this.#roots.set(method, (node = newNode()));
    const cut = tailStart(segments);
    const indexed = cut === -1 ? segments : segments.slice(0, cut);
    for (const segment of indexed) {
      if (segment.text !== undefined) {
        node.statics ??= new Map();
        let next = node.statics.get(segment.text);
        if (!next) node.statics.set(segment.text, (next = newNode()));
        node = next;
      } else node = node.param ??= newNode();
    }
    const plain = cut === -1 && segments.every((s) => s.variable === undefined);
    const endpoint: Endpoint<T> = {
      value,
      names: plain ? segments.filter((s) => s.text === undefined).map((s) => s.param) : undefined,
      bind: plain ? undefined : compileBinder(segments),
      verbLength: segments.at(-1)?.verb === undefined ? 0 : segments.at(-1)!.verb!.length + 1,
      host,
    };
    let endpoints: Endpoint<T>[];
    if (cut === -1) endpoints = node.endpoints ??= [];
    else {
      const matcher = compileTail(segments.slice(cut));
      const list = matcher.rank === 'before' ? (node.before ??= []) : (node.after ??= []);
      let tail = list.find((t) => t.matcher.key === matcher.key);
      if (!tail) {
        list.push((tail = { matcher, endpoints: [] }));
        // Stable: among equals, the first added is tried first.
        list.sort((a, b) => b.matcher.specificity - a.matcher.specificity);
      }
      endpoints = tail.endpoints;
    }
    const same = endpoints.find((e) => e.host === host);
    if (same?.value === value) return;
    if (same) throw new Error(`${method} ${formatSegments(segments)} is added twice`);
    endpoints.push(endpoint);
  }

  /** The route for a raw path (percent-encoded, no query), or undefined. */
  find(method: string, path: string, host: string | undefined): TrieMatch<T> | undefined {
    const root = this.#roots.get(method);
    if (!root || path.charCodeAt(0) !== 47 /* / */) return undefined;
    const values: string[] = [];
    const starts: number[] = [];
    const found = this.#walk(root, path, 1, values, starts, host);
    if (!found) return undefined;
    const params: Record<string, string> = {};
    if (found.names) {
      for (let i = 0; i < found.names.length; i++) {
        const name = found.names[i];
        if (name !== undefined) params[name] = values[i];
      }
      return { value: found.value, params };
    }
    return { value: found.value, params: found.bind!(path, starts, path.length - found.verbLength, this.#maxParamLength) };
  }

  /**
   * Matches the segment starting at `start` and the rest below `node`; past the end, the node's
   * own endpoints. `values` collects the decoded value of each parameter step, `starts` where
   * each segment starts; both are cut back when a branch fails.
   */
  #walk(node: Node<T>, path: string, start: number, values: string[], starts: number[], host: string | undefined): Endpoint<T> | undefined {
    const depth = starts.length;
    if (start > path.length) {
      const own = node.endpoints && pick(node.endpoints, host);
      // `**` also matches no segment at all.
      return own ?? (node.after && this.#tails(node.after, path, start, starts, host, depth));
    }
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    const raw = path.slice(start, end);
    // Malformed percent-encoding names no resource: every match needs this segment decoded.
    const text = raw.indexOf('%') === -1 ? raw : decodeSegment(raw);
    if (text === undefined) return undefined;
    starts.push(start);
    const next = node.statics?.get(text);
    if (next) {
      const found = this.#walk(next, path, end + 1, values, starts, host);
      if (found) return found;
      starts.length = depth + 1;
    }
    if (node.before) {
      starts.length = depth;
      const found = this.#tails(node.before, path, start, starts, host, depth);
      if (found) return found;
      starts.push(start);
    }
    // An empty value is not a value: `/subjects/` names no subject.
    if (node.param && raw !== '' && raw.length <= this.#maxParamLength) {
      values.push(text);
      const found = this.#walk(node.param, path, end + 1, values, starts, host);
      if (found) return found;
      values.pop();
    }
    starts.length = depth;
    return node.after && this.#tails(node.after, path, start, starts, host, depth);
  }

  #tails(tails: readonly Tail<T>[], path: string, start: number, starts: number[], host: string | undefined, depth: number): Endpoint<T> | undefined {
    for (const tail of tails) {
      if (tail.matcher.match(path, start, starts, this.#maxParamLength)) {
        const found = pick(tail.endpoints, host);
        if (found) return found;
      }
      starts.length = depth;
    }
    return undefined;
  }
}

/** The endpoint bound to this host, else the one serving every host. */
function pick<T>(endpoints: readonly Endpoint<T>[], host: string | undefined): Endpoint<T> | undefined {
  let any: Endpoint<T> | undefined;
  for (const e of endpoints) {
    if (e.host === undefined) any = e;
    else if (e.host === host) return e;
  }
  return any;
}

/**
 * One reader per parameter, by the index of the segment(s) it covers: segment i runs from
 * `starts[i]` to the next segment's start less its '/', the last one to `end` (a `**` is one
 * entry for the rest; past the end when it matched nothing). A variable over one segment is
 * decoded fully; over more, or over a `**`, reserved escapes stay. The walk has checked every
 * segment decodes, so the readers cannot fail.
 */
function compileBinder(segments: readonly PathSegment[]): Binder {
  type Reader = (path: string, starts: readonly number[], end: number, params: Record<string, string>, maxLength: number) => void;
  const readers: Reader[] = [];
  const endOf = (starts: readonly number[], i: number, end: number) => (i + 1 < starts.length ? starts[i + 1] - 1 : end);
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const at = i;
    if (s.param !== undefined) {
      const name = s.param;
      readers.push((path, starts, end, params) => void (params[name] = decodeSegment(path.slice(starts[at], endOf(starts, at, end)))!));
    } else if (s.parts !== undefined) {
      const parts = s.parts;
      const names = parts.filter((p) => p.param !== undefined).map((p) => p.param!);
      readers.push((path, starts, end, params, maxLength) => {
        const values = matchMixedSegment(path.slice(starts[at], endOf(starts, at, end)), parts, maxLength)!;
        for (let k = 0; k < names.length; k++) params[names[k]] = decodeSegment(values[k])!;
      });
    } else if ((s.text !== undefined || s.wildcard !== undefined) && s.variable !== undefined && segments[i - 1]?.variable !== s.variable) {
      const name = s.variable;
      let last = i;
      while (segments[last + 1]?.variable === name) last++;
      const multi = last > i || segments[last].wildcard === '**';
      readers.push((path, starts, end, params) => {
        const raw = path.slice(starts[at], Math.max(starts[at], endOf(starts, last, end)));
        params[name] = (multi ? decodeKeepingReserved(raw) : decodeSegment(raw))!;
      });
    }
  }
  return (path, starts, end, maxLength) => {
    const params: Record<string, string> = {};
    for (let i = 0; i < readers.length; i++) readers[i](path, starts, end, params, maxLength);
    return params;
  };
}
