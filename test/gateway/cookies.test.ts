/**
 * Cookies: `cookie.NAME` as a parameter source (read as Envoy reads them: first of a name wins,
 * quotes removed, no percent-decoding), end to end through a gateway, and the cache keeping
 * answers of different cookie values apart.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { readCookie } from '../../src/mapping/request-cookie.js';
import { encodeCookieValue } from '../../src/mapping/set-cookie.js';
import { useGateway } from '../support/use-gateway.js';

const READ_CASES: Array<{ header: string | string[] | undefined; name: string; value: string | undefined }> = [
  { header: 'a=1; b=2', name: 'b', value: '2' },
  { header: 'a=1;b=2', name: 'b', value: '2' },
  { header: '  a = 1 ;  b=2', name: 'a', value: '1' },
  { header: 'a=1; a=2', name: 'a', value: '1' },
  { header: 'a="x y"; b=2', name: 'a', value: 'x y' },
  { header: 'a="', name: 'a', value: '"' },
  { header: 'a=%41%20b', name: 'a', value: '%41%20b' },
  { header: 'a=b=c', name: 'a', value: 'b=c' },
  { header: 'a=', name: 'a', value: '' },
  { header: 'flag; a=1', name: 'a', value: '1' },
  { header: 'flag; a=1', name: 'flag', value: undefined },
  { header: 'A=1', name: 'a', value: undefined },
  { header: 'ab=1', name: 'a', value: undefined },
  { header: ['a=1', 'b=2'], name: 'b', value: '2' },
  { header: undefined, name: 'a', value: undefined },
  { header: '', name: 'a', value: undefined },
];

describe('readCookie', () => {
  for (const c of READ_CASES) {
    test(`${JSON.stringify(c.header)} → ${c.name}=${JSON.stringify(c.value)}`, () => {
      assert.equal(readCookie(c.header, c.name), c.value);
    });
  }
});

const yaml = `
name: cookies
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - id: read
      method: GET
      path: /session
      grpc: Echo
      params:
        - { from: cookie.session, to: f_string }
        - { from: cookie.n, to: f_int32 }
    - id: cached
      method: GET
      path: /cached/{id}
      grpc: Echo
      params: [{ from: path.id, to: f_int64 }, { from: cookie.session, to: f_string }]
      cache: {}
    - id: login
      method: POST
      path: /login
      grpc: Echo
      params: [{ from: body, to: '*' }]
      response:
        cookies:
          - { name: session, value: { from: response.f_string }, path: /, httpOnly: true, secure: true, sameSite: Strict }
          - { name: n, value: { from: response.f_int32 }, maxAgeSeconds: 60, domain: example.com }
          - { name: absent, value: { from: response.nested.name } }
          - { name: gone, value: { const: '' }, maxAgeSeconds: 0 }
    - id: required
      method: GET
      path: /required
      grpc: Echo
      params: [{ from: cookie.session, to: f_string, required: true }]
`;

describe('cookie parameters through the gateway', () => {
  const h = useGateway({ definition: yaml });
  const get = (url: string, cookie?: string) => h.app.inject({ method: 'GET', url, headers: cookie === undefined ? {} : { cookie } });
  beforeEach(() => {
    h.fixture.received.length = 0;
  });

  test('cookies bind request fields, typed like any text source', async () => {
    const res = await get('/session', 'other=x; session="abc%20d"; n=42; session=late');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(h.fixture.received.length, 1);
    assert.equal(h.fixture.received[0].request.f_string, 'abc%20d');
    assert.equal(h.fixture.received[0].request.f_int32, 42);
  });

  test('a cookie that does not fit its field is a binding error naming the cookie; no call is made', async () => {
    const res = await get('/session', 'n=many');
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /cookie 'n'/);
    assert.equal(h.fixture.received.length, 0);
  });

  test('a required cookie that is absent is refused', async () => {
    const res = await get('/required', 'other=1');
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /cookie 'session' is required/);
    assert.equal(h.fixture.received.length, 0);
  });

  test('a cached route keeps answers for different cookie values apart (the cookie is in the request message, hence the key)', async () => {
    const a1 = await get('/cached/1', 'session=a');
    const b1 = await get('/cached/1', 'session=b');
    const a2 = await get('/cached/1', 'other=z; session=a');
    assert.equal(a1.statusCode, 200);
    assert.equal(b1.statusCode, 200);
    assert.equal(a2.body, a1.body);
    assert.notEqual(b1.body, a1.body);
    assert.deepEqual(h.fixture.received.map((r) => r.request.f_string), ['a', 'b']);
  });
});

const ENCODE_CASES: Array<[string, string]> = [
  ['abc-123_.~!', 'abc-123_.~!'],
  ['a b', 'a%20b'],
  ['a;b,c"d\\e', 'a%3Bb%2Cc%22d%5Ce'],
  ['é', '%C3%A9'],
  ['100% x', '100%25%20x'],
  ['', ''],
];

describe('encodeCookieValue', () => {
  for (const [value, encoded] of ENCODE_CASES) {
    test(`${JSON.stringify(value)} → ${encoded}`, () => {
      assert.equal(encodeCookieValue(value), encoded);
      assert.equal(decodeURIComponent(encoded), value);
    });
  }
});

describe('response cookies through the gateway', () => {
  const h = useGateway({ definition: yaml });

  test('each declared cookie is one Set-Cookie header, attributes as declared, values encoded; an absent value sets none', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/login', payload: { f_string: 'tok en;1', f_int32: 7 }, headers: { 'content-type': 'application/json' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.headers['set-cookie'], [
      'session=tok%20en%3B1; Path=/; Secure; HttpOnly; SameSite=Strict',
      'n=7; Domain=example.com; Max-Age=60',
      'gone=; Max-Age=0',
    ]);
    // What a client reads back is the rendered value.
    const session = (res.cookies as Array<{ name: string; value: string }>).find((c) => c.name === 'session');
    assert.equal(decodeURIComponent(session!.value), 'tok en;1');
  });
});
