/**
 * The basic-auth users file, kept current while the gateway runs: reread when it changes on
 * disk (a watch on its folder, so editors and `mv new users.yaml` that replace the file are
 * seen too, debounced) and on SIGHUP (the serve command calls reloadUsersFiles). A file that
 * no longer loads keeps the users it had and logs an error naming the file and the entry.
 */
import { watch, watchFile, unwatchFile, readFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parse } from 'yaml';
import type { Role } from './auth-config.js';
import { parsePasswordHash } from './password-hash.js';

export interface UserEntry {
  readonly hash: ReturnType<typeof parsePasswordHash>;
  readonly roles: Readonly<Record<string, Role>>;
}

/** What the users file logs: a pino logger fits. */
export interface UsersFileLog {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface UsersFile {
  /** The users as last loaded successfully. */
  current(): ReadonlyMap<string, UserEntry>;
  /** Counts successful loads that changed the users: anything verified before is stale. */
  readonly generation: number;
  /** Rereads the file now; false when it did not load (the old users stay). */
  reload(trigger: string): boolean;
  /** Stops watching. */
  close(): void;
}

export interface UsersFileOptions {
  log?: UsersFileLog;
  /** Called after a reload that changed the users. */
  onChange?: () => void;
  /** Watch the file (default true). */
  watch?: boolean;
  /** Quiet time after a change before rereading (default 200 ms): editors write in steps. */
  debounceMs?: number;
}

const ROLES = new Set(['read', 'write', 'admin']);
const open = new Set<UsersFile>();

/**
 * Rereads every users file this process serves (the serve command's SIGHUP handler).
 * @returns how many loaded; the others logged their error and kept their users.
 */
export function reloadUsersFiles(trigger = 'SIGHUP'): number {
  let loaded = 0;
  for (const file of open) if (file.reload(trigger)) loaded++;
  return loaded;
}

/**
 * Loads `path` and follows it.
 * @throws Error naming the file and the entry that is wrong (at start; later failures are logged).
 */
export function openUsersFile(path: string, options: UsersFileOptions = {}): UsersFile {
  const log = options.log ?? STDERR_LOG;
  let text = readFileSync(path, 'utf8');
  let users = parseUsers(text, path);
  let generation = 0;
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let polling = false;

  const self: UsersFile = {
    current: () => users,
    get generation() {
      return generation;
    },
    reload(trigger) {
      let next: string;
      let parsed: Map<string, UserEntry>;
      try {
        next = readFileSync(path, 'utf8');
        parsed = parseUsers(next, path);
      } catch (err) {
        log.error({ file: path, trigger, err: { message: (err as Error).message } }, 'users file not reloaded: keeping the previous users');
        return false;
      }
      const changed = next !== text;
      if (changed) {
        text = next;
        users = parsed;
        generation++;
        options.onChange?.();
      }
      log.info({ file: path, trigger, users: users.size, changed }, 'users file reloaded');
      return true;
    },
    close() {
      clearTimeout(timer);
      watcher?.close();
      if (polling) unwatchFile(path);
      open.delete(self);
    },
  };

  if (options.watch !== false) {
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => self.reload('file change'), options.debounceMs ?? 200);
      timer.unref();
    };
    const name = basename(path);
    try {
      // The folder, not the file: a file replaced by rename is a new inode a file watch misses.
      watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
        if (changed === null || changed.toString() === name) schedule();
      });
      watcher.on('error', () => {});
    } catch {
      // No inotify (some network and container file systems): poll the file's stat instead.
      polling = true;
      watchFile(path, { persistent: false, interval: 2_000 }, schedule);
    }
  }
  open.add(self);
  return self;
}

const STDERR_LOG: UsersFileLog = {
  info: () => {},
  error: (object, message) => process.stderr.write(`${message}: ${JSON.stringify(object)}\n`),
};

/** @throws Error naming the file and entry that is wrong. */
function parseUsers(text: string, file: string): Map<string, UserEntry> {
  const doc = parse(text) as { users?: { name?: unknown; password?: unknown; roles?: unknown }[] } | null;
  if (doc !== null && (typeof doc !== 'object' || (doc.users !== undefined && !Array.isArray(doc.users)))) {
    throw new Error(`${file}: expected 'users:' with a list of users`);
  }
  const users = new Map<string, UserEntry>();
  for (const [i, u] of (doc?.users ?? []).entries()) {
    const where = `${file}: users[${i}]`;
    if (!u || typeof u !== 'object') throw new Error(`${where}: expected an object with name, password and roles`);
    if (typeof u.name !== 'string' || u.name === '' || u.name.includes(':')) throw new Error(`${where}: 'name' must be a non-empty string without ':'`);
    if (typeof u.password !== 'string') throw new Error(`${where}: 'password' must be a scrypt hash`);
    let hash;
    try {
      hash = parsePasswordHash(u.password);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`);
    }
    users.set(u.name, { hash, roles: rolesFromMap(u.roles, where) });
  }
  return users;
}

function rolesFromMap(value: unknown, where: string): Record<string, Role> {
  if (typeof value === 'string' && ROLES.has(value)) return { '*': value as Role };
  const out: Record<string, Role> = {};
  if (value && typeof value === 'object') {
    for (const [ns, role] of Object.entries(value)) {
      if (typeof role !== 'string' || !ROLES.has(role)) throw new Error(`${where}: role '${String(role)}' of '${ns}' must be read, write or admin`);
      out[ns] = role as Role;
    }
    return out;
  }
  throw new Error(`${where}: 'roles' must be a role or a map of namespace to role`);
}
