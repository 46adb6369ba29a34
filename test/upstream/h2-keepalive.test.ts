/**
 * Liveness of the HTTP/2 client's connections (gRPC A8 keepalive, connect-node's session
 * manager): PINGs keep a slow call's connection checked, a connection that went silent is
 * verified before it carries a call and replaced when it is dead, idle connections close,
 * and writes wait for a server that does not read. Timers are shortened through the
 * options; assertions only bound liveness.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H2_DEFAULTS, H2Connection, SETTING, type StreamHandler } from '../../src/upstream/h2-connection.js';
import { createHttp2Upstream } from '../../src/upstream/http2-upstream.js';
import { frame, reply, settings, startHostileServer, T, u32 } from './hostile-server.js';

const call = (up: ReturnType<typeof createHttp2Upstream>, text: string, deadlineMs = 5_000) =>
  up.unary({ path: '/keepalive.Test/Call', message: Buffer.from(text), metadata: {}, deadlineMs });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(check: () => boolean, what: string, ms = 3000): Promise<void> {
  for (const start = Date.now(); Date.now() - start < ms; ) {
    if (check()) return;
    await sleep(5);
  }
  assert.fail(`never happened: ${what}`);
}

test('a reply slower than the keepalive interval: PINGs go out and are answered, the call succeeds', async () => {
  const server = await startHostileServer(async (peer) => {
    const s = await peer.nextStream();
    await sleep(800);
    peer.write(reply(s, Buffer.from('slow')));
  });
  const up = createHttp2Upstream(server.address, { keepaliveIntervalMs: 100, keepaliveTimeoutMs: 300 });
  try {
    assert.equal((await call(up, 'x')).message.toString(), 'slow');
    assert.ok(server.peers[0].pings >= 1, `${server.peers[0].pings} PINGs`);
  } finally {
    up.close();
    await server.close();
  }
});

test('a silent idle connection is verified with a PING before the next call, and reused when it answers', async () => {
  const server = await startHostileServer(async (peer) => {
    for (;;) {
      const s = await peer.nextStream();
      peer.write(reply(s, Buffer.from(`reply ${s}`)));
    }
  });
  const up = createHttp2Upstream(server.address, { keepaliveIntervalMs: 100, keepaliveTimeoutMs: 1000 });
  try {
    await call(up, 'first');
    await sleep(700);
    assert.equal(server.peers[0].pings, 0, 'no PINGs while idle (keepaliveWhileIdle is off)');
    assert.equal((await call(up, 'second')).message.toString(), 'reply 3');
    assert.equal(server.peers.length, 1);
    assert.equal(server.peers[0].pings, 1, 'one PING verified the connection');
  } finally {
    up.close();
    await server.close();
  }
});

test('a connection that died silently while idle: the next call moves to a new connection instead of failing', async () => {
  const server = await startHostileServer(async (peer) => {
    const s = await peer.nextStream();
    peer.write(reply(s, Buffer.from(`connection ${server.peers.indexOf(peer)}`)));
    // The first connection then goes dark: no answers, no PING ACKs.
    if (server.peers.indexOf(peer) === 0) peer.answerPings = false;
  });
  const up = createHttp2Upstream(server.address, { keepaliveIntervalMs: 100, keepaliveTimeoutMs: 200 });
  try {
    assert.equal((await call(up, 'first')).message.toString(), 'connection 0');
    await sleep(700);
    assert.equal((await call(up, 'second')).message.toString(), 'connection 1');
    assert.equal(server.peers[0].streams.length, 1, 'the second call never went out on the dead connection');
    assert.equal(server.peers[0].pings, 1);
  } finally {
    up.close();
    await server.close();
  }
});

test('keepaliveWhileIdle: idle connections are pinged too', async () => {
  const server = await startHostileServer(async (peer) => {
    const s = await peer.nextStream();
    peer.write(reply(s, Buffer.from('ok')));
  });
  const up = createHttp2Upstream(server.address, { keepaliveIntervalMs: 50, keepaliveTimeoutMs: 1000, keepaliveWhileIdle: true });
  try {
    await call(up, 'x');
    await eventually(() => server.peers[0].pings >= 2, 'PINGs on an idle connection');
    assert.equal(server.peers.length, 1);
  } finally {
    up.close();
    await server.close();
  }
});

test('idleTimeoutMs: an idle connection closes with GOAWAY NO_ERROR, and the next call opens a new one', async () => {
  const server = await startHostileServer(async (peer) => {
    const s = await peer.nextStream();
    peer.write(reply(s, Buffer.from('ok')));
  });
  const up = createHttp2Upstream(server.address, { idleTimeoutMs: 150, keepaliveIntervalMs: 0 });
  try {
    await call(up, 'x');
    await eventually(() => server.peers[0].closed, 'the idle connection closes');
    assert.deepEqual(server.peers[0].goaways, [{ code: 0, debug: 'idle' }]);
    assert.equal((await call(up, 'y')).message.toString(), 'ok');
    assert.equal(server.peers.length, 2);
  } finally {
    up.close();
    await server.close();
  }
});

test('a server that does not read: 40 calls of 1 MiB wait instead of piling up in the write buffer, and all go out once it reads', async () => {
  // Windows as large as HTTP/2 allows: only back-pressure can hold the bodies back.
  const opening = Buffer.concat([settings([[SETTING.INITIAL_WINDOW_SIZE, 2 ** 31 - 1]]), frame(T.WINDOW_UPDATE, 0, 0, u32(2 ** 31 - 1 - 65_535))]);
  const server = await startHostileServer((peer) => {
    peer.socket.pause();
  }, opening);
  const [host, port] = server.address.split(':');
  const failures: Error[] = [];
  const conn = new H2Connection({ ...H2_DEFAULTS, host, port: Number(port), connectTimeoutMs: 5000, onGone: () => {} });
  const handler: StreamHandler = { onHeaders() {}, onData() {}, onEnd() {}, onReset() {}, onFailed: (e) => void failures.push(e) };
  try {
    // The server's SETTINGS lift the one-stream limit first.
    conn.open(Buffer.from([0x83]), Buffer.alloc(1 << 20), handler, () => {});
    await sleep(100);
    for (let i = 1; i < 40; i++) conn.open(Buffer.from([0x83]), Buffer.alloc(1 << 20), handler, () => {});
    let most = 0;
    for (let i = 0; i < 40; i++) {
      most = Math.max(most, conn.bufferedBytes);
      await sleep(10);
    }
    assert.ok(most < 4 * 1024 * 1024, `${most} bytes buffered for a server that reads nothing`);
    const peer = server.peers[0];
    peer.socket.resume();
    await eventually(() => peer.ended.length === 40, `all 40 bodies arrive (${peer.ended.length})`, 10_000);
    assert.equal(peer.dataBytes, 40 * (1 << 20));
    assert.deepEqual(failures, []);
  } finally {
    conn.close();
    await server.close();
  }
});

test('options out of range are refused when the upstream is made', () => {
  for (const options of [{ keepaliveTimeoutMs: 0 }, { keepaliveIntervalMs: -1 }, { idleTimeoutMs: Number.NaN }, { maxHeaderListBytes: 10 }, { receiveWindowBytes: 2 ** 31 }, { connectTimeoutMs: 0 }, { connectTimeoutMs: 2 ** 31 }]) {
    assert.throws(() => createHttp2Upstream('127.0.0.1:1', options), new RegExp(Object.keys(options)[0]));
  }
});
