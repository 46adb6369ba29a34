/**
 * One process per data folder (issue 13, item 12): two `serve` processes on one `--data-dir`
 * each kept their own cache over the same SQLite files and answered differently. The owner
 * holds an exclusive lock file there; a second process finds it and refuses to start, naming
 * the owner. With `--workers`, only the primary holds it (the workers run no storage of their own).
 *
 * The lock file records `{"pid", "host", "token"}` (one JSON line). A pid alone cannot say who
 * owns a lock on a shared volume: the Dockerfile runs node as pid 1, so two containers on one
 * volume have the same pid, and neither can see the other's processes. So:
 * - a lock from another host is never taken over: its pid cannot be checked from here;
 * - on this host, a lock whose pid no longer runs is stale (its owner was killed);
 * - on this host, a lock with our own pid but not our token is stale: it was written by our
 *   previous incarnation (a restarted container is pid 1 again).
 * Containers that share a hostname (host networking, the same `--hostname`) cannot be told apart
 * by this; give each its own hostname.
 *
 * Taking over a stale lock is atomic: two processes that judged the same lock stale must not
 * both end up holding it (with unlink-then-create, the second unlinked the lock the first had
 * just created). The stale file is renamed to a name only this attempt uses and is checked to be
 * the content that was judged; only then is the lock created anew, with 'wx'. If what was renamed
 * is someone's fresh lock, it is put back (with link, which never replaces a file) and judged again.
 * What this does not cover: a third process that starts in the instant a fresh lock is aside
 * finds no file and creates its own; the fresh lock then cannot be put back.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError } from '../config/gateway-config.js';

/** The lock file's name inside a data folder. */
export const DATA_DIR_LOCK_FILE = '.prism-gateway.lock';

/** Another process holds the lock. A ConfigError: the CLI exits 2 with its message. */
export class LockedError extends ConfigError {
  constructor(
    message: string,
    /** The owner's pid; 0 when the lock file does not name one. */
    readonly ownerPid: number,
    /** The owner's host, when the lock file names one. */
    readonly ownerHost?: string,
  ) {
    super(message);
  }
}

/** Lock files this process holds: a second gateway in the same process is refused as well. */
const held = new Set<string>();

/** How many times a lock that keeps changing under us is judged again before giving up. */
const MAX_ATTEMPTS = 8;

interface Owner {
  readonly pid: number;
  /** Undefined for a lock written by an older version (a bare pid). */
  readonly host?: string;
  readonly token?: string;
}

/**
 * Takes the exclusive lock `file` for `what` (e.g. "data dir /var/lib/prism"), writing this
 * process's pid, hostname and a fresh random token into it; returns the release (idempotent;
 * removes the file if it still holds what we wrote).
 * @throws LockedError naming the owner's pid (and host) when another process holds it, when the
 *   lock comes from another host, or when the file names no owner.
 * @throws ConfigError when the lock file cannot be written (e.g. the folder is not writable).
 */
export function acquireLock(file: string, what: string): () => void {
  if (held.has(file)) throw new LockedError(`${what} is already in use by this process (pid ${process.pid}); lock file ${file}`, process.pid);
  const token = randomBytes(16).toString('hex');
  const content = `${JSON.stringify({ pid: process.pid, host: hostname(), token })}\n`;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (create(file, content, what)) return hold(file, content);
    const seen = read(file);
    if (seen === undefined) continue; // removed since: create again
    refuseUnlessStale(file, what, seen, token);
    // Stale. Move it aside under a name only this attempt uses, then check that what moved is
    // what was judged: another process may have taken it over and created its own since.
    const aside = `${file}.stale-${token}-${attempt}`;
    try {
      renameSync(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // taken over by another process: judge again
      throw new ConfigError(`cannot lock ${what}: cannot remove the stale lock file ${file}: ${(err as Error).message}`);
    }
    if (read(aside) !== seen) putBack(aside, file);
    removeQuietly(aside);
  }
  throw new LockedError(`${what} is being locked by another process at the same time (lock file ${file})`, 0);
}

