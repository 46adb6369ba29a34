/**
 * Scenario `graphql` (issue #20): one schema read by id, GetSchema on the embedded registry,
 * through three doors of one `prism serve` (bench/graphql/gateway.yaml), side by side:
 *   REST           GET /rest/schemas/ids/1 (a plain route, no response cache)
 *   GraphQL JIT    GET /graphql?query={schema(id:1){schema}} (graphql-jit, the registry example)
 *   GraphQL        GET /graphql-nojit?query=… (graphql-js execute)
 * The same fields come back each time; GET so wrk needs no script (a query may be sent as GET).
 * The arms alternate, the order rotated round by round; medians, spread, and each GraphQL arm as
 * a ratio of the REST arm.
 */
import { join } from 'node:path';
import type { BenchContext } from './lib/context.js';
import { canConnect } from './lib/processes.js';
import { fmtInt, fmtPct, fmtUs, summarize, type Summary } from './lib/stats.js';

/** Beside bench/lib/context.ts's PORTS (18051–18104). */
export const GRAPHQL_BENCH_PORT = 18105;
const QUERY = encodeURIComponent('{schema(id:1){schema}}');
const MAX_FAILED_SHARE = 0.001;

const ARMS: Record<string, string> = {
  REST: '/rest/schemas/ids/1',
  'GraphQL JIT': `/graphql?query=${QUERY}`,
  GraphQL: `/graphql-nojit?query=${QUERY}`,
};

export interface GraphqlArm {
  readonly name: string;
  readonly rps: number[];
  readonly summary: Summary;
  readonly p50: number[];
  readonly p99: number[];
}

export type GraphqlBenchResult = Record<string, GraphqlArm>;

export async function runGraphql(ctx: BenchContext): Promise<GraphqlBenchResult> {
  ctx.log('\n== graphql: one schema by id, REST route vs GraphQL query (graphql-jit on and off) ==');
  const port = GRAPHQL_BENCH_PORT;
  if (await canConnect('127.0.0.1', port)) throw new Error(`port ${port} is in use (another benchmark running?)`);
  const args = [ctx.dist('src/cli.js'), 'serve', '--config', join(ctx.benchDir, 'graphql', 'gateway.yaml'), '--port', String(port), '--data-dir', join(ctx.tmpDir, 'graphql-data'), '--log-level', ctx.options.logLevel];
  const gateway = await ctx.node('prism-graphql', args, port);
  const base = `http://127.0.0.1:${port}`;

  // The schema every arm reads (id 1), registered through the GraphQL mutation.
  const register = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation($s: String!) { register(subject: "bench-value", schema: $s) { id } }', variables: { s: JSON.stringify({ type: 'record', name: 'Bench', fields: [{ name: 'a', type: 'string' }] }) } }),
  });
  const registered = (await register.json()) as { data?: { register?: { id: number } } };
  if (registered.data?.register?.id !== 1) throw new Error(`register: ${register.status} ${JSON.stringify(registered)}`);
  // Every arm answers the same schema text.
  const texts = await Promise.all(Object.values(ARMS).map(async (path) => {
    const res = await fetch(base + path);
    const body = (await res.json()) as { schema?: { schema: string }; data?: { schema: { schema: string } } };
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body.data?.schema.schema ?? (body as { schema?: string }).schema;
  }));
  if (new Set(texts).size !== 1) throw new Error(`the arms answer different schemas: ${JSON.stringify(texts)}`);

  const measure = async (name: string, seconds: number) => {
    const r = await ctx.wrk(base + ARMS[name], { seconds });
    const bad = r.non2xx + r.socketErrors;
    if (bad > r.requests * MAX_FAILED_SHARE) throw new Error(`${name}: ${r.non2xx} non-2xx and ${r.socketErrors} socket errors in ${r.requests} requests`);
    return { rps: r.okRps, p50: r.p50, p99: r.p99 };
  };
  const names = Object.keys(ARMS);
  for (const name of names) await measure(name, ctx.options.warmup);
  const runs = new Map(names.map((n) => [n, [] as { rps: number; p50: number; p99: number }[]]));
  const rounds = ctx.options.pairs;
  for (let round = 0; round < rounds; round++) {
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      const m = await measure(name, ctx.options.duration);
      runs.get(name)!.push(m);
      ctx.log(`  graphql round ${round + 1}/${rounds}  ${name.padEnd(12)} ${fmtInt(m.rps).padStart(7)} req/s  p50 ${fmtUs(m.p50).padStart(9)}  p99 ${fmtUs(m.p99).padStart(9)}`);
    }
  }
  await gateway.stop();
  const result: GraphqlBenchResult = {};
  for (const name of names) {
    const list = runs.get(name)!;
    result[name] = { name, rps: list.map((m) => m.rps), summary: summarize(list.map((m) => m.rps)), p50: list.map((m) => m.p50), p99: list.map((m) => m.p99) };
  }
  for (const line of renderGraphql(result)) ctx.log(line);
  return result;
}

/** The markdown section of the scenario. */
export function renderGraphql(r: GraphqlBenchResult): string[] {
  const rest = r.REST?.summary.median ?? NaN;
  const out = ['', '### One schema by id: REST route vs GraphQL query (one `prism serve`, wrk -t2 -c64, GET)', ''];
  out.push('| arm | req/s (median) | spread | p50 | p99 | vs REST |', '|---|---:|---:|---:|---:|---:|');
  for (const arm of Object.values(r)) {
    const mid = (xs: number[]) => summarize(xs).median;
    out.push(`| ${arm.name} | ${fmtInt(arm.summary.median)} | ${fmtPct(arm.summary.spreadPct)} | ${fmtUs(mid(arm.p50))} | ${fmtUs(mid(arm.p99))} | ${(arm.summary.median / rest).toFixed(2)}× |`);
  }
  return out;
}
