/**
 * Shared pieces of the reliability suites: temporary folders, gateway configs written to
 * disk and started in-process, the registry pattern as a child process (SIGKILL-able), a
 * fake registry whose calls can be made slow, and small HTTP helpers that never hang.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as grpc from '@grpc/grpc-js';
import { stringify } from 'yaml';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';
import { addHealthService, startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { tempDir as makeTempDir, type TempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';
import { waitFor } from '../support/wait-for.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const CONFLUENT_FRONTEND = join(REPO_ROOT, 'examples/confluent-schema-registry/frontend.yaml');
export const REGISTRY_PROTO = join(REPO_ROOT, 'proto/prism/patterns/registry/v1/registry.proto');
export const FIXTURE_PROTO = join(REPO_ROOT, 'proto/prism/test/v1/everything.proto');
export const REGISTRY_CLI = join(REPO_ROOT, 'patterns/registry/cli.ts');
const REGISTRY_ON_GO = join(REPO_ROOT, 'test/reliability/fixtures/registry-on-go.ts');
export const V1_JSON = 'application/vnd.schemaregistry.v1+json';

/** A temporary folder named after the suite (`prism-rel-<prefix>-…`). */
export const tempDir = (prefix: string): TempDir => makeTempDir(`rel-${prefix}`);

export function writeYaml(dir: string, name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(value));
  return file;
}

/** A loopback port nobody listens on right now (bound, read, released). */
export function unusedPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** The Confluent frontend over a registry at `target`, started in-process on an ephemeral port. */
export async function startConfluentGateway(dir: string, target: string, extra: { namespace?: Record<string, unknown>; config?: Record<string, unknown> } = {}): Promise<RunningGateway> {
  const file = writeYaml(dir, 'gateway.yaml', {
    ...(extra.config ?? {}),
    namespaces: [{ name: 'default', pattern: { target, protos: [REGISTRY_PROTO] }, frontends: [{ file: CONFLUENT_FRONTEND }], ...(extra.namespace ?? {}) }],
  });
  return startGateway(loadGatewayConfig(file), { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), logger: false });
}

/** A gateway in-process from a config object written to `dir`. */
export async function startFromConfig(dir: string, config: Record<string, unknown>, logger: false | object = false): Promise<RunningGateway> {
  const file = writeYaml(dir, 'gateway.yaml', config);
  return startGateway(loadGatewayConfig(file), { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), logger: logger as false });
}

export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
  json(): unknown;
}

/**
 * One request; a JSON body gets Confluent's v1 type unless a Content-Type is given. A
 * request not answered within `timeoutMs` rejects with a TimeoutError (a hang is a failure).
 */
export async function request(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  let body: string | Blob | undefined;
  if (typeof init.body === 'string') body = init.body;
  else if (init.body instanceof Uint8Array) body = new Blob([new Uint8Array(init.body)]);
  else if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = V1_JSON;
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body, signal: AbortSignal.timeout(init.timeoutMs ?? 15_000) });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) as unknown };
}

/** Confluent's error shape: exactly `{error_code, message}` with a non-empty message. */
export function confluentError(a: Answer): { error_code: number; message: string } | undefined {
  try {
    const body = a.json() as Record<string, unknown>;
    if (body && typeof body === 'object' && Object.keys(body).sort().join(',') === 'error_code,message' && typeof body.error_code === 'number' && typeof body.message === 'string' && body.message !== '') {
      return body as { error_code: number; message: string };
    }
  } catch {
    // not JSON
  }
  return undefined;
}

export const avro = (name: string, field: string) => JSON.stringify({ type: 'record', name, fields: [{ name: field, type: 'int', default: 0 }] });

// ---- the registry pattern as a child process --------------------------------------------------

export interface RegistryProcess {
  readonly child: ChildProcess;
  /** `host:port` the registry serves on (known once `serving` resolved). */
  address: string;
  /** Resolves when the registry printed its serving line. */
  readonly serving: Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  /** Everything the process wrote: its JSON log lines (stdout) and stderr. */
  output(): string;
  /** Sends SIGKILL and waits for the process to be gone. */
  kill(): Promise<void>;
}

/** `node --import tsx <script> serve --listen … --backend sqlite:…`; stdin piped only when asked. */
function spawnServe(script: string, listen: string, dbFile: string, stdin: 'ignore' | 'pipe'): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, 'serve', '--listen', listen, '--backend', `sqlite:${dbFile}`], {
    cwd: REPO_ROOT,
    stdio: [stdin, 'pipe', 'pipe'],
  });
}

