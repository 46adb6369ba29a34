/**
 * Issue 13, item 1: the gRPC passthrough ignored `auth:`. A grpc-js client without
 * credentials could register schemas, delete subjects permanently and change the mode, and
 * `x-prism-namespace` reached any namespace. Now the passthrough authenticates the
 * `authorization` metadata (Basic and Bearer) and requires the namespace's role for the method:
 * `read` for methods whose proto declares NO_SIDE_EFFECTS, `write` for the rest, unless the
 * namespace's `methodRoles` says otherwise. Real gateway, real grpc-js clients.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { stringify } from 'yaml';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { decodeErrorInfo, STATUS_DETAILS_KEY } from '../../src/grpc/rich-status.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';
import { hashPassword } from '../../src/security/password-hash.js';
import { startGateway } from '../../src/start-gateway.js';
import { FIXTURE_PROTO, FIXTURE_SERVICE, startFixtureServer } from '../support/fixture-server.js';
import { tempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';
import { sampleValue } from '../operations/support.js';
import { AUDIENCE, basic, captureLog, ISSUER, REPO_ROOT } from './support.js';

const REGISTRY = 'prism.patterns.registry.v1.Registry';
const USERS = {
  reader: { password: 'pt-reader-R1', roles: 'read' },
  writer: { password: 'pt-writer-W2', roles: { default: 'write' } },
  admin: { password: 'pt-admin-A3', roles: 'admin' },
  elsewhere: { password: 'pt-elsewhere-E4', roles: { other: 'admin' } },
  otherReader: { password: 'pt-other-reader-O5', roles: { other: 'read' } },
} as const;
type UserName = keyof typeof USERS;
const as = (name: UserName) => basic(name, USERS[name].password);

type Reply = Record<string, unknown>;
type Unary = (request: Reply, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, value?: Reply) => void) => void;
const Registry = grpc.makeGenericClientConstructor(createServiceDefinition(loadProtoRoot(['prism/patterns/registry/v1/registry.proto']).lookupService(REGISTRY)), 'Registry');
const Everything = grpc.makeGenericClientConstructor(createServiceDefinition(loadProtoRoot([FIXTURE_PROTO]).lookupService(FIXTURE_SERVICE)), 'Everything');
const Health = grpc.makeGenericClientConstructor(createServiceDefinition(loadProtoRoot(['grpc/health/v1/health.proto']).lookupService('grpc.health.v1.Health')), 'Health');

interface Outcome {
  readonly code: grpc.status;
  readonly details?: string;
  readonly reason?: string;
  readonly info?: Readonly<Record<string, string>>;
  readonly value?: Reply;
}

const AVRO = (name: string) => JSON.stringify({ type: 'record', name, fields: [{ name: 'f', type: 'string' }] });

let signingKey: CryptoKey;
const log = captureLog();

function client<T>(Ctor: grpc.ServiceClientConstructor): T {
  return suite.scope.own(new Ctor(suite.gateway.grpcAddress!, grpc.credentials.createInsecure())) as unknown as T;
}

/** One unary call on the passthrough with the given authorization and namespace metadata. */
function invoke(service: 'registry' | 'fixture' | 'health', method: string, request: Reply, auth?: string, namespace?: string): Promise<Outcome> {
  const Ctor = service === 'registry' ? Registry : service === 'fixture' ? Everything : Health;
  const c = client<Record<string, Unary>>(Ctor);
  const metadata = new grpc.Metadata();
  if (auth !== undefined) metadata.set('authorization', auth);
  if (namespace !== undefined) metadata.set('x-prism-namespace', namespace);
  return new Promise((done) => {
    c[method](request, metadata, { deadline: Date.now() + 15_000 }, (err, value) => {
      if (!err) return done({ code: grpc.status.OK, value });
      const bytes = err.metadata?.get(STATUS_DETAILS_KEY)[0];
      const info = decodeErrorInfo(typeof bytes === 'string' ? undefined : bytes);
      done({ code: err.code, details: err.details, reason: info?.reason, info: info?.metadata });
    });
  });
}

async function token(roles: string[], options: { expiresIn?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({ sub: 'robot', roles })
    .setProtectedHeader({ alg: 'ES256', kid: 'pt-key' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now - 600)
    .setExpirationTime(now + (options.expiresIn ?? 300))
    .sign(signingKey);
  return `Bearer ${jwt}`;
}

const registryNs = (name: string, extra: Record<string, unknown> = {}) => ({ name, pattern: { embedded: 'patterns/registry', slots: { storage: 'mem' } }, frontends: [], ...extra });

async function writeUsersAndKeys(dir: string): Promise<Record<string, unknown>> {
  const users = await Promise.all(Object.entries(USERS).map(async ([name, u]) => ({ name, password: await hashPassword(u.password), roles: u.roles })));
  writeFileSync(join(dir, 'users.yaml'), stringify({ users }));
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  signingKey = privateKey;
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'pt-key', alg: 'ES256', use: 'sig' }] }));
  return { basic: { usersFile: 'users.yaml' }, bearer: { jwksFile: 'jwks.json', issuer: ISSUER, audience: AUDIENCE, clockToleranceSec: 5 } };
}

