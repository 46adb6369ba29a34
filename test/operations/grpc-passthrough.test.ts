/**
 * The default gRPC interface: a plain grpc-js client (no generated code) calls the registry
 * through the gateway's gRPC listener and gets exactly what it gets from the pattern directly:
 * the same replies, the same status codes, messages and rich error details. A namespace with
 * `grpcPassthrough: false` answers UNIMPLEMENTED; with several namespaces the
 * `x-prism-namespace` metadata key chooses one.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { decodeErrorInfo, STATUS_DETAILS_KEY, type ErrorInfo } from '../../src/grpc/rich-status.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';
import type { RunningGateway } from '../../src/start-gateway.js';
import { FIXTURE_PROTO, FIXTURE_SERVICE, startFixtureServer } from '../support/fixture-server.js';
import { useStarted, useSuite, useSuiteScope } from '../support/use-suite.js';
import { FIXTURE_PROTO_FILE, startFromConfig, tempDir, writeConfig } from './support.js';

const REGISTRY_PROTO = 'prism/patterns/registry/v1/registry.proto';
const REGISTRY_SERVICE = 'prism.patterns.registry.v1.Registry';

type Reply = Record<string, unknown>;
type Unary = (request: Reply, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, value?: Reply) => void) => void;
type RegistryClient = grpc.Client & { RegisterSchema: Unary; GetSchemaVersion: Unary };

const Registry = grpc.makeGenericClientConstructor(createServiceDefinition(loadProtoRoot([REGISTRY_PROTO]).lookupService(REGISTRY_SERVICE)), 'Registry');

// Gateways and clients the tests start close when the file's suite ends, clients first.
const owned = useSuiteScope();

function client(address: string): RegistryClient {
  return owned.own(new Registry(address, grpc.credentials.createInsecure()) as unknown as RegistryClient);
}

interface Outcome {
  ok: boolean;
  value?: Reply;
  code?: grpc.status;
  details?: string;
  info?: ErrorInfo;
}

function invoke(c: RegistryClient, method: 'RegisterSchema' | 'GetSchemaVersion', request: Reply, namespace?: string): Promise<Outcome> {
  const metadata = new grpc.Metadata();
  if (namespace !== undefined) metadata.set('x-prism-namespace', namespace);
  return new Promise((done) => {
    c[method](request, metadata, { deadline: Date.now() + 10_000 }, (err, value) => {
      // A plain registration's answer is its id and version (the other fields echo a schema the registry changed).
      if (!err) return done({ ok: true, value: method === 'RegisterSchema' && value ? { id: value.id, version: value.version } : value });
      const bytes = err.metadata?.get(STATUS_DETAILS_KEY)[0];
      done({ ok: false, code: err.code, details: err.details, info: decodeErrorInfo(typeof bytes === 'string' ? undefined : bytes) });
    });
  });
}

const AVRO = (name: string) => JSON.stringify({ type: 'record', name, fields: [{ name: 'f', type: 'string' }] });

/** A gateway over an in-memory registry store with `namespaces`; `config` adds top-level sections. */
async function gatewayWith(namespaces: Record<string, unknown>[], config: Record<string, unknown> = {}): Promise<RunningGateway> {
  const dir = owned.own(tempDir('grpc'));
  const configFile = writeConfig(dir.path, { ...config, backends: [{ name: 'mem', type: 'MEMSTORE' }], namespaces });
  return owned.own(await startFromConfig(configFile, join(dir.path, 'data')));
}
const registryNs = (name: string, extra: Record<string, unknown> = {}) => ({ name, pattern: { embedded: 'patterns/registry', slots: { storage: 'mem' } }, frontends: [], ...extra });