/** `node --import tsx patterns/registry/cli.ts serve --listen … --backend sqlite:…`, as documented. */
export function spawnRegistry(listen: string, dbFile: string): RegistryProcess {
  return track(spawnServe(REGISTRY_CLI, listen, dbFile, 'ignore'));
}

export interface PreloadedRegistry {
  /** Resolves once the modules are loaded and the process waits for `go`. */
  readonly loaded: Promise<void>;
  /** Starts serving (the registry opens its store and listens now). */
  go(): RegistryProcess;
  /** Kills the process (whether or not it was started). */
  kill(): Promise<void>;
}

/**
 * The same registry CLI (`runRegistryCli`) in a child process whose modules load ahead of
 * time; `go()` makes it open the store and listen. See fixtures/registry-on-go.ts.
 */
export function preloadRegistry(listen: string, dbFile: string): PreloadedRegistry {
  const child = spawnServe(REGISTRY_ON_GO, listen, dbFile, 'pipe');
  const tracked = track(child);
  const loaded = new Promise<void>((done, fail) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('loaded\n')) {
        child.stdout!.off('data', onData);
        done();
      }
    };
    child.stdout!.on('data', onData);
    void tracked.exited.then(() => fail(new Error(`the registry exited before loading: ${tracked.stderr()}`)));
  });
  loaded.catch(() => {});
  return {
    loaded,
    go: () => {
      child.stdin!.write('go\n');
      return tracked;
    },
    kill: () => tracked.kill(),
  };
}

function track(child: ChildProcess): RegistryProcess {
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const proc: RegistryProcess = {
    child,
    address: '',
    serving: new Promise<string>((done, fail) => {
      child.stdout!.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = /serving prism\.patterns\.registry\.v1\.Registry on (\S+)/.exec(stdout);
        if (m && proc.address === '') {
          proc.address = m[1];
          done(m[1]);
        }
      });
      void exited.then(({ code, signal }) => fail(new Error(`the registry exited (code ${code}, signal ${signal}) before serving: ${stderr}`)));
    }),
    exited,
    stderr: () => stderr,
    output: () => stdout + stderr,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  proc.serving.catch(() => {});
  return proc;
}

// ---- a fake registry for timing faults ---------------------------------------------------------

export interface FakeRegistry {
  readonly address: string;
  /** Calls that arrived, and calls the client cancelled before they were answered. */
  readonly counts: { received: number; cancelled: number; answered: number };
  /** How long each call waits before answering (ms). */
  delayMs: number;
  close(): Promise<void>;
}

/**
 * A grpc-js server for prism.patterns.registry.v1.Registry whose ListSubjects answers
 * `["slow"]` after `delayMs`, counting cancellations; health answers SERVING.
 */
export async function startFakeRegistry(delayMs: number): Promise<FakeRegistry> {
  const root = loadProtoRoot([REGISTRY_PROTO]);
  const service = root.lookupService('prism.patterns.registry.v1.Registry');
  const server = new grpc.Server();
  const state = { address: '', counts: { received: 0, cancelled: 0, answered: 0 }, delayMs, close: () => new Promise<void>((done) => server.tryShutdown(() => done())) };
  const slow = (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
    state.counts.received++;
    const timer = setTimeout(() => {
      state.counts.answered++;
      cb(null, { subjects: ['slow'] });
    }, state.delayMs);
    call.on('cancelled', () => {
      clearTimeout(timer);
      state.counts.cancelled++;
    });
  };
  const handlers: Record<string, grpc.handleUnaryCall<unknown, unknown>> = {};
  for (const method of service.methodsArray) {
    handlers[method.name] = (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED, details: 'not in the fake' });
  }
  handlers.ListSubjects = slow;
  server.addService(createServiceDefinition(service, { defaults: false }), handlers);
  addHealthService(server);
  const port = await new Promise<number>((done, fail) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? fail(err) : done(p))));
  state.address = `127.0.0.1:${port}`;
  return state;
}

// ---- waiting and measuring ------------------------------------------------------------------

/** Polls `check` every `everyMs` until it is true; false when `withinMs` passed first. */
export async function eventually(check: () => boolean | Promise<boolean>, withinMs: number, everyMs = 10): Promise<boolean> {
  return waitFor(check, { timeoutMs: withinMs, intervalMs: everyMs }).then(
    () => true,
    () => false,
  );
}

let gcFn: (() => void) | undefined;
/** A full garbage collection (expose-gc switched on at run time), then the heap in use. */
export async function settledHeap(): Promise<number> {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  for (let i = 0; i < 3; i++) {
    gcFn();
    await tick();
  }
  return getHeapStatistics().used_heap_size;
}

