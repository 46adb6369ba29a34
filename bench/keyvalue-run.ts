/**
 * The keyvalue scenario alone: `tsx bench/keyvalue-run.ts [--duration S] [--pairs N] [--warmup S]`.
 * The same measurement as `npm run bench -- --only keyvalue` (bench/keyvalue.ts), for when other
 * benchmark ports are taken: `npm run bench` refuses to start while any of its ports is in use,
 * this checks only the keyvalue gateway's port. Prints the table; writes nothing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runKeyValue } from './keyvalue.js';
import { buildSnapshot, createContext } from './lib/context.js';
import { stopAll } from './lib/processes.js';
import { ensureWrk } from './lib/wrk.js';
import { machine } from './report.js';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '5' }, pairs: { type: 'string', default: '5' }, warmup: { type: 'string', default: '2' }, 'no-build': { type: 'boolean', default: false } },
});
const positive = (text: string, name: string) => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
};

async function main(): Promise<void> {
  const benchDir = import.meta.dirname;
  const repoRoot = join(benchDir, '..');
  await ensureWrk();
  const snapshot = join(benchDir, '.cache', 'build');
  const distRoot = values['no-build'] && existsSync(join(snapshot, 'dist', 'src', 'cli.js')) ? snapshot : await buildSnapshot(repoRoot, benchDir);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const options = {
    duration: positive(values.duration!, 'duration'),
    pairs: Math.round(positive(values.pairs!, 'pairs')),
    rounds: 1,
    warmup: positive(values.warmup!, 'warmup'),
    connections: 64,
    threads: 2,
    only: new Set(['keyvalue']),
    build: !values['no-build'],
    logLevel: 'warn',
  };
  const ctx = createContext(options, benchDir, stamp, '', distRoot);
  const m = machine();
  ctx.log(`keyvalue bench ${new Date().toISOString()}: ${m.cores} × ${m.cpu}; --duration ${options.duration} --pairs ${options.pairs} --warmup ${options.warmup}`);
  try {
    await runKeyValue(ctx);
  } finally {
    await stopAll();
  }
}

main().catch(async (err) => {
  await stopAll();
  process.stderr.write(`bench: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
