/**
 * The lean HTTP/2 client's streaming calls against a foreign backend: the Go gRPC server of
 * `../shared/peers/grpc-gateway/` (grpc-go, its own HTTP/2 and flow control), `ListItems`
 * (server streaming) and `Chat` (bidi). Built by that folder's build.sh; without the binary
 * (no Go toolchain here) the suite is skipped and says why.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import protobuf from 'protobufjs';
import { createHttp2Upstream } from '../../src/upstream/http2-upstream.js';
import type { Upstream } from '../../src/upstream/upstream.js';
import { useSuite } from '../support/use-suite.js';
import { waitFor } from '../support/wait-for.js';

const SERVER = process.env.PRISM_GO_PEER_SERVER ?? `${process.env.TMPDIR ?? '/tmp'}/prism-peer-grpc-gateway/bin/server`;
const skip = existsSync(SERVER) ? false : `the Go peer is not built (${SERVER} is missing: run ../shared/peers/grpc-gateway/build.sh, which needs Go)`;

// The messages of echo.proto these calls use (its HTTP annotations do not matter here).
const root = protobuf.parse(`
  syntax = "proto3";
  package gwpeer.v1;
  message Item { string id = 1; string name = 2; int32 version = 3; }
  message ListItemsRequest { int32 count = 1; int32 size = 2; int32 interval_ms = 3; }
  message ChatMessage { string text = 1; int32 seq = 2; }
`).root;
const Item = root.lookupType('gwpeer.v1.Item');
const ListItemsRequest = root.lookupType('gwpeer.v1.ListItemsRequest');
const ChatMessage = root.lookupType('gwpeer.v1.ChatMessage');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('streaming calls through the http2 client to the Go peer', { skip }, () => {
  const suite = useSuite(async (scope) => {
    const port = await freePort();
    const child: ChildProcess = spawn(SERVER, ['-addr', `127.0.0.1:${port}`], { stdio: 'ignore' });
    scope.onClose(() => child.kill());
    const up: Upstream = createHttp2Upstream(`127.0.0.1:${port}`);
    scope.onClose(() => up.close());
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
          socket.on('error', () => resolve(false));
        }),
      { what: 'the Go peer to listen' },
    );
    return { up };
  });

  test('ListItems: 20,000 items of 64-byte names, in order', async () => {
    const call = suite.up.stream!({ path: '/gwpeer.v1.ItemService/ListItems', metadata: {}, deadlineMs: 30_000 });
    await call.write(ListItemsRequest.encode({ count: 20_000, size: 64 }).finish());
    call.end();
    let n = 0;
    for await (const bytes of call) {
      const item = Item.toObject(Item.decode(bytes), { defaults: true }) as { id: string; name: string; version: number };
      assert.equal(item.id, String(n));
      assert.equal(item.name, 'x'.repeat(64));
      n++;
    }
    assert.equal(n, 20_000);
  });

  test('ListItems with an out-of-range count: INVALID_ARGUMENT before any headers', async () => {
    const call = suite.up.stream!({ path: '/gwpeer.v1.ItemService/ListItems', metadata: {}, deadlineMs: 5000 });
    await call.write(ListItemsRequest.encode({ count: -1 }).finish());
    call.end();
    await assert.rejects(call.headers, (err: { code: number }) => err.code === 3);
  });

  test('Chat: a bidi ping-pong, then the server ends when the client half-closes', async () => {
    const call = suite.up.stream!({ path: '/gwpeer.v1.ItemService/Chat', metadata: {}, deadlineMs: 0 });
    const it = call[Symbol.asyncIterator]();
    for (let seq = 1; seq <= 100; seq++) {
      await call.write(ChatMessage.encode({ text: `hello ${seq}`, seq }).finish());
      const r = await it.next();
      assert.equal(r.done, false);
      assert.deepEqual(ChatMessage.toObject(ChatMessage.decode(r.value!)), { text: `hello ${seq}`, seq });
    }
    call.end();
    assert.equal((await it.next()).done, true);
  });

  test('ListItems with a slow consumer: backpressure holds, and a cancel stops it', async () => {
    const call = suite.up.stream!({ path: '/gwpeer.v1.ItemService/ListItems', metadata: {}, deadlineMs: 0, limits: { maxBufferedBytes: 64 * 1024 } });
    await call.write(ListItemsRequest.encode({ count: 1_000_000, size: 1024 }).finish());
    call.end();
    const it = call[Symbol.asyncIterator]();
    let most = 0;
    for (let i = 0; i < 10; i++) {
      await it.next();
      await new Promise((r) => setTimeout(r, 20));
      most = Math.max(most, call.bufferedBytes);
    }
    assert.ok(most <= 64 * 1024 + 1100, `${most} bytes buffered`);
    call.cancel();
    await assert.rejects(it.next(), (err: { code: number }) => err.code === 1);
  });
});
