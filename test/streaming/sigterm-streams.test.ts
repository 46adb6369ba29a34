/**
 * SIGTERM with streams open, through the real process: `prism-gateway serve` runs as a child
 * process with an SSE stream and a WebSocket session open on hanging backend streams; on
 * SIGTERM the SSE stream gets a `retry:` hint and `event: shutdown`, the WebSocket closes 1001,
 * and the process exits 0 within the shutdown timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { CLI, fixtureNamespace, spawnServing, tempDir, writeConfig, type ServingProcess } from '../operations/support.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { waitFor } from '../support/wait-for.js';

const SHUTDOWN_TIMEOUT_MS = 5000;

const FRONTEND = `name: live
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - id: events
      method: GET
      path: /events
      grpc: Stream
      params: [{ from: query.hang, to: f_bool }]
      response: { body: { object: { n: { from: response.f_int32 } } } }
      stream: { sse: { retryMs: 3000, heartbeatMs: 0 } }
    - id: socket
      method: GET
      path: /socket
      grpc: Stream
      params: [{ from: query.hang, to: f_bool }]
      response: { body: { object: { n: { from: response.f_int32 } } } }
      stream: { websocket: true }
`;

test('SIGTERM ends an open SSE stream with retry + event: shutdown and a WebSocket with 1001, and the process exits 0 in time', { timeout: 90_000 }, async () => {
  const fixture = await startFixtureServer();
  const dir = tempDir('sigterm-streams');
  let serving: ServingProcess | undefined;
  try {
    writeFileSync(join(dir.path, 'live.yaml'), FRONTEND);
    writeConfig(dir.path, { shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS, namespaces: [fixtureNamespace('live', fixture.address, [{ file: 'live.yaml' }])] });
    serving = await spawnServing(process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', join(dir.path, 'gateway.yaml'), '--host', '127.0.0.1', '--port', '0', '--data-dir', join(dir.path, 'data')]);

    const sse = await fetch(`${serving.url}/events?hang=true`, { headers: { accept: 'text/event-stream' } });
    assert.equal(sse.status, 200);
    const sseText = sse.text();

    const ws = new WebSocket(`${serving.url.replace(/^http/, 'ws')}/socket?hang=true`);
    const wsClosed = new Promise<{ code: number; reason: string }>((resolve, reject) => {
      ws.on('close', (code, reason) => resolve({ code, reason: String(reason) }));
      ws.on('error', reject);
    });
    await new Promise((resolve) => ws.once('open', resolve));
    // Both backend streams are open before the signal.
    await waitFor(() => fixture.received.filter((r) => r.method === 'Stream').length >= 2, { what: 'both backend streams' });

    const signalled = Date.now();
    assert.ok(serving.child.kill('SIGTERM'));

    const text = await sseText;
    // The opening retry hint, then at shutdown a retry hint and event: shutdown, last.
    assert.equal(text, 'retry: 3000\n\nretry: 3000\nevent: shutdown\ndata: {}\n\n');
    const closed = await wsClosed;
    assert.equal(closed.code, 1001);

    const exit = await serving.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(Date.now() - signalled < SHUTDOWN_TIMEOUT_MS, `exited ${Date.now() - signalled} ms after SIGTERM`);
  } finally {
    serving?.kill();
    await fixture.close();
    dir.remove();
  }
});
