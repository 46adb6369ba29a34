/**
 * Test helper: `prism-registry serve` as a process of its own (the CLI under tsx), for the
 * suites that need what an in-process server cannot give: several replicas on one database,
 * a SIGKILL in the middle of a load, a restart on the same file.
 *
 * Importing this module registers an `after` hook on the importing test file that SIGKILLs
 * whatever such process is still running, so a failed assertion cannot leave one behind
 * (a live child with piped output would also keep the test file from ever ending).
 */
import { after } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tsx = import.meta.resolve('tsx');
const cli = fileURLToPath(new URL('../../../patterns/registry/cli.ts', import.meta.url));

const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export interface RegistryProcess {
  readonly child: ChildProcess;
  /** The host:port the process printed it listens on. */
  readonly address: string;
  /** Settles once the process has exited, whatever the reason. */
  readonly exited: Promise<unknown>;
  /** SIGTERMs the process unless it already ended, and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `prism-registry serve --listen 127.0.0.1:0 --backend <backend>`; resolves once it
 * printed its address, rejects (with its output) if it exits before that.
 */
export function startRegistryProcess(backend: string): Promise<RegistryProcess> {
  const child = spawn(process.execPath, ['--import', tsx, cli, 'serve', '--listen', '127.0.0.1:0', '--backend', backend], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const m = / on (\S+:\d+) /.exec(out);
      if (m) resolve({ child, address: m[1], exited, stop });
    });
    child.stderr!.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => reject(new Error(`prism-registry serve --backend ${backend} exited with ${code}: ${out}${err}`)));
  });
}
