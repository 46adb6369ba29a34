/**
 * Verified bearer tokens are remembered like basic credentials: a token's signature is checked
 * once per cache TTL, never past the token's own expiry, and a refused token is never cached.
 * The authenticator's clock drives both the cache and jose's claim checks here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createAuthenticator } from '../../src/security/authenticator.js';

const ISSUER = 'https://issuer.prism.test';
const AUDIENCE = 'prism-gateway';

async function setup(ttlMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'prism-bearer-cache-'));
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] }));
  let clockMs = Date.parse('2026-12-03T12:00:00Z');
  let verifications = 0;
  const auth = createAuthenticator(
    { bearer: { jwksFile: 'jwks.json', issuer: ISSUER, audience: AUDIENCE, clockToleranceSec: 5 } },
    dir,
    { now: () => clockMs, onVerify: () => void verifications++, limits: { cacheTtlMs: ttlMs } },
  );
  const sign = (roles: string[], expiresInSec: number) =>
    new SignJWT({ roles })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('svc')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(clockMs / 1000))
      .setExpirationTime(Math.floor(clockMs / 1000) + expiresInSec)
      .sign(privateKey);
  return {
    auth,
    sign,
    advance: (ms: number) => void (clockMs += ms),
    get verifications() {
      return verifications;
    },
  };
}

test('a verified token is checked once per TTL, with the same principal each time', async () => {
  const h = await setup(60_000);
  const token = await h.sign(['orders:write'], 3600);
  const first = await h.auth.authenticate(`Bearer ${token}`, '127.0.0.1');
  for (let i = 0; i < 5; i++) assert.deepEqual(await h.auth.authenticate(`Bearer ${token}`, '127.0.0.1'), first);
  assert.deepEqual(first, { name: 'svc', roles: { orders: 'write' } });
  assert.equal(h.verifications, 1);
  h.advance(61_000);
  await h.auth.authenticate(`Bearer ${token}`, '127.0.0.1');
  assert.equal(h.verifications, 2, 'past the TTL the signature is checked again');
});

test('a cached token is not trusted past its expiry and the clock tolerance', async () => {
  const h = await setup(600_000);
  const token = await h.sign(['read'], 10);
  await h.auth.authenticate(`Bearer ${token}`, '127.0.0.1');
  h.advance(14_000); // exp + 4 s: within the 5 s tolerance, still the cached entry
  await h.auth.authenticate(`Bearer ${token}`, '127.0.0.1');
  assert.equal(h.verifications, 1);
  h.advance(2_000); // exp + 6 s
  await assert.rejects(h.auth.authenticate(`Bearer ${token}`, '127.0.0.1'), /invalid token/);
  assert.equal(h.verifications, 2);
});

test('a refused token is not remembered: every attempt is checked and refused', async () => {
  const h = await setup(60_000);
  const token = await h.sign(['admin'], 3600);
  const [head, payload, signature] = token.split('.');
  const forged = `${head}.${payload}.${signature.slice(0, -4)}AAAA`;
  for (let i = 0; i < 3; i++) await assert.rejects(h.auth.authenticate(`Bearer ${forged}`, '127.0.0.1'), /invalid token/);
  assert.equal(h.verifications, 3);
});
