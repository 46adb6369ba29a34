/**
 * Data contracts end to end with @confluentinc/schemaregistry (the Confluent JavaScript client),
 * unchanged, against the real stack (gateway + registry pattern over loopback gRPC + SQLite):
 * metadata and rule sets registered and read back, useLatestWithMetadata serdes, CEL and
 * CEL_FIELD rules, a JSONata migration across a compatibilityGroup major version, config
 * defaults and overrides, and the data-contract error codes as the client sees them
 * (confluent-data-contracts.md §4).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AvroDeserializer,
  AvroSerializer,
  CelExecutor,
  CelFieldExecutor,
  JsonataExecutor,
  RestError,
  RuleMode,
  RuleRegistry,
  SchemaRegistryClient,
  SerdeType,
  type Rule,
  type SchemaInfo,
} from '@confluentinc/schemaregistry';
import { startStack } from './support.js';
import { useSuite } from '../support/use-suite.js';

const suite = useSuite(async (scope) => {
  const stack = scope.own(await startStack());
  return { stack };
});

/** A fresh client per use (no shared cache) and no retries: a 5xx fails the test at once. */
function client(): SchemaRegistryClient {
  return new SchemaRegistryClient({ baseURLs: [suite.stack.url], maxRetries: 0 });
}

/** Executors in a registry of the test's own, not the process-wide one. */
function rules(): RuleRegistry {
  const registry = new RuleRegistry();
  registry.registerExecutor(new CelExecutor());
  registry.registerExecutor(new CelFieldExecutor());
  registry.registerExecutor(new JsonataExecutor());
  return registry;
}

async function rejectsWith(promise: Promise<unknown>, status: number, errorCode: number, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof RestError, `expected a RestError, got ${String(err)}`);
    assert.equal(err.status, status);
    assert.equal(err.errorCode, errorCode);
    assert.equal(err.message, `${message}; Error code: ${errorCode}`);
    return true;
  });
}

const record = (name: string, fields: Array<{ name: string; type: string }>) => JSON.stringify({ type: 'record', name, namespace: 'com.example.contracts', fields });
const ORDER = record('Order', [
  { name: 'id', type: 'string' },
  { name: 'amount', type: 'int' },
]);

