/**
 * The Go grpc-gateway peer of `../shared/peers/grpc-gateway/` (grpc-gateway v1.6.4 and a grpc-go
 * backend, Debian packages only): its binaries found where they were built (PRISM_PEER_DIR,
 * the benchmarks' bench/.cache/grpc-gateway, build.sh's default folder), or built with its
 * build.sh into the repository's ignored `.tmp/` when the Go toolchain is here; and its
 * programs started on free loopback ports.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { waitFor } from '../support/wait-for.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
/** The shared folder beside the repository, or where PRISM_SHARED_DIR says. */
export const PEER_SOURCE = join(process.env.PRISM_SHARED_DIR ?? join(dirname(REPO_ROOT), 'shared'), 'peers', 'grpc-gateway');
export const ECHO_PROTO = join(PEER_SOURCE, 'echo.proto');
const PROGRAMS = ['server', 'gateway'];
const BUILD_DIR = join(REPO_ROOT, '.tmp', 'grpc-gateway-peer');
const CANDIDATES = [
  process.env.PRISM_PEER_DIR,
  join(REPO_ROOT, 'bench', '.cache', 'grpc-gateway'),
  join(process.env.TMPDIR ?? '/tmp', 'prism-peer-grpc-gateway'),
  BUILD_DIR,
].filter((d): d is string => d !== undefined);

const built = (dir: string) => PROGRAMS.every((p) => existsSync(join(dir, 'bin', p)));
const onPath = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * Why the peer cannot run here, or false when it can (built already, or buildable: its
 * build.sh and the Go toolchain with protoc and the grpc-gateway plugin are present).
 */
export function goPeerUnavailable(): string | false {
  if (CANDIDATES.some(built)) return false;
  if (!existsSync(join(PEER_SOURCE, 'build.sh'))) return `the Go peer's sources are missing (${PEER_SOURCE}; set PRISM_SHARED_DIR)`;
  const missing = ['go', 'protoc', 'protoc-gen-grpc-gateway'].filter((c) => !onPath(c));
  if (missing.length > 0) return `the Go peer is not built and cannot be (missing ${missing.join(', ')}; .ci/run installs them)`;
  return false;
}

/** The folder holding bin/server and bin/gateway, building them first (about a minute) if needed. */
export async function goPeerBin(): Promise<string> {
  const found = CANDIDATES.find(built);
  if (found) return join(found, 'bin');
  await new Promise<void>((done, fail) => {
    const child = spawn('bash', [join(PEER_SOURCE, 'build.sh'), BUILD_DIR], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`building the Go peer failed (${code}): ${err.slice(-2000)}`))));
  });
  return join(BUILD_DIR, 'bin');
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export interface PeerProcess {
  readonly address: string;
  close(): Promise<void>;
}

/** Starts one of the peer's programs with `-addr` on a free port and waits until it listens. */
export async function startPeerProgram(bin: string, program: string, args: readonly string[] = []): Promise<PeerProcess> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const child: ChildProcess = spawn(join(bin, program), ['-addr', address, ...args], { stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  const close = async () => {
    if (exited) return;
    const gone = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill();
    await gone;
  };
  try {
    await waitFor(
      () => {
        if (exited) throw new Error(`${program} exited`);
        return new Promise<boolean>((done) => {
          const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), done(true)));
          socket.on('error', () => done(false));
        });
      },
      { what: `the Go peer's ${program} to listen on ${address}`, timeoutMs: 30_000 },
    );
  } catch (err) {
    await close();
    throw err;
  }
  return { address, close };
}
