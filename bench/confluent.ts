/**
 * Scenario 2, the Confluent Schema Registry API on the full stack: the Confluent frontend →
 * the registry pattern (prism-registry, SQLite) over loopback gRPC. The registry runs as its
 * own process so every client of it (Prism with either upstream, the hand-written route) calls
 * the same one; the shipped single-process configuration (registry embedded in the gateway)
 * is measured too, on GET /schemas/ids/{id}, and so is `serve --workers 2`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alternate, warmUp, type LoadTarget, type SystemRuns } from './lib/alternate.js';
import { http, PORTS, type BenchContext } from './lib/context.js';
import { fmtInt, pairedRatio, summarize, type PairedRatio, type Summary } from './lib/stats.js';
import { luaScript } from './lib/wrk.js';

export const SUBJECT = 'bench-value';
export const SCHEMA = JSON.stringify({
  type: 'record',
  name: 'User',
  namespace: 'bench',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
    { name: 'email', type: ['null', 'string'], default: null },
  ],
});

export interface ConfluentResult {
  readonly schemaId: number;
  /** The shipped frontend declares a response cache on GET /schemas/ids/{id}. */
  readonly shippedCache: boolean;
  readonly routes: Record<string, Record<string, SystemRuns>>;
  readonly ratios: Record<string, PairedRatio>;
  /** New versions per second (counted from the subject's version list after each run). */
  readonly registration: Record<string, { perSecond: number[]; summary: Summary }>;
}

const base = (port: number) => `http://127.0.0.1:${port}`;

async function seed(port: number): Promise<number> {
  const reg = await http('POST', `${base(port)}/subjects/${SUBJECT}/versions`, { schema: SCHEMA });
  if (reg.status !== 200) throw new Error(`seeding ${port} failed: ${reg.status} ${reg.text}`);
  return (JSON.parse(reg.text) as { id: number }).id;
}

