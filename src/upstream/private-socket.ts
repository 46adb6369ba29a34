/**
 * Where an embedded pattern listens by default: a Unix domain socket in a folder of its own
 * (mode 0700) under the system's temporary folder. Only this user's processes (the gateway and
 * its `--workers`) can connect, so the pattern's own gRPC port is no way around the gateway's
 * authentication, as a loopback TCP port was for every local user (issue 13, item 1). grpc-js
 * binds and dials `unix:/path`, and so does the lean HTTP/2 client.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivateSocket {
  /** `unix:/abs/path`, for grpc-js and http2-upstream. */
  readonly address: string;
  readonly path: string;
  /** Removes the socket and its folder. */
  remove(): void;
}

/** sun_path holds 108 bytes on Linux (104 on macOS), the terminating NUL included. */
const MAX_SOCKET_PATH = 103;

/** @throws Error when no temporary folder can be made. */
export function createPrivateSocket(): PrivateSocket {
  // A long TMPDIR could push the path past sun_path: fall back to /tmp then.
  let base = tmpdir();
  if (Buffer.byteLength(join(base, 'prism-XXXXXX', 'grpc.sock')) > MAX_SOCKET_PATH) base = '/tmp';
  const dir = mkdtempSync(join(base, 'prism-'));
  // mkdtemp already creates it 0700; say so explicitly, whatever the umask did.
  chmodSync(dir, 0o700);
  const path = join(dir, 'grpc.sock');
  return { address: `unix:${path}`, path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
