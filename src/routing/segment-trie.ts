/**
 * The route index: per method, a trie with one level per path segment. A node's static
 * children are found by one hash lookup per segment, whatever the number of routes; its
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
 *
 * Layout, for tables of 10,000 routes and more: a lookup's cost there is cache misses, so the
 * trie is a few flat typed arrays rather than an object and a Map per node. Every node is one
 * record in `#mem` (its children, endpoints and tails, then its own literal text), and every
 * static edge of the whole trie is one slot in a single open-addressing table keyed by (parent,
 * segment text). A static step touches one slot and one record, compares the path's characters
 * in place (no substring), and the record it lands on already holds what the next step needs.
 * A node's tail is an id into one more typed array (its matcher and its first endpoint); only a
 * node with several tails has a list object. Nothing else on the lookup path is per route: tail
 * matchers and parameter binders are shared by every route of the same shape, and the route
 * value is not read until returned.
 */
import { formatSegments, type PathSegment, type SegmentPart } from './path-template.js';
import { decodeKeepingReserved, decodeSegment, matchMixedSegment } from './segment-matcher.js';
import { compileTail, tailStart, type TailMatcher } from './tail-matcher.js';

export interface TrieMatch<T> {
  readonly value: T;
  readonly params: Record<string, string>;
}

export interface SegmentTrieOptions {
  /** Longest parameter value (raw, still percent-encoded); longer ones do not match. */
  readonly maxParamLength: number;
}

// A node record in #mem, at the node's offset (offset 0 is reserved: 0 means "none").
const PARAM = 0; // offset of the parameter child
const ENDPOINTS = 1; // first endpoint id of the routes ending here
const BEFORE = 2; // the tails tried before the parameter child: a tail id, or -(1 + index in #tailLists) for several
const AFTER = 3; // … and the `**` tails tried after it
const STATICS = 4; // number of static children (0: the segment's hash is not needed)
const PARENT = 5;
const LENGTH = 6; // length of the node's literal text (-1 for a parameter node or a root)
const TEXT = 7; // the literal text, one character a slot
const NONE = 0;

/**
 * The tails at one node, when there are several (one is held by its id in the node's record), in
 * the order they are tried (most literal text first; among equals, the first added), with those
 * that end in a verb also indexed by it.
 */
