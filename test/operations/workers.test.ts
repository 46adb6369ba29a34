/**
 * `serve --workers N`: the shipped Confluent config served by a primary (the embedded
 * registry) and two gateway workers sharing the listeners. Every request below opens its own
 * connection, so node:cluster hands them to the workers in turn; the checks are that the
 * workers behave as one gateway (writes, cache invalidation, admin changes, metrics), that a
 * killed worker is replaced, and that SIGTERM stops every process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { parseWorkerCount } from '../../src/cluster/run-cluster.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { alive, CLI, CONFLUENT_FRONTEND_FILE, REPO_ROOT, runCli, sampleValue, spawnServing, tempDir } from './support.js';
import { waitFor } from '../support/wait-for.js';

const CONFIG = join(REPO_ROOT, 'examples/confluent-schema-registry/gateway.yaml');

/** One request on a connection of its own (no keep-alive), so each may reach another worker. */
function fresh(url: string, method = 'GET', body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url, { method, agent: false, headers: text ? { 'content-type': 'application/vnd.schemaregistry.v1+json' } : {} }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => done({ status: res.statusCode!, json: data ? (JSON.parse(data) as Record<string, unknown>) : {} }));
    });
    req.on('error', fail);
    req.end(text);
  });
}

test('--workers takes a whole number from 1, or auto for one per CPU', async () => {
  assert.equal(parseWorkerCount('3', 8), 3);
  assert.equal(parseWorkerCount('auto', 8), 8);
  for (const bad of ['0', '-1', '1.5', 'two', '', '0x2', '1e1', ' 2', '2000']) assert.equal(parseWorkerCount(bad, 8), undefined, bad);
  const refused = await runCli(['serve', '--config', CONFIG, '--workers', '0']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /invalid worker count '0'/);
});

test('two workers serve as one gateway, are replaced when killed, and stop on SIGTERM', { timeout: 120_000 }, async (t) => {
  const dir = tempDir('workers');
  const gateway = await spawnServing(process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', CONFIG, '--port', '0', '--data-dir', dir.path, '--workers', '2', '--log-level', 'info'], {
    ready: (entry) => entry.workers === 2,
  });
  t.after(() => {
    gateway.kill();
    dir.remove();
  });
  const primaryPid = gateway.child.pid!;
  const started = gateway.lines.find((l) => l.msg === 'gateway listening (HTTP)' && l.workers === 2)!;
  const workerPids = started.pids as number[];
  assert.equal(workerPids.length, 2);
  assert.ok(workerPids.every((pid) => pid !== primaryPid && alive(pid)), 'two worker processes besides the primary');
  const { url, adminUrl } = gateway;
  assert.ok(adminUrl, 'the admin listener is logged');
  // One summary from the primary and one line per worker, not every listener once per worker.
  // The workers write to the same pipe as the primary: a worker's line may arrive after the
  // primary's summary.
  await waitFor(() => gateway.lines.filter((l) => l.msg === 'worker listening').length >= 2, { what: "both workers' 'worker listening' lines" });
  const startLines = gateway.lines.filter((l) => typeof l.msg === 'string' && /listening/.test(l.msg));
  assert.deepEqual(startLines.map((l) => [l.msg, l.listener]).sort(), [
    ['admin listening (admin API, /metrics, /healthz, /readyz)', 'admin'],
    ['embedded pattern listening (gRPC)', 'pattern'],
    ['gRPC passthrough listening', 'grpc'],
    ['gateway listening (HTTP)', 'public'],
    ['worker listening', undefined],
    ['worker listening', undefined],
  ].sort());
  assert.match(String(startLines.find((l) => l.listener === 'pattern')!.address), /^unix:\//, 'the workers reach the primary\'s pattern on its private Unix socket');
  const requestLines = () => gateway.lines.filter((l) => l.msg === 'request');
  const servedBy = () => new Set(requestLines().map((l) => l.pid as number));

  await t.test('requests on separate connections reach both workers, and a write through one is read through all', async () => {
    const logged = requestLines().length;
    const registered = await fresh(`${url}/subjects/orders/versions`, 'POST', { schema: '{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}' });
    assert.equal(registered.status, 200, JSON.stringify(registered.json));
    const id = registered.json.id;
    for (let i = 0; i < 10; i++) {
      const read = await fresh(`${url}/schemas/ids/${id}`);
      assert.equal(read.status, 200);
      assert.match(String(read.json.schema), /"Order"/);
    }
    // A request line is logged after its answer is sent: wait for all eleven.
    await waitFor(() => requestLines().length >= logged + 11, { what: 'a request line for each of the 11 requests' });
    assert.deepEqual([...servedBy()].sort(), [...workerPids].sort(), 'both workers answered');
  });

  await t.test('a write through one worker clears the response cache of the other', async () => {
    const registered = await fresh(`${url}/subjects/gone/versions`, 'POST', { schema: '{"type":"enum","name":"Gone","symbols":["A"]}' });
    const id = registered.json.id;
    assert.equal((await fresh(`${url}/subjects/gone`, 'DELETE')).status, 200);
    // A soft-deleted schema is still found by id: both workers now hold GET /schemas/ids/{id}
    // in their cache (the frontend keeps it 5 s).
    for (let i = 0; i < 4; i++) assert.equal((await fresh(`${url}/schemas/ids/${id}`)).status, 200);
    // One write, through one worker.
    assert.equal((await fresh(`${url}/subjects/gone?permanent=true`, 'DELETE')).status, 200);
    const started = Date.now();
    for (let i = 0; i < 6; i++) {
      const read = await fresh(`${url}/schemas/ids/${id}`);
      assert.equal(read.status, 404, `read ${i + 1}, ${Date.now() - started} ms after the delete: ${JSON.stringify(read.json)}`);
      assert.equal(read.json.error_code, 40403);
    }
  });

  await t.test('a frontend applied through the admin API is served by every worker', async (t) => {
    const copy = join(dir.path, 'copy.yaml');
    writeFileSync(copy, readFileSync(CONFLUENT_FRONTEND_FILE, 'utf8').replace(/^name: .*$/m, 'name: confluent-copy'));
    const applied = await runCli(['frontend', 'apply', '-f', copy, '--admin', adminUrl!, '--path-prefix', '/copy']);
    assert.equal(applied.code, 0, applied.stderr);
    // The worker that took the change serves it at once; the other recompiles on the news.
    const started = Date.now();
    let statuses: number[] = [];
    await waitFor(
      async () => {
        statuses = [];
        for (let i = 0; i < 6; i++) statuses.push((await fresh(`${url}/copy/subjects`)).status);
        return statuses.every((s) => s === 200);
      },
      { intervalMs: 50, what: 'six requests in a row to be served the applied frontend', detail: () => `last statuses: ${statuses.join(', ')}` },
    );
    t.diagnostic(`every worker served the applied frontend ${Date.now() - started} ms after the apply`);
  });

  await t.test('/metrics on the admin listener sums every worker', async () => {
    const count = async () => {
      const text = await (await fetch(`${adminUrl}/metrics`)).text();
      return sampleValue(text, 'prism_http_requests_total', { frontend: 'confluent-schema-registry', route: 'list-subjects', status_class: '2xx' }) ?? 0;
    };
    const start = await count();
    for (let i = 0; i < 8; i++) assert.equal((await fresh(`${url}/subjects`)).status, 200);
    assert.equal(await count(), start + 8);
  });

  await t.test('a killed worker is replaced and the gateway keeps answering', async () => {
    const [victim, survivor] = workerPids;
    process.kill(victim, 'SIGKILL');
    const replacement = await waitFor(() => gateway.lines.find((l) => l.msg === 'worker listening' && !workerPids.includes(l.pid as number))?.pid as number | undefined, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'a new worker to listen',
    });
    assert.ok(gateway.lines.some((l) => l.msg === 'worker exited; starting a replacement' && l.workerPid === victim));
    assert.ok(alive(survivor) && alive(primaryPid));
    for (let i = 0; i < 6; i++) assert.equal((await fresh(`${url}/subjects`)).status, 200);
    workerPids.splice(0, 1, replacement);
  });

  await t.test('SIGTERM to the primary drains and stops every process', async () => {
    gateway.child.kill('SIGTERM');
    const exit = await gateway.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, gateway.stderr());
    for (const pid of workerPids) assert.equal(alive(pid), false, `worker ${pid} is gone`);
  });
});

