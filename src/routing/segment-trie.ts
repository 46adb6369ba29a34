/**
 * The route index: per method, a trie with one level per path segment. A node's static
 * children sit in a Map (one hash lookup per segment, whatever the number of routes), its
 * parameter child is tried when no static child leads to a match (static beats parameter,
 * with backtracking, as in find-my-way and grpc-gateway). Matching cuts the raw path at
 * '/', so an encoded slash (`%2F`) stays inside its segment, and decodes a segment only when
 * it holds a '%': static segments compare decoded, parameter values come back decoded.
 */
import type { PathSegment } from './path-template.js';

export interface TrieMatch<T> {
  readonly value: T;
  readonly params: Record<string, string>;
}

interface Endpoint<T> {
  readonly value: T;
  /** Parameter names, in path order. */
  readonly names: readonly string[];
  /** Served only for this Host; undefined serves every host. */
  readonly host: string | undefined;
}

interface Node<T> {
  statics: Map<string, Node<T>> | undefined;
  param: Node<T> | undefined;
  endpoints: Endpoint<T>[] | undefined;
}

const newNode = <T>(): Node<T> => ({ statics: undefined, param: undefined, endpoints: undefined });

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
   * is a last, empty static segment; the root path is one empty static segment).
   * @throws Error when the same method, segments and host are added twice.
   */
  add(method: string, segments: readonly PathSegment[], host: string | undefined, value: T): void {
    let node = this.#roots.get(method);
    if (!node) this.#roots.set(method, (node = newNode()));
    const names: string[] = [];
    for (const segment of segments) {
      if (segment.param !== undefined) {
        names.push(segment.param);
        node = node.param ??= newNode();
      } else {
        node.statics ??= new Map();
        let next = node.statics.get(segment.text);
        if (!next) node.statics.set(segment.text, (next = newNode()));
        node = next;
      }
    }
    node.endpoints ??= [];
    if (node.endpoints.some((e) => e.host === host)) throw new Error(`${method} /${segments.map((s) => (s.param !== undefined ? `{${s.param}}` : s.text)).join('/')} is added twice`);
    node.endpoints.push({ value, names, host });
  }

  /** The route for a raw path (percent-encoded, no query), or undefined. */
  find(method: string, path: string, host: string | undefined): TrieMatch<T> | undefined {
    const root = this.#roots.get(method);
    if (!root || path.charCodeAt(0) !== 47 /* / */) return undefined;
    const values: string[] = [];
    const found = this.#walk(root, path, 1, values, host);
    if (!found) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < found.names.length; i++) params[found.names[i]] = values[i];
    return { value: found.value, params };
  }

  /** Matches the segment starting at `start` and the rest below `node`; past the end, the node's own endpoints. */
  #walk(node: Node<T>, path: string, start: number, values: string[], host: string | undefined): Endpoint<T> | undefined {
    if (start > path.length) return node.endpoints && pick(node.endpoints, host);
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    const raw = path.slice(start, end);
    // Malformed percent-encoding names no resource: every match needs this segment decoded.
    const text = raw.indexOf('%') === -1 ? raw : decodeSegment(raw);
    if (text === undefined) return undefined;
    const next = node.statics?.get(text);
    if (next) {
      const found = this.#walk(next, path, end + 1, values, host);
      if (found) return found;
    }
    // An empty value is not a value: `/subjects/` names no subject.
    if (node.param && raw !== '' && raw.length <= this.#maxParamLength) {
      values.push(text);
      const found = this.#walk(node.param, path, end + 1, values, host);
      if (found) return found;
      values.pop();
    }
    return undefined;
  }
}

function decodeSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
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
