/**
 * Scenario 4, route table scale (in-process): generated definitions of 10, 1,000 and 10,000
 * routes against the fixture proto, compiled with compileRouteTable; match cost per lookup
 * (route-table `match`), heap retained by each table, and compile time.
 *
 * Runs as its own process (`node --expose-gc --import tsx bench/route-scale.ts`) so the heap
 * measurements see only the tables; prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { parseDefinitions } from '../src/frontends/load-definition.js';
import { compileRouteTable } from '../src/routing/compile-route-table.js';
import type { RouteTable } from '../src/routing/route-table.js';
import { Code, GatewayError } from '../src/core/gateway-error.js';
import { createStreamCall } from '../src/upstream/stream-call.js';
import type { Upstream } from '../src/upstream/upstream.js';
import { median } from './lib/stats.js';

export interface RouteScaleResult {
  readonly sizes: Record<string, { compileMs: number; matchNs: number; matchNsRuns: number[]; heapBytes: number; heapPerRouteBytes: number }>;
  /** Median of several compiles of 1,000 routes. */
  readonly compile1000Ms: number;
  /** Match cost at 10,000 routes / at 10 routes. */
  readonly matchRatio: number;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

/** Route i: four shapes mixing static segments and one or two parameters. */
function routePath(i: number): { path: string; params: string[] } {
  const group = `group${i % 97}`;
  switch (i % 4) {
    case 0: return { path: `/api/v1/${group}/things${i}/{id}`, params: ['id'] };
    case 1: return { path: `/api/v1/${group}/things${i}/{id}/parts/{part}`, params: ['id', 'part'] };
    case 2: return { path: `/api/v2/things${i}`, params: [] };
    default: return { path: `/api/v1/${group}/{id}/things${i}`, params: ['id'] };
  }
}

export function generateDefinition(count: number): string {
  const routes = [];
  for (let i = 0; i < count; i++) {
    const { path, params } = routePath(i);
    routes.push({
      id: `r${i}`,
      method: METHODS[i % METHODS.length],
      path,
      grpc: 'Echo',
      params: params.map((p) => ({ from: `path.${p}`, to: p === 'id' ? 'f_string' : 'choice_text' })),
    });
  }
  return JSON.stringify({ name: `scale-${count}`, type: 'REST', protos: ['prism/test/v1/everything.proto'], rest: { service: 'prism.test.v1.EverythingService', routes } });
}

// Compiling and matching never call it: every call fails as a backend without the method would.
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

function compile(count: number, text = generateDefinition(count)): { table: RouteTable; ms: number } {
  const started = performance.now();
  const loaded = parseDefinitions(text, `scale-${count}.json`, process.cwd());
  const table = compileRouteTable(loaded.map((l) => ({ loaded: l, upstream })));
  return { table, ms: performance.now() - started };
}

/** Requests spread over every route (at most 4,096 distinct ones), concrete parameter values. */
function requestsFor(count: number): [string, string][] {
  const out: [string, string][] = [];
  const n = 4096;
  for (let k = 0; k < n; k++) {
    const i = Math.floor((k * 7919) % count);
    const path = routePath(i).path.replace('{id}', `id-${k}`).replace('{part}', `p${k % 13}`);
    out.push([METHODS[i % METHODS.length], path]);
  }
  return out;
}

function matchCost(table: RouteTable, requests: [string, string][], iterations: number): number {
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

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

export function runRouteScale(): RouteScaleResult {
  const sizes: RouteScaleResult['sizes'] = {};
  const keep: RouteTable[] = [];
  // Warm the compiler (proto loading, JIT) so the first size is not charged for it.
  compile(10);
  for (const count of [10, 1000, 10000]) {
    const text = generateDefinition(count);
    const before = heapUsed();
    const { table, ms } = compile(count, text);
    keep.push(table);
    const heapBytes = heapUsed() - before;
    const requests = requestsFor(count);
    matchCost(table, requests, 200_000);
    const runs = Array.from({ length: 7 }, () => matchCost(table, requests, 300_000));
    sizes[String(count)] = { compileMs: ms, matchNs: median(runs), matchNsRuns: runs, heapBytes, heapPerRouteBytes: heapBytes / count };
  }
  const text1000 = generateDefinition(1000);
  const compile1000Ms = median(Array.from({ length: 5 }, () => compile(1000, text1000).ms));
  return { sizes, compile1000Ms, matchRatio: sizes['10000'].matchNs / sizes['10'].matchNs };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write('ROUTE_SCALE ' + JSON.stringify(runRouteScale()) + '\n');
}
