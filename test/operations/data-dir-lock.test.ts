/**
 * One process per data folder (issue 13, item 12): a second `serve` on the same `--data-dir`
 * used to start, and the two processes' caches diverged. Now the first holds a lock file with
 * its pid, hostname and a random token; the second exits 2 naming that pid and the folder; a
 * lock left by a killed process on this host is taken over, a lock from another host never is
 * (two containers on one volume are both pid 1); two processes taking over one stale lock do not
 * both win; with `--workers` the primary holds it. An unusable data folder is named (SQLite
 * alone said "unable to open database file").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { acquireLock, DATA_DIR_LOCK_FILE, LockedError } from '../../src/operations/data-dir-lock.js';
import { startGateway } from '../../src/start-gateway.js';
import { CLI, REPO_ROOT, http, runCli, spawnServing, tempDir } from './support.js';
import { waitFor } from '../support/wait-for.js';

const CONFIG = join(REPO_ROOT, 'examples/confluent-schema-registry/gateway.yaml');
const serveArgs = (dataDir: string, ...more: string[]) => ['--import', 'tsx', CLI, 'serve', '--config', CONFIG, '--port', '0', '--data-dir', dataDir, ...more];

test('a second serve on the same data dir exits 2 naming the first one; a killed owner\'s lock is taken over', { timeout: 120_000 }, async (t) => {
  const dir = tempDir('lock');
  const first = await spawnServing(process.execPath, serveArgs(dir.path));
  t.after(() => {
    first.kill();
    dir.remove();
  });
  const lockFile = join(dir.path, DATA_DIR_LOCK_FILE);
  assert.equal(lockPid(lockFile), first.child.pid);

  const second = await runCli(['serve', '--config', CONFIG, '--port', '0', '--data-dir', dir.path]);
  assert.equal(second.code, 2, second.stderr);
  assert.match(second.stderr, new RegExp(`data dir ${dir.path} is in use by another process \\(pid ${first.child.pid}\\)`));
  // The first one is unharmed.
  assert.equal((await http(`${first.url}/subjects`)).status, 200);

  // kill -9 leaves the lock file behind; its pid is gone, so the next start takes it over.
  first.child.kill('SIGKILL');
  await first.exited;
  assert.equal(lockPid(lockFile), first.child.pid, 'the stale lock is still there');
  const third = await spawnServing(process.execPath, serveArgs(dir.path));
  try {
    assert.equal(lockPid(lockFile), third.child.pid);
    assert.equal((await http(`${third.url}/subjects`)).status, 200);
    third.child.kill('SIGTERM');
    assert.deepEqual(await third.exited, { code: 0, signal: null });
    assert.throws(() => readFileSync(lockFile), /ENOENT/, 'a clean stop removes the lock');
  } finally {
    third.kill();
  }
});

test('with --workers the primary holds the lock for the cluster', { timeout: 120_000 }, async (t) => {
  const dir = tempDir('lock-workers');
  const cluster = await spawnServing(process.execPath, serveArgs(dir.path, '--workers', '2'), { ready: (entry) => entry.workers === 2 });
  t.after(() => {
    cluster.kill();
    dir.remove();
  });
  assert.equal(lockPid(join(dir.path, DATA_DIR_LOCK_FILE)), cluster.child.pid);
  const second = await runCli(['serve', '--config', CONFIG, '--port', '0', '--data-dir', dir.path, '--workers', '2']);
  assert.equal(second.code, 2, second.stderr);
  assert.match(second.stderr, new RegExp(`\\(pid ${cluster.child.pid}\\)`));
  cluster.child.kill('SIGTERM');
  assert.deepEqual(await cluster.exited, { code: 0, signal: null });
});

test('in one process too: a second gateway on the same data dir is refused until the first closes', async () => {
  const dir = tempDir('lock-inproc');
  try {
    const options = { host: '127.0.0.1', port: 0, dataDir: dir.path, logger: false as const };
    const first = await startGateway(loadGatewayConfig(CONFIG), options);
    await assert.rejects(startGateway(loadGatewayConfig(CONFIG), options), (err: Error) => err instanceof LockedError && /already in use by this process/.test(err.message));
    await first.close();
    const again = await startGateway(loadGatewayConfig(CONFIG), options);
    await again.close();
  } finally {
    dir.remove();
  }
});

test('an unusable data dir is named (exit 2), not "unable to open database file"', async () => {
  const dir = tempDir('lock-unusable');
  try {
    const file = join(dir.path, 'a-file');
    writeFileSync(file, '');
    const result = await runCli(['serve', '--config', CONFIG, '--port', '0', '--data-dir', join(file, 'data')]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`data dir ${join(file, 'data')} is not usable: .*ENOTDIR`));
    assert.doesNotMatch(result.stderr, /unable to open database file/);
  } finally {
    dir.remove();
  }
});

test('prism-registry serve: a second process on the same SQLite file exits 2 naming the first', { timeout: 120_000 }, async (t) => {
  const dir = tempDir('lock-registry');
  const registryCli = join(REPO_ROOT, 'patterns/registry/cli.ts');
  const args = ['--import', 'tsx', registryCli, 'serve', '--listen', '127.0.0.1:0', '--backend', `sqlite:${join(dir.path, 'registry.db')}`];
  const first = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    first.kill('SIGKILL');
    dir.remove();
  });
  let out = '';
  first.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor(() => /serving/.test(out) || first.exitCode !== null, { timeoutMs: 60_000, intervalMs: 50, what: 'the first registry to serve or exit' });
  assert.match(out, /serving/, 'the first registry serves');
  assert.equal(lockPid(join(dir.path, 'registry.db.lock')), first.pid);

  const second = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => done({ code, stderr }));
  });
  assert.equal(second.code, 2, second.stderr);
  assert.match(second.stderr, new RegExp(`SQLite file ${join(dir.path, 'registry.db')} is in use by another process \\(pid ${first.pid}\\)`));

  first.kill('SIGTERM');
  await once(first, 'exit');
  assert.throws(() => readFileSync(join(dir.path, 'registry.db.lock')), /ENOENT/, 'a clean stop removes the lock');
});

test('two gateways with their own data dirs but one absolute SQLite path: the second is refused', async () => {
  const dir = tempDir('lock-sqlite-path');
  try {
    const config = join(dir.path, 'gateway.yaml');
    writeFileSync(
      config,
      readFileSync(CONFIG, 'utf8')
        .replace('path: registry.db', `path: ${join(dir.path, 'shared.db')}`)
        // Every frontend file the config names, found where the config lives.
        .replace(/file: ([\w.-]+\.yaml)/g, (_, name: string) => `file: ${join(REPO_ROOT, 'examples/confluent-schema-registry', name)}`),
    );
    const first = await startGateway(loadGatewayConfig(config), { host: '127.0.0.1', port: 0, dataDir: join(dir.path, 'a'), logger: false });
    try {
      await assert.rejects(
        startGateway(loadGatewayConfig(config), { host: '127.0.0.1', port: 0, dataDir: join(dir.path, 'b'), logger: false }),
        (err: Error) => err instanceof LockedError && err.message.includes(`SQLite file ${join(dir.path, 'shared.db')}`),
      );
    } finally {
      await first.close();
    }
  } finally {
    dir.remove();
  }
});

/** The pid recorded in a lock file. */
const lockPid = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid;

