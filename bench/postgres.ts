/**
 * Scale-out scenario (issue #9): two prism-registry replicas on one PostgreSQL database, a
 * gateway in front of each, loaded at the same time. Measures reads (GET /schemas/ids/{id}
 * without the response cache, so every read reaches a replica) and new-version registration
 * into one shared subject (ids and versions assigned across replicas), counting what the
 * database durably holds.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { SCHEMA, SUBJECT } from './confluent.js';
import { http, PORTS, type BenchContext } from './lib/context.js';
import { fmtInt, summarize, type Summary } from './lib/stats.js';
import { luaScript } from './lib/wrk.js';

export interface PostgresResult {
  readonly replicas: number;
  /** Reads per second through both gateways together, per round. */
  readonly reads: { readonly perSecond: number[]; readonly summary: Summary };
  /** New versions per second stored through both gateways together, per round. */
  readonly registration: { readonly perSecond: number[]; readonly summary: Summary };
}

const ADMIN_URL = process.env.PRISM_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const base = (port: number) => `http://127.0.0.1:${port}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function runPostgres(ctx: BenchContext): Promise<PostgresResult> {
  ctx.log('\n== scale-out: 2 registry replicas on PostgreSQL, a gateway in front of each ==');
  const database = `prism_bench_${process.pid}_${Date.now().toString(36)}`;
  await admin(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  try {
    const level = ctx.options.logLevel;
    const replicas = [
      { registry: PORTS.registryPgA, gateway: PORTS.prismPgA },
      { registry: PORTS.registryPgB, gateway: PORTS.prismPgB },
    ];
    // Every read must reach a replica: the frontend runs without its response cache.
    const dir = join(ctx.tmpDir, 'postgres');
    mkdirSync(dir, { recursive: true });
    const shipped = readFileSync(join(ctx.repoRoot, 'examples', 'confluent-schema-registry', 'frontend.yaml'), 'utf8');
    writeFileSync(join(dir, 'frontend.yaml'), shipped.replace(/^\s+cache:.*\n/gm, ''));
    for (const [i, r] of replicas.entries()) {
      await ctx.node(`registry-pg-${i}`, [ctx.dist('patterns/registry/cli.js'), 'serve', '--listen', `127.0.0.1:${r.registry}`, '--backend', url.toString()], r.registry);
      const config = join(dir, `gateway-${i}.yaml`);
      writeFileSync(config, `http:\n  host: 127.0.0.1\nnamespaces:\n  - name: default\n    pattern:\n      target: 127.0.0.1:${r.registry}\n    frontends:\n      - file: frontend.yaml\n`);
      await ctx.node(`prism-pg-${i}`, [ctx.dist('src/cli.js'), 'serve', '--config', config, '--port', String(r.gateway), '--data-dir', join(dir, `gateway-${i}`), '--log-level', level], r.gateway);
    }

    const reg = await http('POST', `${base(replicas[0].gateway)}/subjects/${SUBJECT}/versions`, { schema: SCHEMA });
    if (reg.status !== 200) throw new Error(`seeding failed: ${reg.status} ${reg.text}`);
    const byId = `/schemas/ids/${(JSON.parse(reg.text) as { id: number }).id}`;
    const other = await http('GET', base(replicas[1].gateway) + byId);
    if (other.status !== 200) throw new Error(`the second replica does not see the schema: ${other.status} ${other.text}`);

    const half = Math.max(1, Math.floor(ctx.options.connections / 2));
    const reads: number[] = [];
    const registration: number[] = [];
    for (let round = 0; round < ctx.options.rounds; round++) {
      const runs = await Promise.all(replicas.map((r) => ctx.wrk(base(r.gateway) + byId, { connections: half })));
      const perSecond = runs.reduce((sum, w) => sum + w.okRps, 0);
      reads.push(perSecond);
      ctx.log(`  reads round ${round + 1}/${ctx.options.rounds}     ${fmtInt(perSecond).padStart(7)} req/s through both gateways (${runs.map((w) => fmtInt(w.okRps)).join(' + ')})`);

      // One subject written through both replicas at once: versions are assigned across them.
      const subject = `bench-pg-${round}`;
      const cfg = await http('PUT', `${base(replicas[0].gateway)}/config/${subject}`, { compatibility: 'NONE' });
      if (cfg.status !== 200) throw new Error(`PUT /config/${subject}: ${cfg.status} ${cfg.text}`);
      const writes = await Promise.all(
        replicas.map((r, i) => ctx.wrk(`${base(r.gateway)}/subjects/${subject}/versions`, { connections: half, lua: luaScript(ctx.benchDir, 'register-new.lua', { PATH: `/subjects/${subject}/versions`, RUN: `pg${round}_${i}` }) })),
      );
      const versions = JSON.parse((await http('GET', `${base(replicas[1].gateway)}/subjects/${subject}/versions`)).text) as number[];
      const expected = Array.from({ length: versions.length }, (_, k) => k + 1);
      if (JSON.stringify(versions) !== JSON.stringify(expected)) throw new Error(`versions of ${subject} are not 1..n: ${versions.slice(0, 20).join(',')}…`);
      const seconds = Math.max(...writes.map((w) => w.seconds));
      registration.push(versions.length / seconds);
      ctx.log(`  register round ${round + 1}/${ctx.options.rounds}  ${fmtInt(versions.length / seconds).padStart(7)} new versions/s stored (${versions.length} versions 1..n, ${writes.reduce((s, w) => s + w.non2xx, 0)} non-2xx)`);
    }
    return { replicas: replicas.length, reads: { perSecond: reads, summary: summarize(reads) }, registration: { perSecond: registration, summary: summarize(registration) } };
  } finally {
    const { stopAll } = await import('./lib/processes.js');
    await stopAll();
    await admin(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`).catch(() => {});
  }
}
