/**
 * Bearer JWTs against a JWKS URL (`auth.bearer.jwksUrl`), served by a local node:http server
 * that can be stopped, made to fail, to answer garbage or to hang, and whose keys can change.
 *
 * The gateway hands the URL to jose's createRemoteJWKSet with its defaults (jose 6): the set
 * is fetched on first use and trusted for 10 minutes (cacheMaxAge); a token whose `kid` is not
 * in the set makes it fetch again, but not within 30 s of the last successful fetch
 * (cooldownDuration); a fetch gives up after 5 s (timeoutDuration). A failed fetch stores
 * nothing, so the next token tries again. Whatever goes wrong with the JWKS, the caller gets
 * 401 in the frontend's shape, never a 5xx and never a hang.
 *
 * Key rotation past the default cooldown needs a 30 s wait; it runs only with
 * PRISM_SLOW_TESTS=1. The same rotation with a short configured cooldown always runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { stringify } from 'yaml';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway } from '../../src/start-gateway.js';
import { AUDIENCE, call, CONFLUENT_FRONTEND, ISSUER, REALM } from './support.js';
import { tempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';

const COOLDOWN_MS = 30_000;
const slow = process.env.PRISM_SLOW_TESTS === '1';

/** The identity provider's JWKS endpoint. */
const idp = {
  server: undefined as Server | undefined,
  port: 0,
  mode: 'serve' as 'serve' | 'fail' | 'garbage' | 'hang',
  keys: [] as JWK[],
  fetches: 0,
  /** When the last 200 with a key set went out. */
  servedAt: 0,
  hanging: new Set<ServerResponse>(),
  async up(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.url !== '/jwks.json') return void res.writeHead(404).end();
      idp.fetches++;
      if (idp.mode === 'hang') return void idp.hanging.add(res);
      if (idp.mode === 'fail') return void res.writeHead(500).end('upstream exploded');
      if (idp.mode === 'garbage') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [');
      idp.servedAt = Date.now();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: idp.keys }));
    });
    await new Promise<void>((done) => server.listen(idp.port, '127.0.0.1', done));
    const address = server.address();
    idp.port = typeof address === 'object' && address ? address.port : idp.port;
    idp.server = server;
  },
  /** Stops listening and drops every connection (a client's keep-alive one too): refused from now on. */
  async down(): Promise<void> {
    const server = idp.server;
    if (!server) return;
    idp.server = undefined;
    const closed = new Promise<void>((done) => server.close(() => done()));
    server.closeAllConnections();
    idp.hanging.clear();
    await closed;
  },
};

interface Signer {
  readonly kid: string;
  readonly jwk: JWK;
  readonly privateKey: CryptoKey;
}

async function signer(kid: string): Promise<Signer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

/** A token for `roles`, signed by `key` and naming `kid` (the key's own unless told). */
function token(key: Signer, kid = key.kid, roles = ['read']): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'svc', roles }).setProtectedHeader({ alg: 'ES256', kid }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt(now).setExpirationTime(now + 300).sign(key.privateKey);
}

/** Writes to `file` a gateway config with `auth.bearer` = `bearer` over the embedded registry; returns `file`. */
function writeBearerConfig(file: string, bearer: Record<string, unknown>): string {
  writeFileSync(
    file,
    stringify({
      auth: { realm: REALM, bearer },
      backends: [{ name: 'store', type: 'SQLITE', config: { path: 'registry.db' } }],
      namespaces: [{ name: 'default', pattern: { embedded: 'patterns/registry', slots: { storage: 'store' } }, frontends: [{ file: CONFLUENT_FRONTEND }] }],
    }),
  );
  return file;
}