/**
 * Puts a fresh lock moved aside by mistake back in place. link never replaces a file, so a lock
 * created in the meantime by a third process stays as it is (and is judged next).
 */
function putBack(aside: string, file: string): void {
  try {
    linkSync(aside, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    // A file system without hard links: rename, which would replace a lock created meanwhile.
    try {
      if (!existsSync(file)) renameSync(aside, file);
    } catch {
      // nothing more can be done: the owner's lock file stays at `aside`
    }
  }
}

/** Creates `file` with `content` unless it exists. @returns false when it exists. */
function create(file: string, content: string, what: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ConfigError(`cannot lock ${what}: cannot create ${file}: ${(err as Error).message}`);
  }
  try {
    writeSync(fd, content);
  } catch (err) {
    // Ours (created with 'wx'): an empty lock would have to be removed by hand.
    closeSync(fd);
    removeQuietly(file);
    throw new ConfigError(`cannot lock ${what}: cannot write ${file}: ${(err as Error).message}`);
  }
  closeSync(fd);
  return true;
}

function hold(file: string, content: string): () => void {
  held.add(file);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    held.delete(file);
    process.removeListener('exit', release);
    // Nobody takes over a lock whose owner runs, so the file is still ours if it says so.
    try {
      if (readFileSync(file, 'utf8') === content) unlinkSync(file);
    } catch {
      // gone, or unreadable: nothing of ours to remove
    }
  };
  // An exit without a clean close (a fatal error) still frees the folder.
  process.on('exit', release);
  return release;
}

/**
 * Returns when the lock `seen` in `file` may be taken over.
 * @throws LockedError when its owner may still run, or when it names no owner.
 */
function refuseUnlessStale(file: string, what: string, seen: string, ourToken: string): void {
  const owner = parseOwner(seen);
  if (owner === undefined) {
    // An empty file is also what a concurrent starter sees between creating it and writing it.
    const found = seen.trim() === '' ? 'is empty (another process may be creating it at this moment)' : `does not name its owner (${JSON.stringify(seen.slice(0, 80))})`;
    throw new LockedError(`${what}: the lock file ${file} ${found}; if no process uses ${what}, remove the lock file`, 0);
  }
  const { pid, host } = owner;
  if (host !== undefined && host !== hostname()) {
    throw new LockedError(
      `${what} is in use by pid ${pid} on host ${host}; a lock from another host is never taken over: if that process is gone, remove the lock file ${file}`,
      pid,
      host,
    );
  }
  if (host === undefined) {
    // An older version's bare pid: which host wrote it is unknown. Our own pid may be another
    // container's pid 1, so only a pid that does not run here is judged stale.
    if (pid !== process.pid && !running(pid)) return;
    throw new LockedError(`${what} is in use by another process (pid ${pid}, host not recorded); if that process is gone, remove the lock file ${file}`, pid);
  }
  if (pid === process.pid ? owner.token !== ourToken : !running(pid)) return;
  throw new LockedError(`${what} is in use by another process (pid ${pid}); stop it or choose another folder (lock file ${file})`, pid, host);
}

/** The owner a lock file names, or undefined when it names none (empty, or not a lock). */
function parseOwner(text: string): Owner | undefined {
  const trimmed = text.trim();
  if (/^[1-9][0-9]*$/.test(trimmed)) return { pid: Number(trimmed) };
  try {
    const value = JSON.parse(trimmed) as Record<string, unknown>;
    if (typeof value === 'object' && value !== null && Number.isSafeInteger(value.pid) && (value.pid as number) > 0 && typeof value.host === 'string' && typeof value.token === 'string') {
      return { pid: value.pid as number, host: value.host, token: value.token };
    }
  } catch {
    // not JSON
  }
  return undefined;
}

/** The file's text, or undefined when it is gone. */
function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read the lock file ${file}: ${(err as Error).message}`);
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/** Whether a process with this pid exists on this host (EPERM: it does, owned by another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
