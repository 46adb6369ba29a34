/**
 * The slot binder's refusals as one case table (every refusal path, and the bindings it
 * accepts), each backend type's declared interfaces, and backend config checks: typed fields,
 * plain secrets (warned, never quoted), secret references resolved at bind time only and
 * redacted when shown.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BACKEND_TYPES, checkBackendConfig, interfacesOf, redactedConfig, resolvedConfig } from '../../src/backends/backend-types.js';
import { slotBindingProblems, slotDeclarationProblems, slotInterfaces } from '../../src/backends/slot-binder.js';
import { checkGatewayConfigText } from '../../src/config/gateway-config.js';
import type { SlotDeclaration } from '../../src/upstream/pattern-module.js';
import { slots as registrySlots } from '../../patterns/registry/index.js';
import { tempDir } from '../support/temp-dir.js';

const KEYVALUE: SlotDeclaration[] = [{ name: 'store', required: ['keyvalue_basic'], optional: ['keyvalue_ttl', 'keyvalue_scan', 'keyvalue_watch'], implementations: ['MEMSTORE', 'SQLITE', 'POSTGRES', 'REDIS'] }];
const BACKENDS: Record<string, { name: string; type: string }> = Object.fromEntries(
  ['MEMSTORE', 'SQLITE', 'POSTGRES', 'REDIS', 'NATS', 'KAFKA', 'S3'].map((type) => [type.toLowerCase(), { name: type.toLowerCase(), type }]),
);
const lookup = (name: string) => BACKENDS[name];

interface BindingCase {
  readonly name: string;
  readonly pattern: string;
  readonly slots: readonly SlotDeclaration[];
  readonly bindings: Record<string, string>;
  /** One pattern per expected problem, in order; [] when the binding is accepted. */
  readonly refused: readonly RegExp[];
}

