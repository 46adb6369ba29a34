/**
 * Admitting a WebSocket upgrade when auth is on, before the 101: credentials as on REST routes
 * (401 with the authenticator's WWW-Authenticate challenge, 403 for too low a role) and the
 * Origin rule against cross-site WebSocket hijacking (browsers send cookies and cached Basic
 * credentials on an upgrade from any page, without CORS): an upgrade that carries an Origin is
 * accepted only same-origin or from an origin the path's CORS policy allows with credentials.
 * Each refusal is an HTTP answer in the route's error shape, and no backend call is made.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../support/wait-for.js';
import { connect, refusedUpgrade, startWsGateway, type WsGateway } from './websocket-fixture.js';

async function chatOnce(url: string, headers: Record<string, string>): Promise<number> {
  const socket = connect(url, headers);
  await socket.opened;
  socket.ws.send('{"ok":true}');
  await waitFor(() => socket.frames.length === 1, { what: 'the echo' });
  socket.ws.send('{"$end":true}');
  return (await socket.closed).code;
}

describe('WebSocket admission', () => {
  let gw: WsGateway;
  let host: string;
  before(async () => {
    gw = await startWsGateway({ pingIntervalMs: 0 }, { cors: { allowOrigins: ['http://app.test'], allowCredentials: true } });
    host = new URL(gw.url).host;
  });
  after(() => gw.close());

  test('no credentials: 401 with WWW-Authenticate before the 101, in the route error shape', async () => {
    const out = await refusedUpgrade(`${gw.url}/ws/secure`);
    assert.equal(out.status, 401);
    assert.equal(out.headers['www-authenticate'], 'Bearer');
    assert.deepEqual(JSON.parse(out.body), { error_code: 40116, message: 'missing or invalid credentials' });
    // The first test of the suite: no Chat call has reached the backend.
    assert.equal(gw.backend.metadata['Chat'], undefined);
  });

  test('too low a role: 403 before the 101; the right role streams', async () => {
    const reader = await refusedUpgrade(`${gw.url}/ws/secure`, { authorization: 'Bearer reader' });
    assert.equal(reader.status, 403);
    assert.match(reader.body, /may not write/);
    assert.equal(await chatOnce(`${gw.url}/ws/secure`, { authorization: 'Bearer writer' }), 1000);
  });

  test('a same-origin page (Origin host:port = Host) may upgrade', async () => {
    assert.equal(await chatOnce(`${gw.url}/ws/secure`, { authorization: 'Bearer writer', origin: `http://${host}` }), 1000);
  });

  test('another origin is refused 403 (FORBIDDEN), even with good credentials', async () => {
    const out = await refusedUpgrade(`${gw.url}/ws/secure`, { authorization: 'Bearer writer', origin: 'http://evil.test' });
    assert.equal(out.status, 403);
    assert.deepEqual(JSON.parse(out.body), { error_code: 40307, message: "a WebSocket from origin 'http://evil.test' is not allowed here" });
    // A route that needs no role is no exception: the page would still act with the browser's credentials.
    assert.equal((await refusedUpgrade(`${gw.url}/ws/chat`, { origin: 'http://evil.test' })).status, 403);
    // Nor is an opaque origin.
    assert.equal((await refusedUpgrade(`${gw.url}/ws/chat`, { origin: 'null' })).status, 403);
  });

  test('an origin the CORS policy allows with credentials may upgrade', async () => {
    assert.equal(await chatOnce(`${gw.url}/ws/secure`, { authorization: 'Bearer writer', origin: 'http://app.test' }), 1000);
  });

  test('an upgrade without Origin (not a browser) is judged by its credentials only', async () => {
    assert.equal(await chatOnce(`${gw.url}/ws/chat`, {}), 1000);
  });
});

describe('WebSocket admission under a CORS policy of *', () => {
  let gw: WsGateway;
  before(async () => {
    gw = await startWsGateway({ pingIntervalMs: 0 }, { cors: { allowOrigins: ['*'] } });
  });
  after(() => gw.close());

  test('* lets no origin upgrade with credentials (CORS never lets * carry them)', async () => {
    const out = await refusedUpgrade(`${gw.url}/ws/secure`, { authorization: 'Bearer writer', origin: 'http://anywhere.test' });
    assert.equal(out.status, 403);
  });
});
