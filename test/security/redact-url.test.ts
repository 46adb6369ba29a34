/**
 * Issue 13, item 5: connection strings were printed with their credentials. redactUrl is the
 * one place that decides what a credential is; this table pins it (input → printed form), and
 * every row's secret must be gone from the output.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretParameter, redactUrl, redactUrlsIn } from '../../src/observability/redact-url.js';

const ROWS: { name: string; url: string; printed: string; secrets: string[] }[] = [
  {
    name: 'the issue: userinfo password, password and sslpassword parameters',
    url: 'postgres://user:s3cret@db:5432/registry?password=pw2&sslpassword=pw3&sslmode=require',
    printed: 'postgres://user:***@db:5432/registry?password=***&sslpassword=***&sslmode=require',
    secrets: ['s3cret', 'pw2', 'pw3'],
  },
  { name: 'postgresql scheme, no password', url: 'postgresql://registry@db/registry', printed: 'postgresql://registry@db/registry', secrets: [] },
  { name: 'no userinfo at all', url: 'postgres://db:5432/registry?sslmode=verify-full', printed: 'postgres://db:5432/registry?sslmode=verify-full', secrets: [] },
  { name: 'an empty password', url: 'postgres://user:@db/x', printed: 'postgres://user:***@db/x', secrets: [] },
  { name: 'several hosts (WHATWG URL refuses them)', url: 'postgres://u:p4ss@h1:5432,h2:5432/db', printed: 'postgres://u:***@h1:5432,h2:5432/db', secrets: ['p4ss'] },
  { name: "an unescaped '@' in the password", url: 'postgres://u:p@ss@h/db', printed: 'postgres://u:***@h/db', secrets: ['p@ss'] },
  { name: "an unescaped '/' in the password", url: 'postgres://u:a/b@h/db', printed: 'postgres://u:***@h/db', secrets: ['a/b'] },
  { name: 'an invalid port still redacted', url: 'postgres://user:s3cret@h:notaport/db', printed: 'postgres://user:***@h:notaport/db', secrets: ['s3cret'] },
  { name: 'percent-encoded password', url: 'postgres://u:p%40ss%3Aw@h/db', printed: 'postgres://u:***@h/db', secrets: ['p%40ss%3Aw'] },
  { name: 'parameter names in any case', url: 'postgres://h/db?PASSWORD=a1&SslPassword=b2&Token=c3', printed: 'postgres://h/db?PASSWORD=***&SslPassword=***&Token=***', secrets: ['a1', 'b2', 'c3'] },
  { name: 'sslkey and key', url: 'postgres://h/db?sslkey=/k/client.key&key=k9&sslcert=/k/client.crt', printed: 'postgres://h/db?sslkey=***&key=***&sslcert=/k/client.crt', secrets: ['client.key', 'k9'] },
  {
    name: 'names containing a secret word',
    url: 'https://s3.example/b?X-Amz-Signature=sig1&X-Amz-Security-Token=tok2&client_secret=cs3&db_password=dp4&X-Amz-Credential=AKIA5',
    printed: 'https://s3.example/b?X-Amz-Signature=***&X-Amz-Security-Token=***&client_secret=***&db_password=***&X-Amz-Credential=***',
    secrets: ['sig1', 'tok2', 'cs3', 'dp4', 'AKIA5'],
  },
  { name: 'an encoded parameter name', url: 'redis://h/0?pass%77ord=x7', printed: 'redis://h/0?pass%77ord=***', secrets: ['x7'] },
  { name: 'a fragment is kept, the query before it redacted', url: 'https://h/p?token=t1#frag', printed: 'https://h/p?token=***#frag', secrets: ['t1'] },
  { name: 'a repeated parameter: every value', url: 'postgres://h/db?password=a&password=b', printed: 'postgres://h/db?password=***&password=***', secrets: [] },
  { name: 'a parameter without a value', url: 'postgres://h/db?password&x=1', printed: 'postgres://h/db?password&x=1', secrets: [] },
  { name: 'a non-hierarchical URL with a query', url: 'sqlite:./data/registry.db?key=abc', printed: 'sqlite:./data/registry.db?key=***', secrets: ['abc'] },
  { name: 'a plain path is not a URL', url: './data/registry.db', printed: './data/registry.db', secrets: [] },
  { name: 'redis with only a password', url: 'redis://:hunter2@cache:6379/0', printed: 'redis://:***@cache:6379/0', secrets: ['hunter2'] },
  { name: "an unescaped '?' in the password", url: 'postgres://u:p?ss@host/db', printed: 'postgres://u:***@host/db', secrets: ['p?ss'] },
  { name: "an unescaped '#' in the password", url: 'postgres://u:pa#ss@host/db?password=x1', printed: 'postgres://u:***@host/db?password=***', secrets: ['pa#ss', 'x1'] },
];

describe('redactUrl', () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const printed = redactUrl(row.url);
      assert.equal(printed, row.printed);
      for (const secret of row.secrets) assert.equal(printed.includes(secret), false, `'${secret}' is gone`);
    });
  }

  test('never throws, whatever the input', () => {
    for (const input of ['', ':', '://', 'a://@', 'a://:@', '?', 'x:?=&=&', 'postgres://%zz:%zz@h/?%zz=1&password=%', '\u0000://a:b@c']) {
      assert.equal(typeof redactUrl(input), 'string');
    }
  });
});

describe('isSecretParameter', () => {
  const secret = ['password', 'PassWord', 'sslpassword', 'sslkey', 'token', 'access_token', 'refresh_token', 'secret', 'client_secret', 'apikey', 'api_key', 'key', 'pwd', 'X-Amz-Signature'];
  const plain = ['sslmode', 'sslcert', 'sslrootcert', 'application_name', 'user', 'host', 'port', 'options', 'connect_timeout', 'keepalives', 'target_session_attrs'];
  for (const name of secret) test(`${name} is a credential`, () => assert.equal(isSecretParameter(name), true));
  for (const name of plain) test(`${name} is not`, () => assert.equal(isSecretParameter(name), false));
});

describe('redactUrlsIn', () => {
  test('redacts every URL inside a message and leaves the rest', () => {
    const text = "unknown backend 'mysql://user:s3cret@h/db?token=t0k': expected postgres://… or sqlite:<path>; tried postgres://a:b1@h2/x?sslpassword=zz.";
    const out = redactUrlsIn(text);
    assert.equal(out, "unknown backend 'mysql://user:***@h/db?token=***': expected postgres://… or sqlite:<path>; tried postgres://a:***@h2/x?sslpassword=***");
    for (const secret of ['s3cret', 't0k', 'b1', 'zz']) assert.equal(out.includes(secret), false);
  });

  test('a password with a space (not a valid URL, but drivers print what they were given)', () => {
    const out = redactUrlsIn("could not connect to 'postgres://u:p ss@h/db': refused");
    assert.equal(out.includes('p ss'), false, out);
    assert.equal(out.includes('ss@'), false, out);
    assert.match(out, /postgres:\/\/u:\*\*\*@h\/db/);
  });
});
