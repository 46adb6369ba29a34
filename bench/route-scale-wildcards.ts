/**
 * Route table scale with HttpRule templates (in-process, issue #17): generated definitions of
 * 10 and 10,000 routes on the fixture proto where one route in ten uses a wildcard, a verb or
 * literal text around a parameter (`{path=**}`, `{id}:cancel`, `{name=projects/*}:archive`,
 * `{name}.json`), and the same sizes without them. Tables are built first, then measured in
 * alternating rounds (so no size is favoured by being first or last), over requests spread
 * across every route; the ratio that matters is 10,000 routes with tails / 10 routes with tails.
 *
 * Runs as its own process (`node --import tsx bench/route-scale-wildcards.ts`); prints one JSON
 * line prefixed ROUTE_SCALE_WILDCARDS.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDefinitions } from '../src/frontends/load-definition.js';
import { compileRouteTable } from '../src/routing/compile-route-table.js';
import { parsePathTemplate } from '../src/routing/path-template.js';
import { SegmentTrie } from '../src/routing/segment-trie.js';
import type { RouteTable } from '../src/routing/route-table.js';
import { Code, GatewayError } from '../src/core/gateway-error.js';
import { createStreamCall } from '../src/upstream/stream-call.js';
import type { Upstream } from '../src/upstream/upstream.js';
import { median } from './lib/stats.js';

export interface RouteScaleWildcardsResult {
  /** Median ns per match over the rounds, per table. */
  readonly matchNs: Record<string, number>;
  readonly matchNsRuns: Record<string, number[]>;
  readonly compileMs: Record<string, number>;
  /** 10,000 routes with 10 % tails / 10 routes with 10 % tails: median of the per-round ratios. */
  readonly ratio: number;
  readonly ratioRuns: number[];
  /** 10,000 routes with 10 % tails / 10,000 plain routes: what the tails cost at scale. */
  readonly tailsVsPlain: number;
  /**
   * The index alone (a SegmentTrie of the same templates, no compiled routes around it): ns per
   * lookup and the 10,000 / 10 ratio, which separates the index's cost from the cache misses a
   * 100 MB table of compiled mappers brings.
   */
  readonly trieOnly: {
    readonly matchNs: Record<string, number>;
    readonly ratio: number;
    /**
     * What the index holds at each size (SegmentTrie.footprint): a CPU-independent view of what
     * grows with the table, the bytes of node records and edge slots lookups read.
     */
    readonly footprint: Record<string, { nodes: number; edges: number; endpoints: number; bytes: number }>;
  };
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

interface GeneratedRoute {
  path: string;
  params: string[];
  /** A concrete request path for request number k. */
  request(k: number): string;
}

/** Route i: one in ten (with `tails`) takes one of four HttpRule forms, the rest route-scale.ts's four plain shapes. */
function routeAt(i: number, tails: boolean): GeneratedRoute {
  const group = `group${i % 97}`;
  if (tails && i % 10 === 9) {
    switch (Math.floor(i / 10) % 4) {
      case 0:
        return { path: `/api/v1/${group}/files${i}/{path=**}`, params: ['path'], request: (k) => `/api/v1/${group}/files${i}/dir-${k % 7}/sub/file-${k}.txt` };
      case 1:
        return { path: `/api/v1/${group}/jobs${i}/{id}:cancel`, params: ['id'], request: (k) => `/api/v1/${group}/jobs${i}/job-${k}:cancel` };
      case 2:
        return { path: `/api/v1/${group}/{name=projects/*/ops${i}/*}:archive`, params: ['name'], request: (k) => `/api/v1/${group}/projects/p${k % 13}/ops${i}/op-${k}:archive` };
      default:
        return { path: `/api/v1/${group}/docs${i}/{name}.json`, params: ['name'], request: (k) => `/api/v1/${group}/docs${i}/doc-${k}.json` };
    }
  }
  switch (i % 4) {
    case 0:
      return { path: `/api/v1/${group}/things${i}/{id}`, params: ['id'], request: (k) => `/api/v1/${group}/things${i}/id-${k}` };
    case 1:
      return { path: `/api/v1/${group}/things${i}/{id}/parts/{part}`, params: ['id', 'part'], request: (k) => `/api/v1/${group}/things${i}/id-${k}/parts/p${k % 13}` };
    case 2:
      return { path: `/api/v2/things${i}`, params: [], request: () => `/api/v2/things${i}` };
    default:
      return { path: `/api/v1/${group}/{id}/things${i}`, params: ['id'], request: (k) => `/api/v1/${group}/id-${k}/things${i}` };
  }
}

function generateDefinition(count: number, tails: boolean): string {
  const routes = [];
  for (let i = 0; i < count; i++) {
    const { path, params } = routeAt(i, tails);
    routes.push({ id: `r${i}`, method: METHODS[i % METHODS.length], path, grpc: 'Echo', params: params.map((p, n) => ({ from: `path.${p}`, to: n === 0 ? 'f_string' : 'choice_text' })) });
  }
  return JSON.stringify({ name: `wild-${count}`, type: 'REST', protos: ['prism/test/v1/everything.proto'], rest: { service: 'prism.test.v1.EverythingService', routes } });
}

