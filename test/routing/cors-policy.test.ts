/**
 * The CORS policy on its own (src/routing/cors.ts): which origins a `cors:` config lets in
 * (exact with case and default ports normalised, wildcard subdomains, `*`), which configs it
 * refuses and where, and the headers of a preflight and of an actual answer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, type CorsConfig } from '../../src/config/gateway-config.js';
import { corsConfigProblems } from '../../src/config/cors-origins.js';
import { compileCorsPolicy, originAllowed, preflightHeaders, responseHeaders } from '../../src/routing/cors.js';

const ORIGINS: CorsConfig = { allowOrigins: ['https://App.Example.com:443', 'http://localhost:3000', 'https://*.example.org', 'http://*.dev.test:8080'] };

const originCases: [origin: string, allowed: boolean, why: string][] = [
  ['https://app.example.com', true, 'exact, as browsers serialise it'],
  ['https://APP.example.com', true, 'hosts compare case-insensitively'],
  ['https://app.example.com:443', true, "the scheme's default port is no port"],
  ['HTTPS://app.example.com', true, 'schemes compare case-insensitively'],
  ['https://app.example.com:8443', false, 'another port'],
  ['http://app.example.com', false, 'another scheme'],
  ['https://app.example.com.evil.test', false, 'a longer host'],
  ['https://other.example.com', false, 'a sibling host'],
  ['http://localhost:3000', true, 'exact with a port'],
  ['http://localhost', false, 'the port is part of the origin'],
  ['https://a.example.org', true, 'one label under the wildcard'],
  ['https://a.b.example.org', true, 'several labels under the wildcard'],
  ['https://example.org', false, 'the wildcard needs a subdomain'],
  ['https://evilexample.org', false, 'a suffix that is not a subdomain'],
  ['http://a.example.org', false, "the wildcard's scheme"],
  ['https://a.example.org:8443', false, "the wildcard's port"],
  ['http://x.dev.test:8080', true, 'a wildcard with a port'],
  ['http://x.dev.test', false, "a wildcard's port is required"],
  ['null', false, 'an opaque origin matches only *'],
  ['not a url', false, 'garbage'],
  ['', false, 'empty'],
];

describe('originAllowed', () => {
  const policy = compileCorsPolicy(ORIGINS);
  for (const [origin, allowed, why] of originCases) {
    test(`${JSON.stringify(origin)} → ${allowed} (${why})`, () => {
      assert.equal(originAllowed(policy, origin), allowed);
      // Asked twice: the remembered answer is the same.
      assert.equal(originAllowed(policy, origin), allowed);
    });
  }

  test('* lets every origin in, the opaque one included', () => {
    const any = compileCorsPolicy({ allowOrigins: ['*'] });
    for (const origin of ['https://anything.test', 'null', 'http://localhost:1']) assert.equal(originAllowed(any, origin), true, origin);
  });

  test('the policy is compiled once per config object', () => {
    assert.equal(compileCorsPolicy(ORIGINS), compileCorsPolicy(ORIGINS));
    assert.notEqual(compileCorsPolicy({ ...ORIGINS }), compileCorsPolicy(ORIGINS));
  });
});

describe('configs refused', () => {
  const cases: [config: CorsConfig, problems: { pointer: string; message: RegExp }[]][] = [
    [{ allowOrigins: ['*'], allowCredentials: true }, [{ pointer: '/allowOrigins/0', message: /'\*' cannot be combined with allowCredentials/ }]],
    [{ allowOrigins: ['https://a.test', '*'], allowCredentials: true }, [{ pointer: '/allowOrigins/1', message: /allowCredentials/ }]],
    [{ allowOrigins: ['example.com'] }, [{ pointer: '/allowOrigins/0', message: /'example.com' is not an origin/ }]],
    [{ allowOrigins: ['https://a.test/'] }, [{ pointer: '/allowOrigins/0', message: /not an origin/ }]],
    [{ allowOrigins: ['https://a.test/app'] }, [{ pointer: '/allowOrigins/0', message: /not an origin/ }]],
    [{ allowOrigins: ['https://user@a.test'] }, [{ pointer: '/allowOrigins/0', message: /not an origin/ }]],
    [{ allowOrigins: ['https://a.*.test'] }, [{ pointer: '/allowOrigins/0', message: /not an origin/ }]],
    [{ allowOrigins: ['https://*'] }, [{ pointer: '/allowOrigins/0', message: /not an origin/ }]],
    [{ allowOrigins: ['null'] }, [{ pointer: '/allowOrigins/0', message: /not an origin/ }]],
    [{ allowOrigins: ['*'], allowCredentials: false }, []],
    [{ allowOrigins: ['https://a.test', 'https://*.b.test:8443'], allowCredentials: true }, []],
  ];
  for (const [config, expected] of cases) {
    test(JSON.stringify(config), () => {
      const problems = corsConfigProblems(config);
      assert.equal(problems.length, expected.length, JSON.stringify(problems));
      for (const [i, e] of expected.entries()) {
        assert.equal(problems[i].pointer, e.pointer);
        assert.match(problems[i].message, e.message);
      }
      if (expected.length === 0) return void compileCorsPolicy(config);
      assert.throws(
        () => compileCorsPolicy(config),
        (err: unknown) => err instanceof ConfigError && err.message.includes(`cors${expected[0].pointer}`),
      );
    });
  }
});

describe('headers', () => {
  test('a preflight from an allowed origin for an allowed method: everything the browser checks', () => {
    const policy = compileCorsPolicy({
      allowOrigins: ['https://app.test'],
      allowMethods: ['get', 'POST'],
      allowHeaders: ['X-Partner-Key', 'content-type'],
      allowCredentials: true,
      maxAgeSeconds: 600,
    });
    assert.deepEqual(preflightHeaders(policy, 'https://app.test', 'POST'), {
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      'access-control-allow-origin': 'https://app.test',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers':
        'content-type, connect-protocol-version, connect-timeout-ms, connect-accept-encoding, connect-content-encoding, grpc-timeout, x-grpc-web, x-user-agent, authorization, x-request-id, x-prism-namespace, last-event-id, x-partner-key',
      'access-control-max-age': '600',
    });
  });

  test('a preflight for a method not allowed, or from an origin not allowed: Vary alone', () => {
    const policy = compileCorsPolicy({ allowOrigins: ['https://app.test'], allowMethods: ['GET'] });
    const varyOnly = { vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' };
    assert.deepEqual(preflightHeaders(policy, 'https://app.test', 'DELETE'), varyOnly);
    assert.deepEqual(preflightHeaders(policy, 'https://evil.test', 'GET'), varyOnly);
  });

  test('* without credentials answers *; an actual answer exposes the gRPC status headers and the configured ones', () => {
    const policy = compileCorsPolicy({ allowOrigins: ['*'], exposeHeaders: ['ETag', 'grpc-status'] });
    assert.deepEqual(responseHeaders(policy, 'https://any.test'), {
      vary: 'Origin',
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'grpc-status, grpc-message, grpc-status-details-bin, etag',
    });
    assert.equal(preflightHeaders(policy, 'https://any.test', 'GET')['access-control-allow-origin'], '*');
  });

  test('an answer to a request without Origin, or from an origin not allowed, varies on Origin and allows nothing', () => {
    const policy = compileCorsPolicy({ allowOrigins: ['https://app.test'] });
    assert.deepEqual(responseHeaders(policy, undefined), { vary: 'Origin' });
    assert.deepEqual(responseHeaders(policy, 'https://evil.test'), { vary: 'Origin' });
  });
});
