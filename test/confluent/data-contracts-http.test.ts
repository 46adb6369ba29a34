/**
 * Data contracts over HTTP, byte for byte, against the real stack: the worked sequence of
 * confluent-data-contracts.md §3.13 (steps 1–10), identity (§3.1), inheritance and the merge
 * with config defaults and overrides (§3.2, Confluent's testConfigMetadata /
 * testConfigRuleSet), lookups with and without metadata (§3.3), GET /subjects/{S}/metadata
 * (§3.4), the config fields and their null-clearing (§3.7), ruleType and format=resolved.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startStack, type Stack } from './support.js';

let stack: Stack;
const req = (method: string, path: string, body?: unknown) => call(stack.url, method, path, { body });

before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.close();
});

interface Step {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly status: number;
  /** The exact body text, or a check of the parsed body. */
  readonly text?: string;
  readonly json?: unknown;
}

async function run(steps: readonly Step[]): Promise<void> {
  for (const s of steps) {
    const r = await req(s.method, s.path, s.body);
    const where = `${s.method} ${s.path} ${JSON.stringify(s.body ?? null)}`;
    assert.equal(r.status, s.status, `${where}: ${r.text}`);
    if (s.text !== undefined) assert.equal(r.text, s.text, where);
    if (s.json !== undefined) assert.deepEqual(r.json(), s.json, where);
  }
}

const A = JSON.stringify({ type: 'record', name: 'W', fields: [{ name: 'name', type: 'string' }, { name: 'size', type: 'int' }] });
const B = JSON.stringify({ type: 'record', name: 'W', fields: [{ name: 'name', type: 'string' }, { name: 'height', type: 'int' }] });
const q = (s: string) => JSON.stringify(s);

describe('confluent-data-contracts.md §3.13 worked sequence, steps 1–10', () => {
  test('compatibilityGroup, metadata, migration rules, inheritance, latest-with-metadata, 42210', async () => {
    const up = '{"name":"up","kind":"TRANSFORM","mode":"UPGRADE","type":"JSONATA","expr":"$","disabled":false}';
    await run([
      { method: 'PUT', path: '/config/w-value', body: { compatibilityGroup: 'major_version' }, status: 200, text: '{"compatibilityGroup":"major_version"}' },
      { method: 'GET', path: '/config/w-value', status: 200, text: '{"compatibilityLevel":"BACKWARD","compatibilityGroup":"major_version"}' },
      {
        method: 'POST',
        path: '/subjects/w-value/versions',
        body: { schema: A, metadata: { properties: { major_version: '1' } } },
        status: 200,
        text: `{"id":1,"version":1,"metadata":{"properties":{"major_version":"1"}},"schema":${q(A)}}`,
      },
      { method: 'POST', path: '/subjects/w-value/versions', body: { schema: B, metadata: { properties: { major_version: '1' } } }, status: 409 },
      {
        method: 'POST',
        path: '/subjects/w-value/versions',
        body: { schema: B, metadata: { properties: { major_version: '2' } }, ruleSet: { migrationRules: [{ name: 'up', kind: 'TRANSFORM', mode: 'UPGRADE', type: 'JSONATA', expr: '$' }] } },
        status: 200,
        text: `{"id":2,"version":2,"metadata":{"properties":{"major_version":"2"}},"ruleSet":{"migrationRules":[${up}]},"schema":${q(B)}}`,
      },
      // Inherits version 2's metadata and rules: no new version.
      {
        method: 'POST',
        path: '/subjects/w-value/versions',
        body: { schema: B },
        status: 200,
        text: `{"id":2,"version":2,"metadata":{"properties":{"major_version":"2"}},"ruleSet":{"migrationRules":[${up}]},"schema":${q(B)}}`,
      },
      { method: 'GET', path: '/subjects/w-value/versions', status: 200, text: '[1,2]' },
      {
        method: 'GET',
        path: '/subjects/w-value/metadata?key=major_version&value=1',
        status: 200,
        text: `{"subject":"w-value","version":1,"id":1,"metadata":{"properties":{"major_version":"1"}},"schema":${q(A)}}`,
      },
      { method: 'GET', path: '/subjects/w-value/metadata?key=major_version&value=3', status: 404, text: '{"error_code":40403,"message":"Schema not found"}' },
      {
        method: 'GET',
        path: '/schemas/ids/2',
        status: 200,
        text: `{"schema":${q(B)},"metadata":{"properties":{"major_version":"2"}},"ruleSet":{"migrationRules":[${up}]}}`,
      },
      {
        method: 'POST',
        path: '/subjects/w-value/versions',
        body: { schema: A, ruleSet: { domainRules: [{ kind: 'CONDITION', type: 'CEL', expr: 'true' }] } },
        status: 422,
        text: '{"error_code":42210,"message":"Missing rule name"}',
      },
    ]);
  });
});

