/**
 * One process per data folder (issue 13, item 12): two `serve` processes on one `--data-dir`
 * each kept their own cache over the same SQLite files and answered differently. The owner
 * holds an exclusive lock file there with its pid; a second process finds it and refuses to
 * start, naming the owner. A lock whose pid no longer runs (the owner was killed) is taken over.
 * With `--workers`, only the primary holds it (the workers run no storage of their own).
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../config/gateway-config.js';

/** The lock file's name inside a data folder. */
export const DATA_DIR_LOCK_FILE = '.prism-gateway.lock';

/** Another running process holds the lock. A ConfigError: the CLI exits 2 with its message. */
export class LockedError extends ConfigError {
  constructor(
    message: string,
    readonly ownerPid: number,
  ) {
    super(message);
  }
}

/** Lock files this process holds: a second gateway in the same process is refused as well. */
const held = new Set<string>();

/**
 * Takes the exclusive lock `file` for `what` (e.g. "data dir /var/lib/prism"), writing this
 * process's pid into it; returns the release (idempotent; removes the file if it still names us).
 * @throws LockedError naming the owner's pid when a running process holds it.
 * @throws ConfigError when the lock file cannot be written (e.g. the folder is not writable).
 */
export function acquireLock(file: string, what: string): () => void {
  if (held.has(file)) throw new LockedError(`${what} is already in use by this process (pid ${process.pid}); lock file ${file}`, process.pid);
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o644);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new ConfigError(`cannot lock ${what}: cannot create ${file}: ${(err as Error).message}`);
      const owner = ownerOf(file);
      if (owner !== undefined && owner !== process.pid && running(owner)) {
        throw new LockedError(`${what} is in use by another process (pid ${owner}); stop it or choose another folder (lock file ${file})`, owner);
      }
      // Stale: its owner is gone (killed, or the file is unreadable). Take it over once; a
      // second failure means another process is taking it over at the same moment.
      if (attempt > 0) throw new LockedError(`${what} is being locked by another process at the same time (lock file ${file})`, owner ?? 0);
      try {
        unlinkSync(file);
      } catch {
        // someone else removed it first: try again
      }
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    held.add(file);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      held.delete(file);
      process.removeListener('exit', release);
      if (ownerOf(file) === process.pid) {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      }
    };
    // An exit without a clean close (a fatal error) still frees the folder.
    process.on('exit', release);
    return release;
  }
}

function ownerOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * `prism-registry serve` on a SQLite file: the lock `<file>.lock` beside it (nothing for other
 * backends or `:memory:`). Relative paths resolve against `baseDir`, as the storage does.
 * @throws LockedError naming the process that serves the file.
 */
export function lockSqliteFile(backend: { type: string; config?: Readonly<Record<string, unknown>> }, baseDir: string): (() => void) | undefined {
  if (backend.type !== 'SQLITE') return undefined;
  const path = typeof backend.config?.path === 'string' && backend.config.path !== '' ? backend.config.path : 'registry.db';
  if (path === ':memory:') return undefined;
  const file = resolve(baseDir, path);
  // The storage creates the file's folder when missing; the lock beside it comes first.
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (err) {
    throw new ConfigError(`cannot lock SQLite file ${file}: cannot create its folder: ${(err as Error).message}`);
  }
  return acquireLock(`${file}.lock`, `SQLite file ${file}`);
}