describe('gRPC passthrough: one namespace', () => {
  const one = useSuite(async () => {
    const gateway = await gatewayWith([registryNs('reg')]);
    assert.ok(gateway.grpcAddress, 'the gRPC listener is on by default');
    return { through: client(gateway.grpcAddress!), direct: client(gateway.patterns.get('reg')!.address) };
  });

  test('RegisterSchema through the gateway answers what the pattern answers', async () => {
    const viaGateway = await invoke(one.through, 'RegisterSchema', { subject: 'pt-value', schema: AVRO('Pt') });
    assert.deepEqual(viaGateway, { ok: true, value: { id: 1, version: 1 } });
    const viaPattern = await invoke(one.direct, 'RegisterSchema', { subject: 'pt-value', schema: AVRO('Pt') });
    assert.deepEqual(viaPattern, viaGateway, 'registering the same schema again answers the same id and version');
    const second = await invoke(one.through, 'RegisterSchema', { subject: 'pt2-value', schema: AVRO('Pt2') });
    assert.deepEqual(second, { ok: true, value: { id: 2, version: 1 } });
  });

  test('GetSchemaVersion through the gateway answers what the pattern answers', async () => {
    const viaGateway = await invoke(one.through, 'GetSchemaVersion', { subject: 'pt-value', version: 'latest' });
    const viaPattern = await invoke(one.direct, 'GetSchemaVersion', { subject: 'pt-value', version: 'latest' });
    assert.equal(viaGateway.ok, true);
    assert.deepEqual(viaGateway, viaPattern);
    assert.equal(viaGateway.value!.subject, 'pt-value');
    assert.equal(viaGateway.value!.id, 1);
    assert.equal(viaGateway.value!.version, 1);
    assert.match(String(viaGateway.value!.schema), /"Pt"/);
  });

  test('a missing subject fails with the same code, message and ErrorInfo as the pattern', async () => {
    const viaGateway = await invoke(one.through, 'GetSchemaVersion', { subject: 'nobody', version: '1' });
    const viaPattern = await invoke(one.direct, 'GetSchemaVersion', { subject: 'nobody', version: '1' });
    assert.equal(viaPattern.ok, false);
    assert.equal(viaPattern.code, grpc.status.NOT_FOUND);
    assert.equal(viaPattern.info?.reason, 'SUBJECT_NOT_FOUND');
    assert.deepEqual(viaGateway, viaPattern);
  });

  test('an invalid schema fails with the same rich status through the gateway', async () => {
    const viaGateway = await invoke(one.through, 'RegisterSchema', { subject: 'bad-value', schema: '{"type":"record"' });
    const viaPattern = await invoke(one.direct, 'RegisterSchema', { subject: 'bad-value', schema: '{"type":"record"' });
    assert.equal(viaPattern.ok, false);
    assert.equal(viaPattern.info?.reason, 'INVALID_SCHEMA');
    assert.deepEqual(viaGateway, viaPattern);
  });

  test('a bad version selector fails with the same rich status through the gateway', async () => {
    const viaGateway = await invoke(one.through, 'GetSchemaVersion', { subject: 'pt-value', version: 'zero' });
    const viaPattern = await invoke(one.direct, 'GetSchemaVersion', { subject: 'pt-value', version: 'zero' });
    assert.equal(viaPattern.ok, false);
    assert.ok(viaPattern.info?.reason, 'the pattern sends an ErrorInfo');
    assert.deepEqual(viaGateway, viaPattern);
  });
});

describe('gRPC passthrough switched off', () => {
  test('a namespace with grpcPassthrough: false answers UNIMPLEMENTED on the gRPC listener', async () => {
    const gateway = await gatewayWith([registryNs('closed', { grpcPassthrough: false })]);
    assert.ok(gateway.grpcAddress);
    const out = await invoke(client(gateway.grpcAddress!), 'GetSchemaVersion', { subject: 's', version: '1' });
    assert.equal(out.ok, false);
    assert.equal(out.code, grpc.status.UNIMPLEMENTED);
    // The pattern itself still answers.
    const direct = await invoke(client(gateway.patterns.get('closed')!.address), 'GetSchemaVersion', { subject: 's', version: '1' });
    assert.equal(direct.code, grpc.status.NOT_FOUND);
  });
});