describe('identity (§3.1)', () => {
  test('metadata and rule sets are part of a schema: other metadata is a new id, {} is not "none", property order is not', async () => {
    const X = JSON.stringify({ type: 'record', name: 'Idn', fields: [{ name: 'a', type: 'int' }] });
    const id = async (body: unknown) => (await req('POST', '/subjects/idn/versions', body)).json() as { id: number; version?: number };
    const plain = await id({ schema: X });
    assert.equal((await req('PUT', '/config/idn', { compatibility: 'NONE' })).status, 200);
    const empty = await id({ schema: X, metadata: {} });
    assert.notEqual(empty.id, plain.id);
    const ab = await id({ schema: X, metadata: { properties: { a: '1', b: '2' } } });
    const ba = await id({ schema: X, metadata: { properties: { b: '2', a: '1' } } });
    assert.equal(ba.id, ab.id);
    const rules = await id({ schema: X, ruleSet: { domainRules: [{ name: 'r', type: 'CEL', expr: 'true' }] } });
    // Defaults are filled before comparing: the same rule with kind and mode spelt out matches.
    const spelt = await id({ schema: X, ruleSet: { domainRules: [{ name: 'r', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'CEL', expr: 'true', disabled: false }] } });
    assert.equal(spelt.id, rules.id);
    assert.deepEqual((await req('GET', '/subjects/idn/versions')).json(), [1, 2, 3, 4]);
    // The same text and metadata in another subject shares the id.
    const elsewhere = (await req('POST', '/subjects/idn-2/versions', { schema: X, metadata: { properties: { a: '1', b: '2' } } })).json() as { id: number };
    assert.equal(elsewhere.id, ab.id);
  });
});

