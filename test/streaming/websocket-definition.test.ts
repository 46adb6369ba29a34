/**
 * A WebSocket route compiled from a YAML definition (`stream: { websocket: true }` on the test
 * proto's server-streaming `Stream`), started through the normal start path from a gateway
 * config, driven with the `ws` client: messages as text frames and close 1000, a mid-stream
 * error as a last error frame and close 4000 + code, and the config's `http.maxStreams`
 * refusing a session beyond it with close 4008 (counted in prism_connections_refused_total), and
 * the config's `http.websocket.maxFrameBytes` refusing a larger frame with an error frame and 4008.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { RunningGateway } from '../../src/start-gateway.js';
import { fixtureNamespace, sampleValue, startFromConfig, tempDir, writeConfig } from '../operations/support.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { waitFor } from '../support/wait-for.js';

const FRONTEND = `name: socket
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - id: items
      method: GET
      path: /items
      grpc: Stream
      params:
        - { from: query.count, to: f_int32 }
        - { from: query.fail, to: f_sint32 }
        - { from: query.hang, to: f_bool }
      response: { body: { object: { n: { from: response.f_int32 } } } }
      stream: { websocket: true }
`;

let fixture: FixtureServer;
let gateway: RunningGateway;
let dir: ReturnType<typeof tempDir>;

before(async () => {
  fixture = await startFixtureServer();
  dir = tempDir('ws-definition');
  const frontend = join(dir.path, 'socket.yaml');
  writeFileSync(frontend, FRONTEND);
  const config = writeConfig(dir.path, { http: { maxStreams: 1, websocket: { maxFrameBytes: 64, pingIntervalMs: 0 } }, namespaces: [fixtureNamespace('default', fixture.address, [{ file: frontend }])] });
  gateway = await startFromConfig(config, join(dir.path, 'data'));
});
after(async () => {
  await gateway?.close();
  await fixture?.close();
  dir?.remove();
});

interface Outcome {
  frames: string[];
  code: number;
  reason: string;
}

function session(path: string, onOpen?: (ws: WebSocket) => void): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(gateway.url.replace(/^http/, 'ws') + path);
    const frames: string[] = [];
    ws.on('open', () => onOpen?.(ws));
    ws.on('message', (data) => frames.push(String(data)));
    ws.on('close', (code, reason) => resolve({ frames, code, reason: String(reason) }));
    ws.on('error', reject);
  });
}

test('each backend message is one text frame; the socket closes 1000 when the call ends OK', async () => {
  const out = await session('/items?count=3');
  assert.deepEqual(out.frames, ['{"n":1}', '{"n":2}', '{"n":3}']);
  assert.equal(out.code, 1000);
});

test('a mid-stream error is a last error frame and close 4000 + the gRPC code', async () => {
  const out = await session('/items?count=1&fail=5');
  assert.equal(out.frames[0], '{"n":1}');
  assert.equal(out.frames.length, 2);
  assert.equal((JSON.parse(out.frames[1]!) as { error: { code: number } }).error.code, 5);
  assert.equal(out.code, 4005);
  assert.equal(out.reason, 'stream failed after 1');
});

test('http.maxStreams from the config: a session beyond it is refused with close 4008 and counted', async () => {
  let holder!: WebSocket;
  const held = session('/items?hang=true', (ws) => (holder = ws));
  await waitFor(() => holder);
  const refused = await waitFor(async () => {
    const out = await session('/items?count=1');
    return out.code === 4008 ? out : undefined;
  }, { timeoutMs: 5000, what: 'a refusal while one session holds the only slot' });
  assert.equal((JSON.parse(refused.frames[0]!) as { error: { details: { reason: string }[] } }).error.details[0]!.reason, 'OVERLOADED');
  const metrics = await gateway.metrics.registry.metrics();
  assert.ok((sampleValue(metrics, 'prism_connections_refused_total', { listener: 'public', reason: 'max_streams' }) ?? 0) >= 1);
  holder.close();
  await held;
  // The slot is free again.
  const after = await waitFor(async () => {
    const out = await session('/items?count=1');
    return out.code === 1000 ? out : undefined;
  }, { timeoutMs: 5000, what: 'the freed slot' });
  assert.deepEqual(after.frames, ['{"n":1}']);
});

test('http.websocket.maxFrameBytes from the config: a larger frame gets the error frame and close 4008', { timeout: 20_000 }, async () => {
  const out = await session('/items?hang=true', (ws) => ws.send(JSON.stringify({ pad: 'x'.repeat(100) })));
  assert.equal(out.code, 4008);
  const frame = JSON.parse(out.frames.at(-1)!) as { error: { code: number; message: string; details: { reason: string }[] } };
  assert.equal(frame.error.code, 8);
  assert.equal(frame.error.details[0]!.reason, 'PAYLOAD_TOO_LARGE');
  assert.match(frame.error.message, /larger than the 64 bytes accepted/);
  // A frame within the limit is read as usual: on this server-streaming route, {"$end":true}.
  const fine = await session('/items?count=1', (ws) => ws.send('{"$end":true}'));
  assert.equal(fine.code, 1000);
});