const suite = useSuite(async (scope) => {
  const dir = scope.own(tempDir('jwks')).path;
  const [keyA, keyB, impostor] = await Promise.all([signer('key-a'), signer('key-b'), signer('key-a')]);
  idp.keys = [keyA.jwk];
  await idp.up();
  scope.onClose(() => idp.down());
  const file = writeBearerConfig(join(dir, 'gateway.yaml'), { jwksUrl: `http://127.0.0.1:${idp.port}/jwks.json`, issuer: ISSUER, audience: AUDIENCE });
  const gateway = scope.own(await startGateway(loadGatewayConfig(file), { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), logger: false }));
  // The JWKS is fetched on first use, not at start: nothing has asked for it yet.
  assert.equal(idp.fetches, 0);
  await idp.down();
  return { dir, gateway, keyA, keyB, impostor };
});

/** GET /subjects with a bearer token: the status and how long the answer took. */
async function subjects(bearer: string): Promise<{ status: number; ms: number; body: unknown }> {
  const started = performance.now();
  const a = await call(`${suite.gateway.url}/subjects`, { authorization: `Bearer ${bearer}` });
  return { status: a.status, ms: performance.now() - started, body: a.json() };
}

const UNAUTHORIZED = { error_code: 401, message: 'Unauthorized' };

test('JWKS unreachable, failing, garbled or hanging at first use: 401, and the next token after recovery is accepted at once', async (t) => {
  const a = await token(suite.keyA);
  // Nobody listens on the JWKS port.
  const refused = await subjects(a);
  assert.deepEqual([refused.status, refused.body], [401, UNAUTHORIZED]);
  assert.ok(refused.ms < 2000, `${Math.round(refused.ms)} ms`);

  await idp.up();
  idp.mode = 'fail';
  const failed = await subjects(a);
  assert.deepEqual([failed.status, failed.body], [401, UNAUTHORIZED]);
  idp.mode = 'garbage';
  const garbled = await subjects(a);
  assert.deepEqual([garbled.status, garbled.body], [401, UNAUTHORIZED]);
  assert.equal(idp.fetches, 2, 'one fetch per request: a failed fetch caches nothing');

  // A JWKS that accepts the request and never answers: jose gives up after 5 s. Requests
  // arriving meanwhile wait for the same fetch.
  idp.mode = 'hang';
  const hung = await Promise.all(Array.from({ length: 5 }, () => subjects(a)));
  assert.deepEqual(hung.map((h) => h.status), [401, 401, 401, 401, 401]);
  const slowest = Math.max(...hung.map((h) => h.ms));
  assert.ok(slowest > 4500 && slowest < 8000, `slowest ${Math.round(slowest)} ms`);
  assert.equal(idp.fetches, 3, 'the 5 concurrent requests shared one fetch');

  idp.mode = 'serve';
  const recovered = await subjects(a);
  assert.equal(recovered.status, 200, JSON.stringify(recovered.body));
  assert.equal(idp.fetches, 4);
  t.diagnostic(`refused ${Math.round(refused.ms)} ms, HTTP 500 ${Math.round(failed.ms)} ms, garbage ${Math.round(garbled.ms)} ms, hang ${Math.round(slowest)} ms (5 requests, 1 fetch): all 401; recovered on the next request`);
});

test('a valid token is accepted; a wrong key or an unknown kid is 401, and sprayed kids do not turn into fetches', async (t) => {
  const fetches = idp.fetches;
  assert.equal((await subjects(await token(suite.keyA))).status, 200);
  const forged = await subjects(await token(suite.impostor));
  assert.deepEqual([forged.status, forged.body], [401, UNAUTHORIZED], 'signed by another key under the same kid');
  for (let i = 0; i < 20; i++) {
    const unknown = await subjects(await token(suite.impostor, `kid-${i}`));
    assert.deepEqual([unknown.status, unknown.body], [401, UNAUTHORIZED]);
  }
  assert.equal(idp.fetches, fetches, 'within the 30 s cooldown, unknown kids cause no fetch');
  t.diagnostic(`1 accepted, 21 refused (1 wrong key, 20 unknown kids), ${idp.fetches - fetches} JWKS fetches`);
});