describe('inheritance and config defaults/overrides (§3.2)', () => {
  const C = JSON.stringify({ type: 'record', name: 'Cfg', fields: [{ name: 'a', type: 'int' }] });
  const C2 = JSON.stringify({ type: 'record', name: 'Cfg', fields: [{ name: 'a', type: 'int' }, { name: 'b', type: ['null', 'int'], default: null }] });
  const C3 = JSON.stringify({ type: 'record', name: 'Cfg', fields: [{ name: 'a', type: 'int' }, { name: 'c', type: ['null', 'int'], default: null }] });

  test('testConfigMetadata: default + request, then inherited, then replaced (the default stays)', async () => {
    await run([{ method: 'PUT', path: '/config/cfg-md', body: { defaultMetadata: { properties: { configKey: 'configValue' } } }, status: 200 }]);
    const meta = async (body: unknown) => ((await req('POST', '/subjects/cfg-md/versions', body)).json() as { metadata?: unknown }).metadata;
    assert.deepEqual(await meta({ schema: C, metadata: { properties: { subjectKey: 'subjectValue' } } }), { properties: { configKey: 'configValue', subjectKey: 'subjectValue' } });
    assert.deepEqual(await meta({ schema: C2 }), { properties: { configKey: 'configValue', subjectKey: 'subjectValue' } });
    assert.deepEqual(await meta({ schema: C3, metadata: { properties: { newSubjectKey: 'newSubjectValue' } } }), { properties: { configKey: 'configValue', newSubjectKey: 'newSubjectValue' } });
  });

  test('testConfigRuleSet: default [foo] + request [bar], inherited, then [zap] replaces bar', async () => {
    const rule = (name: string) => ({ name, kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr: 'true' });
    await run([{ method: 'PUT', path: '/config/cfg-rs', body: { defaultRuleSet: { domainRules: [rule('foo')] } }, status: 200 }]);
    const names = async (body: unknown) => (((await req('POST', '/subjects/cfg-rs/versions', body)).json() as { ruleSet: { domainRules: { name: string }[] } }).ruleSet.domainRules.map((r) => r.name));
    assert.deepEqual(await names({ schema: C, ruleSet: { domainRules: [rule('bar')] } }), ['foo', 'bar']);
    assert.deepEqual(await names({ schema: C2 }), ['foo', 'bar']);
    assert.deepEqual(await names({ schema: C3, ruleSet: { domainRules: [rule('zap')] } }), ['foo', 'zap']);
  });

  test('overrides beat the request, the request beats defaults; tags replace per key, sensitive unions', async () => {
    await run([
      {
        method: 'PUT',
        path: '/config/cfg-ov',
        body: {
          defaultMetadata: { properties: { owner: 'platform' }, tags: { 'Cfg.a': ['X'] }, sensitive: ['owner'] },
          overrideMetadata: { properties: { class: 'internal' } },
        },
        status: 200,
      },
      {
        method: 'POST',
        path: '/subjects/cfg-ov/versions',
        body: { schema: C, metadata: { properties: { owner: 'me', class: 'public' }, tags: { 'Cfg.a': ['PII'] }, sensitive: ['class'] } },
        status: 200,
      },
    ]);
    const latest = (await req('GET', '/subjects/cfg-ov/versions/latest')).json() as { metadata: unknown };
    assert.deepEqual(latest.metadata, { tags: { 'Cfg.a': ['PII'] }, properties: { class: 'internal', owner: 'me' }, sensitive: ['class', 'owner'] });
  });

  test('an empty schema reuses the previous version to attach new metadata; a subject without versions answers 42201', async () => {
    await run([
      { method: 'POST', path: '/subjects/cfg-empty/versions', body: { schema: '' }, status: 422, text: '{"error_code":42201,"message":"Empty schema"}' },
      { method: 'POST', path: '/subjects/cfg-empty/versions', body: { schema: C }, status: 200 },
      { method: 'POST', path: '/subjects/cfg-empty/versions', body: { schema: '', metadata: { properties: { k: 'v' } } }, status: 200 },
      { method: 'GET', path: '/subjects/cfg-empty/versions', status: 200, text: '[1,2]' },
    ]);
    const v2 = (await req('GET', '/subjects/cfg-empty/versions/2')).json() as { schema: string; metadata: unknown };
    assert.equal(v2.schema, C);
    assert.deepEqual(v2.metadata, { properties: { k: 'v' } });
  });
});