interface TailList {
  readonly all: number[];
  /** Tails whose path must end with a verb (`:cancel`), by the verb: only those of the path's verb are tried. */
  readonly byVerb: Map<string, number[]>;
  /** The other tails, in the order they are tried. */
  readonly rest: number[];
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over s[from, to): the segment's part of its edge's hash. */
function hashText(s: string, from: number, to: number): number {
  let h = FNV_OFFSET;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** The slot hash of the edge from `parent` by a segment of hash `text` (murmur3's finalizer). */
function edgeHash(text: number, parent: number): number {
  let h = text ^ Math.imul(parent, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class SegmentTrie<T> {
  readonly #roots = new Map<string, number>();
  readonly #maxParamLength: number;
  /** Node records (see the offsets above). */
  #mem = new Int32Array(1024);
  #used = TEXT;
  /** Static edges: pairs (edge hash, child offset); a child of 0 marks an empty slot. */
  #slots = new Int32Array(512);
  #edges = 0;
  readonly #tailLists: TailList[] = [];
  /** Tails, by id (0 is none): pairs (index in #tailMatchers, first endpoint id of the routes sharing it). */
  #tailData = new Int32Array(64);
  #tailCount = 0;
  /** One matcher per tail key, shared by every tail of that key. */
  readonly #tailMatchers: TailMatcher[] = [];
  readonly #matcherIndex = new Map<string, number>();
  /**
   * Endpoints, by id (0 is none): the route value and its binder side by side (one cache line),
   * its host, the next endpoint of its list.
   */
  readonly #endpoints: (T | Binder)[] = [undefined as T, EMPTY_BINDER];
  readonly #hosts: (string | undefined)[] = [undefined];
  #next = new Int32Array(64);
  /** Whether any endpoint is bound to a host: until one is, a list holds one endpoint, read without its host. */
  #hostBound = false;
  readonly #binderCache = new Map<string, Binder>();
  /** Where each matched segment starts (scratch of one lookup: finding is synchronous). */
  #starts = new Int32Array(64);
  /** Entries of #starts the last successful match wrote. */
  #depth = 0;

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
    if (node === undefined) this.#roots.set(method, (node = this.#newNode(NONE, undefined)));
    const cut = tailStart(segments);
    const indexed = cut === -1 ? segments : segments.slice(0, cut);
    for (const segment of indexed) {
      if (segment.text !== undefined) node = this.#staticChild(node, segment.text);
      else {
        if (this.#mem[node + PARAM] === NONE) {
          const child = this.#newNode(node, undefined);
          this.#mem[node + PARAM] = child;
        }
        node = this.#mem[node + PARAM];
      }
    }
    const binder = this.#binderFor(segments);
    let head: number;
    let setHead: (id: number) => void;
    if (cut === -1) {
      head = this.#mem[node + ENDPOINTS];
      const at = node;
      setHead = (id) => void (this.#mem[at + ENDPOINTS] = id);
    } else {
      const tail = this.#tailAt(node, segments.slice(cut));
      head = this.#tailData[2 * tail + 1];
      setHead = (id) => void (this.#tailData[2 * tail + 1] = id);
    }
    for (let e = head; e !== NONE; e = this.#next[e]) {
      if (this.#hosts[e] !== host) continue;
      if (this.#endpoints[2 * e] === value) return;
      throw new Error(`${method} ${formatSegments(segments)} is added twice`);
    }
    const id = this.#hosts.length;
    this.#endpoints.push(value, binder);
    this.#hosts.push(host);
    if (host !== undefined) this.#hostBound = true;
    if (id >= this.#next.length) this.#next = grow(this.#next, id + 1);
    this.#next[id] = head;
    setHead(id);
  }

  /**
   * What the index holds, for benchmarks and the route printout: nodes, static edges, endpoints,
   * and the bytes of the typed arrays a lookup reads (node records, edge slots, tails).
   */
  footprint(): { nodes: number; edges: number; endpoints: number; bytes: number } {
    let nodes = 0;
    for (let at = TEXT; at < this.#used; at += TEXT + Math.max(0, this.#mem[at + LENGTH])) nodes++;
    return { nodes, edges: this.#edges, endpoints: this.#hosts.length - 1, bytes: this.#used * 4 + this.#slots.byteLength + (this.#tailCount + 1) * 8 };
  }

  /** The route for a raw path (percent-encoded, no query), or undefined. */
  find(method: string, path: string, host: string | undefined): TrieMatch<T> | undefined {
    const root = this.#roots.get(method);
    if (root === undefined || path.charCodeAt(0) !== 47 /* / */) return undefined;
    // One entry a segment at most, and a path has fewer segments than characters.
    if (this.#starts.length <= path.length) this.#starts = new Int32Array(path.length + 1);
    const found = this.#walk(root, path, 1, 0, host);
    if (found === NONE) return undefined;
    const binder = this.#endpoints[2 * found + 1] as Binder;
    return { value: this.#endpoints[2 * found] as T, params: binder.bind(path, this.#starts, this.#depth, this.#maxParamLength) };
  }

  /**
   * Matches the segment starting at `start` and the rest below `node`; past the end, the node's
   * own endpoints. Writes where each segment starts into #starts[depth…]. Hot path.
   * @returns the endpoint id, or NONE.
   */
  #walk(node: number, path: string, start: number, depth: number, host: string | undefined): number {
    const mem = this.#mem;
    if (start > path.length) {
      const own = mem[node + ENDPOINTS] === NONE ? NONE : this.#pick(mem[node + ENDPOINTS], host);
      if (own !== NONE) {
        this.#depth = depth;
        return own;
      }
      // `**` also matches no segment at all.
      return mem[node + AFTER] === NONE ? NONE : this.#after(mem[node + AFTER], path, start, depth, host);
    }
    // One pass over the segment: where it ends, its hash, whether it holds escapes.
    let end = start;
    let hash = FNV_OFFSET;
    let escaped = false;
    for (; end < path.length; end++) {
      const c = path.charCodeAt(end);
      if (c === 47 /* / */) break;
      if (c === 37 /* % */) escaped = true;
      hash = Math.imul(hash ^ c, FNV_PRIME);
    }
    let text: string | undefined;
    if (escaped) {
      // Malformed percent-encoding names no resource: every match needs this segment decoded.
      text = decodeSegment(path.slice(start, end));
      if (text === undefined) return NONE;
      hash = hashText(text, 0, text.length);
    }
    const starts = this.#starts;
    starts[depth] = start;
    if (mem[node + STATICS] !== 0) {
      const next = text === undefined ? this.#child(node, hash, path, start, end) : this.#child(node, hash, text, 0, text.length);
      if (next !== NONE) {
        const found = this.#walk(next, path, end + 1, depth + 1, host);
        if (found !== NONE) return found;
      }
    }
    if (mem[node + BEFORE] !== NONE) {
      const before = mem[node + BEFORE];
      const found = before > 0 ? this.#tail(before, path, start, depth, host) : this.#before(this.#tailLists[-before - 1], path, start, depth, host);
      if (found !== NONE) return found;
      starts[depth] = start;
    }
    // An empty value is not a value: `/subjects/` names no subject.
    if (mem[node + PARAM] !== NONE && end > start && end - start <= this.#maxParamLength) {
      const found = this.#walk(mem[node + PARAM], path, end + 1, depth + 1, host);
      if (found !== NONE) return found;
    }
    return mem[node + AFTER] === NONE ? NONE : this.#after(mem[node + AFTER], path, start, depth, host);
  }

  /** The static child of `node` whose text is s[from, to) (of segment hash `hash`), or NONE. */
  #child(node: number, hash: number, s: string, from: number, to: number): number {
    const slots = this.#slots;
    const mem = this.#mem;
    const mask = slots.length - 1;
    const length = to - from;
    const edge = edgeHash(hash, node);
    for (let i = (edge << 1) & mask; ; i = (i + 2) & mask) {
      const child = slots[i + 1];
      if (child === NONE) return NONE;
      if (slots[i] !== edge || mem[child + PARENT] !== node || mem[child + LENGTH] !== length) continue;
      let k = 0;
      while (k < length && mem[child + TEXT + k] === s.charCodeAt(from + k)) k++;
      if (k === length) return child;
    }
  }

  /** The `**` tails of a node (a node's AFTER field). */
  #after(after: number, path: string, start: number, depth: number, host: string | undefined): number {
    return after > 0 ? this.#tail(after, path, start, depth, host) : this.#tails(this.#tailLists[-after - 1].all, path, start, depth, host);
  }

  /**
   * Several `before` tails of a node: when the path ends with a verb, the tails of that verb and
   * the tails without one, merged in the order they are tried; otherwise the tails without one.
   */
  #before(list: TailList, path: string, start: number, depth: number, host: string | undefined): number {
    if (list.byVerb.size === 0) return this.#tails(list.rest, path, start, depth, host);
    const colon = path.lastIndexOf(':');
    const verbTails = colon > path.lastIndexOf('/') ? list.byVerb.get(path.slice(colon)) : undefined;
    if (verbTails === undefined) return this.#tails(list.rest, path, start, depth, host);
    if (list.rest.length === 0) return this.#tails(verbTails, path, start, depth, host);
    return this.#tails(list.all.filter((t) => list.rest.includes(t) || verbTails.includes(t)), path, start, depth, host);
  }

  #tails(tails: readonly number[], path: string, start: number, depth: number, host: string | undefined): number {
    for (let i = 0; i < tails.length; i++) {
      const found = this.#tail(tails[i], path, start, depth, host);
      if (found !== NONE) return found;
    }
    return NONE;
  }

  /** One tail: its matcher over the rest of the path, then its endpoint for the host. */
  #tail(tail: number, path: string, start: number, depth: number, host: string | undefined): number {
    const reached = this.#tailMatchers[this.#tailData[2 * tail]].match(path, start, this.#starts, depth, this.#maxParamLength);
    if (reached === -1) return NONE;
    const found = this.#pick(this.#tailData[2 * tail + 1], host);
    if (found !== NONE) this.#depth = reached;
    return found;
  }

  /** The endpoint of the list at `head` bound to this host, else the one serving every host. */
  #pick(head: number, host: string | undefined): number {
    if (!this.#hostBound) return head;
    let any = NONE;
    for (let e = head; e !== NONE; e = this.#next[e]) {
      const bound = this.#hosts[e];
      if (bound === undefined) any = e;
      else if (bound === host) return e;
    }
    return any;
  }

  #newNode(parent: number, text: string | undefined): number {
    const size = TEXT + (text?.length ?? 0);
    if (this.#used + size > this.#mem.length) this.#mem = grow(this.#mem, this.#used + size);
    const node = this.#used;
    this.#used += size;
    const mem = this.#mem;
    mem[node + PARENT] = parent;
    mem[node + LENGTH] = text === undefined ? -1 : text.length;
    if (text !== undefined) for (let k = 0; k < text.length; k++) mem[node + TEXT + k] = text.charCodeAt(k);
    return node;
  }

  #staticChild(node: number, text: string): number {
    const hash = hashText(text, 0, text.length);
    const found = this.#child(node, hash, text, 0, text.length);
    if (found !== NONE) return found;
    const child = this.#newNode(node, text);
    this.#mem[node + STATICS]++;
    // At most half full, so probe runs stay short.
    if ((this.#edges + 1) * 2 > this.#slots.length / 2) this.#rehash(this.#slots.length * 2);
    this.#insertSlot(edgeHash(hash, node), child);
    this.#edges++;
    return child;
  }

  #insertSlot(edge: number, child: number): void {
    const slots = this.#slots;
    const mask = slots.length - 1;
    let i = (edge << 1) & mask;
    while (slots[i + 1] !== NONE) i = (i + 2) & mask;
    slots[i] = edge;
    slots[i + 1] = child;
  }

  #rehash(size: number): void {
    const old = this.#slots;
    this.#slots = new Int32Array(size);
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== NONE) this.#insertSlot(old[i], old[i + 1]);
  }

  /** The tail for these segments at `node` (its id), created when new; its matcher shared by every tail of its key. */
  #tailAt(node: number, segments: readonly PathSegment[]): number {
    const compiled = compileTail(segments);
    let matcher = this.#matcherIndex.get(compiled.key);
    if (matcher === undefined) {
      matcher = this.#tailMatchers.push(compiled) - 1;
      this.#matcherIndex.set(compiled.key, matcher);
    }
    const { rank } = this.#tailMatchers[matcher];
    const field = rank === 'before' ? BEFORE : AFTER;
    const current = this.#mem[node + field];
    const present = current === NONE ? [] : current > 0 ? [current] : this.#tailLists[-current - 1].all;
    const same = present.find((t) => this.#tailData[2 * t] === matcher);
    if (same !== undefined) return same;
    const tail = ++this.#tailCount;
    if (2 * tail + 1 >= this.#tailData.length) this.#tailData = grow(this.#tailData, 2 * tail + 2);
    this.#tailData[2 * tail] = matcher;
    this.#tailData[2 * tail + 1] = NONE;
    if (current === NONE) {
      this.#mem[node + field] = tail;
      return tail;
    }
    let list: TailList;
    if (current > 0) {
      list = { all: [], byVerb: new Map(), rest: [] };
      this.#tailLists.push(list);
      this.#mem[node + field] = -this.#tailLists.length;
      this.#listTail(list, current);
    } else list = this.#tailLists[-current - 1];
    this.#listTail(list, tail);
    return tail;
  }

  /** Adds a tail to a node's list, keeping each of its orders: most literal text first, then the first added. */
  #listTail(list: TailList, tail: number): void {
    const matcher = (t: number) => this.#tailMatchers[this.#tailData[2 * t]];
    // Ids grow with addition, so they break ties in the order tails were added.
    const tried = (a: number, b: number) => matcher(b).specificity - matcher(a).specificity || a - b;
    const { rank, suffix } = matcher(tail);
    list.all.push(tail);
    list.all.sort(tried);
    // A verb has no ':' of its own, so the path's last ':' (in its last segment) starts it.
    if (rank === 'before' && suffix.startsWith(':') && !suffix.includes(':', 1)) {
      const same = list.byVerb.get(suffix) ?? [];
      same.push(tail);
      same.sort(tried);
      list.byVerb.set(suffix, same);
    } else {
      list.rest.push(tail);
      list.rest.sort(tried);
    }
  }

  /** The binder of a template: shared by every template with the same parameters at the same places. */
  #binderFor(segments: readonly PathSegment[]): Binder {
    const key = JSON.stringify(segments.map((s) => (s.text !== undefined ? (s.variable === undefined ? 0 : ['t', s.variable]) : s)));
    let binder = this.#binderCache.get(key);
    if (binder === undefined) this.#binderCache.set(key, (binder = new Binder(segments)));
    return binder;
  }
}

function grow(array: Int32Array, atLeast: number): Int32Array<ArrayBuffer> {
  let size = array.length * 2;
  while (size < atLeast) size *= 2;
  const bigger = new Int32Array(size);
  bigger.set(array);
  return bigger;
}

/** Reads one parameter (or a mixed segment's parameters) from the segments at `at` … `last`. */
interface Reader {
  /** 0: a one-segment parameter, decoded fully; 1: a mixed segment; 2: a variable over segments. */
  readonly kind: 0 | 1 | 2;
  readonly at: number;
  readonly last: number;
  readonly name: string;
  /** kind 2: over more than one segment, or a `**`: reserved escapes stay. */
  readonly multi: boolean;
  readonly parts: readonly SegmentPart[];
  readonly names: readonly string[];
}

/**
 * Builds a route's parameters from the raw path and where each matched segment starts (a `**` is
 * one entry for the rest): segment i runs from `starts[i]` to the next segment's start less its
 * '/', the last one to the end of the path less its verb. A variable over one segment is decoded
 * fully; over more, or over a `**`, reserved escapes stay. The walk has checked every segment
 * decodes, so reading cannot fail.
 */
class Binder {
  readonly #readers: Reader[] = [];
  readonly #verbLength: number;

  constructor(segments: readonly PathSegment[]) {
    const verb = segments.at(-1)?.verb;
    this.#verbLength = verb === undefined ? 0 : verb.length + 1;
    const none = { name: '', multi: false, parts: [], names: [] };
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i];
      if (s.param !== undefined) this.#readers.push({ ...none, kind: 0, at: i, last: i, name: s.param });
      else if (s.parts !== undefined) {
        const names = s.parts.filter((p) => p.param !== undefined).map((p) => p.param!);
        this.#readers.push({ ...none, kind: 1, at: i, last: i, parts: s.parts, names });
      } else if ((s.text !== undefined || s.wildcard !== undefined) && s.variable !== undefined && segments[i - 1]?.variable !== s.variable) {
        let last = i;
        while (segments[last + 1]?.variable === s.variable) last++;
        this.#readers.push({ ...none, kind: 2, at: i, last, name: s.variable, multi: last > i || segments[last].wildcard === '**' });
      }
    }
  }

  bind(path: string, starts: Int32Array, depth: number, maxLength: number): Record<string, string> {
    const params: Record<string, string> = {};
    const end = path.length - this.#verbLength;
    for (let i = 0; i < this.#readers.length; i++) {
      const r = this.#readers[i];
      const from = starts[r.at];
      const to = r.last + 1 < depth ? starts[r.last + 1] - 1 : end;
      if (r.kind === 0) params[r.name] = decodeSegment(path.slice(from, to))!;
      else if (r.kind === 1) {
        const values = matchMixedSegment(path.slice(from, to), r.parts, maxLength)!;
        for (let k = 0; k < r.names.length; k++) params[r.names[k]] = decodeSegment(values[k])!;
      } else {
        const raw = path.slice(from, Math.max(from, to));
        params[r.name] = (r.multi ? decodeKeepingReserved(raw) : decodeSegment(raw))!;
      }
    }
    return params;
  }
}

const EMPTY_BINDER = new Binder([]);