export async function runConfluent(ctx: BenchContext): Promise<ConfluentResult> {
  ctx.log('\n== Confluent API, full stack (gateway → registry pattern → SQLite) ==');
  const dataDir = join(ctx.tmpDir, 'registry');
  mkdirSync(join(dataDir, 'embedded'), { recursive: true });
  const level = ctx.options.logLevel;
  await ctx.node('prism-registry', [ctx.dist('patterns/registry/cli.js'), 'serve', '--listen', `127.0.0.1:${PORTS.registry}`, '--backend', `sqlite:${join(dataDir, 'registry.db')}`], PORTS.registry);
  const config = join(ctx.benchDir, 'confluent', 'gateway.yaml');
  // `serve` runs the shipped frontend (with its response cache, when it declares one); the two
  // upstream variants run a copy without any `cache:` so they measure the gRPC hop every time.
  const shippedText = readFileSync(join(ctx.repoRoot, 'examples', 'confluent-schema-registry', 'frontend.yaml'), 'utf8');
  const shippedCache = /^\s+cache:/m.test(shippedText);
  const noCacheDir = join(ctx.tmpDir, 'confluent-nocache');
  mkdirSync(noCacheDir, { recursive: true });
  const noCacheText = shippedText.replace(/^\s+cache:.*\n/gm, '');
  if (/^\s+cache:/m.test(noCacheText)) throw new Error('cannot strip the cache declarations of the Confluent frontend');
  writeFileSync(join(noCacheDir, 'frontend.yaml'), noCacheText);
  const noCacheConfig = join(noCacheDir, 'gateway.yaml');
  writeFileSync(noCacheConfig, `http:\n  host: 127.0.0.1\nnamespaces:\n  - name: default\n    pattern:\n      target: 127.0.0.1:${PORTS.registry}\n    frontends:\n      - file: frontend.yaml\n`);
  const serveName = shippedCache ? 'prism serve (shipped config, cache on)' : 'prism serve (shipped config)';
  const embeddedName = shippedCache ? 'prism embedded registry (cache on)' : 'prism embedded registry';
  const pc = await ctx.node('prism-confluent', [ctx.dist('src/cli.js'), 'serve', '--config', config, '--port', String(PORTS.prismConfluent), '--data-dir', join(dataDir, 'gateway'), '--log-level', level], PORTS.prismConfluent);
  const pcg = await ctx.node('prism-confluent-grpcjs', ['--import', 'tsx', 'bench/systems/prism-variant.ts', noCacheConfig, 'grpc-js', String(PORTS.prismConfluentGrpcJs), level], PORTS.prismConfluentGrpcJs);
  const pch = await ctx.node('prism-confluent-http2', ['--import', 'tsx', 'bench/systems/prism-variant.ts', noCacheConfig, 'http2', String(PORTS.prismConfluentHttp2), level], PORTS.prismConfluentHttp2);
  const workersName = shippedCache ? 'prism serve --workers 2 (cache on)' : 'prism serve --workers 2';
  const pw = await ctx.node('prism-confluent-workers', [ctx.dist('src/cli.js'), 'serve', '--config', config, '--port', String(PORTS.prismConfluentWorkers), '--data-dir', join(dataDir, 'gateway-workers'), '--log-level', level, '--workers', '2'], PORTS.prismConfluentWorkers);
  const pe = await ctx.node('prism-embedded', [ctx.dist('src/cli.js'), 'serve', '--config', join(ctx.benchDir, 'confluent', 'embedded.yaml'), '--port', String(PORTS.prismEmbedded), '--data-dir', join(dataDir, 'embedded'), '--log-level', level], PORTS.prismEmbedded);
  const hw = await ctx.node('handwritten-confluent', ['--import', 'tsx', 'bench/systems/handwritten.ts'], PORTS.handwrittenConfluent, { PORT: String(PORTS.handwrittenConfluent), REGISTRY_TARGET: `127.0.0.1:${PORTS.registry}`, LOG_LEVEL: level });

  const schemaId = await seed(PORTS.prismConfluent);
  const embeddedId = await seed(PORTS.prismEmbedded);
  if (embeddedId !== schemaId) throw new Error(`the embedded registry gave id ${embeddedId}, the standalone one ${schemaId}`);
  const byId = `/schemas/ids/${schemaId}`;
  const expected = await http('GET', base(PORTS.prismConfluent) + byId);
  const raw = await ctx.node('raw-fastify', ['--import', 'tsx', 'bench/systems/raw-fastify.ts'], PORTS.rawFastify, { PORT: String(PORTS.rawFastify), RAW_SCHEMA_BODY: expected.text, LOG_LEVEL: level });
  for (const port of [PORTS.prismConfluentGrpcJs, PORTS.prismConfluentHttp2, PORTS.handwrittenConfluent, PORTS.rawFastify, PORTS.prismEmbedded, PORTS.prismConfluentWorkers]) {
    const got = await http('GET', base(port) + byId);
    if (got.status !== 200 || got.text !== expected.text) throw new Error(`port ${port} answered ${got.status} ${got.text} for ${byId}; Prism answered ${expected.text}`);
  }
  ctx.log(`  schema id ${schemaId}; GET ${byId} answers ${expected.text.length} bytes everywhere`);

  const routes: ConfluentResult['routes'] = {};
  const idTargets: LoadTarget[] = [
    { name: serveName, url: base(PORTS.prismConfluent) + byId, pid: pc.child.pid },
    { name: 'prism (grpc-js upstream)', url: base(PORTS.prismConfluentGrpcJs) + byId, pid: pcg.child.pid },
    { name: 'fastify + grpc-js by hand', url: base(PORTS.handwrittenConfluent) + byId, pid: hw.child.pid },
    { name: 'prism (http2 upstream)', url: base(PORTS.prismConfluentHttp2) + byId, pid: pch.child.pid },
    { name: 'raw fastify (no gRPC)', url: base(PORTS.rawFastify) + byId, pid: raw.child.pid },
    { name: embeddedName, url: base(PORTS.prismEmbedded) + byId, pid: pe.child.pid },
    { name: workersName, url: base(PORTS.prismConfluentWorkers) + byId, pid: pw.child.pid },
  ];
  await warmUp(ctx, idTargets);
  routes['GET /schemas/ids/{id}'] = Object.fromEntries(await alternate(ctx, 'ids', idTargets, ctx.options.pairs));

  const schemaBody = JSON.stringify({ schema: SCHEMA });
  const post = luaScript(ctx.benchDir, 'post-json.lua', { BODY: schemaBody });
  const secondary: [string, string, string | undefined, string][] = [
    ['GET /subjects/{s}/versions/latest', `/subjects/${SUBJECT}/versions/latest`, undefined, 'latest'],
    ['POST /subjects/{s} (lookup)', `/subjects/${SUBJECT}`, post, 'lookup'],
    ['POST /subjects/{s}/versions (idempotent)', `/subjects/${SUBJECT}/versions`, post, 'same-schema'],
  ];
  for (const [label, path, lua, short] of secondary) {
    const targets: LoadTarget[] = [
      { name: 'prism (grpc-js upstream)', url: base(PORTS.prismConfluentGrpcJs) + path, lua, pid: pcg.child.pid },
      { name: 'prism (http2 upstream)', url: base(PORTS.prismConfluentHttp2) + path, lua, pid: pch.child.pid },
    ];
    for (const t of targets) {
      const check = await http(lua ? 'POST' : 'GET', t.url, lua ? { schema: SCHEMA } : undefined);
      if (check.status !== 200) throw new Error(`${t.name} ${label}: ${check.status} ${check.text}`);
    }
    await warmUp(ctx, targets);
    routes[label] = Object.fromEntries(await alternate(ctx, short, targets, ctx.options.rounds));
  }

  // New-version registration: a fresh subject per run with compatibility NONE, distinct
  // schemas; the rate is what the registry durably stored (the subject's version count).
  const registration: ConfluentResult['registration'] = {};
  const regTargets = [
    { name: 'prism (grpc-js upstream)', port: PORTS.prismConfluentGrpcJs },
    { name: 'prism (http2 upstream)', port: PORTS.prismConfluentHttp2 },
  ];
  for (let round = 0; round < ctx.options.rounds; round++) {
    for (let i = 0; i < regTargets.length; i++) {
      const t = regTargets[(i + round) % regTargets.length];
      const subject = `bench-new-${round}-${i}`;
      const cfg = await http('PUT', `${base(t.port)}/config/${subject}`, { compatibility: 'NONE' });
      if (cfg.status !== 200) throw new Error(`PUT /config/${subject}: ${cfg.status} ${cfg.text}`);
      const lua = luaScript(ctx.benchDir, 'register-new.lua', { PATH: `/subjects/${subject}/versions`, RUN: `${round}_${i}` });
      const r = await ctx.wrk(`${base(t.port)}/subjects/${subject}/versions`, { lua });
      const versions = JSON.parse((await http('GET', `${base(t.port)}/subjects/${subject}/versions`)).text) as number[];
      const perSecond = versions.length / r.seconds;
      (registration[t.name] ??= { perSecond: [], summary: summarize([]) }).perSecond.push(perSecond);
      ctx.log(`  register round ${round + 1}/${ctx.options.rounds}  ${t.name.padEnd(28)} ${fmtInt(perSecond).padStart(7)} new versions/s  (${versions.length} stored, ${r.non2xx} non-2xx, p50 ${Math.round(r.p50 / 1000)} ms)`);
    }
  }
  for (const r of Object.values(registration)) Object.assign(r, { summary: summarize(r.perSecond) });

  const rps = (route: string, name: string) => routes[route][name].runs.map((r) => r.okRps);
  const perCpu = (route: string, name: string) => routes[route][name].cpuUsPerRequest.map((us) => 1 / us);
  const ids = 'GET /schemas/ids/{id}';
  const ratios: Record<string, PairedRatio> = {
    'ids: prism / hand-written': pairedRatio(rps(ids, 'prism (grpc-js upstream)'), rps(ids, 'fastify + grpc-js by hand')),
    'ids: prism http2 / hand-written': pairedRatio(rps(ids, 'prism (http2 upstream)'), rps(ids, 'fastify + grpc-js by hand')),
    'ids: prism / raw fastify': pairedRatio(rps(ids, 'prism (grpc-js upstream)'), rps(ids, 'raw fastify (no gRPC)')),
    'ids: prism http2 / prism grpc-js': pairedRatio(rps(ids, 'prism (http2 upstream)'), rps(ids, 'prism (grpc-js upstream)')),
    'ids: prism serve / hand-written': pairedRatio(rps(ids, serveName), rps(ids, 'fastify + grpc-js by hand')),
    'ids: prism serve / raw fastify': pairedRatio(rps(ids, serveName), rps(ids, 'raw fastify (no gRPC)')),
    'ids: embedded / prism serve': pairedRatio(rps(ids, embeddedName), rps(ids, serveName)),
    'ids: prism serve --workers 2 / raw fastify': pairedRatio(rps(ids, workersName), rps(ids, 'raw fastify (no gRPC)')),
    'ids: prism serve --workers 2 / prism serve': pairedRatio(rps(ids, workersName), rps(ids, serveName)),
    'ids, CPU efficiency of the HTTP→gRPC process: prism / hand-written': pairedRatio(perCpu(ids, 'prism (grpc-js upstream)'), perCpu(ids, 'fastify + grpc-js by hand')),
    'ids, CPU efficiency: prism http2 / hand-written': pairedRatio(perCpu(ids, 'prism (http2 upstream)'), perCpu(ids, 'fastify + grpc-js by hand')),
  };
  for (const [label] of secondary) ratios[`${label}: http2 / grpc-js`] = pairedRatio(rps(label, 'prism (http2 upstream)'), rps(label, 'prism (grpc-js upstream)'));
  return { schemaId, shippedCache, routes, ratios, registration };
}