describe('lookup (§3.3) and latest-with-metadata (§3.4)', () => {
  const L = JSON.stringify({ type: 'record', name: 'Lk', fields: [{ name: 'a', type: 'int' }] });

  test('a bare schema finds the version registered with metadata (inheritance pass); other metadata does not', async () => {
    await run([{ method: 'POST', path: '/subjects/lk/versions', body: { schema: L, metadata: { properties: { owner: 'o' } } }, status: 200 }]);
    const bare = await req('POST', '/subjects/lk', { schema: L });
    assert.equal(bare.status, 200, bare.text);
    assert.equal(bare.text, `{"subject":"lk","version":1,"id":${(bare.json() as { id: number }).id},"metadata":{"properties":{"owner":"o"}},"schema":${q(L)}}`);
    await run([
      { method: 'POST', path: '/subjects/lk', body: { schema: L, metadata: { properties: { owner: 'o' } } }, status: 200 },
      { method: 'POST', path: '/subjects/lk', body: { schema: L, metadata: { properties: { owner: 'x' } } }, status: 404, text: '{"error_code":40403,"message":"Schema not found"}' },
    ]);
  });

  test('GET /subjects/{S}/metadata: the JS client\'s doubled &, several pairs, deleted versions, 40401 / 40403', async () => {
    const M1 = JSON.stringify({ type: 'record', name: 'Md', fields: [{ name: 'a', type: 'int' }] });
    const M2 = JSON.stringify({ type: 'record', name: 'Md', fields: [{ name: 'a', type: 'int' }, { name: 'b', type: ['null', 'int'], default: null }] });
    await run([
      { method: 'POST', path: '/subjects/md/versions', body: { schema: M1, metadata: { properties: { env: 'prod', team: 'a' } } }, status: 200 },
      { method: 'POST', path: '/subjects/md/versions', body: { schema: M2, metadata: { properties: { env: 'prod', team: 'b' } } }, status: 200 },
    ]);
    const version = async (path: string) => (await req('GET', path)).json() as { version?: number; error_code?: number };
    assert.equal((await version('/subjects/md/metadata?deleted=false&&key=env&value=prod')).version, 2);
    assert.equal((await version('/subjects/md/metadata?key=env&value=prod&key=team&value=a')).version, 1);
    // No pairs: the newest version with any metadata.
    assert.equal((await version('/subjects/md/metadata')).version, 2);
    await run([{ method: 'DELETE', path: '/subjects/md/versions/1', status: 200 }]);
    assert.equal((await version('/subjects/md/metadata?key=team&value=a')).error_code, 40403);
    assert.equal((await version('/subjects/md/metadata?deleted=true&&key=team&value=a')).version, 1);
    await run([{ method: 'GET', path: '/subjects/md-none/metadata?key=a&value=b', status: 404, text: '{"error_code":40401,"message":"Subject \'md-none\' not found."}' }]);
  });
});