// Compiling and matching never call it.
const upstream: Upstream = {
  target: 'unused',
  unary: () => Promise.reject(new Error('not called')),
  stream: (request) =>
    createStreamCall(request, (sink) => {
      queueMicrotask(() => sink.finish(new GatewayError(Code.UNIMPLEMENTED, 'the route-scale stand-in carries no calls'), {}));
      return { write: async () => {}, end: () => {}, cancel: () => {}, consumed: () => {}, receiving: 0 };
    }),
  healthy: async () => true,
  close: () => {},
};

function compile(count: number, tails: boolean): { table: RouteTable; ms: number } {
  const started = performance.now();
  const loaded = parseDefinitions(generateDefinition(count, tails), `wild-${count}.json`, process.cwd());
  const table = compileRouteTable(loaded.map((l) => ({ loaded: l, upstream })));
  return { table, ms: performance.now() - started };
}

/** 4,096 requests spread over every route (each route's share of tails as in the table). */
function requestsFor(count: number, tails: boolean): [string, string][] {
  const out: [string, string][] = [];
  for (let k = 0; k < 4096; k++) {
    const i = (k * 7919) % count;
    out.push([METHODS[i % METHODS.length], routeAt(i, tails).request(k)]);
  }
  return out;
}

/** What is measured: a route table, or the bare index. */
interface Matcher {
  match(method: string, path: string): { route?: unknown };
}

/** Just the index: the templates in a SegmentTrie, the route number as the value. */
function trieOf(count: number, tails: boolean): Matcher & { trie: SegmentTrie<number> } {
  const trie = new SegmentTrie<number>({ maxParamLength: 8192 });
  for (let i = 0; i < count; i++) {
    const template = parsePathTemplate(routeAt(i, tails).path, (_c, _p, message) => {
      throw new Error(message);
    });
    trie.add(METHODS[i % METHODS.length], template!.segments, undefined, i);
  }
  return { trie, match: (method, path) => ({ route: trie.find(method, path, undefined) }) };
}

function matchCost(table: Matcher, requests: [string, string][], iterations: number): number {
  let found = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const [m, p] = requests[i & 4095];
    // Compared with undefined, not tested for truth: deciding an object's truth reads its map,
    // a cache miss on each of 10,000 compiled routes that the match itself never touches.
    if (table.match(m, p).route !== undefined) found++;
  }
  const ns = Number(process.hrtime.bigint() - started) / iterations;
  if (found !== iterations) throw new Error(`only ${found} of ${iterations} requests matched`);
  return ns;
}

export function runRouteScaleWildcards(rounds = 9, iterations = 300_000): RouteScaleWildcardsResult {
  const tables = [
    { name: '10 with tails', count: 10, tails: true },
    { name: '10,000 with tails', count: 10_000, tails: true },
    { name: '10 plain', count: 10, tails: false },
    { name: '10,000 plain', count: 10_000, tails: false },
  ].map((t) => ({ ...t, ...(compile(t.count, t.tails) as { table: Matcher; ms: number }), requests: requestsFor(t.count, t.tails) }));
  const small = trieOf(10, true);
  const large = trieOf(10_000, true);
  tables.push(
    { name: 'trie: 10 with tails', count: 10, tails: true, table: small, ms: 0, requests: requestsFor(10, true) },
    { name: 'trie: 10,000 with tails', count: 10_000, tails: true, table: large, ms: 0, requests: requestsFor(10_000, true) },
  );
  for (const t of tables) matchCost(t.table, t.requests, 200_000);
  const runs: Record<string, number[]> = Object.fromEntries(tables.map((t) => [t.name, []]));
  const ratioRuns: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate the order each round so neither size is always measured first.
    const order = r % 2 === 0 ? tables : [...tables].reverse();
    const round: Record<string, number> = {};
    for (const t of order) round[t.name] = matchCost(t.table, t.requests, iterations);
    for (const t of tables) runs[t.name].push(round[t.name]);
    ratioRuns.push(round['10,000 with tails'] / round['10 with tails']);
  }
  const matchNs = Object.fromEntries(tables.map((t) => [t.name, median(runs[t.name])]));
  return {
    matchNs,
    matchNsRuns: runs,
    compileMs: Object.fromEntries(tables.filter((t) => !t.name.startsWith('trie')).map((t) => [t.name, t.ms])),
    ratio: median(ratioRuns),
    ratioRuns,
    tailsVsPlain: matchNs['10,000 with tails'] / matchNs['10,000 plain'],
    trieOnly: {
      matchNs: { '10 with tails': matchNs['trie: 10 with tails'], '10,000 with tails': matchNs['trie: 10,000 with tails'] },
      ratio: median(runs['trie: 10,000 with tails'].map((ns, r) => ns / runs['trie: 10 with tails'][r])),
      footprint: { '10 with tails': small.trie.footprint(), '10,000 with tails': large.trie.footprint() },
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write('ROUTE_SCALE_WILDCARDS ' + JSON.stringify(runRouteScaleWildcards()) + '\n');
}