const CASES: readonly BindingCase[] = [
  { name: 'keyvalue store on each store with an implementation', pattern: 'keyvalue', slots: KEYVALUE, bindings: { store: 'redis' }, refused: [] },
  { name: 'keyvalue store on MEMSTORE', pattern: 'keyvalue', slots: KEYVALUE, bindings: { store: 'memstore' }, refused: [] },
  { name: 'registry storage on POSTGRES', pattern: 'registry', slots: registrySlots, bindings: { storage: 'postgres' }, refused: [] },
  {
    name: 'keyvalue store on KAFKA: the slot, the missing interface and what KAFKA offers',
    pattern: 'keyvalue',
    slots: KEYVALUE,
    bindings: { store: 'kafka' },
    refused: [/^slot 'store' of the keyvalue pattern requires keyvalue_basic, which backend 'kafka' \(KAFKA\) does not implement; it implements pubsub_basic, queue_basic, stream_basic$/],
  },
  {
    name: 'keyvalue store on S3',
    pattern: 'keyvalue',
    slots: KEYVALUE,
    bindings: { store: 's3' },
    refused: [/requires keyvalue_basic, which backend 's3' \(S3\) does not implement; it implements object_store_basic$/],
  },
  { name: 'registry storage on REDIS lacks registry_store', pattern: 'registry', slots: registrySlots, bindings: { storage: 'redis' }, refused: [/^slot 'storage' of the registry pattern requires registry_store, which backend 'redis' \(REDIS\)/] },
  { name: 'keyvalue store on NATS: the interfaces fit, no implementation', pattern: 'keyvalue', slots: KEYVALUE, bindings: { store: 'nats' }, refused: [/^no keyvalue slot implementation for NATS \(slot 'store', backend 'nats'/] },
  {
    name: 'a type the pattern has no implementation for, though it offers the interfaces',
    pattern: 'keyvalue',
    slots: [{ ...KEYVALUE[0]!, implementations: ['MEMSTORE'] }],
    bindings: { store: 'sqlite' },
    refused: [/^no keyvalue slot implementation for SQLITE/],
  },
  { name: 'a slot the pattern does not have', pattern: 'registry', slots: registrySlots, bindings: { cache: 'memstore' }, refused: [/^the registry pattern has no slot 'cache' \(its slots: 'storage'\)$/] },
  { name: 'an unknown backend', pattern: 'registry', slots: registrySlots, bindings: { storage: 'nowhere' }, refused: [/^slot 'storage' is bound to unknown backend 'nowhere'$/] },
  {
    name: 'every problem at once',
    pattern: 'registry',
    slots: registrySlots,
    bindings: { storage: 'kafka', extra: 'memstore' },
    refused: [/requires registry_store, which backend 'kafka'/, /has no slot 'extra'/],
  },
];

for (const c of CASES) {
  test(`slot binding: ${c.name}`, () => {
    const problems = slotBindingProblems(c.pattern, c.slots, c.bindings, lookup);
    assert.equal(problems.length, c.refused.length, JSON.stringify(problems));
    problems.forEach((p, i) => assert.match(p.message, c.refused[i]!));
  });
}

test('a bound slot learns which of its optional interfaces the backend has', () => {
  assert.deepEqual(slotInterfaces(KEYVALUE[0]!, 'REDIS'), ['keyvalue_basic', 'keyvalue_ttl', 'keyvalue_scan', 'keyvalue_watch']);
  assert.deepEqual(slotInterfaces(KEYVALUE[0]!, 'NATS'), ['keyvalue_basic', 'keyvalue_watch']);
});

test('every type declares its interfaces, KAFKA, NATS and S3 included', () => {
  for (const [type, spec] of BACKEND_TYPES) assert.ok(spec.interfaces.length > 0, type);
  assert.ok(!interfacesOf('KAFKA').includes('keyvalue_basic'));
  assert.deepEqual(interfacesOf('CASSANDRA'), []);
});

test('malformed slot declarations of a pattern module are named', () => {
  assert.deepEqual(slotDeclarationProblems([{ name: 'store', required: ['keyvalue_basic'] }]), ["slot 'store' must list its implementations (an array of names)"]);
  assert.deepEqual(slotDeclarationProblems('store'), ['`slots` must be an array of { name, required, optional, implementations }']);
  assert.deepEqual(slotDeclarationProblems(registrySlots), []);
});

test('backend configs are checked against their type: unknown fields, wrong types, missing required ones', () => {
  assert.deepEqual(checkBackendConfig('REDIS', { url: 'redis://127.0.0.1:6379', pool: { max: 4 } }).problems, []);
  assert.ok(checkBackendConfig('REDIS', { hots: 'x' }).problems.some((p) => p.pointer === '' && /hots/.test(p.message)));
  assert.ok(checkBackendConfig('POSTGRES', { poolSize: 'many' }).problems.some((p) => p.pointer === '/poolSize'));
  assert.ok(checkBackendConfig('KAFKA', {}).problems.some((p) => /brokers/.test(p.message)));
  assert.ok(checkBackendConfig('S3', { bucket: 'b', secretAccessKey: { env: 'lower-case not allowed' } }).problems.length > 0);
});

test('a config file: located problems for a bad backend config, a warning (without the value) for a plain secret', () => {
  const text = [
    'backends:',
    '  - name: cache',
    '    type: REDIS',
    '    config: { url: "redis://:hunter2@127.0.0.1:6379", timeouts: { connectMs: 0 } }',
    '  - name: bus',
    '    type: KAFKA',
    '    config: { brokers: [k:9092], sasl: { mechanism: plain, username: u, password: s3cr3t-value } }',
    '  - name: bad',
    '    type: CASSANDRA',
    'namespaces:',
    '  - name: a',
    '    pattern: { target: 127.0.0.1:9 }',
    '    frontends: []',
  ].join('\n');
  const check = checkGatewayConfigText(text, 'gateway.yaml');
  // CASSANDRA fails the schema: nothing else is checked then.
  assert.deepEqual(check.problems.map((p) => [p.code, p.pointer]), [['SCHEMA', '/backends/2/type']]);
  const fixed = checkGatewayConfigText(text.replace(/  - name: bad\n    type: CASSANDRA\n/, ''), 'gateway.yaml');
  assert.deepEqual(fixed.problems.map((p) => [p.code, p.pointer, p.line]), [['SCHEMA', '/backends/0/config/timeouts/connectMs', 4]]);
  const bound = checkGatewayConfigText(text.replace(/  - name: bad\n    type: CASSANDRA\n/, '').replace('connectMs: 0', 'connectMs: 500'), 'gateway.yaml');
  assert.deepEqual(bound.problems, []);
  assert.deepEqual(bound.warnings?.map((w) => [w.pointer, w.line]), [['/backends/0/config/url', 4], ['/backends/1/config/sasl/password', 7]]);
  const said = JSON.stringify(bound.warnings);
  assert.doesNotMatch(said, /hunter2|s3cr3t-value/);
  assert.match(said, /config\.sasl\.password is a secret written as a plain value/);
});

test('secret references resolve at bind time only; shown configs redact plain secrets and keep references', () => {
  const dir = tempDir('secrets');
  try {
    writeFileSync(join(dir.path, 'pw.txt'), 'from-a-file\n');
    const config = { url: 'redis://:plain-pass@h:6379', password: { file: 'pw.txt' }, username: 'app' };
    assert.deepEqual(redactedConfig('REDIS', config), { url: 'redis://:***@h:6379', password: { file: 'pw.txt' }, username: 'app' });
    assert.deepEqual(redactedConfig('POSTGRES', { password: 'plain' }), { password: '***' });
    assert.equal(resolvedConfig('REDIS', config, dir.path).password, 'from-a-file');
    process.env.PRISM_TEST_SECRET_X = 'from-env';
    assert.equal(resolvedConfig('REDIS', { password: { env: 'PRISM_TEST_SECRET_X' } }, dir.path).password, 'from-env');
    delete process.env.PRISM_TEST_SECRET_X;
    assert.throws(() => resolvedConfig('REDIS', { password: { env: 'PRISM_TEST_SECRET_X' } }, dir.path), /config\.password names the environment variable PRISM_TEST_SECRET_X, which is not set/);
    assert.throws(() => resolvedConfig('KAFKA', { brokers: ['k'], sasl: { mechanism: 'plain', username: 'u', password: { file: 'missing.txt' } } }, dir.path), /config\.sasl\.password names the file .*missing\.txt, which cannot be read \(ENOENT\)/);
    // The stored config is untouched by resolving it.
    assert.deepEqual(config.password, { file: 'pw.txt' });
  } finally {
    dir.remove();
  }
});