/** A pid that no longer runs: a child that has already exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

const lockText = (owner: Record<string, unknown>) => `${JSON.stringify(owner)}\n`;

/**
 * Who may take over a lock file that is already there. The Dockerfile runs node as pid 1, so two
 * containers on one volume both have pid 1: only a lock from this host can be judged from here.
 */
const ownerCases: { name: string; content: () => string; takenOver: boolean; message?: RegExp }[] = [
  {
    name: 'written by our own pid on another host (another container, also pid 1)',
    content: () => lockText({ pid: process.pid, host: 'other-host.example', token: 'a'.repeat(32) }),
    takenOver: false,
    message: new RegExp(`test folder is in use by pid ${process.pid} on host other-host\\.example; a lock from another host is never taken over: if that process is gone, remove the lock file .*\\.lock`),
  },
  {
    name: 'a pid that does not run here, on another host',
    content: () => lockText({ pid: deadPid(), host: 'other-host.example', token: 'a'.repeat(32) }),
    takenOver: false,
    message: /on host other-host\.example; a lock from another host is never taken over/,
  },
  { name: 'a running process on this host', content: () => lockText({ pid: process.ppid, host: hostname(), token: 'a'.repeat(32) }), takenOver: false, message: new RegExp(`is in use by another process \\(pid ${process.ppid}\\)`) },
  { name: 'a dead process on this host', content: () => lockText({ pid: deadPid(), host: hostname(), token: 'a'.repeat(32) }), takenOver: true },
  { name: 'our own pid on this host with another token (our previous incarnation: a restarted container)', content: () => lockText({ pid: process.pid, host: hostname(), token: 'a'.repeat(32) }), takenOver: true },
  { name: 'an older version\'s bare pid, dead', content: () => `${deadPid()}\n`, takenOver: true },
  { name: 'an older version\'s bare pid equal to ours (it may be another container\'s pid 1)', content: () => `${process.pid}\n`, takenOver: false, message: /remove the lock file/ },
  { name: 'empty (its owner may be writing it)', content: () => '', takenOver: false, message: /is empty \(another process may be creating it at this moment\); if no process uses test folder, remove the lock file/ },
  { name: 'not a lock', content: () => 'hello\n', takenOver: false, message: /does not name its owner \("hello\\n"\); if no process uses test folder, remove the lock file/ },
];