describe('config fields (§3.7)', () => {
  test('PUT answers the stored config in request shape, GET in Config shape and order, null clears a field', async () => {
    await run([
      {
        method: 'PUT',
        path: '/config/cf',
        body: { alias: 'cf-other', normalize: true, validateFields: true, validateRules: false, compatibility: 'full', compatibilityGroup: 'g' },
        status: 200,
        text: '{"alias":"cf-other","normalize":true,"validateFields":true,"validateRules":false,"compatibility":"FULL","compatibilityGroup":"g"}',
      },
      {
        method: 'GET',
        path: '/config/cf',
        status: 200,
        text: '{"alias":"cf-other","normalize":true,"validateFields":true,"validateRules":false,"compatibilityLevel":"FULL","compatibilityGroup":"g"}',
      },
      { method: 'PUT', path: '/config/cf', body: { alias: null, compatibilityGroup: null, validateRules: null }, status: 200, text: '{"normalize":true,"validateFields":true,"compatibility":"FULL"}' },
      { method: 'PUT', path: '/config/cf', body: { defaultRuleSet: { domainRules: [{ name: 'r', type: 'CEL' }] } }, status: 200 },
      {
        method: 'GET',
        path: '/config/cf',
        status: 200,
        text: '{"normalize":true,"validateFields":true,"compatibilityLevel":"FULL","defaultRuleSet":{"domainRules":[{"name":"r","kind":"TRANSFORM","mode":"WRITEREAD","type":"CEL","disabled":false}]}}',
      },
      { method: 'PUT', path: '/config/cf', body: { defaultRuleSet: null }, status: 200, text: '{"normalize":true,"validateFields":true,"compatibility":"FULL"}' },
      { method: 'PUT', path: '/config/cf', body: { overrideRuleSet: { migrationRules: [{ name: 'm', type: 'JSONATA', mode: 'WRITE' }] } }, status: 422, text: '{"error_code":42210,"message":"Migration rules can only be UPGRADE, DOWNGRADE, UPDOWN"}' },
      // 42203 before 42210 (§2.2 G5).
      { method: 'PUT', path: '/config/cf', body: { compatibility: 'nope', defaultRuleSet: { domainRules: [{}] } }, status: 422, json: { error_code: 42203, message: 'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive' } },
      { method: 'PUT', path: '/config/cf', body: { validateFields: 'maybe' }, status: 400 },
      { method: 'DELETE', path: '/config/cf', status: 200 },
      { method: 'GET', path: '/config/cf', status: 404 },
    ]);
  });

  test('the config in scope is the subject\'s whole config: a subject config without a group has none', async () => {
    const G1 = JSON.stringify({ type: 'record', name: 'Grp', fields: [{ name: 'a', type: 'int' }] });
    const G2 = JSON.stringify({ type: 'record', name: 'Grp', fields: [{ name: 'b', type: 'int' }] });
    await run([
      { method: 'PUT', path: '/config', body: { compatibilityGroup: 'major' }, status: 200 },
      { method: 'POST', path: '/subjects/grp-global/versions', body: { schema: G1, metadata: { properties: { major: '1' } } }, status: 200 },
      // The global group applies: a new major starts a new line.
      { method: 'POST', path: '/subjects/grp-global/versions', body: { schema: G2, metadata: { properties: { major: '2' } } }, status: 200 },
      { method: 'PUT', path: '/config/grp-own', body: { normalize: false }, status: 200 },
      { method: 'POST', path: '/subjects/grp-own/versions', body: { schema: G1, metadata: { properties: { major: '1' } } }, status: 200 },
      // The subject's own config has no group: checked against version 1 and refused.
      { method: 'POST', path: '/subjects/grp-own/versions', body: { schema: G2, metadata: { properties: { major: '2' } } }, status: 409 },
      // The compatibility endpoint uses the request's metadata alone.
      { method: 'POST', path: '/compatibility/subjects/grp-global/versions', body: { schema: G1, metadata: { properties: { major: '1' } } }, status: 200, text: '{"is_compatible":true}' },
      { method: 'POST', path: '/compatibility/subjects/grp-global/versions', body: { schema: G2, metadata: { properties: { major: '1' } } }, status: 200, text: '{"is_compatible":false}' },
      { method: 'PUT', path: '/config', body: { compatibilityGroup: null }, status: 200, text: '{}' },
    ]);
  });
});

describe('GET /schemas?ruleType and format=resolved (§1.3, §3.9)', () => {
  test('ruleType lists only versions with a rule of that type', async () => {
    const R = JSON.stringify({ type: 'record', name: 'Rt', fields: [{ name: 'a', type: 'int' }] });
    await run([{ method: 'POST', path: '/subjects/rt/versions', body: { schema: R, ruleSet: { domainRules: [{ name: 'c', type: 'CEL_FIELD', expr: 'x' }] } }, status: 200 }]);
    assert.deepEqual(((await req('GET', '/schemas?subjectPrefix=rt&ruleType=CEL_FIELD')).json() as { subject: string }[]).map((s) => s.subject), ['rt']);
    assert.equal((await req('GET', '/schemas?subjectPrefix=rt&ruleType=JSONATA')).text, '[]');
  });

  test('format=resolved inlines Avro references; the references are still listed', async () => {
    const base = JSON.stringify({ type: 'record', name: 'RsBase', fields: [{ name: 'x', type: 'int' }] });
    const user = JSON.stringify({ type: 'record', name: 'RsUser', fields: [{ name: 'b', type: 'RsBase' }] });
    await run([{ method: 'POST', path: '/subjects/rs-base/versions', body: { schema: base }, status: 200 }]);
    const reg = await req('POST', '/subjects/rs-user/versions', { schema: user, references: [{ name: 'RsBase', subject: 'rs-base', version: 1 }] });
    const id = (reg.json() as { id: number }).id;
    const inlined = JSON.stringify({ type: 'record', name: 'RsUser', fields: [{ name: 'b', type: { type: 'record', name: 'RsBase', fields: [{ name: 'x', type: 'int' }] } }] });
    const resolved = (await req('GET', '/subjects/rs-user/versions/1?format=resolved')).json() as { schema: string; references: unknown[] };
    assert.equal(resolved.schema, inlined);
    assert.equal(resolved.references.length, 1);
    assert.equal(((await req('GET', `/schemas/ids/${id}?format=resolved`)).json() as { schema: string }).schema, inlined);
    assert.equal((await req('GET', `/schemas/ids/${id}/schema?format=resolved`)).text, inlined);
    assert.equal(((await req('GET', '/subjects/rs-user/versions/1')).json() as { schema: string }).schema, user);
  });
});

