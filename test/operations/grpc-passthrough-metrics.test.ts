/**
 * Issue 13, items 1 and 17: passthrough calls are counted like routes
 * (`prism_grpc_passthrough_calls_total`, `prism_grpc_passthrough_call_duration_seconds`, by
 * namespace, method and code), and the HTTP request metrics carry a `namespace` label. With
 * auth off, calls still leave one log line each (no principal).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';
import { startGateway } from '../../src/start-gateway.js';
import { captureLog } from '../security/support.js';
import { useSuite } from '../support/use-suite.js';
import { CONFLUENT_FRONTEND_FILE, http, sampleValue, tempDir, writeConfig } from './support.js';

const REGISTRY = 'prism.patterns.registry.v1.Registry';
type Unary = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, value?: object) => void) => void;
const Registry = grpc.makeGenericClientConstructor(createServiceDefinition(loadProtoRoot(['prism/patterns/registry/v1/registry.proto']).lookupService(REGISTRY)), 'Registry');

const log = captureLog();

const suite = useSuite(async (scope) => {
  const dir = scope.own(tempDir('pt-metrics'));
  const configFile = writeConfig(dir.path, {
    backends: [{ name: 'mem', type: 'MEMSTORE' }],
    namespaces: [{ name: 'alpha', pattern: { embedded: 'patterns/registry', slots: { storage: 'mem' } }, frontends: [{ file: CONFLUENT_FRONTEND_FILE }] }],
  });
  const gateway = scope.own(await startGateway(loadGatewayConfig(configFile), { host: '127.0.0.1', port: 0, dataDir: join(dir.path, 'data'), logger: { level: 'info', stream: log.stream } as never }));
  const registry = scope.own(new Registry(gateway.grpcAddress!, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, Unary>);
  return { gateway, registry };
});

const call = (method: string, request: object) =>
  new Promise<grpc.status>((done) => suite.registry[method](request, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err) => done(err ? err.code : grpc.status.OK)));

test('HTTP request metrics carry the namespace of the route that answered', async () => {
  assert.equal((await http(`${suite.gateway.url}/subjects`)).status, 200);
  const text = await suite.gateway.metrics.exposition();
  assert.equal(sampleValue(text, 'prism_http_requests_total', { namespace: 'alpha', route: 'list-subjects', status_class: '2xx' }), 1);
  assert.equal(sampleValue(text, 'prism_http_request_duration_seconds_count', { namespace: 'alpha', route: 'list-subjects' }), 1);
});

test('passthrough calls are counted by namespace, method and code, and logged once each', async () => {
  assert.equal(await call('ListSubjects', {}), grpc.status.OK);
  assert.equal(await call('GetSchemaVersion', { subject: 'missing', version: '1' }), grpc.status.NOT_FOUND);
  const text = await suite.gateway.metrics.exposition();
  assert.equal(sampleValue(text, 'prism_grpc_passthrough_calls_total', { namespace: 'alpha', method: `/${REGISTRY}/ListSubjects`, code: 'OK' }), 1);
  assert.equal(sampleValue(text, 'prism_grpc_passthrough_calls_total', { namespace: 'alpha', method: `/${REGISTRY}/GetSchemaVersion`, code: 'NOT_FOUND' }), 1);
  assert.equal(sampleValue(text, 'prism_grpc_passthrough_call_duration_seconds_count', { namespace: 'alpha', method: `/${REGISTRY}/ListSubjects` }), 1);
  const lines = log
    .text()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => typeof l.grpcMethod === 'string');
  assert.deepEqual(
    lines.map((l) => [l.grpcMethod, l.namespace, l.code, l.principal, l.client]),
    [
      // The client's address, without the port of its connection.
      [`/${REGISTRY}/ListSubjects`, 'alpha', 'OK', undefined, '127.0.0.1'],
      [`/${REGISTRY}/GetSchemaVersion`, 'alpha', 'NOT_FOUND', undefined, '127.0.0.1'],
    ],
  );
});
