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
import { armRunOf, renderArmTable, runRotatedArms, type ArmResult } from './lib/rotated-arms.js';

/** Beside bench/lib/context.ts's PORTS (18051–18104). */
export const GRAPHQL_BENCH_PORT = 18105;
const QUERY = encodeURIComponent('{schema(id:1){schema}}');
const MAX_FAILED_SHARE = 0.001;

const ARMS: Record<string, string> = {
  REST: '/rest/schemas/ids/1',
  'GraphQL JIT': `/graphql?query=${QUERY}`,
  GraphQL: `/graphql-nojit?query=${QUERY}`,
};

export type GraphqlArm = ArmResult;

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

  const measure = async (name: string, seconds: number) => armRunOf(name, await ctx.wrk(base + ARMS[name], { seconds }), MAX_FAILED_SHARE);
  const result = await runRotatedArms(ctx, 'graphql', Object.keys(ARMS), measure);
  await gateway.stop();
  for (const line of renderGraphql(result)) ctx.log(line);
  return result;
}

/** The markdown section of the scenario. */
export function renderGraphql(r: GraphqlBenchResult): string[] {
  return ['', '### One schema by id: REST route vs GraphQL query (one `prism serve`, wrk -t2 -c64, GET)', '', ...renderArmTable(r, 'REST')];
}
