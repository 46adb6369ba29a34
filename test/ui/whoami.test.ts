/**
 * `GET {pathPrefix}/prism/v1/whoami` (src/ui/whoami.ts) over HTTP: anonymous with admin
 * everywhere when auth is off; with auth on, 401 with the challenge in the Confluent frontend's
 * error shape, and the principal with its role in the binding's namespace and in each namespace
 * the gateway serves, for basic users and bearer tokens; under a binding's path prefix only; and
 * a definition that routes the path itself answers instead.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway } from '../../src/start-gateway.js';
import { as, CONFLUENT_FRONTEND, startSecureStack } from '../security/support.js';
import { tempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';

const WHOAMI = '/prism/v1/whoami';

async function get(url: string, authorization?: string) {
  const res = await fetch(url, { headers: authorization ? { authorization } : {} });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

describe('whoami with auth off, under path prefixes', () => {
  const suite = useSuite(async (scope) => {
    const dir = scope.own(tempDir('whoami'));
    // One namespace at the root, one under /other whose definition routes whoami itself.
    writeFileSync(
      join(dir.path, 'own-whoami.yaml'),
      stringify({
        name: 'own-whoami',
        type: 'REST',
        rest: { routes: [{ id: 'mine', method: 'GET', path: WHOAMI, response: { body: { const: { mine: true } } } }] },
      }),
    );
    writeFileSync(
      join(dir.path, 'gateway.yaml'),
      stringify({
        backends: [{ name: 'store', type: 'SQLITE', config: { path: 'registry.db' } }],
        namespaces: [
          { name: 'default', pattern: { embedded: 'patterns/registry', slots: { storage: 'store' } }, frontends: [{ file: CONFLUENT_FRONTEND, pathPrefix: '/registry' }] },
          { name: 'other', pattern: { target: '127.0.0.1:9' }, health: 'off', frontends: [{ file: 'own-whoami.yaml', pathPrefix: '/other' }] },
        ],
      }),
    );
    return scope.own(await startGateway(loadGatewayConfig(join(dir.path, 'gateway.yaml')), { host: '127.0.0.1', port: 0, dataDir: join(dir.path, 'data'), logger: false }));
  });

  test('anonymous, admin in every namespace, at the binding\'s prefix', async () => {
    const answer = await get(`${suite.url}/registry${WHOAMI}`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'application/json');
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.deepEqual(answer.body, { principal: 'anonymous', authenticated: false, namespace: 'default', role: 'admin', roles: { default: 'admin', other: 'admin' } });
  });

  test('not served where no binding is mounted, nor for other methods', async () => {
    assert.equal((await get(`${suite.url}${WHOAMI}`)).status, 404);
    assert.equal((await get(`${suite.url}/registry/x${WHOAMI}`)).status, 404);
    const post = await fetch(`${suite.url}/registry${WHOAMI}`, { method: 'POST' });
    // The Confluent frontend's own answer to an unknown route, in its shape.
    assert.equal(post.status, 404);
    assert.equal(((await post.json()) as { error_code: number }).error_code, 404);
  });

  test('a definition that routes the path answers it itself', async () => {
    const answer = await get(`${suite.url}/other${WHOAMI}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { mine: true });
  });
});

describe('whoami with auth on', () => {
  const stack = useSuite(async (scope) => scope.own(await startSecureStack()));

  test('no or wrong credentials: 401 with the challenge, in the Confluent shape', async () => {
    for (const authorization of [undefined, as('reader').slice(0, -4) + 'AAAA', 'Bearer not-a-token']) {
      const answer = await get(`${stack.url}${WHOAMI}`, authorization);
      assert.equal(answer.status, 401, String(authorization));
      assert.match(answer.headers.get('www-authenticate') ?? '', /^Basic realm="prism-test", Bearer realm="prism-test"$/);
      assert.equal(answer.body?.error_code, 401);
      assert.equal(typeof answer.body?.message, 'string');
    }
  });

  test('each user\'s role in the binding\'s namespace, and per namespace served', async () => {
    const cases: [string, unknown][] = [
      [as('reader'), { principal: 'reader', authenticated: true, namespace: 'default', role: 'read', roles: { default: 'read' } }],
      [as('writer'), { principal: 'writer', authenticated: true, namespace: 'default', role: 'write', roles: { default: 'write' } }],
      [as('admin'), { principal: 'admin', authenticated: true, namespace: 'default', role: 'admin', roles: { default: 'admin' } }],
      // A role in a namespace this gateway does not serve is no role here.
      [as('elsewhere'), { principal: 'elsewhere', authenticated: true, namespace: 'default', roles: {} }],
      [`Bearer ${await stack.token({ sub: 'svc', roles: ['default:write'] })}`, { principal: 'svc', authenticated: true, namespace: 'default', role: 'write', roles: { default: 'write' } }],
    ];
    for (const [authorization, expected] of cases) {
      const answer = await get(`${stack.url}${WHOAMI}`, authorization);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, expected);
    }
  });
});
