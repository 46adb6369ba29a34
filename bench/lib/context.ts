/**
 * What every scenario gets: options from the command line, folders, the Go peer's binaries,
 * and helpers that start the systems under test on fixed loopback ports.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { run, startProcess, type Started } from './processes.js';
import { runWrk, type WrkResult } from './wrk.js';

export const PORTS = {
  goServer: 18051,
  goGateway: 18080,
  goPlainHttp: 18090,
  prismEcho: 18081,
  prismEchoHttp2: 18082,
  prismEchoGrpcJsVariant: 18089,
  handwritten: 18083,
  rawFastify: 18084,
  prismConfluent: 18085,
  prismConfluentHttp2: 18086,
  handwrittenConfluent: 18087,
  prismEmbedded: 18088,
  prismConfluentGrpcJs: 18092,
  registry: 18091,
  registryPgA: 18093,
  registryPgB: 18094,
  prismPgA: 18095,
  prismPgB: 18096,
  prismEchoWorkers: 18097,
  prismConfluentWorkers: 18098,
  prismStreams: 18099,
  prismStreamsIdle: 18100,
  goGatewayStreamsIdle: 18101,
  rpcGateway: 18102,
  rpcAdmin: 18103,
  keyvalueGateway: 18104,
} as const;

export interface BenchOptions {
  /** Seconds per measured wrk run. */
  readonly duration: number;
  /** A/B rounds of the headline comparisons. */
  readonly pairs: number;
  /** Rounds of secondary comparisons. */
  readonly rounds: number;
  readonly warmup: number;
  readonly connections: number;
  readonly threads: number;
  readonly only: ReadonlySet<string>;
  readonly build: boolean;
  readonly logLevel: string;
}

export interface BenchContext {
  readonly options: BenchOptions;
  readonly benchDir: string;
  readonly repoRoot: string;
  /** Per-run scratch space (logs, SQLite files, profiles); gitignored. */
  readonly tmpDir: string;
  readonly peerBin: string;
  /** Private build of the gateway (dist/ inside): what every Prism process runs. */
  readonly distRoot: string;
  /** Path of a compiled file, e.g. dist('src/cli.js'). */
  dist(file: string): string;
  log(line: string): void;
  /** `node <args>` from the repository root, tracked and stopped with the run. */
  node(name: string, args: readonly string[], port: number, env?: NodeJS.ProcessEnv, nodeFlags?: readonly string[]): Promise<Started>;
  peer(name: 'server' | 'gateway' | 'plainhttp', args: readonly string[], port: number): Promise<Started>;
  wrk(url: string, options?: { seconds?: number; connections?: number; threads?: number; lua?: string; cpus?: string }): Promise<WrkResult>;
}

export function createContext(options: BenchOptions, benchDir: string, stamp: string, peerBin: string, distRoot: string): BenchContext {
  const repoRoot = resolve(benchDir, '..');
  const tmpDir = join(benchDir, 'results', 'tmp', stamp);
  mkdirSync(tmpDir, { recursive: true });
  const logDir = join(tmpDir, 'logs');
  return {
    options,
    benchDir,
    repoRoot,
    tmpDir,
    peerBin,
    distRoot,
    dist: (file) => join(distRoot, 'dist', file),
    log: (line) => process.stdout.write(line + '\n'),
    node: (name, args, port, env, nodeFlags = []) =>
      startProcess(name, process.execPath, [...nodeFlags, ...args], { cwd: repoRoot, env: { NODE_ENV: 'production', PRISM_BENCH_ROOT: distRoot, ...env }, waitFor: `127.0.0.1:${port}`, logDir }),
    peer: (name, args, port) => startProcess(`go-${name}`, join(peerBin, name), args, { waitFor: `127.0.0.1:${port}`, logDir }),
    wrk: (url, o = {}) =>
      runWrk({ url, seconds: o.seconds ?? options.duration, connections: o.connections ?? options.connections, threads: o.threads ?? options.threads, lua: o.lua, tmpDir, cpus: o.cpus }),
  };
}

/** The Go grpc-gateway peer's binaries, built with the peer's build.sh when missing. */
export async function ensurePeer(benchDir: string): Promise<string> {
  const out = process.env.PRISM_PEER_DIR ?? join(benchDir, '.cache', 'grpc-gateway');
  const bin = join(out, 'bin');
  if (['server', 'gateway', 'plainhttp', 'grpcbench'].every((b) => existsSync(join(bin, b)))) return bin;
  const repoRoot = resolve(benchDir, '..');
  const candidates = [
    process.env.PRISM_SHARED_DIR && join(process.env.PRISM_SHARED_DIR, 'peers', 'grpc-gateway', 'build.sh'),
    // The shared folder beside the repository (../shared from its root).
    join(dirname(repoRoot), 'shared', 'peers', 'grpc-gateway', 'build.sh'),
  ].filter((c): c is string => typeof c === 'string');
  const script = candidates.find((c) => existsSync(c));
  if (!script) throw new Error(`the Go peer is not built in ${bin} and no build.sh was found (tried ${candidates.join(', ')}); set PRISM_SHARED_DIR`);
  process.stdout.write(`building the Go grpc-gateway peer: bash ${script} ${out} (about a minute)\n`);
  await run('bash', [script, out], { inherit: true });
  return bin;
}

/**
 * Compiles src/ and patterns/ (`tsc -p tsconfig.build.json`, what `npm run build` does) into a
 * private package folder, bench/.cache/build: its own dist/, with package.json, proto/ and
 * node_modules/ linked from the repository. Every Prism process of the run executes this
 * snapshot, so a rebuild of the shared dist/ during a run (tests, other work) cannot change
 * what is measured half-way.
 */
export async function buildSnapshot(repoRoot: string, benchDir: string): Promise<string> {
  const root = join(benchDir, '.cache', 'build');
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  copyFileSync(join(repoRoot, 'package.json'), join(root, 'package.json'));
  for (const link of ['proto', 'node_modules']) {
    if (!existsSync(join(root, link))) symlinkSync(join(repoRoot, link), join(root, link), 'dir');
  }
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(root, 'dist')], { cwd: repoRoot });
  } catch (err) {
    // tsc still emits on type errors; a missing entry point is what would stop the benchmark.
    if (!existsSync(join(root, 'dist', 'src', 'cli.js'))) throw err;
    process.stderr.write(`warning: tsc reported errors, the build was emitted anyway:\n${(err as Error).message.slice(0, 2000)}\n`);
  }
  return root;
}

/** Which upstream client `serve` uses by default in a build (read from its start-up code). */
export function serveDefaultUpstream(distRoot: string): string {
  const file = join(distRoot, 'dist', 'src', 'start-gateway.js');
  if (!existsSync(file)) return 'unknown';
  const text = readFileSync(file, 'utf8');
  return text.includes('createHttp2Upstream(') ? 'http2 (grpc-js for TLS or when configured)' : 'grpc-js';
}

/** GET/POST a JSON body over loopback (setup and checks, not load). */
export async function http(method: string, url: string, body?: unknown, contentType = 'application/vnd.schemaregistry.v1+json'): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}
