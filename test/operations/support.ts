/**
 * Shared pieces of the operations suites: temporary folders, gateway configs written to disk,
 * frontend definitions over the fixture service, HTTP helpers, and a gateway run as a child
 * process (its listening addresses read from its JSON log lines).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { tempDir as makeTempDir, type TempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURE_PROTO_FILE = join(REPO_ROOT, 'proto/prism/test/v1/everything.proto');
export const CONFLUENT_FRONTEND_FILE = join(REPO_ROOT, 'examples/confluent-schema-registry/frontend.yaml');
export const CLI = join(REPO_ROOT, 'src/cli.ts');

/** A temporary folder named after the suite (`prism-ops-<prefix>-…`). */
export const tempDir = (prefix: string): TempDir => makeTempDir(`ops-${prefix}`);

/** Writes a gateway config as YAML and returns its path. */
export function writeConfig(dir: string, config: Record<string, unknown>, name = 'gateway.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(config));
  return file;
}

/** A namespace whose pattern is the fixture server at `address`. */
export function fixtureNamespace(name: string, address: string, frontends: { file: string; pathPrefix?: string; host?: string }[] = [], extra: Record<string, unknown> = {}) {
  return { name, pattern: { target: address, protos: [FIXTURE_PROTO_FILE] }, frontends, ...extra };
}

/**
 * A frontend over the fixture's Echo: `GET {path}` answers `{"fString": marker}` (Echo sends
 * back the constant it was given). `extraRoutes` are appended as written.
 */
export function echoFrontend(name: string, routes: { id: string; path: string; marker: string }[], extraRoutes = ''): string {
  return `name: ${name}
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
${routes.map((r) => `    - { id: ${r.id}, method: GET, path: ${r.path}, grpc: Echo, params: [{ const: ${JSON.stringify(r.marker)}, to: f_string }] }`).join('\n')}
${extraRoutes}`;
}

/** Starts a gateway in-process from a config file on loopback with an ephemeral public port. */
export async function startFromConfig(configFile: string, dataDir: string): Promise<RunningGateway> {
  return startGateway(loadGatewayConfig(configFile), { host: '127.0.0.1', port: 0, dataDir, logger: false });
}

export interface Answer {
  status: number;
  text: string;
  type: string | null;
  json(): unknown;
}

export async function http(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  return {
    status: res.status,
    text,
    type: res.headers.get('content-type'),
    json: () => JSON.parse(text) as unknown,
  };
}

/** PUT /admin/frontends/{name}?query with the definition text as the body. */
export function putFrontend(adminUrl: string, name: string, text: string, query: Record<string, string> = {}): Promise<Answer> {
  const q = new URLSearchParams(query).toString();
  return http(`${adminUrl}/admin/frontends/${encodeURIComponent(name)}${q ? '?' + q : ''}`, { method: 'PUT', body: text, headers: { 'content-type': 'application/yaml' } });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node --import tsx src/cli.ts ...args` to completion. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: options.cwd ?? REPO_ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`cli ${args.join(' ')} did not finish in time; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

export interface ServingProcess {
  readonly child: ChildProcess;
  /** The public listener, from the 'gateway listening (HTTP)' log line. */
  readonly url: string;
  /** The admin listener, from the 'admin listening' log line (when logged). */
  readonly adminUrl?: string;
  /** Every JSON log line printed so far. */
  readonly lines: Record<string, unknown>[];
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  /** Kills the process if it still runs. */
  kill(): void;
}

/**
 * Spawns `command` (a gateway `serve`) and waits for the public listener's log line (the
 * first one `ready` accepts).
 * @throws when the process exits or prints nothing of the kind within `timeoutMs`.
 */
export function spawnServing(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; ready?: (entry: Record<string, unknown>) => boolean } = {},
): Promise<ServingProcess> {
  const ready = options.ready ?? (() => true);
  const child = spawn(command, args, { cwd: options.cwd ?? REPO_ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  return new Promise((done, fail) => {
    let adminUrl: string | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`the gateway did not report listening in time; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new Error(`the gateway exited (${code ?? signal}) before listening; stderr: ${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      lines.push(entry);
      if (typeof entry.msg === 'string' && entry.msg.startsWith('admin listening') && typeof entry.url === 'string') adminUrl = entry.url;
      if (entry.msg === 'gateway listening (HTTP)' && typeof entry.url === 'string' && ready(entry)) {
        clearTimeout(timer);
        done({
          child,
          url: entry.url,
          adminUrl,
          lines,
          exited,
          stderr: () => stderr,
          kill: () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          },
        });
      }
    });
  });
}

/** Prometheus text: the value of the sample `name{labels}` whose labels include all of `labels`. */
export function sampleValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    const open = line.indexOf('{');
    const close = line.lastIndexOf('}');
    const labelText = open === -1 ? '' : line.slice(open + 1, close);
    const found: Record<string, string> = {};
    for (const m of labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) found[m[1]] = m[2];
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(line.slice(close + 1).trim().split(' ')[0]);
  }
  return undefined;
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface ConfiguredGateway {
  readonly fixture: FixtureServer;
  readonly dir: TempDir;
  readonly gateway: RunningGateway;
}

/**
 * The operations suites' common stack, started for the current suite (see `useSuite`): the
 * fixture gRPC server, a temporary folder, and a gateway from the config `configure` returns
 * (`configure` may write frontend files into the folder first); data goes to `<folder>/data`.
 */
export function useConfiguredGateway(
  prefix: string,
  configure: (fixture: FixtureServer, dir: string) => Record<string, unknown>,
  /** Runs once the gateway listens, in the same hook (a later hook of the file may run concurrently). */
  ready?: (stack: ConfiguredGateway) => Promise<void>,
): ConfiguredGateway {
  return useSuite(async (scope) => {
    const fixture = scope.own(await startFixtureServer());
    const dir = scope.own(tempDir(prefix));
    const configFile = writeConfig(dir.path, configure(fixture, dir.path));
    const stack = { fixture, dir, gateway: scope.own(await startFromConfig(configFile, join(dir.path, 'data'))) };
    await ready?.(stack);
    return stack;
  });
}