describe('schema tags on Avro schemas (§3.8)', () => {
  test('schemaTagsToAdd / schemaTagsToRemove edit the text (a new version), propagateSchemaTags copies, findTags lists', async () => {
    const S = JSON.stringify({ type: 'record', name: 'myrecord', fields: [{ name: 'f1', type: 'string' }] });
    const tagged = JSON.stringify({ type: 'record', name: 'myrecord', fields: [{ name: 'f1', type: 'string' }], 'confluent:tags': ['TAG1', 'TAG2'] });
    const record = { schemaEntity: { entityPath: 'myrecord', entityType: 'sr_record' }, tags: ['TAG1', 'TAG2'] };
    await run([
      { method: 'POST', path: '/subjects/tg/versions', body: { schema: S }, status: 200 },
      // Confluent's testRegisterSchemaTagsBasic, but for the confluent:version property (known-differences.json).
      { method: 'POST', path: '/subjects/tg/versions', body: { schema: S, schemaTagsToAdd: [record] }, status: 200 },
      { method: 'GET', path: '/subjects/tg/versions', status: 200, text: '[1,2]' },
      { method: 'GET', path: '/subjects/tg/versions/2/schema', status: 200, text: tagged },
      {
        method: 'POST',
        path: '/subjects/tg/versions',
        body: { schema: S, schemaTagsToAdd: [{ schemaEntity: { entityPath: 'myrecord.nope', entityType: 'sr_field' }, tags: ['X'] }] },
        status: 422,
        text: '{"error_code":42201,"message":"Invalid schema tag entity: no sr_field \'myrecord.nope\' in the schema"}',
      },
    ]);
    const S2 = JSON.stringify({ type: 'record', name: 'myrecord', fields: [{ name: 'f1', type: 'string' }, { name: 'f2', type: ['null', 'int'], default: null }] });
    const r = await req('POST', '/subjects/tg/versions', {
      schema: S2,
      propagateSchemaTags: true,
      schemaTagsToAdd: [{ schemaEntity: { entityPath: '.myrecord.f1', entityType: 'sr_field' }, tags: ['PII'] }],
      schemaTagsToRemove: [{ schemaEntity: { entityPath: 'myrecord', entityType: 'sr_record' }, tags: ['TAG2'] }],
    });
    assert.equal(r.status, 200, r.text);
    const v3 = JSON.parse((r.json() as { schema: string }).schema) as { 'confluent:tags': string[]; fields: Array<{ 'confluent:tags'?: string[] }> };
    assert.deepEqual(v3['confluent:tags'], ['TAG1']);
    assert.deepEqual(v3.fields[0]['confluent:tags'], ['PII']);
    const f1 = { schemaEntity: { entityPath: 'myrecord.f1', entityType: 'sr_field' }, tags: ['PII'] };
    assert.deepEqual((await req('GET', '/subjects/tg/versions/3?findTags=PII')).json(), { ...((await req('GET', '/subjects/tg/versions/3')).json() as object), schemaTags: [f1] });
    assert.deepEqual(((await req('GET', '/subjects/tg/versions/3?findTags=*')).json() as { schemaTags: unknown }).schemaTags, [
      { schemaEntity: { entityPath: 'myrecord', entityType: 'sr_record' }, tags: ['TAG1'] },
      f1,
    ]);
    const id = (r.json() as { id: number }).id;
    assert.deepEqual(((await req('GET', `/schemas/ids/${id}?findTags=TAG1&findTags=PII`)).json() as { schemaTags: unknown[] }).schemaTags.length, 2);
    assert.ok(!('schemaTags' in ((await req('GET', '/subjects/tg/versions/3?findTags=NONE')).json() as object)));
  });
});