test('rotation inside the cooldown: the new key is not trusted yet, the retired one still is', async () => {
  const fetches = idp.fetches;
  idp.keys = [suite.keyB.jwk];
  const fresh = await subjects(await token(suite.keyB));
  assert.deepEqual([fresh.status, fresh.body], [401, UNAUTHORIZED]);
  assert.equal((await subjects(await token(suite.keyA))).status, 200, 'key-a stays trusted from the cached set');
  assert.equal(idp.fetches, fetches);
});

test('JWKS down after it was fetched: cached keys keep working, unknown kids are 401', async () => {
  await idp.down();
  assert.equal((await subjects(await token(suite.keyA))).status, 200);
  const unknown = await subjects(await token(suite.keyB));
  assert.deepEqual([unknown.status, unknown.body], [401, UNAUTHORIZED]);
  assert.ok(unknown.ms < 2000, `${Math.round(unknown.ms)} ms`);
});

test('rotation past the cooldown: the first token with the new kid refetches the set; the retired key is refused from then on', { skip: slow ? false : 'waits out jose\'s 30 s JWKS cooldown; run with PRISM_SLOW_TESTS=1' }, async (t) => {
  await idp.up();
  const fetches = idp.fetches;
  const wait = idp.servedAt + COOLDOWN_MS + 200 - Date.now();
  if (wait > 0) await new Promise((done) => setTimeout(done, wait));
  const rotated = await subjects(await token(suite.keyB));
  assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
  assert.equal(idp.fetches, fetches + 1);
  const retired = await subjects(await token(suite.keyA));
  assert.deepEqual([retired.status, retired.body], [401, UNAUTHORIZED]);
  t.diagnostic(`waited ${Math.round(wait)} ms; key-b accepted after 1 fetch, key-a refused`);
});

test('jwksCooldownMs and jwksCacheMaxAgeMs: a rotated key is picked up as soon as the configured cooldown allows, and a removed key ages out', async (t) => {
  const bearer = { jwksUrl: `http://127.0.0.1:${idp.port}/jwks.json`, issuer: ISSUER, audience: AUDIENCE, jwksCooldownMs: 300, jwksCacheMaxAgeMs: 1500 };
  const file = writeBearerConfig(join(suite.dir, 'quick-rotation.yaml'), bearer);
  if (!idp.server) await idp.up();
  idp.keys = [suite.keyA.jwk];
  const quick = await startGateway(loadGatewayConfig(file), { host: '127.0.0.1', port: 0, dataDir: join(suite.dir, 'quick-data'), logger: false });
  t.after(() => quick.close());
  const get = async (bearerToken: string) => (await call(`${quick.url}/subjects`, { authorization: `Bearer ${bearerToken}` })).status;

  assert.equal(await get(await token(suite.keyA)), 200);
  const fetched = idp.fetches;
  // The rotation: key-b published, key-a withdrawn.
  idp.keys = [suite.keyB.jwk];
  assert.equal(await get(await token(suite.keyB)), 401, 'within the cooldown the set is not fetched again');
  await new Promise((done) => setTimeout(done, 400));
  assert.equal(await get(await token(suite.keyB)), 200, 'past the cooldown an unknown kid refetches the set');
  assert.equal(idp.fetches, fetched + 1);
  assert.equal(await get(await token(suite.keyA)), 401, 'the withdrawn key is gone with the refetch');
  // A set older than the cache age is fetched again even for a known kid.
  idp.keys = [suite.keyA.jwk, suite.keyB.jwk];
  await new Promise((done) => setTimeout(done, 1600));
  assert.equal(await get(await token(suite.keyA)), 200, 'the aged-out set was refetched');
  assert.equal(idp.fetches, fetched + 2);
  t.diagnostic(`${idp.fetches - fetched + 1} JWKS fetches: first use, after the cooldown, after the cache age`);
});