/** Resources keeping the event loop alive, by type (sockets, timers, ...). */
export function activeResources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) out[type] = (out[type] ?? 0) + 1;
  return out;
}

export function totalResources(r: Record<string, number>): number {
  return Object.values(r).reduce((a, b) => a + b, 0);
}

// ---- a frontend over the fixture service -------------------------------------------------------

/**
 * A frontend file over the fixture's Slow: `GET {prefix}/slow?ms=N` waits N ms upstream with
 * the given deadline; `GET {prefix}/echo?text=…` echoes; `POST {prefix}/echo` maps a JSON
 * body onto the fixture message. `errors` are the frontend's error mappings (none: defaults).
 */
export function writeFixtureFrontend(dir: string, options: { deadlineMs?: number; errors?: unknown[]; forwardHeaders?: string[] } = {}): string {
  const rest: Record<string, unknown> = {
    service: 'prism.test.v1.EverythingService',
    routes: [
      { id: 'slow', method: 'GET', path: '/slow', grpc: 'Slow', ...(options.deadlineMs ? { deadlineMs: options.deadlineMs } : {}), params: [{ from: 'query.ms', to: 'delay_ms' }] },
      { id: 'echo', method: 'GET', path: '/echo', grpc: 'Echo', params: [{ from: 'query.text', to: 'f_string' }], response: { body: { object: { text: { from: 'response.f_string' } } } } },
      { id: 'echo-body', method: 'POST', path: '/echo', grpc: 'Echo', params: [{ from: 'body', to: '*' }] },
    ],
  };
  if (options.errors) rest.errors = options.errors;
  if (options.forwardHeaders) rest.forwardHeaders = options.forwardHeaders;
  return writeYaml(dir, 'fixture-frontend.yaml', { name: 'fixture', type: 'REST', protos: ['prism/test/v1/everything.proto'], rest });
}

/** `prism_connections_refused_total` for one listener and reason, as the gateway counts it. */
export async function refusals(gateway: RunningGateway, listener: string, reason: string): Promise<number> {
  const text = await gateway.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`prism_connections_refused_total{listener="${listener}",reason="${reason}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Waits until `check` holds, polling every 20 ms; fails naming `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  await waitFor(check, { timeoutMs, intervalMs: 20, what });
}

/**
 * Resolves once the listener on `port` has accepted or refused every socket of `flood`: when
 * all of them are connected (or closed), one more connection from `localAddress` waits in the
 * accept queue behind them, and the listener takes connections in order, so when it closes
 * that one it has dealt with every one before. For a flood that fills the limit the probe
 * meets: the probe is refused (and counted) too.
 *
 * @throws when the flood does not connect, or the probe is not closed, within 20 s each.
 */
export async function probeBehind(flood: readonly Socket[], port: number, localAddress: string): Promise<void> {
  await waitFor(() => flood.every((s) => s.destroyed || s.readyState === 'open'), { timeoutMs: 20_000, what: 'every connection of the flood to connect' });
  const probe = connect({ host: '127.0.0.1', port, localAddress });
  probe.on('error', () => {});
  try {
    await waitFor(() => probe.destroyed, { timeoutMs: 20_000, what: 'the listener to close a connection over its limit, queued behind the flood' });
  } finally {
    probe.destroy();
  }
}

export interface FixtureGateway {
  readonly fixture: FixtureServer;
  readonly gateway: RunningGateway;
  readonly dir: TempDir;
}

/**
 * The reliability suites' common stack, started for the current suite (see `useSuite`): the
 * fixture gRPC server, a temporary folder, the fixture frontend written into it and a gateway
 * with one namespace `fx` in front of the fixture; `http` is the config's `http` section.
 */
export function useFixtureGateway(prefix: string, options: { http?: Record<string, unknown>; frontend?: Parameters<typeof writeFixtureFrontend>[1] } = {}): FixtureGateway {
  return useSuite(async (scope) => {
    const fixture = scope.own(await startFixtureServer());
    const dir = scope.own(tempDir(prefix));
    const frontend = writeFixtureFrontend(dir.path, options.frontend);
    const gateway = scope.own(
      await startFromConfig(dir.path, {
        ...(options.http ? { http: options.http } : {}),
        namespaces: [{ name: 'fx', pattern: { target: fixture.address, protos: [FIXTURE_PROTO] }, frontends: [{ file: frontend }] }],
      }),
    );
    return { fixture, gateway, dir };
  });
}
