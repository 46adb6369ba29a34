/**
 * One process per data folder (issue 13, item 12): a second `serve` on the same `--data-dir`
 * used to start, and the two processes' caches diverged. Now the first holds a lock file with
 * its pid; the second exits 2 naming that pid and the folder; a lock left by a killed process is
 * taken over; with `--workers` the primary holds it. An unusable data folder is named (SQLite
 * alone said "unable to open database file").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { DATA_DIR_LOCK_FILE, LockedError } from '../../src/operations/data-dir-lock.js';
import { startGateway } from '../../src/start-gateway.js';
import { CLI, REPO_ROOT, http, runCli, sleep, spawnServing, tempDir } from './support.js';

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
  assert.equal(readFileSync(lockFile, 'utf8').trim(), String(first.child.pid));

  const second = await runCli(['serve', '--config', CONFIG, '--port', '0', '--data-dir', dir.path]);
  assert.equal(second.code, 2, second.stderr);
  assert.match(second.stderr, new RegExp(`data dir ${dir.path} is in use by another process \\(pid ${first.child.pid}\\)`));
  // The first one is unharmed.
  assert.equal((await http(`${first.url}/subjects`)).status, 200);

  // kill -9 leaves the lock file behind; its pid is gone, so the next start takes it over.
  first.child.kill('SIGKILL');
  await first.exited;
  assert.equal(readFileSync(lockFile, 'utf8').trim(), String(first.child.pid), 'the stale lock is still there');
  const third = await spawnServing(process.execPath, serveArgs(dir.path));
  try {
    assert.equal(readFileSync(lockFile, 'utf8').trim(), String(third.child.pid));
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
  assert.equal(readFileSync(join(dir.path, DATA_DIR_LOCK_FILE), 'utf8').trim(), String(cluster.child.pid));
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
  const deadline = Date.now() + 60_000;
  while (!/serving/.test(out) && first.exitCode === null && Date.now() < deadline) await sleep(50);
  assert.match(out, /serving/, 'the first registry serves');
  assert.equal(readFileSync(join(dir.path, 'registry.db.lock'), 'utf8').trim(), String(first.pid));

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
        .replace(/file: frontend\.yaml/, `file: ${join(REPO_ROOT, 'examples/confluent-schema-registry/frontend.yaml')}`),
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