// One stack: the gateway's config names the fixture's address, so both start in one hook.
const suite = useSuite(async (scope) => {
  const dir = scope.own(tempDir('pt-auth')).path;
  const fixture = scope.own(await startFixtureServer());
  const auth = await writeUsersAndKeys(dir);
  writeFileSync(
    join(dir, 'gateway.yaml'),
    stringify({
      auth,
      backends: [{ name: 'mem', type: 'MEMSTORE' }],
      namespaces: [
        registryNs('default'),
        // GetConfig made a write here: the config's override wins over the proto's NO_SIDE_EFFECTS.
        registryNs('other', { methodRoles: { [`${REGISTRY}/GetConfig`]: 'write' } }),
        { name: 'fixture', pattern: { target: fixture.address, protos: [join(REPO_ROOT, 'proto', FIXTURE_PROTO)] }, frontends: [] },
      ],
    }),
  );
  const gateway = scope.own(await startGateway(loadGatewayConfig(join(dir, 'gateway.yaml')), { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), logger: { level: 'info', stream: log.stream } as never }));
  return { fixture, gateway, scope };
});

/** The writes of the issue's reproduction, each in namespace `default`. */
const WRITES: [string, Reply][] = [
  ['RegisterSchema', { subject: 'pt-value', schema: AVRO('Pt') }],
  ['DeleteSubject', { subject: 'pt-value', permanent: true }],
  ['UpdateMode', { subject: '', mode: 'READONLY' }],
];

describe('the passthrough without valid credentials', () => {
  const rows: [string, () => Promise<string | undefined>][] = [
    ['no authorization metadata', async () => undefined],
    ['a wrong password', async () => basic('writer', 'not-the-password')],
    ['an unknown user', async () => basic('mallory', 'whatever')],
    ['an unsupported scheme', async () => 'Digest username="writer"'],
    ['an expired token', async () => token(['default:write'], { expiresIn: -120 })],
    ['a malformed token', async () => 'Bearer not.a.jwt'],
  ];
  for (const [name, credentials] of rows) {
    test(`${name} → UNAUTHENTICATED for RegisterSchema, DeleteSubject{permanent}, UpdateMode (and reads)`, async () => {
      const auth = await credentials();
      // Failed passwords count against the address's budget (ten in a row): reads are tried
      // only where no password is checked.
      const reads: [string, Reply][] = auth?.startsWith('Basic ') ? [] : [['ListSubjects', {}]];
      for (const [method, request] of [...WRITES, ...reads]) {
        const out = await invoke('registry', method, request, auth, 'default');
        assert.equal(out.code, grpc.status.UNAUTHENTICATED, `${method} with ${name}`);
        assert.equal(out.reason, 'UNAUTHENTICATED', 'the ErrorInfo reason a REST client sees too');
      }
    });
  }

  test('an unknown namespace without credentials is UNAUTHENTICATED (nothing is told about namespaces)', async () => {
    const out = await invoke('registry', 'ListSubjects', {}, undefined, 'nope');
    assert.equal(out.code, grpc.status.UNAUTHENTICATED);
  });

  test('nothing reached the registry: the subject was never registered', async () => {
    const out = await invoke('registry', 'ListSubjects', {}, as('admin'), 'default');
    assert.equal(out.code, grpc.status.OK);
    assert.deepEqual(out.value!.subjects, []);
  });

  test('grpc.health.v1 stays open for probes without credentials', async () => {
    const out = await invoke('health', 'Check', { service: '' }, undefined, 'default');
    assert.equal(out.code, grpc.status.OK);
    assert.equal(out.value!.status, 'SERVING');
  });
});