describe('gRPC passthrough: several namespaces', () => {
  const several = useSuite(async () => {
    const gateway = await gatewayWith([registryNs('one'), registryNs('two'), registryNs('three', { grpcPassthrough: false })]);
    return { through: client(gateway.grpcAddress!) };
  });

  test('x-prism-namespace selects the namespace: data registered in one is absent from the other', async () => {
    const reg = await invoke(several.through, 'RegisterSchema', { subject: 'only-in-one', schema: AVRO('One') }, 'one');
    assert.deepEqual(reg, { ok: true, value: { id: 1, version: 1 } });
    const inOne = await invoke(several.through, 'GetSchemaVersion', { subject: 'only-in-one', version: '1' }, 'one');
    assert.equal(inOne.ok, true);
    assert.equal(inOne.value!.subject, 'only-in-one');
    const inTwo = await invoke(several.through, 'GetSchemaVersion', { subject: 'only-in-one', version: '1' }, 'two');
    assert.equal(inTwo.ok, false);
    assert.equal(inTwo.code, grpc.status.NOT_FOUND);
    assert.equal(inTwo.info?.reason, 'SUBJECT_NOT_FOUND');
  });

  test('without the metadata key the call is refused and the choices are named', async () => {
    const out = await invoke(several.through, 'GetSchemaVersion', { subject: 'only-in-one', version: '1' });
    assert.equal(out.ok, false);
    assert.equal(out.code, grpc.status.FAILED_PRECONDITION);
    assert.match(out.details ?? '', /x-prism-namespace/);
  });

  test('an unknown namespace is NOT_FOUND; a namespace switched off is UNIMPLEMENTED', async () => {
    const unknown = await invoke(several.through, 'GetSchemaVersion', { subject: 's', version: '1' }, 'nope');
    assert.equal(unknown.code, grpc.status.NOT_FOUND);
    assert.equal(unknown.info, undefined, 'not the registry\'s own NOT_FOUND');
    const closed = await invoke(several.through, 'GetSchemaVersion', { subject: 's', version: '1' }, 'three');
    assert.equal(closed.code, grpc.status.UNIMPLEMENTED);
  });
});

describe('gRPC passthrough: choosing the namespace without the metadata key', () => {
  const fixture = useStarted(() => startFixtureServer());

  test('namespaces serving different services are chosen by the service called', async () => {
    const gateway = await gatewayWith([registryNs('registry'), { name: 'fixture', pattern: { target: fixture.address, protos: [FIXTURE_PROTO_FILE] }, frontends: [] }]);
    const reg = await invoke(client(gateway.grpcAddress!), 'RegisterSchema', { subject: 'by-service', schema: AVRO('ByService') });
    assert.deepEqual(reg, { ok: true, value: { id: 1, version: 1 } });
    const Everything = grpc.makeGenericClientConstructor(createServiceDefinition(loadProtoRoot([FIXTURE_PROTO]).lookupService(FIXTURE_SERVICE)), 'Everything');
    const fx = new Everything(gateway.grpcAddress!, grpc.credentials.createInsecure()) as unknown as grpc.Client & { Echo: Unary };
    owned.own(fx);
    const echoed = await new Promise<{ err: grpc.ServiceError | null; value?: Reply }>((done) => fx.Echo({ f_string: 'by service' }, new grpc.Metadata(), {}, (err, value) => done({ err, value })));
    assert.equal(echoed.err, null);
    assert.equal(echoed.value!.f_string, 'by service');
  });

  test(
    'a namespace with the passthrough switched off does not count: the one that exposes the method is used',
    {},
    async () => {
      const gateway = await gatewayWith([registryNs('open'), registryNs('closed', { grpcPassthrough: false })]);
      const out = await invoke(client(gateway.grpcAddress!), 'RegisterSchema', { subject: 'only-open', schema: AVRO('OnlyOpen') });
      assert.deepEqual(out, { ok: true, value: { id: 1, version: 1 } });
    },
  );

  test('with the gRPC listener switched off in the config there is no gRPC address', async () => {
    const gateway = await gatewayWith([registryNs('reg')], { grpc: { enabled: false }, admin: { enabled: false } });
    assert.equal(gateway.grpcAddress, undefined);
    assert.equal(gateway.adminUrl, undefined);
    const root = await fetch(`${gateway.url}/`);
    assert.equal(root.status, 404, 'no frontends, but the public listener answers');
  });
});