describe('confluent-js: metadata and rule sets', () => {
  test('register with metadata and a rule set; every read the client makes returns both, rules defaulted', async () => {
    const c = client();
    const info: SchemaInfo = {
      schemaType: 'AVRO',
      schema: ORDER,
      metadata: { properties: { owner: 'team-orders', 'app.version': '1' }, tags: { 'com.example.contracts.Order.id': ['PII'] } },
      ruleSet: { domainRules: [{ name: 'positive', kind: 'CONDITION', type: 'CEL', expr: 'message.amount > 0' } as Rule] },
    };
    const registered = await c.registerFullResponse('contracts-a-value', info, false);
    const id = registered.id!;
    assert.ok(id >= 1);
    // The server merged nothing, but the schema has a contract: it answers the whole schema.
    assert.equal(registered.version, 1);
    assert.deepEqual(registered.metadata?.properties, { 'app.version': '1', owner: 'team-orders' });

    const latest = await client().getLatestSchemaMetadata('contracts-a-value');
    assert.deepEqual(latest.metadata, info.metadata);
    assert.deepEqual(latest.ruleSet?.domainRules, [
      { name: 'positive', kind: 'CONDITION', mode: 'WRITEREAD', type: 'CEL', expr: 'message.amount > 0', disabled: false },
    ]);
    const byId = await client().getBySubjectAndId('contracts-a-value', id);
    assert.deepEqual(byId.metadata, info.metadata);
    assert.equal(byId.ruleSet?.domainRules?.[0].mode, 'WRITEREAD');
    const withMetadata = await client().getLatestWithMetadata('contracts-a-value', { owner: 'team-orders' });
    assert.equal(withMetadata.id, id);

    // Posting back what the registry returned finds the same version (idempotent identity).
    assert.equal(await client().getVersion('contracts-a-value', byId, false, true), 1);
    // The same text without metadata inherits it: same id, no new version.
    assert.equal(await client().register('contracts-a-value', { schemaType: 'AVRO', schema: ORDER }, false), id);
    assert.deepEqual(await client().getAllVersions('contracts-a-value'), [1]);
    // Other metadata is another schema: a new id and version.
    const other = await client().register('contracts-a-value', { schemaType: 'AVRO', schema: ORDER, metadata: { properties: { owner: 'team-b' } } }, false);
    assert.notEqual(other, id);
    assert.deepEqual(await client().getAllVersions('contracts-a-value'), [1, 2]);
    await c.close();
  });

  test('useLatestWithMetadata: the serializer writes with the version carrying the metadata, the deserializer reads with it', async () => {
    const v1 = record('Gadget', [{ name: 'name', type: 'string' }]);
    const v2 = record('Gadget', [
      { name: 'name', type: 'string' },
      { name: 'color', type: 'string' },
    ]);
    const c = client();
    await c.updateConfig('gadgets-value', { compatibility: 'NONE' } as never);
    const id1 = await c.register('gadgets-value', { schemaType: 'AVRO', schema: v1, metadata: { properties: { release: 'stable' } } }, false);
    const id2 = await c.register('gadgets-value', { schemaType: 'AVRO', schema: v2, metadata: { properties: { release: 'beta' } } }, false);
    const serializer = new AvroSerializer(client(), SerdeType.VALUE, { useLatestWithMetadata: { release: 'stable' } });
    const bytes = await serializer.serialize('gadgets', { name: 'lamp' });
    assert.equal(bytes.readInt32BE(1), id1, 'written with the stable version, not the latest');
    const beta = await new AvroSerializer(client(), SerdeType.VALUE, { useLatestWithMetadata: { release: 'beta' } }).serialize('gadgets', { name: 'lamp', color: 'red' });
    assert.equal(beta.readInt32BE(1), id2);
    const deserializer = new AvroDeserializer(client(), SerdeType.VALUE, { useLatestWithMetadata: { release: 'stable' } });
    assert.deepEqual({ ...(await deserializer.deserialize('gadgets', bytes)) }, { name: 'lamp' });
    // Metadata no version carries: the client sees Confluent's 40403.
    await rejectsWith(client().getLatestWithMetadata('gadgets-value', { release: 'nightly' }), 404, 40403, 'Schema not found');
    await rejectsWith(client().getLatestWithMetadata('no-such-value', { release: 'stable' }), 404, 40401, "Subject 'no-such-value' not found.");
    await c.close();
  });
});