describe('roles on the passthrough', () => {
  test('read credentials: reads answer, writes are PERMISSION_DENIED', async () => {
    for (const [method, request] of [
      ['ListSubjects', {}],
      ['GetConfig', { subject: '' }],
      ['GetMode', { subject: '' }],
      ['GetSchemaTypes', {}],
    ] as [string, Reply][]) {
      assert.equal((await invoke('registry', method, request, as('reader'), 'default')).code, grpc.status.OK, method);
    }
    // CheckCompatibility changes nothing: a reader may ask (the registry answers NOT_FOUND).
    const check = await invoke('registry', 'CheckCompatibility', { subject: 'nobody', version: 'latest', schema: AVRO('C') }, as('reader'), 'default');
    assert.notEqual(check.code, grpc.status.PERMISSION_DENIED);
    assert.notEqual(check.code, grpc.status.UNAUTHENTICATED);
    for (const [method, request] of WRITES) {
      const out = await invoke('registry', method, request, as('reader'), 'default');
      assert.equal(out.code, grpc.status.PERMISSION_DENIED, method);
      assert.equal(out.reason, 'FORBIDDEN');
    }
  });

  test('write credentials: RegisterSchema, UpdateMode, DeleteSubject and DeleteSubject{permanent} succeed', async () => {
    const reg = await invoke('registry', 'RegisterSchema', { subject: 'w-value', schema: AVRO('W') }, as('writer'), 'default');
    assert.equal(reg.code, grpc.status.OK, reg.details);
    assert.equal((await invoke('registry', 'UpdateMode', { subject: 'w-value', mode: 'READWRITE' }, as('writer'), 'default')).code, grpc.status.OK);
    assert.equal((await invoke('registry', 'DeleteSubject', { subject: 'w-value' }, as('writer'), 'default')).code, grpc.status.OK);
    assert.equal((await invoke('registry', 'DeleteSubject', { subject: 'w-value', permanent: true }, as('writer'), 'default')).code, grpc.status.OK);
  });

  test('x-prism-namespace naming a namespace without a role there is PERMISSION_DENIED, reads and writes', async () => {
    for (const [method, request] of [...WRITES, ['ListSubjects', {}] as [string, Reply]]) {
      const out = await invoke('registry', method, request, as('writer'), 'other');
      assert.equal(out.code, grpc.status.PERMISSION_DENIED, method);
    }
    // And the other way round: a role in `other` gives nothing in `default`.
    assert.equal((await invoke('registry', 'ListSubjects', {}, as('elsewhere'), 'default')).code, grpc.status.PERMISSION_DENIED);
    assert.equal((await invoke('registry', 'RegisterSchema', { subject: 'o-value', schema: AVRO('O') }, as('elsewhere'), 'other')).code, grpc.status.OK);
  });

  test('an unknown namespace with valid credentials is NOT_FOUND', async () => {
    const out = await invoke('registry', 'ListSubjects', {}, as('admin'), 'nope');
    assert.equal(out.code, grpc.status.NOT_FOUND);
  });

  test("the namespace's methodRoles override the proto: GetConfig needs write in `other`", async () => {
    assert.equal((await invoke('registry', 'ListSubjects', {}, as('otherReader'), 'other')).code, grpc.status.OK);
    assert.equal((await invoke('registry', 'GetConfig', { subject: '' }, as('otherReader'), 'other')).code, grpc.status.PERMISSION_DENIED);
    assert.equal((await invoke('registry', 'GetConfig', { subject: '' }, as('elsewhere'), 'other')).code, grpc.status.OK);
    // Only in `other`: in `default` GetConfig is still a read.
    assert.equal((await invoke('registry', 'GetConfig', { subject: '' }, as('reader'), 'default')).code, grpc.status.OK);
  });

  test('bearer tokens: a read token reads and cannot write; a write token writes', async () => {
    const read = await token(['default:read']);
    assert.equal((await invoke('registry', 'ListSubjects', {}, read, 'default')).code, grpc.status.OK);
    assert.equal((await invoke('registry', 'RegisterSchema', { subject: 't-value', schema: AVRO('T') }, read, 'default')).code, grpc.status.PERMISSION_DENIED);
    const write = await token(['default:write']);
    assert.equal((await invoke('registry', 'RegisterSchema', { subject: 't-value', schema: AVRO('T') }, write, 'default')).code, grpc.status.OK);
    assert.equal((await invoke('registry', 'UpdateMode', { subject: 't-value', mode: 'READWRITE' }, write, 'default')).code, grpc.status.OK);
    assert.equal((await invoke('registry', 'RegisterSchema', { subject: 't-value', schema: AVRO('T') }, write, 'other')).code, grpc.status.PERMISSION_DENIED);
  });
});

