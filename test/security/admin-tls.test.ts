/**
 * HTTPS on the admin listener (`admin.tls`) with auth on. With a certificate and key only, the
 * admin API, /metrics, /readyz and /healthz are served over HTTPS and the admin role is still
 * required; plain HTTP and clients that do not trust the CA are refused. With
 * `clientCertificates: require`, a client without a CA-signed certificate gets no TLS session
 * at all, and a client certificate does not stand in for credentials.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { as, httpsCall, keyPair, makeCertificates, startSecureStack } from './support.js';
import { useSuite } from '../support/use-suite.js';

const stacks = useSuite(async (scope) => {
  const dir = mkdtempSync(join(tmpdir(), 'prism-admin-tls-'));
  scope.onClose(() => rmSync(dir, { recursive: true, force: true }));
  makeCertificates(dir);
  const tls = { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
  return {
    dir,
    ca: readFileSync(join(dir, 'ca.crt')),
    serverOnly: scope.own(await startSecureStack({ config: { admin: { tls } } })),
    clientCerts: scope.own(await startSecureStack({ config: { admin: { tls: { ...tls, caFile: join(dir, 'ca.crt'), clientCertificates: 'require' } } } })),
  };
});

describe('admin.tls with a certificate and key', () => {
  test('only the admin listener speaks HTTPS; /healthz is open over it', async () => {
    assert.match(stacks.serverOnly.adminUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(stacks.serverOnly.url, /^http:\/\//, 'the public listener has no tls and stays HTTP');
    const health = await httpsCall(`${stacks.serverOnly.adminUrl}/healthz`, { ca: stacks.ca });
    assert.equal(health.status, 200, health.text);
  });

  test('the admin role is still required over HTTPS', async () => {
    const url = stacks.serverOnly.adminUrl;
    const none = await httpsCall(`${url}/admin/routes`, { ca: stacks.ca });
    assert.equal(none.status, 401, none.text);
    assert.match(String(none.headers['www-authenticate']), /Basic realm="prism-test"/);
    assert.equal((await httpsCall(`${url}/admin/routes`, { ca: stacks.ca }, { authorization: as('writer') })).status, 403);
    assert.equal((await httpsCall(`${url}/metrics`, { ca: stacks.ca }, { authorization: as('reader') })).status, 403);
    assert.equal((await httpsCall(`${url}/readyz`, { ca: stacks.ca })).status, 401);
    const put = await httpsCall(`${url}/admin/frontends/sneaky`, { ca: stacks.ca }, { method: 'PUT', authorization: as('writer'), body: '{}' });
    assert.equal(put.status, 403, put.text);
    const nsAdmin = await stacks.serverOnly.token({ roles: ['default:admin'] });
    assert.equal((await httpsCall(`${url}/admin/frontends`, { ca: stacks.ca }, { authorization: `Bearer ${nsAdmin}` })).status, 403);

    const routes = await httpsCall(`${url}/admin/routes`, { ca: stacks.ca }, { authorization: as('admin') });
    assert.equal(routes.status, 200, routes.text);
    assert.match(routes.text, /\/subjects/);
    const admin = await stacks.serverOnly.token({ roles: ['admin'] });
    const frontends = await httpsCall(`${url}/admin/frontends`, { ca: stacks.ca }, { authorization: `Bearer ${admin}` });
    assert.equal(frontends.status, 200, frontends.text);
    assert.ok(!frontends.text.includes('sneaky'), 'the refused PUT stored nothing');
    const metrics = await httpsCall(`${url}/metrics`, { ca: stacks.ca }, { authorization: as('admin') });
    assert.equal(metrics.status, 200, metrics.text);
    assert.match(metrics.text, /^# HELP /m);
    assert.equal((await httpsCall(`${url}/readyz`, { ca: stacks.ca }, { authorization: as('admin') })).status, 200);
  });

  test('plain HTTP, and a client that does not trust the CA, are refused', async () => {
    const plain = await fetch(`${stacks.serverOnly.adminUrl.replace('https:', 'http:')}/healthz`, { signal: AbortSignal.timeout(10_000) }).then(
      (r) => `HTTP ${r.status}`,
      (err: Error) => (err.name === 'TimeoutError' ? 'hung' : 'refused'),
    );
    assert.equal(plain, 'refused');
    await assert.rejects(httpsCall(`${stacks.serverOnly.adminUrl}/healthz`, {}), /unable to verify the first certificate/);
  });
});

describe('admin.tls with clientCertificates: require', () => {
  test('no TLS session without a CA-signed client certificate, not even for /healthz', async () => {
    // TLS 1.3: the server checks the client's certificate after the client finished its side of
    // the handshake, so the refusal arrives as an alert or a reset on the first read.
    const refusedByTls = (err: NodeJS.ErrnoException) => ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'ECONNRESET'].includes(err.code ?? '');
    await assert.rejects(httpsCall(`${stacks.clientCerts.adminUrl}/healthz`, { ca: stacks.ca }), refusedByTls, 'no client certificate');
    await assert.rejects(httpsCall(`${stacks.clientCerts.adminUrl}/healthz`, { ca: stacks.ca, ...keyPair(stacks.dir, 'rogue') }), refusedByTls, 'a certificate from another CA');
    await assert.rejects(
      httpsCall(`${stacks.clientCerts.adminUrl}/admin/routes`, { ca: stacks.ca, ...keyPair(stacks.dir, 'rogue') }, { authorization: as('admin') }),
      refusedByTls,
      'admin credentials do not make up for a foreign certificate',
    );
  });

  test('a CA-signed client certificate opens the connection but does not stand in for credentials', async () => {
    const client = { ca: stacks.ca, ...keyPair(stacks.dir, 'client') };
    assert.equal((await httpsCall(`${stacks.clientCerts.adminUrl}/healthz`, client)).status, 200);
    assert.equal((await httpsCall(`${stacks.clientCerts.adminUrl}/admin/routes`, client)).status, 401);
    assert.equal((await httpsCall(`${stacks.clientCerts.adminUrl}/admin/routes`, client, { authorization: as('writer') })).status, 403);
    const ok = await httpsCall(`${stacks.clientCerts.adminUrl}/admin/routes`, client, { authorization: as('admin') });
    assert.equal(ok.status, 200, ok.text);
  });
});
