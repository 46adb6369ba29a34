/**
 * `pattern.http2` reaches the lean HTTP/2 client: a backend that accepts TCP and never speaks
 * HTTP/2 fails a call after the configured connectTimeoutMs (the default is 20 s), and the
 * options are checked at load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadGatewayConfig } from '../../src/config/gateway-config.js';
import type { RunningGateway } from '../../src/start-gateway.js';
import { echoFrontend, FIXTURE_PROTO_FILE, http, startFromConfig, tempDir, writeConfig } from './support.js';
import { useSuite } from '../support/use-suite.js';

/** The gateway the first test starts (closed with the suite). */
let gateway: RunningGateway | undefined;

const suite = useSuite(async (scope) => {
  const dir = scope.own(tempDir('pattern-http2'));
  writeFileSync(join(dir.path, 'echo.yaml'), echoFrontend('echo', [{ id: 'hello', path: '/hello', marker: 'hi' }]));
  // Accepts connections and never answers: no SETTINGS, nothing.
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  scope.onClose(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  scope.onClose(() => gateway?.close());
  return { dir, port: (silent.address() as { port: number }).port };
});

const namespace = (http2: unknown) => ({
  name: 'silent',
  pattern: { target: `127.0.0.1:${suite.port}`, protos: [FIXTURE_PROTO_FILE], http2 },
  frontends: [{ file: 'echo.yaml' }],
});

test('connectTimeoutMs: 300 fails a call to a silent backend with 503 well before the 20 s default', async () => {
  const file = writeConfig(suite.dir.path, { namespaces: [namespace({ connectTimeoutMs: 300 })] });
  gateway = await startFromConfig(file, join(suite.dir.path, 'data'));
  const started = Date.now();
  const answer = await http(`${gateway.url}/hello`);
  assert.equal(answer.status, 503, answer.text);
  assert.ok(Date.now() - started < 10_000, `answered after ${Date.now() - started} ms`);
});

test('an unknown or out-of-range option fails the load, naming it', () => {
  const bad = (http2: unknown, name: RegExp) =>
    assert.throws(() => loadGatewayConfig(writeConfig(suite.dir.path, { namespaces: [namespace(http2)] }, 'bad.yaml')), (err: unknown) => err instanceof ConfigError && name.test(err.message));
  bad({ keepaliveIntervall: 10 }, /keepaliveIntervall/);
  bad({ receiveWindowBytes: 10 }, /receiveWindowBytes/);
});
