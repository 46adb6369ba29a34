/**
 * What /readyz checks, per namespace (issue 13, item 14): by default grpc.health.v1 Check for
 * the whole server; `health: { service }` asks for one service; `health: { check: tcp }` only
 * needs the target to accept a connection; `health: off` is always ready. A backend without
 * grpc.health.v1 kept /readyz at 503 forever before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { ConfigError, loadGatewayConfig } from '../../src/config/gateway-config.js';
import { fixtureNamespace, http, startFromConfig, tempDir, writeConfig } from './support.js';
import { useSuite } from '../support/use-suite.js';

const raw = (b: Buffer) => b;

/** A gRPC server with no grpc.health.v1 at all, or one that knows only the service `known`. */
async function startBackend(health?: { known: string }): Promise<{ address: string; close(): Promise<void> }> {
  const server = new grpc.Server();
  const ping = { path: '/test.Ping/Ping', requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw };
  server.addService({ Ping: ping }, { Ping: (_call: unknown, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.alloc(0)) });
  if (health) {
    const check = { ...ping, path: '/grpc.health.v1.Health/Check' };
    server.addService(
      { Check: check },
      {
        // HealthCheckRequest { string service = 1; }: tag 0x0a, length, name (short names only here).
        Check: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
          const name = call.request.length > 2 ? call.request.subarray(2).toString('utf8') : '';
          if (name === health.known) cb(null, Buffer.from([0x08, 0x01]));
          else cb({ code: grpc.status.NOT_FOUND, details: `unknown service ${name}` });
        },
      },
    );
  }
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { address: `127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())) };
}

const suite = useSuite(async (scope) => {
  const dir = scope.own(tempDir('readiness'));
  const bare = scope.own(await startBackend());
  const named = scope.own(await startBackend({ known: 'test.Ping' }));
  const config = writeConfig(dir.path, {
    namespaces: [
      fixtureNamespace('default-check', bare.address),
      fixtureNamespace('off', bare.address, [], { health: 'off' }),
      fixtureNamespace('tcp', bare.address, [], { health: { check: 'tcp' } }),
      fixtureNamespace('named', named.address, [], { health: { service: 'test.Ping' } }),
      fixtureNamespace('named-unknown', named.address, [], { health: { service: 'test.Other', timeoutMs: 500 } }),
    ],
  });
  return { dir, gateway: scope.own(await startFromConfig(config, `${dir.path}/data`)) };
});

test('each namespace is checked as its health config says; /readyz names every state', async () => {
  const ready = await http(`${suite.gateway.adminUrl}/readyz`);
  assert.equal(ready.status, 503, 'the default check still fails for a backend without grpc.health.v1');
  assert.deepEqual((ready.json() as { namespaces: Record<string, string> }).namespaces, {
    'default-check': 'NOT_SERVING',
    off: 'SERVING',
    tcp: 'SERVING',
    named: 'SERVING',
    'named-unknown': 'NOT_SERVING',
  });
});

test('a gateway whose namespaces say how to check a backend without grpc.health.v1 is ready; tcp turns NOT_SERVING when the backend stops', async () => {
  const own = await startBackend();
  const config = writeConfig(suite.dir.path, { namespaces: [fixtureNamespace('tcp', own.address, [], { health: { check: 'tcp' } }), fixtureNamespace('off', own.address, [], { health: { check: 'off' } })] }, 'ready.yaml');
  const ready = await startFromConfig(config, `${suite.dir.path}/data-ready`);
  try {
    const before = await http(`${ready.adminUrl}/readyz`);
    assert.equal(before.status, 200, before.text);
    await own.close();
    const afterStop = await http(`${ready.adminUrl}/readyz`);
    assert.equal(afterStop.status, 503);
    assert.deepEqual((afterStop.json() as { namespaces: Record<string, string> }).namespaces, { tcp: 'NOT_SERVING', off: 'SERVING' });
  } finally {
    await ready.close();
  }
});

test('health config mistakes fail at load, naming the namespace', () => {
  const cases: [unknown, RegExp][] = [
    [{ check: 'tcp', service: 'x' }, /namespace 'n': health.service applies to check: grpc, not to check: tcp/],
    [{ check: 'ping' }, /at \/namespaces\/0\/health/],
    ['on', /at \/namespaces\/0\/health/],
  ];
  for (const [health, expected] of cases) {
    const file = writeConfig(suite.dir.path, { namespaces: [fixtureNamespace('n', '127.0.0.1:1', [], { health })] }, 'bad-health.yaml');
    assert.throws(() => loadGatewayConfig(file), (err: Error) => err instanceof ConfigError && expected.test(err.message), JSON.stringify(health));
  }
});