describe('what the backend sees, and what is logged and counted', () => {
  test('the authorization metadata is not forwarded to the backend; other metadata is', async () => {
    const c = client<Record<string, Unary>>(Everything);
    const metadata = new grpc.Metadata();
    metadata.set('authorization', as('admin'));
    metadata.set('x-trace', 'abc');
    const err = await new Promise<grpc.ServiceError | null>((done) => c.Echo({ f_string: 'hi' }, metadata, { deadline: Date.now() + 15_000 }, (e) => done(e)));
    assert.equal(err, null);
    const seen = suite.fixture.received.at(-1)!;
    assert.equal(seen.metadata['x-trace'], 'abc');
    assert.equal(seen.metadata['authorization'], undefined);
    assert.equal(seen.metadata['x-prism-namespace'], undefined);
  });

  test('one log line per call with method, namespace, principal, client address, code and duration; no secret', async () => {
    await invoke('registry', 'RegisterSchema', { subject: 'logged-value', schema: AVRO('L') }, as('reader'), 'default');
    const lines = log
      .text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.grpcMethod === `/${REGISTRY}/RegisterSchema` && l.principal === 'reader');
    assert.equal(lines.length >= 1, true, 'the refused call is logged');
    const line = lines.at(-1)!;
    assert.equal(line.namespace, 'default');
    assert.equal(line.code, 'PERMISSION_DENIED');
    assert.equal(line.client, '127.0.0.1');
    assert.equal(typeof line.ms, 'number');
    for (const u of Object.values(USERS)) assert.equal(log.text().includes(u.password), false, 'no password is ever logged');
    assert.equal(log.text().includes(as('reader').slice(6)), false, 'no Basic credentials are ever logged');
  });

  test('passthrough calls are counted per namespace, method and code', async () => {
    const text = await suite.gateway.metrics.exposition();
    const method = `/${REGISTRY}/RegisterSchema`;
    assert.ok((sampleValue(text, 'prism_grpc_passthrough_calls_total', { namespace: 'default', method, code: 'OK' }) ?? 0) >= 1);
    assert.ok((sampleValue(text, 'prism_grpc_passthrough_calls_total', { namespace: 'default', method, code: 'PERMISSION_DENIED' }) ?? 0) >= 1);
    assert.ok((sampleValue(text, 'prism_grpc_passthrough_calls_total', { namespace: '', method, code: 'UNAUTHENTICATED' }) ?? 0) >= 1);
    assert.ok((sampleValue(text, 'prism_grpc_passthrough_call_duration_seconds_count', { namespace: 'default', method }) ?? 0) >= 1);
    assert.equal(text.includes('namespace="nope"'), false, 'a client-chosen namespace name never becomes a label');
  });
});

// Last among the tests of this gateway: it spends 127.0.0.1's budget of failed passwords.
describe('failed passwords on the passthrough count per client address', () => {
  test('after the burst a wrong password is RESOURCE_EXHAUSTED with a retry delay; a verified user still gets in', async () => {
    assert.equal((await invoke('registry', 'ListSubjects', {}, as('reader'), 'default')).code, grpc.status.OK, 'verified (and cached) before the burst');
    let limited: Outcome | undefined;
    for (let i = 0; i < 20 && !limited; i++) {
      const out = await invoke('registry', 'ListSubjects', {}, basic('reader', `guess-${i}`), 'default');
      if (out.code === grpc.status.RESOURCE_EXHAUSTED) limited = out;
      else assert.equal(out.code, grpc.status.UNAUTHENTICATED);
    }
    assert.ok(limited, 'guessing is limited: the passthrough passes the client address to the authenticator');
    assert.equal(limited.reason, 'AUTH_RATE_LIMITED');
    assert.match(limited.info?.retryAfterSeconds ?? '', /^\d+$/);
    assert.equal((await invoke('registry', 'ListSubjects', {}, as('reader'), 'default')).code, grpc.status.OK);
  });
});

describe('methodRoles checked at start', () => {
  test('an override naming a method no proto declares fails the start and names it', async () => {
    const bad = tempDir('pt-roles');
    try {
      writeFileSync(
        join(bad.path, 'gateway.yaml'),
        stringify({ backends: [{ name: 'mem', type: 'MEMSTORE' }], namespaces: [registryNs('reg', { methodRoles: { [`${REGISTRY}/GetConfg`]: 'write' } })] }),
      );
      await assert.rejects(
        startGateway(loadGatewayConfig(join(bad.path, 'gateway.yaml')), { host: '127.0.0.1', port: 0, dataDir: join(bad.path, 'data'), logger: false }),
        /namespace 'reg': methodRoles names 'prism\.patterns\.registry\.v1\.Registry\/GetConfg'/,
      );
    } finally {
      bad.remove();
    }
  });

  test('a role other than read, write or admin is a config error', async () => {
    const bad = tempDir('pt-roles');
    try {
      writeFileSync(join(bad.path, 'gateway.yaml'), stringify({ namespaces: [registryNs('reg', { methodRoles: { [`${REGISTRY}/GetConfig`]: 'owner' } })] }));
      assert.throws(() => loadGatewayConfig(join(bad.path, 'gateway.yaml')), /methodRoles/);
    } finally {
      bad.remove();
    }
  });
});