for (const c of ownerCases) {
  test(`an existing lock file, ${c.name}: ${c.takenOver ? 'taken over' : 'refused'}`, () => {
    const dir = tempDir('lock-owner');
    try {
      const file = join(dir.path, 'x.lock');
      const content = c.content();
      writeFileSync(file, content);
      if (c.takenOver) {
        const release = acquireLock(file, 'test folder');
        const owner = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; host: string; token: string };
        assert.equal(owner.pid, process.pid);
        assert.equal(owner.host, hostname());
        assert.match(owner.token, /^[0-9a-f]{32}$/);
        assert.notEqual(owner.token, 'a'.repeat(32));
        release();
        assert.throws(() => readFileSync(file), /ENOENT/, 'the release removes it');
      } else {
        assert.throws(() => acquireLock(file, 'test folder'), (err: Error) => err instanceof LockedError && c.message!.test(err.message));
        assert.equal(readFileSync(file, 'utf8'), content, 'a refused lock is left as it was');
      }
      assert.deepEqual(readdirSync(dir.path).filter((name) => name !== 'x.lock'), [], 'no takeover leftovers');
    } finally {
      dir.remove();
    }
  });
}

/** Runs lock-contender.ts; `line()` resolves with its next stdout line. */
function contender(file: string, pause: 'before' | 'after' | 'none', gate = '') {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/operations/lock-contender.ts'), file, pause, gate], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    child,
    line: async () => {
      const next = await lines.next();
      return next.done ? `exited ${child.exitCode}` : next.value;
    },
  };
}

const stop = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin!.end();
  await once(child, 'exit');
};

/**
 * Two processes that both judged one stale lock dead must not both end up holding it. The old
 * takeover (unlink, then create) let B unlink the lock A had just created. Each interleaving is
 * forced: one contender stops at a point of its takeover, the other runs to the end, then the
 * first goes on.
 */
const races: { name: string; pause: 'before' | 'after' }[] = [
  { name: 'B stops after judging the lock stale, A takes it over, B goes on', pause: 'before' },
  { name: 'B stops with the stale lock removed, A creates its own, B goes on', pause: 'after' },
];

for (const race of races) {
  test(`two takeovers of one stale lock, exactly one wins: ${race.name}`, { timeout: 120_000 }, async (t) => {
    const dir = tempDir('lock-race');
    const file = join(dir.path, 'x.lock');
    const gate = join(dir.path, 'gate');
    writeFileSync(file, lockText({ pid: deadPid(), host: hostname(), token: 'a'.repeat(32) }));
    const b = contender(file, race.pause, gate);
    let a: ReturnType<typeof contender> | undefined;
    t.after(async () => {
      writeFileSync(gate, '');
      await Promise.all([stop(b.child), a && stop(a.child)]);
      dir.remove();
    });
    assert.equal(await b.line(), 'paused');
    a = contender(file, 'none');
    const aResult = await a.line();
    writeFileSync(gate, '');
    const bResult = await b.line();

    const results = [aResult, bResult];
    assert.equal(results.filter((r) => r === 'held').length, 1, `exactly one holds the lock: ${JSON.stringify(results)}`);
    const winner = aResult === 'held' ? a.child : b.child;
    const loser = aResult === 'held' ? bResult : aResult;
    assert.match(loser, new RegExp(`^refused test folder is in use by another process \\(pid ${winner.pid}\\)`));
    assert.equal(lockPid(file), winner.pid, 'the lock file names the winner');
    assert.deepEqual(readdirSync(dir.path).filter((name) => name !== 'x.lock' && name !== 'gate'), [], 'no takeover leftovers');
  });
}
