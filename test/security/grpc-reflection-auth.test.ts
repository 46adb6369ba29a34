/**
 * gRPC server reflection with auth on: it reveals the API, so it needs credentials
 * (UNAUTHENTICATED without), and a caller sees only the namespaces it may read; naming another
 * with `x-prism-namespace` is PERMISSION_DENIED. `buf curl` sends the credentials with
 * --reflect-header and the call itself with -H.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { stringify } from 'yaml';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { hashPassword } from '../../src/security/password-hash.js';
import { startGateway } from '../../src/start-gateway.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { bufCurl, reflect } from '../support/reflection-client.js';
import { tempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';
import { FIXTURE_PROTO_FILE } from '../operations/support.js';
import { as, basic, USERS, type UserName } from './support.js';

const REGISTRY = 'prism.patterns.registry.v1.Registry';
/** The registry pattern's second service, served beside Registry in the same namespace. */
const DEK_REGISTRY = 'prism.patterns.registry.v1.DekRegistry';
const FIXTURE = 'prism.test.v1.EverythingService';
const ALWAYS = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];

const suite = useSuite(async (scope) => {
  const dir = scope.own(tempDir('reflection-auth')).path;
  const fixture = scope.own(await startFixtureServer());
  const users = await Promise.all(Object.entries(USERS).map(async ([name, u]) => ({ name, password: await hashPassword(u.password), roles: u.roles })));
  writeFileSync(join(dir, 'users.yaml'), stringify({ users }));
  writeFileSync(
    join(dir, 'gateway.yaml'),
    stringify({
      auth: { basic: { usersFile: 'users.yaml' } },
      backends: [{ name: 'mem', type: 'MEMSTORE' }],
      namespaces: [
        { name: 'default', pattern: { embedded: 'patterns/registry', slots: { storage: 'mem' } }, frontends: [] },
        { name: 'other', pattern: { target: fixture.address, protos: [FIXTURE_PROTO_FILE] }, frontends: [] },
      ],
    }),
  );
  const gateway = scope.own(await startGateway(loadGatewayConfig(join(dir, 'gateway.yaml')), { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), logger: false }));
  return { address: gateway.grpcAddress! };
});

const listed = async (authorization?: string, namespace?: string) => {
  const out = await reflect(suite.address, [{ list_services: '' }], { authorization, namespace });
  return { code: out.code, names: out.answers[0]?.list_services_response?.service.map((s) => s.name).sort() };
};

describe('reflection without valid credentials', () => {
  const rows: [string, string | undefined][] = [
    ['no authorization metadata', undefined],
    ['a wrong password', basic('reader', 'not-the-password')],
    ['an unknown user', basic('mallory', 'whatever')],
  ];
  for (const [name, authorization] of rows) {
    test(`${name}: UNAUTHENTICATED, nothing answered`, async () => {
      for (const namespace of [undefined, 'default']) {
        const out = await reflect(suite.address, [{ list_services: '' }, { file_containing_symbol: REGISTRY }], { authorization, namespace });
        assert.equal(out.code, grpc.status.UNAUTHENTICATED);
        assert.deepEqual(out.answers, []);
      }
    });
  }

  test('buf curl without credentials fails with unauthenticated', async () => {
    const out = await bufCurl(['--list-services', `http://${suite.address}`]);
    assert.notEqual(out.code, 0);
    // buf words an UNAUTHENTICATED status as its own login hint.
    assert.match(out.stderr, /not authenticated/);
  });
});

describe('reflection shows the namespaces the caller may read', () => {
  const rows: [UserName, string[]][] = [
    ['reader', [REGISTRY, DEK_REGISTRY, 'grpc.health.v1.Health', FIXTURE]],
    ['admin', [REGISTRY, DEK_REGISTRY, 'grpc.health.v1.Health', FIXTURE]],
    ['writer', [REGISTRY, DEK_REGISTRY, 'grpc.health.v1.Health']],
    ['elsewhere', [FIXTURE]],
  ];
  for (const [user, services] of rows) {
    test(`${user} lists ${services.join(', ')}`, async () => {
      assert.deepEqual(await listed(as(user)), { code: grpc.status.OK, names: [...services, ...ALWAYS].sort() });
    });
  }

  test("a namespace the caller cannot read is PERMISSION_DENIED by name, and its symbols are not found in the union", async () => {
    assert.equal((await listed(as('writer'), 'other')).code, grpc.status.PERMISSION_DENIED);
    assert.equal((await listed(as('elsewhere'), 'default')).code, grpc.status.PERMISSION_DENIED);
    assert.deepEqual(await listed(as('elsewhere'), 'other'), { code: grpc.status.OK, names: [FIXTURE, ...ALWAYS].sort() });
    const out = await reflect(suite.address, [{ file_containing_symbol: FIXTURE }, { file_containing_symbol: REGISTRY }], { authorization: as('writer') });
    assert.equal(out.answers[0].error_response?.error_code, grpc.status.NOT_FOUND);
    assert.equal(out.answers[1].message_response, 'file_descriptor_response');
  });

  test('buf curl with credentials lists and calls the registry', async () => {
    const header = `authorization: ${as('writer')}`;
    const services = await bufCurl(['--reflect-header', header, '--list-services', `http://${suite.address}`]);
    assert.equal(services.code, 0, services.stderr);
    assert.ok(services.stdout.split('\n').includes(REGISTRY));
    const call = await bufCurl(['--reflect-header', header, '-H', header, '-d', '{"subject":"auth-value","schema":"{\\"type\\":\\"string\\"}"}', `http://${suite.address}/${REGISTRY}/RegisterSchema`]);
    assert.equal(call.code, 0, call.stderr);
    assert.deepEqual(JSON.parse(call.stdout), { id: 1, version: 1 });
  });
});