describe('confluent-js: rules run by the client from the rule set the registry returns', () => {
  test('a CEL domain rule (CONDITION, WRITE) lets a good message through and rejects a bad one', async () => {
    await client().register(
      'payments-value',
      {
        schemaType: 'AVRO',
        schema: ORDER,
        ruleSet: { domainRules: [{ name: 'positiveAmount', kind: 'CONDITION', mode: RuleMode.WRITE, type: 'CEL', expr: 'message.amount > 0' }] },
      },
      false,
    );
    const serializer = new AvroSerializer(client(), SerdeType.VALUE, { useLatestVersion: true }, rules());
    const good = await serializer.serialize('payments', { id: 'p1', amount: 5 });
    assert.deepEqual({ ...(await new AvroDeserializer(client(), SerdeType.VALUE, {}, rules()).deserialize('payments', good)) }, { id: 'p1', amount: 5 });
    // The client's ERROR action (the default onFailure) fails the write, naming the rule.
    await assert.rejects(serializer.serialize('payments', { id: 'p2', amount: -3 }), /rule positiveAmount failed: Expr failed: 'message.amount > 0'/);
  });

  test('a CEL_FIELD transform rewrites a field on write', async () => {
    await client().register(
      'greetings-value',
      {
        schemaType: 'AVRO',
        schema: record('Greeting', [{ name: 'text', type: 'string' }]),
        ruleSet: { domainRules: [{ name: 'suffix', kind: 'TRANSFORM', mode: RuleMode.WRITE, type: 'CEL_FIELD', expr: "name == 'text' ; value + '!'" }] },
      },
      false,
    );
    const bytes = await new AvroSerializer(client(), SerdeType.VALUE, { useLatestVersion: true }, rules()).serialize('greetings', { text: 'hi' });
    assert.deepEqual({ ...(await new AvroDeserializer(client(), SerdeType.VALUE, {}, rules()).deserialize('greetings', bytes)) }, { text: 'hi!' });
  });

  test('a JSONata migration across a compatibilityGroup major version: a new consumer reads an old message, transformed', async () => {
    const c = client();
    await c.updateConfig('widgets-value', { compatibilityGroup: 'major_version' } as never);
    assert.equal((await c.getConfig('widgets-value')).compatibilityGroup, 'major_version');
    const v1 = record('Widget', [
      { name: 'name', type: 'string' },
      { name: 'size', type: 'int' },
    ]);
    const v2 = record('Widget', [
      { name: 'name', type: 'string' },
      { name: 'height', type: 'int' },
    ]);
    await c.register('widgets-value', { schemaType: 'AVRO', schema: v1, metadata: { properties: { major_version: '1' } } }, false);
    // The rename breaks BACKWARD within major version 1 …
    await assert.rejects(c.register('widgets-value', { schemaType: 'AVRO', schema: v2, metadata: { properties: { major_version: '1' } } }, false), (err: unknown) => {
      assert.ok(err instanceof RestError);
      assert.equal(err.status, 409);
      assert.match(err.message, /^Schema being registered is incompatible with an earlier schema for subject "widgets-value"/);
      return true;
    });
    // … and starts a new compatibility line as major version 2, with migration rules both ways.
    const upgrade = "$merge([$sift($, function($v, $k) {$k != 'size'}), {'height': $.'size'}])";
    const downgrade = "$merge([$sift($, function($v, $k) {$k != 'height'}), {'size': $.'height'}])";
    await c.register(
      'widgets-value',
      {
        schemaType: 'AVRO',
        schema: v2,
        metadata: { properties: { major_version: '2' } },
        ruleSet: {
          migrationRules: [
            { name: 'up', kind: 'TRANSFORM', mode: RuleMode.UPGRADE, type: 'JSONATA', expr: upgrade },
            { name: 'down', kind: 'TRANSFORM', mode: RuleMode.DOWNGRADE, type: 'JSONATA', expr: downgrade },
          ],
        },
      },
      false,
    );
    // An old producer writes major version 1.
    const old = await new AvroSerializer(client(), SerdeType.VALUE, { useLatestWithMetadata: { major_version: '1' } }, rules()).serialize('widgets', { name: 'w', size: 7 });
    // A new consumer reads it as major version 2: the UPGRADE rule renames the field.
    const upgraded = await new AvroDeserializer(client(), SerdeType.VALUE, { useLatestWithMetadata: { major_version: '2' } }, rules()).deserialize('widgets', old);
    assert.deepEqual({ ...upgraded }, { name: 'w', height: 7 });
    // And the other way: an old consumer reads a new message, downgraded.
    const fresh = await new AvroSerializer(client(), SerdeType.VALUE, { useLatestWithMetadata: { major_version: '2' } }, rules()).serialize('widgets', { name: 'n', height: 9 });
    const downgraded = await new AvroDeserializer(client(), SerdeType.VALUE, { useLatestWithMetadata: { major_version: '1' } }, rules()).deserialize('widgets', fresh);
    assert.deepEqual({ ...downgraded }, { name: 'n', size: 9 });
    await c.close();
  });
});

