/**
 * Listeners and exposure (DESIGN.md §8; issue 13, item 1): a listener other than the public one
 * that binds beyond loopback without authentication refuses to start unless it says
 * `insecure: true`; the probes listener carries health, readiness and metrics only, without
 * credentials; `admin.openProbes` opens those three on the admin listener; an embedded pattern
 * listens on a Unix socket in a private folder unless `pattern.listen` says otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileSync } from 'node:fs';
import { ConfigError, loadGatewayConfig } from '../../src/config/gateway-config.js';
import { isLoopbackHost } from '../../src/config/listener-exposure.js';
import { hashPassword } from '../../src/security/password-hash.js';
import { CONFLUENT_FRONTEND_FILE, http, runCli, startFromConfig, tempDir, writeConfig } from './support.js';

const registryNamespace = (pattern: Record<string, unknown> = {}) => ({
  name: 'default',
  pattern: { embedded: 'patterns/registry', slots: { storage: 'store' }, ...pattern },
  frontends: [{ file: CONFLUENT_FRONTEND_FILE }],
});
const base = (extra: Record<string, unknown>, pattern: Record<string, unknown> = {}) => ({
  ...extra,
  backends: [{ name: 'store', type: 'MEMSTORE' }],
  namespaces: [registryNamespace(pattern)],
});
const tls = { certFile: 'cert.pem', keyFile: 'key.pem', caFile: 'ca.pem', clientCertificates: 'require' };
const auth = { basic: { usersFile: 'users.yaml' } };

test('which hosts count as loopback', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.10', 'gateway.internal', '::ffff:10.0.0.1', '']) assert.equal(isLoopbackHost(h), false, h);
});

test('a non-public listener beyond loopback without authentication is refused at load, naming the listener and what to set', () => {
  const dir = tempDir('exposure');
  try {
    // [config, expected problem or undefined when accepted]
    const cases: [string, Record<string, unknown>, RegExp | undefined][] = [
      ['admin on 0.0.0.0', base({ admin: { host: '0.0.0.0', port: 0 } }), /admin listener: binds 0\.0\.0\.0 beyond loopback without authentication.*admin\.insecure: true/],
      ['admin on ::', base({ admin: { host: '::', port: 0 } }), /admin listener: binds :: beyond loopback/],
      ['grpc on 0.0.0.0', base({ grpc: { host: '0.0.0.0', port: 0 } }), /grpc listener: binds 0\.0\.0\.0 beyond loopback without authentication.*grpc\.insecure: true/],
      ['grpc on an interface address', base({ grpc: { host: '10.1.2.3', port: 0 } }), /grpc listener: binds 10\.1\.2\.3/],
      ['pattern.listen on 0.0.0.0', base({}, { listen: '0.0.0.0:9091' }), /namespace 'default': the embedded pattern's listener binds 0\.0\.0\.0:9091 beyond loopback.*pattern\.insecure: true/],
      ['pattern.listen on 0.0.0.0 even with auth', base({ auth }, { listen: '0.0.0.0:9091' }), /the embedded pattern's listener binds/],
      ['admin insecure', base({ admin: { host: '0.0.0.0', insecure: true } }), undefined],
      ['grpc insecure', base({ grpc: { host: '0.0.0.0', insecure: true } }), undefined],
      ['pattern insecure', base({}, { listen: '0.0.0.0:9091', insecure: true }), undefined],
      ['admin with auth', base({ auth, admin: { host: '0.0.0.0' } }), undefined],
      ['grpc with auth', base({ auth, grpc: { host: '0.0.0.0' } }), undefined],
      ['admin with client certificates', base({ admin: { host: '0.0.0.0', tls } }), undefined],
      ['admin switched off', base({ admin: { host: '0.0.0.0', enabled: false } }), undefined],
      ['loopback listeners', base({ admin: { host: '127.0.0.1' }, grpc: { host: '::1' } }, { listen: '127.0.0.1:0' }), undefined],
      ['probes anywhere', base({ probes: { host: '0.0.0.0', port: 0 } }), undefined],
      ['the public listener anywhere', base({ http: { host: '0.0.0.0' } }), undefined],
    ];
    for (const [name, config, expected] of cases) {
      const file = writeConfig(dir.path, config, 'exposure.yaml');
      if (expected === undefined) assert.doesNotThrow(() => loadGatewayConfig(file), name);
      else assert.throws(() => loadGatewayConfig(file), (err: Error) => err instanceof ConfigError && expected.test(err.message), name);
    }
  } finally {
    dir.remove();
  }
});

test('serve refuses such a config with exit 2 and the listener named', async () => {
  const dir = tempDir('exposure-cli');
  try {
    const file = writeConfig(dir.path, base({ grpc: { host: '0.0.0.0', port: 0 } }));
    const result = await runCli(['serve', '--config', file, '--port', '0', '--data-dir', join(dir.path, 'data')]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /grpc listener: binds 0\.0\.0\.0 beyond loopback without authentication/);
  } finally {
    dir.remove();
  }
});

test('the probes listener serves /healthz, /readyz and /metrics without credentials and nothing else; admin.openProbes opens the same on the admin listener', async () => {
  const dir = tempDir('probes');
  const users = [{ name: 'boss', password: await hashPassword('boss-secret'), roles: 'admin' }];
  writeFileSync(join(dir.path, 'users.yaml'), stringify({ users }));
  const config = writeConfig(dir.path, base({ auth, probes: { host: '127.0.0.1', port: 0 } }));
  const gateway = await startFromConfig(config, join(dir.path, 'data'));
  const open = writeConfig(dir.path, base({ auth, admin: { openProbes: true } }), 'open.yaml');
  const openGateway = await startFromConfig(open, join(dir.path, 'data-open'));
  try {
    const probes = gateway.probesUrl!;
    assert.ok(probes, 'the probes listener runs');
    assert.equal((await http(`${probes}/healthz`)).status, 200);
    assert.equal((await http(`${probes}/readyz`)).status, 200);
    const metrics = await http(`${probes}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /prism_http_requests_total|process_cpu/);
    for (const path of ['/admin/routes', '/admin/frontends', '/subjects']) assert.equal((await http(`${probes}${path}`)).status, 404, path);
    assert.equal((await http(`${probes}/admin/frontends/x`, { method: 'PUT', body: 'x' })).status, 404);

    // Without openProbes, the admin listener wants the admin role for all but /healthz.
    assert.equal((await http(`${gateway.adminUrl}/healthz`)).status, 200);
    assert.equal((await http(`${gateway.adminUrl}/readyz`)).status, 401);
    assert.equal((await http(`${gateway.adminUrl}/metrics`)).status, 401);
    // With it, probes and Prometheus need no admin rights; the admin API still does.
    assert.equal((await http(`${openGateway.adminUrl}/readyz`)).status, 200);
    assert.equal((await http(`${openGateway.adminUrl}/metrics`)).status, 200);
    assert.equal((await http(`${openGateway.adminUrl}/admin/routes`)).status, 401);
    const authorization = `Basic ${Buffer.from('boss:boss-secret').toString('base64')}`;
    assert.equal((await http(`${openGateway.adminUrl}/admin/routes`, { headers: { authorization } })).status, 200);
  } finally {
    await gateway.close();
    await openGateway.close();
    dir.remove();
  }
});

test('an embedded pattern listens on a Unix socket in a private folder, removed on close; pattern.listen still binds TCP', async () => {
  const dir = tempDir('pattern-socket');
  const gateway = await startFromConfig(writeConfig(dir.path, base({})), join(dir.path, 'data'));
  let socketDir: string | undefined;
  try {
    const address = gateway.patterns.get('default')!.address;
    assert.match(address, /^unix:\//);
    const path = address.slice('unix:'.length);
    socketDir = dirname(path);
    assert.ok(Buffer.byteLength(path) <= 103, `short enough for sun_path: ${path}`);
    assert.ok(statSync(path).isSocket());
    assert.equal(statSync(socketDir).mode & 0o777, 0o700, 'only this user may enter the folder');
    // The gateway reaches it (the registry answers through the public listener) and /readyz says so.
    assert.equal((await http(`${gateway.url}/subjects`)).status, 200);
    assert.equal((await http(`${gateway.adminUrl}/readyz`)).status, 200);
  } finally {
    await gateway.close();
  }
  assert.equal(existsSync(socketDir!), false, 'the socket folder is removed on close');

  const tcp = await startFromConfig(writeConfig(dir.path, base({}, { listen: '127.0.0.1:0' }), 'tcp.yaml'), join(dir.path, 'data-tcp'));
  try {
    assert.match(tcp.patterns.get('default')!.address, /^127\.0\.0\.1:\d+$/);
    assert.equal((await http(`${tcp.url}/subjects`)).status, 200);
  } finally {
    await tcp.close();
    dir.remove();
  }
});