test('with workers, a definition error exits 2 from the primary, and workers that cannot listen exit 1', { timeout: 120_000 }, async () => {
  const dir = tempDir('workers-fail');
  try {
    const broken = join(dir.path, 'frontend.yaml');
    writeFileSync(broken, readFileSync(CONFLUENT_FRONTEND_FILE, 'utf8').replace('grpc: ListSubjects', 'grpc: NoSuchMethod'));
    const config = join(dir.path, 'gateway.yaml');
    writeFileSync(config, readFileSync(CONFIG, 'utf8').replace(/file: .*frontend\.yaml/, `file: ${broken}`));
    const refused = await runCli(['serve', '--config', config, '--port', '0', '--data-dir', join(dir.path, 'data'), '--workers', '2']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /NoSuchMethod/);

    // The public port is taken: every worker fails to listen, and the primary gives up.
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as AddressInfo).port;
    const failed = await runCli(['serve', '--config', CONFIG, '--port', String(port), '--data-dir', join(dir.path, 'data2'), '--workers', '2']);
    blocker.close();
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stdout, /the workers could not start/);
  } finally {
    dir.remove();
  }
});

test('a worker whose primary is killed drains and exits instead of serving alone', { timeout: 120_000 }, async (t) => {
  const dir = tempDir('workers-orphan');
  const gateway = await spawnServing(process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', CONFIG, '--port', '0', '--data-dir', dir.path, '--workers', '2', '--log-level', 'info'], {
    ready: (entry) => entry.workers === 2,
  });
  t.after(() => {
    gateway.kill();
    dir.remove();
  });
  const workerPids = gateway.lines.find((l) => l.workers === 2)!.pids as number[];
  gateway.child.kill('SIGKILL');
  await waitFor(() => !workerPids.some(alive), { timeoutMs: 30_000, intervalMs: 100, what: `every worker to exit (${workerPids.join(', ')})` });
  assert.ok(gateway.lines.some((l) => l.msg === 'shutting down' && l.signal === 'primary gone'), 'a worker drained before it exited');
});