describe('confluent-js: config defaults and overrides', () => {
  test('updateConfig stores them, getConfig returns them, and registrations merge them (defaults under, overrides over)', async () => {
    const c = client();
    const stored = await c.updateConfig('policies-value', {
      defaultMetadata: { properties: { owner: 'platform', tier: 'bronze' } },
      overrideMetadata: { properties: { classification: 'internal' } },
      defaultRuleSet: { domainRules: [{ name: 'notEmpty', kind: 'CONDITION', mode: RuleMode.WRITE, type: 'CEL', expr: "message.id != ''" }] },
    } as never);
    assert.deepEqual((stored as { defaultMetadata?: unknown }).defaultMetadata, { properties: { owner: 'platform', tier: 'bronze' } });
    const config = await c.getConfig('policies-value');
    assert.equal(config.compatibilityLevel, 'BACKWARD');
    assert.deepEqual(config.overrideMetadata, { properties: { classification: 'internal' } });
    assert.equal(config.defaultRuleSet?.domainRules?.[0].name, 'notEmpty');

    const response = await c.registerFullResponse(
      'policies-value',
      { schemaType: 'AVRO', schema: ORDER, metadata: { properties: { owner: 'me', classification: 'public' } } },
      false,
    );
    // The request beats the default, the override beats the request.
    assert.deepEqual(response.metadata?.properties, { classification: 'internal', owner: 'me', tier: 'bronze' });
    assert.deepEqual(response.ruleSet?.domainRules?.map((r) => r.name), ['notEmpty']);
    // The merged rule set runs in the client.
    const serializer = new AvroSerializer(client(), SerdeType.VALUE, { useLatestVersion: true }, rules());
    await serializer.serialize('policies', { id: 'x', amount: 1 });
    await assert.rejects(serializer.serialize('policies', { id: '', amount: 1 }));
    await c.close();
  });
});

describe('confluent-js: data-contract errors as the client sees them (confluent-data-contracts.md §2.1)', () => {
  const base = { schemaType: 'AVRO', schema: ORDER };
  const rule = (fields: Partial<Rule>) => ({ name: 'r', kind: 'CONDITION', mode: RuleMode.WRITE, type: 'CEL', expr: 'true', ...fields }) as Rule;
  const cases: Array<{ title: string; ruleSet: SchemaInfo['ruleSet']; message: string }> = [
    { title: 'no name', ruleSet: { domainRules: [rule({ name: undefined })] }, message: 'Missing rule name' },
    { title: 'empty name', ruleSet: { domainRules: [rule({ name: '' })] }, message: 'Empty rule name' },
    { title: 'name too long', ruleSet: { domainRules: [rule({ name: 'a'.repeat(257) })] }, message: 'Rule name too long' },
    { title: 'bad initial character', ruleSet: { domainRules: [rule({ name: '1rule' })] }, message: 'Illegal initial character in rule name: 1rule' },
    { title: 'bad character', ruleSet: { domainRules: [rule({ name: 'a.b' })] }, message: 'Illegal character in rule name: a.b' },
    { title: 'no type', ruleSet: { domainRules: [rule({ type: undefined })] }, message: 'Missing rule type' },
    { title: 'two actions with WRITE', ruleSet: { domainRules: [rule({ onFailure: 'ERROR,NONE' })] }, message: 'Multiple actions only valid with WRITEREAD and UPDOWN' },
    { title: 'duplicate names', ruleSet: { domainRules: [rule({}), rule({})] }, message: "Found rule with duplicate name 'r'" },
    {
      title: 'a migration rule with a domain mode',
      ruleSet: { migrationRules: [rule({ kind: 'TRANSFORM', mode: RuleMode.WRITE, type: 'JSONATA' })] },
      message: 'Migration rules can only be UPGRADE, DOWNGRADE, UPDOWN',
    },
    { title: 'a domain rule with a migration mode', ruleSet: { domainRules: [rule({ mode: RuleMode.UPGRADE })] }, message: 'Domain rules can only be WRITE, READ, WRITEREAD' },
  ];
  for (const { title, ruleSet, message } of cases) {
    test(`register: ${title} → 422/42210`, async () => {
      await rejectsWith(client().register('errors-value', { ...base, ruleSet }, false), 422, 42210, message);
    });
  }
  test('updateConfig: an invalid defaultRuleSet → 422/42210, nothing stored', async () => {
    await rejectsWith(client().updateConfig('errors-value', { defaultRuleSet: { domainRules: [rule({ name: undefined })] } } as never), 422, 42210, 'Missing rule name');
    await rejectsWith(client().getConfig('errors-value'), 404, 40408, "Subject 'errors-value' does not have subject-level compatibility configured");
  });
  test('an unknown rule kind → 400 (Jackson cannot map the enum)', async () => {
    await assert.rejects(client().register('errors-value', { ...base, ruleSet: { domainRules: [rule({ kind: 'VALIDATE' })] } }, false), (err: unknown) => {
      assert.ok(err instanceof RestError);
      assert.equal(err.status, 400);
      assert.equal(err.errorCode, 400);
      return true;
    });
  });
});
