/**
 * Scenario `keyvalue` (issue #18): keyvalue Get of one 64-byte value through the gateway on
 * each store, and Redis GET straight from ioredis for reference, side by side:
 *   MEMSTORE, SQLITE, POSTGRES, REDIS   GET /<ns>/v1/kv/bench/value, examples/keyvalue's REST
 *                                       route, one `prism serve` (bench/keyvalue/gateway.yaml);
 *   ioredis direct                      GET of the same bytes on 127.0.0.1:6379 with the client
 *                                       the REDIS store uses (bench/keyvalue/direct-redis.ts).
 * The arms alternate, the order rotated round by round; medians and spread of calls per second.
 * Needs PostgreSQL (PRISM_BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres)
 * and Redis on 127.0.0.1:6379.
 */
import { join } from 'node:path';
import { PORTS, type BenchContext } from './lib/context.js';
import { canConnect, run } from './lib/processes.js';
import { armRunOf, renderArmTable, runRotatedArms, type ArmResult, type ArmRun } from './lib/rotated-arms.js';

const POSTGRES_URL = process.env.PRISM_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = 'redis://127.0.0.1:6379';
const KEY = 'bench/value';
const VALUE = 'v'.repeat(64);
/** Above this share of failed requests in a run, its rate is not a rate of Get calls. */
const MAX_FAILED_SHARE = 0.001;

const STORE_ARMS: Record<string, string> = { MEMSTORE: 'mem', SQLITE: 'sqlite', POSTGRES: 'pg', REDIS: 'redis' };
const DIRECT = 'ioredis direct';

export type KeyValueArm = ArmResult;

export type KeyValueResult = Record<string, KeyValueArm>;

export async function runKeyValue(ctx: BenchContext): Promise<KeyValueResult> {
  ctx.log('\n== keyvalue: Get through the gateway on MEMSTORE, SQLITE, POSTGRES, REDIS vs Redis GET with ioredis ==');
  const port = PORTS.keyvalueGateway;
  if (await canConnect('127.0.0.1', port)) throw new Error(`port ${port} is in use (another benchmark running?)`);
  const args = [ctx.dist('src/cli.js'), 'serve', '--config', join(ctx.benchDir, 'keyvalue', 'gateway.yaml'), '--port', String(port), '--data-dir', join(ctx.tmpDir, 'keyvalue-data'), '--log-level', ctx.options.logLevel];
  const gateway = await ctx.node('prism-keyvalue', args, port, { PRISM_BENCH_POSTGRES_URL: POSTGRES_URL });
  const base = `http://127.0.0.1:${port}`;

  // The value every arm reads: written through the gateway into each store, and by hand for ioredis.
  for (const ns of Object.values(STORE_ARMS)) {
    const put = await fetch(`${base}/${ns}/v1/kv/${KEY}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: VALUE });
    if (!put.ok) throw new Error(`PUT /${ns}/v1/kv/${KEY}: ${put.status} ${await put.text()}`);
    const got = await fetch(`${base}/${ns}/v1/kv/${KEY}`);
    const text = await got.text();
    if (got.status !== 200 || text !== VALUE) throw new Error(`GET /${ns}/v1/kv/${KEY}: ${got.status} ${text.slice(0, 200)}`);
  }
  const directKey = 'prism:bench:kv:direct';
  await run(process.execPath, ['-e', `const {Redis}=require('ioredis');const r=new Redis(${JSON.stringify(REDIS_URL)});r.set(${JSON.stringify(directKey)},${JSON.stringify(VALUE)}).then(()=>r.quit())`], { cwd: ctx.repoRoot });

  const measure = async (name: string, seconds: number): Promise<ArmRun> => {
    if (name === DIRECT) {
      const out = await run(process.execPath, ['--import', 'tsx', join(ctx.benchDir, 'keyvalue', 'direct-redis.ts'), REDIS_URL, directKey, String(ctx.options.connections), String(seconds)], { cwd: ctx.repoRoot });
      const r = JSON.parse(out.trim().split('\n').pop()!) as { calls: number; errors: number; rps: number; p50: number; p99: number };
      if (r.errors > r.calls * MAX_FAILED_SHARE) throw new Error(`${DIRECT}: ${r.errors} failed calls of ${r.calls + r.errors}`);
      return r;
    }
    return armRunOf(name, await ctx.wrk(`${base}/${STORE_ARMS[name]}/v1/kv/${KEY}`, { seconds }), MAX_FAILED_SHARE);
  };

  const result = await runRotatedArms(ctx, 'keyvalue', [...Object.keys(STORE_ARMS), DIRECT], measure);
  await gateway.stop();
  for (const line of renderKeyValue(result)) ctx.log(line);
  return result;
}

/** The markdown section of the scenario. */
export function renderKeyValue(r: KeyValueResult): string[] {
  return ['', '### keyvalue Get per store (examples/keyvalue REST route, one `prism serve`, wrk -t2 -c64) vs Redis GET with ioredis (64 in flight)', '', ...renderArmTable(r, DIRECT)];
}