describe('POST /subjects/{S}/versions/{V}/tags (§1.2 S11, §3.8)', () => {
  test('a new version from V with tags, metadata and merged rules; the check order of S11', async () => {
    const S = JSON.stringify({ type: 'record', name: 'tv', fields: [{ name: 'f1', type: 'string' }] });
    const rule = (name: string, mode = 'WRITE') => ({ name, type: 'CEL', mode });
    await run([{ method: 'POST', path: '/subjects/tv/versions', body: { schema: S, ruleSet: { domainRules: [rule('a'), rule('b')] } }, status: 200 }]);
    const v2 = await req('POST', '/subjects/tv/versions/1/tags', {
      tagsToAdd: [{ schemaEntity: { entityPath: 'tv.f1', entityType: 'sr_field' }, tags: ['PII'] }],
      metadata: { properties: { k: 'v' } },
    });
    assert.equal(v2.status, 200, v2.text);
    const body2 = v2.json() as { version: number; metadata: unknown; ruleSet: { domainRules: { name: string }[] }; schema: string };
    assert.equal(body2.version, 2);
    assert.deepEqual(body2.metadata, { properties: { k: 'v' } });
    // No rule set in the request: inherited, as on registration.
    assert.deepEqual(body2.ruleSet.domainRules.map((r) => r.name), ['a', 'b']);
    assert.equal(body2.schema, JSON.stringify({ type: 'record', name: 'tv', fields: [{ name: 'f1', type: 'string', 'confluent:tags': ['PII'] }] }));
    const v3 = (await req('POST', '/subjects/tv/versions/latest/tags', { newVersion: 3, rulesToMerge: { domainRules: [rule('c', 'READ')] }, rulesToRemove: ['a'] })).json() as {
      version: number;
      metadata: unknown;
      ruleSet: { domainRules: { name: string }[] };
    };
    assert.equal(v3.version, 3);
    assert.deepEqual(v3.metadata, { properties: { k: 'v' } });
    assert.deepEqual(v3.ruleSet.domainRules.map((r) => r.name), ['b', 'c']);
    await run([
      { method: 'POST', path: '/subjects/tv/versions/latest/tags', body: { newVersion: 9 }, status: 422, text: '{"error_code":42201,"message":"Version is not one more than previous version"}' },
      { method: 'POST', path: '/subjects/tv/versions/latest/tags', body: { ruleSet: {}, rulesToRemove: ['a'] }, status: 422, text: '{"error_code":42210,"message":"ruleSet should be omitted if specifying rulesToMerge or rulesToRemove"}' },
      { method: 'POST', path: '/subjects/tv/versions/latest/tags', body: { rulesToMerge: { domainRules: [{ type: 'CEL' }] } }, status: 422, text: '{"error_code":42210,"message":"Missing rule name"}' },
      { method: 'POST', path: '/subjects/tv/versions/abc/tags', body: {}, status: 422, json: { error_code: 42202, message: 'The specified version \'abc\' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"' } },
      { method: 'POST', path: '/subjects/tv/versions/7/tags', body: {}, status: 404, text: '{"error_code":40402,"message":"Version 7 not found."}' },
      { method: 'POST', path: '/subjects/tv-none/versions/1/tags', body: {}, status: 404, text: '{"error_code":40401,"message":"Subject \'tv-none\' not found."}' },
      { method: 'GET', path: '/subjects/tv/versions', status: 200, text: '[1,2,3]' },
    ]);
  });
});
