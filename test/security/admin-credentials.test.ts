/**
 * How the `frontend` command turns flags and environment into admin credentials and TLS
 * options (issue 13 item 4), case by case: flags over environment, a password from
 * PRISM_ADMIN_PASSWORD, and every usage mistake refused with a sentence that says the fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminCredentialsError, resolveAdminCredentials, type AdminCredentialInputs } from '../../src/security/admin-credentials.js';

const HTTP = new URL('http://127.0.0.1:9000');
const HTTPS = new URL('https://admin.example:9443');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

test('credentials: flags, environment, and which wins', () => {
  const cases: [string, AdminCredentialInputs, NodeJS.ProcessEnv, string | undefined, string | undefined][] = [
    ['nothing', {}, {}, undefined, undefined],
    ['--user NAME:PASS', { user: 'ops:s3:cret' }, {}, `Basic ${b64('ops:s3:cret')}`, "user 'ops'"],
    ['--user NAME + PRISM_ADMIN_PASSWORD', { user: 'ops' }, { PRISM_ADMIN_PASSWORD: 'pw' }, `Basic ${b64('ops:pw')}`, "user 'ops'"],
    ['PRISM_ADMIN_USER + PRISM_ADMIN_PASSWORD', {}, { PRISM_ADMIN_USER: 'ops', PRISM_ADMIN_PASSWORD: 'pw' }, `Basic ${b64('ops:pw')}`, "user 'ops'"],
    ['a non-ASCII password is UTF-8 (RFC 7617 §2.1)', { user: 'ops:pässwörd' }, {}, `Basic ${b64('ops:pässwörd')}`, "user 'ops'"],
    ['--token', { token: 'abc.def.ghi' }, {}, 'Bearer abc.def.ghi', 'the token'],
    ['PRISM_ADMIN_TOKEN', {}, { PRISM_ADMIN_TOKEN: 'abc' }, 'Bearer abc', 'the token'],
    ['--user beats PRISM_ADMIN_TOKEN', { user: 'ops:pw' }, { PRISM_ADMIN_TOKEN: 'abc' }, `Basic ${b64('ops:pw')}`, "user 'ops'"],
    ['--token beats PRISM_ADMIN_USER', { token: 'abc' }, { PRISM_ADMIN_USER: 'ops', PRISM_ADMIN_PASSWORD: 'pw' }, 'Bearer abc', 'the token'],
  ];
  for (const [name, flags, env, authorization, who] of cases) {
    const c = resolveAdminCredentials(HTTP, flags, env);
    assert.equal(c.authorization, authorization, name);
    assert.equal(c.who, who, name);
  }
});

test('usage mistakes are refused with the fix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prism-admin-cred-'));
  try {
    writeFileSync(join(dir, 'ca.crt'), 'pem');
    const cases: [string, URL, AdminCredentialInputs, NodeJS.ProcessEnv, RegExp][] = [
      ['user and token', HTTP, { user: 'a:b', token: 't' }, {}, /either --user or --token, not both/],
      ['both from the environment', HTTP, {}, { PRISM_ADMIN_USER: 'a', PRISM_ADMIN_PASSWORD: 'b', PRISM_ADMIN_TOKEN: 't' }, /either --user or --token/],
      ['no password', HTTP, { user: 'ops' }, {}, /no password for user 'ops': --user ops:PASSWORD, or set PRISM_ADMIN_PASSWORD/],
      ['an empty password', HTTP, { user: 'ops:' }, {}, /no password for user 'ops'/],
      ['no name', HTTP, { user: ':pw' }, {}, /--user needs a user name/],
      ['an empty token', HTTP, { token: ' ' }, {}, /--token is empty/],
      ['a CA for http', HTTP, { caFile: join(dir, 'ca.crt') }, {}, /apply to https admin URLs, not http:\/\/127\.0\.0\.1:9000/],
      ['a certificate without its key', HTTPS, { certFile: join(dir, 'ca.crt') }, {}, /needs both --cert-file and --key-file/],
      ['an unreadable CA', HTTPS, { caFile: join(dir, 'nope.crt') }, {}, /cannot read the CA file .*nope\.crt: ENOENT/],
    ];
    for (const [name, url, flags, env, message] of cases) {
      assert.throws(() => resolveAdminCredentials(url, flags, env), (err: unknown) => err instanceof AdminCredentialsError && message.test(err.message), name);
    }
    // TLS files from the environment are read for https, and ignored for http (a shell may export them for another gateway).
    assert.deepEqual(resolveAdminCredentials(HTTPS, {}, { PRISM_ADMIN_CA: join(dir, 'ca.crt') }).tls, { ca: Buffer.from('pem') });
    assert.deepEqual(resolveAdminCredentials(HTTP, {}, { PRISM_ADMIN_CA: join(dir, 'ca.crt') }).tls, {});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
