/**
 * Child processes of a benchmark run: start, wait until they answer, stop. Every process the
 * harness starts is tracked, so an interrupted run (Ctrl-C, a failed scenario) stops them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  /** Where stdout and stderr go (the harness keeps its own output clean). */
  readonly logFile: string;
  stop(): Promise<void>;
}

const running = new Set<Started>();

export interface StartOptions {
  /** host:port that must accept TCP connections before the process counts as up. */
  readonly waitFor: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly logDir: string;
  readonly timeoutMs?: number;
}

export async function startProcess(name: string, command: string, args: readonly string[], options: StartOptions): Promise<Started> {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, [...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const started: Started = {
    name,
    child,
    logFile,
    async stop() {
      running.delete(started);
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(timer);
      }
      log.end();
    },
  };
  running.add(started);
  try {
    await waitForPort(options.waitFor, options.timeoutMs ?? 30_000, () => exited);
  } catch (err) {
    await started.stop();
    throw new Error(`${name} did not start (${(err as Error).message}); see ${logFile}`);
  }
  return started;
}

/** Resolves once host:port accepts a TCP connection. */
export async function waitForPort(address: string, timeoutMs: number, gaveUp: () => boolean = () => false): Promise<void> {
  const [host, portText] = splitAddress(address);
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (gaveUp()) throw new Error('the process exited');
    if (await canConnect(host, Number(portText))) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${address} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

export function splitAddress(address: string): [string, string] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), address.slice(i + 1)];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs a command to completion; rejects with its output when it fails. */
export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; inherit?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: options.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${out.slice(-4000)}`))));
  });
}
