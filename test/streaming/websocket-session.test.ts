/**
 * WebSocket routes end to end: the `ws` client against the gateway's public app and a grpc-js
 * backend (websocket-fixture.ts). Framing per DESIGN.md §8: text frames of JSON, `{"$end":true}`
 * half-closes, 1000 on OK, 1001 on shutdown, otherwise a last `{"error": …}` frame and
 * 4000 + gRPC code with the mapped message (≤ 123 bytes). Liveness waits are generous bounds.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeReason } from '../../src/core/websocket-close.js';
import { waitFor } from '../support/wait-for.js';
import { connect, startWsGateway, type WsGateway } from './websocket-fixture.js';

describe('WebSocket routes', () => {
  let gw: WsGateway;
  before(async () => {
    gw = await startWsGateway({ maxFrameBytes: 1024, pingIntervalMs: 0 });
  });
  after(() => gw.close());

  test('server streaming: one text frame per rendered message, then close 1000', async () => {
    const { closed } = connect(`${gw.url}/ws/list?count=5&size=16`);
    const { frames, code } = await closed;
    assert.equal(code, 1000);
    assert.deepEqual(frames.map((f) => JSON.parse(f)), [0, 1, 2, 3, 4].map((index) => ({ index, size: 16 })));
  });

  test('client streaming: every frame is one request message; {"$end":true} half-closes and the reply comes back', async () => {
    const { ws, opened, closed } = connect(`${gw.url}/ws/collect`);
    await opened;
    for (const n of [1, 2, 3]) ws.send(JSON.stringify({ n }));
    ws.send('{"$end":true}');
    const { frames, code } = await closed;
    assert.equal(code, 1000);
    // The backend counted three messages of the encoded JSON ({"n":1} is 7 bytes).
    assert.deepEqual(frames.map((f) => JSON.parse(f)), [{ count: 3, bytes: 21 }]);
  });

  test('bidi: ping-pong, one answer per message, while the socket stays open', async () => {
    const { ws, frames, opened, closed } = connect(`${gw.url}/ws/chat`);
    await opened;
    for (let i = 0; i < 3; i++) {
      ws.send(JSON.stringify({ say: `hello ${i}` }));
      await waitFor(() => frames.length === i + 1);
      assert.deepEqual(JSON.parse(frames[i]!), { say: `hello ${i}` });
    }
    ws.send('{"$end":true}');
    assert.equal((await closed).code, 1000);
  });

  test('an error after messages: the messages, a last {"error": …} frame with the mapped body, close 4000 + code with the mapped message cut to 123 bytes', async () => {
    const message = 'schema not found: ' + 'é'.repeat(100);
    const { closed } = connect(`${gw.url}/ws/list?count=2&size=4&failCode=5&failMessage=${encodeURIComponent(message)}`);
    const { frames, code, reason } = await closed;
    assert.equal(code, 4005);
    assert.equal(frames.length, 3);
    assert.deepEqual(JSON.parse(frames[2]!), { error: { error_code: 40405, message } });
    assert.ok(Buffer.byteLength(reason) <= 123);
    assert.equal(reason, closeReason(message));
    assert.ok(message.startsWith(reason) && reason.length > 50);
  });

  test('closeReason never cuts a character in two', () => {
    for (const text of ['a'.repeat(200), 'é'.repeat(100), 'a' + '😀'.repeat(40), 'short']) {
      const cut = closeReason(text);
      assert.ok(Buffer.byteLength(cut) <= 123);
      assert.ok(text.startsWith(cut));
      assert.ok(!cut.includes('\uFFFD'));
    }
  });

  const refusals: [string, (s: import('ws').WebSocket) => void, number, RegExp][] = [
    ['malformed JSON', (ws) => ws.send('{"say":'), 4003, /malformed JSON frame/],
    ['a binary frame', (ws) => ws.send(Buffer.from([1, 2, 3])), 4003, /binary frames are not accepted/],
    ['a frame over the limit', (ws) => ws.send(JSON.stringify({ say: 'x'.repeat(1500) })), 4008, /larger than the 1024 bytes accepted/],
    ['a message the body mapping refuses', (ws) => ws.send('[1,2]'), 4003, /must be a JSON object/],
  ];
  for (const [name, send, expected, text] of refusals) {
    test(`${name}: an error frame and close ${expected}, and the gateway keeps serving`, async () => {
      const { ws, opened, closed } = connect(`${gw.url}/ws/chat`);
      await opened;
      send(ws);
      const { frames, code } = await closed;
      assert.equal(code, expected);
      assert.equal(frames.length, 1);
      assert.match((JSON.parse(frames[0]!) as { error: { message: string } }).error.message, text);
      const again = connect(`${gw.url}/ws/list?count=1`);
      assert.equal((await again.closed).code, 1000);
    });
  }

  test('a frame past ws’ own cap (twice the limit) is refused by ws with 1009', async () => {
    const { ws, opened, closed } = connect(`${gw.url}/ws/chat`);
    await opened;
    ws.send('x'.repeat(4096));
    assert.equal((await closed).code, 1009);
  });

  test('routes that take no WebSocket, and unknown paths, refuse in-stream', async () => {
    const plain = await connect(`${gw.url}/ws/plain`).closed;
    assert.equal(plain.code, 4012);
    assert.match(plain.reason, /does not accept a WebSocket/);
    const missing = await connect(`${gw.url}/ws/nowhere`).closed;
    assert.equal(missing.code, 4005);
    assert.deepEqual(JSON.parse(missing.frames[0]!), { error: { error_code: 40405, message: 'cannot route GET /ws/nowhere' } });
  });

  test('the client going away cancels the backend call (observed at the backend)', async () => {
    const before = gw.backend.hang.cancelledAt.length;
    const { ws, frames, opened } = connect(`${gw.url}/ws/hang`);
    await opened;
    ws.send('{"n":1}');
    await waitFor(() => frames.length === 1);
    ws.terminate();
    await waitFor(() => gw.backend.hang.cancelledAt.length > before, { timeoutMs: 10_000 });
  });
});

describe('WebSocket shutdown and keepalive', () => {
  test('closing the gateway closes open sockets with 1001 and cancels their backend calls', async () => {
    const gw = await startWsGateway({ pingIntervalMs: 0 });
    try {
      const { ws, frames, opened, closed } = connect(`${gw.url}/ws/hang`);
      await opened;
      ws.send('{"n":1}');
      await waitFor(() => frames.length === 1);
      const closing = gw.app.close();
      const { code } = await closed;
      assert.equal(code, 1001);
      await closing;
      await waitFor(() => gw.backend.hang.cancelledAt.length === 1, { timeoutMs: 10_000 });
    } finally {
      await gw.close().catch(() => {});
    }
  });

  test('a peer that stops answering pings is dropped and its backend call cancelled', async () => {
    const gw = await startWsGateway({ pingIntervalMs: 50 });
    try {
      const { ws, frames, opened } = connect(`${gw.url}/ws/hang`);
      await opened;
      ws.send('{"n":1}');
      await waitFor(() => frames.length === 1);
      // A paused client socket reads nothing: no pongs go back.
      (ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
      await waitFor(() => gw.backend.hang.cancelledAt.length === 1, { timeoutMs: 10_000 });
      ws.terminate();
    } finally {
      await gw.close();
    }
  });
});
