/**
 * Running the registry: `prism-registry serve` as a process (health, SIGTERM shutdown,
 * data kept in its SQLite file), `--help`, bad arguments, and `startPattern` for the
 * embedded case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { status } from '@grpc/grpc-js';
import { startPattern } from '../../../patterns/registry/index.js';
import { createRegistryClient } from './registry-test-client.js';

// The child runs in a temporary folder, where a bare `--import tsx` would not resolve.
const tsx = import.meta.resolve('tsx');
const cli = fileURLToPath(new URL('../../../patterns/registry/cli.ts', import.meta.url));
const SCHEMA = '{"type":"record","name":"A","fields":[{"name":"id","type":"int"}]}';

/** Starts `prism-registry serve` and resolves once it printed its address. */
function serve(args: string[], cwd: string) {
  const child = spawn(process.execPath, ['--import', tsx, cli, 'serve', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const address = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const m = / on (\S+:\d+) /.exec(out);
      if (m) resolve(m[1]);
    });
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, address, exited, output: () => out };
}

test('prism-registry serve: health, a registration that outlives a SIGTERM restart, clean exit', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'registry-serve-'));
  try {
    const first = serve(['--listen', '127.0.0.1:0', '--backend', 'sqlite:./data/r.db'], dir);
    const client = createRegistryClient(await first.address);
    assert.deepEqual(await client.health(), { status: 'SERVING' });
    assert.deepEqual(await client.health('prism.patterns.registry.v1.Registry'), { status: 'SERVING' });
    await assert.rejects(client.health('no.such.Service'), (err: { code: number }) => err.code === status.NOT_FOUND);
    assert.deepEqual(await client.call('RegisterSchema', { subject: 's', schema: SCHEMA }), { id: 1, version: 1 });
    client.close();
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.match(first.output(), /SIGTERM, shutting down/);
    assert.ok(existsSync(join(dir, 'data', 'r.db')), 'the relative backend path resolves against the working directory');

    const second = serve(['--listen', '127.0.0.1:0', '--backend', `sqlite:${join(dir, 'data', 'r.db')}`], dir);
    const again = createRegistryClient(await second.address);
    assert.equal((await again.call('GetSchema', { id: 1 })).schema, SCHEMA);
    again.close();
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('prism-registry --help and bad arguments', () => {
  const help = spawnSync(process.execPath, ['--import', 'tsx', cli, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: prism-registry serve/);
  assert.match(help.stdout, /memstore:/);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', cli, 'serve', '--backend', 'bogus:x'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown backend 'bogus:x'/);
  const noCommand = spawnSync(process.execPath, ['--import', 'tsx', cli], { encoding: 'utf8' });
  assert.equal(noCommand.status, 2);
});

test('startPattern: SQLITE slot under the data dir, MEMSTORE, and unknown backends', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'registry-pattern-'));
  try {
    const sqlite = await startPattern({ listen: '127.0.0.1:0', dataDir: dir, slots: { storage: { name: 'db', type: 'SQLITE', config: {} } } });
    assert.match(sqlite.address, /^127\.0\.0\.1:\d+$/);
    assert.ok(sqlite.protoFiles.some((f) => f.endsWith('prism/patterns/registry/v1/registry.proto')));
    const client = createRegistryClient(sqlite.address);
    assert.deepEqual(await client.call('RegisterSchema', { subject: 's', schema: SCHEMA }), { id: 1, version: 1 });
    client.close();
    await sqlite.close();
    assert.ok(existsSync(join(dir, 'registry.db')), 'default path registry.db under the data dir');

    const custom = await startPattern({ listen: '127.0.0.1:0', dataDir: dir, slots: { storage: { name: 'db', type: 'SQLITE', config: { path: 'sub/x.db' } } } });
    await custom.close();
    assert.ok(existsSync(join(dir, 'sub', 'x.db')));

    const memory = await startPattern({ listen: '127.0.0.1:0', dataDir: dir, slots: { storage: { name: 'mem', type: 'MEMSTORE', config: {} } } });
    const memClient = createRegistryClient(memory.address);
    await assert.rejects(memClient.call('GetSchema', { id: 1 }));
    memClient.close();
    await memory.close();

    await assert.rejects(
      startPattern({ listen: '127.0.0.1:0', dataDir: dir, slots: { storage: { name: 'c', type: 'CASSANDRA', config: {} } } }),
      /accepts SQLITE, POSTGRES or MEMSTORE backends, not CASSANDRA/,
    );
    await assert.rejects(
      startPattern({ listen: '127.0.0.1:0', dataDir: dir, slots: { storage: { name: 'pg', type: 'POSTGRES', config: {} } } }),
      /config\.url must be a postgres:\/\/ URL/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('health Watch streams SERVING, then NOT_SERVING on shutdown', async () => {
  const { startRegistryServer } = await import('../../../patterns/registry/registry-server.js');
  const { createMemoryStorage } = await import('../../../patterns/registry/storage/memory-storage.js');
  const grpc = await import('@grpc/grpc-js');
  const { loadProtoRoot } = await import('../../../src/grpc/proto-root.js');
  const { createServiceDefinition } = await import('../../../src/grpc/service-definition.js');
  const server = await startRegistryServer({ listen: '127.0.0.1:0', storage: createMemoryStorage() });
  const root = loadProtoRoot([server.protoFiles[1]]);
  const Health = grpc.makeGenericClientConstructor(createServiceDefinition(root.lookupService('grpc.health.v1.Health')), 'Health');
  const client = new Health(server.address, grpc.credentials.createInsecure()) as unknown as { Watch(req: object): NodeJS.EventEmitter; close(): void };
  const statuses: string[] = [];
  const stream = client.Watch({ service: '' });
  const ended = new Promise<void>((resolve) => {
    stream.on('data', (message: { status: string }) => {
      statuses.push(message.status);
      if (statuses.length === 1) void server.close(1000);
    });
    stream.on('end', resolve);
    stream.on('error', () => resolve());
  });
  await ended;
  client.close();
  assert.deepEqual(statuses, ['SERVING', 'NOT_SERVING']);
});

test('startPattern on an address in use fails, naming the address', async () => {
  const first = await startPattern({ listen: '127.0.0.1:0', dataDir: tmpdir(), slots: { storage: { name: 'mem', type: 'MEMSTORE', config: {} } } });
  try {
    await assert.rejects(
      startPattern({ listen: first.address, dataDir: tmpdir(), slots: { storage: { name: 'mem', type: 'MEMSTORE', config: {} } } }),
      new RegExp(`cannot listen on ${first.address.replace(/\./g, '\\.')}`),
    );
  } finally {
    await first.close();
  }
});
