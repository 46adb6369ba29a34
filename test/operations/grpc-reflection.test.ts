/**
 * Issue 16, item 4: gRPC server reflection on the passthrough listener. `buf curl` (a real
 * client we did not write) lists services and methods and calls the registry and the fixture
 * service with nothing but the gateway's address; a grpc-js reflection client pins the protocol
 * cases: every kind of symbol, files by name with their transitive dependencies named by their
 * import paths, error responses on a stream that goes on, v1alpha, the namespace header, and
 * the calls counted like other passthrough calls.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startFixtureServer } from '../support/fixture-server.js';
import { bufCurl, filesOf, reflect, type ReflectionVersion } from '../support/reflection-client.js';
import { useSuite } from '../support/use-suite.js';
import { FIXTURE_PROTO_FILE, sampleValue, startFromConfig, tempDir, writeConfig } from './support.js';

const REGISTRY = 'prism.patterns.registry.v1.Registry';
// The registry pattern's second service (DESIGN.md §8), served in the same process.
const DEK_REGISTRY = 'prism.patterns.registry.v1.DekRegistry';
const FIXTURE = 'prism.test.v1.EverythingService';
const REFLECTION = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];
const FIXTURE_FILE = 'prism/test/v1/everything.proto';
const REGISTRY_FILE = 'prism/patterns/registry/v1/registry.proto';

const suite = useSuite(async (scope) => {
  const dir = scope.own(tempDir('reflection'));
  const fixture = scope.own(await startFixtureServer());
  const configFile = writeConfig(dir.path, {
    backends: [{ name: 'mem', type: 'MEMSTORE' }],
    namespaces: [
      { name: 'reg', pattern: { embedded: 'patterns/registry', slots: { storage: 'mem' } }, frontends: [] },
      { name: 'fix', pattern: { target: fixture.address, protos: [FIXTURE_PROTO_FILE] }, frontends: [] },
      { name: 'closed', pattern: { target: fixture.address, protos: [FIXTURE_PROTO_FILE] }, frontends: [], grpcPassthrough: false },
    ],
  });
  const gateway = scope.own(await startFromConfig(configFile, join(dir.path, 'data')));
  return { gateway, url: `http://${gateway.grpcAddress!}` };
});

const lines = (text: string) => text.split('\n').filter(Boolean).sort();

describe('buf curl through reflection', () => {
  test('--list-services names every served service, the reflection services and health included', async () => {
    const out = await bufCurl(['--list-services', suite.url]);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(lines(out.stdout), ['grpc.health.v1.Health', ...REFLECTION, FIXTURE, REGISTRY, DEK_REGISTRY].sort());
  });

  test('--list-methods resolves every service through file_containing_symbol', async () => {
    const out = await bufCurl(['--list-methods', suite.url]);
    assert.equal(out.code, 0, out.stderr);
    const methods = lines(out.stdout);
    for (const m of [`${REGISTRY}/RegisterSchema`, `${REGISTRY}/WatchChanges`, `${FIXTURE}/Echo`, 'grpc.health.v1.Health/Check', 'grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo']) assert.ok(methods.includes(m), `${m} in ${methods.join(', ')}`);
  });

  test('a registry write and read through reflection, and a registry error with its details', async () => {
    const registered = await bufCurl(['-d', JSON.stringify({ subject: 'refl-value', schema: '{"type":"string"}' }), `${suite.url}/${REGISTRY}/RegisterSchema`]);
    assert.equal(registered.code, 0, registered.stderr);
    assert.deepEqual(JSON.parse(registered.stdout), { id: 1, version: 1 });
    const versions = await bufCurl(['-d', '{"subject":"refl-value"}', `${suite.url}/${REGISTRY}/ListSchemaVersions`]);
    assert.equal(versions.code, 0, versions.stderr);
    assert.deepEqual(JSON.parse(versions.stdout), { versions: [1] });
    const missing = await bufCurl(['-d', '{"subject":"nobody","version":"1"}', `${suite.url}/${REGISTRY}/GetSchemaVersion`]);
    assert.notEqual(missing.code, 0);
    const error = JSON.parse(missing.stderr) as { code: string; details: { type: string }[] };
    assert.equal(error.code, 'not_found');
    assert.equal(error.details[0].type, 'google.rpc.ErrorInfo', 'buf curl resolved google.rpc.ErrorInfo through reflection');
  });

  test('maps, a oneof, proto3 optional, int64, enums and well-known types survive the descriptors', async () => {
    const message = {
      fString: 'hi',
      fInt64: '9007199254740993',
      color: 'GREEN',
      rColor: ['RED'],
      mCounts: { a: 2 },
      mNested: { '7': { name: 'n', tags: ['t'] } },
      choiceNumber: 4,
      optInt32: 0,
      wString: 'w',
      ts: '2026-12-03T07:00:00Z',
      dur: '1.500s',
      attrs: { k: [1, 'x', null] },
    };
    const out = await bufCurl(['-d', JSON.stringify(message), `${suite.url}/${FIXTURE}/Echo`]);
    assert.equal(out.code, 0, out.stderr);
    // optInt32: 0 comes back only because the field's presence (proto3 optional) is described.
    assert.deepEqual(JSON.parse(out.stdout), message);
  });

  test('the older protocol (v1alpha) alone is enough', async () => {
    const out = await bufCurl(['--reflect-protocol', 'grpc-v1alpha', '--list-services', suite.url]);
    assert.equal(out.code, 0, out.stderr);
    assert.ok(lines(out.stdout).includes(REGISTRY));
  });

  test('with x-prism-namespace only that namespace is listed, and an unknown one is NOT_FOUND', async () => {
    const fix = await bufCurl(['--reflect-header', 'x-prism-namespace: fix', '--list-services', suite.url]);
    assert.equal(fix.code, 0, fix.stderr);
    assert.deepEqual(lines(fix.stdout), [...REFLECTION, FIXTURE].sort());
    const unknown = await bufCurl(['--reflect-header', 'x-prism-namespace: nope', '--list-services', suite.url]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /not_found/);
  });
});

describe('the reflection protocol', () => {
  for (const version of ['v1', 'v1alpha'] as ReflectionVersion[]) {
    test(`${version}: every kind of symbol answers its file first, then its dependencies by import path`, async () => {
      const symbols = [FIXTURE, `${FIXTURE}.Echo`, 'prism.test.v1.Everything', 'prism.test.v1.Everything.MCountsEntry', 'prism.test.v1.Color', 'prism.test.v1.GREEN', 'prism.test.v1.Everything.opt_int32', 'prism.test.v1.Nested'];
      const out = await reflect(suite.gateway.grpcAddress!, symbols.map((s) => ({ file_containing_symbol: s })), { version, namespace: 'fix' });
      assert.equal(out.code, grpc.status.OK, out.details);
      assert.equal(out.answers.length, symbols.length);
      for (const [i, answer] of out.answers.entries()) {
        assert.equal(answer.message_response, 'file_descriptor_response', `${symbols[i]}: ${JSON.stringify(answer.error_response)}`);
        assert.equal(filesOf(answer)[0].name, FIXTURE_FILE);
      }
      const first = filesOf(out.answers[0]);
      assert.deepEqual(first[0].dependency, ['google/protobuf/duration.proto', 'google/protobuf/struct.proto', 'google/protobuf/timestamp.proto', 'google/protobuf/wrappers.proto']);
      assert.deepEqual(first.map((f) => f.name).sort(), [FIXTURE_FILE, ...first[0].dependency!].sort());
      // Later answers on the same stream leave out the files already sent.
      assert.deepEqual(filesOf(out.answers[1]).map((f) => f.name), [FIXTURE_FILE]);
    });
  }

  test('descriptors carry what clients need: options, map entries, json names, proto3 optional', async () => {
    const out = await reflect(suite.gateway.grpcAddress!, [{ file_containing_symbol: REGISTRY }, { file_by_filename: FIXTURE_FILE }], { namespace: 'reg' });
    const registry = filesOf(out.answers[0])[0];
    assert.equal(registry.name, REGISTRY_FILE);
    assert.equal(registry.package, 'prism.patterns.registry.v1');
    assert.equal(registry.syntax, 'proto3');
    const methods = registry.service![0].method;
    assert.equal(methods.find((m) => m.name === 'ListSchemaVersions')!.options?.idempotency_level, 'NO_SIDE_EFFECTS');
    assert.equal(methods.find((m) => m.name === 'RegisterSchema')!.options, undefined);
    // The fixture's file is not part of namespace reg.
    assert.equal(out.answers[1].error_response?.error_code, grpc.status.NOT_FOUND);
    const fix = await reflect(suite.gateway.grpcAddress!, [{ file_by_filename: FIXTURE_FILE }], { namespace: 'fix' });
    const everything = (filesOf(fix.answers[0])[0].message_type as unknown as { name: string; field: Record<string, unknown>[]; nested_type?: { name: string; options?: object }[]; oneof_decl: { name: string }[] }[]).find((m) => m.name === 'Everything')!;
    const field = (name: string) => everything.field.find((f) => f.name === name)!;
    assert.equal(field('m_counts').type_name, '.prism.test.v1.Everything.MCountsEntry');
    assert.deepEqual(everything.nested_type!.map((n) => [n.name, (n.options as { map_entry?: boolean } | undefined)?.map_entry]), [['MCountsEntry', true], ['MNestedEntry', true]]);
    assert.equal(field('opt_int32').proto3_optional, true);
    assert.deepEqual(everything.oneof_decl.map((o) => o.name), ['choice', '_opt_int32'], 'the synthetic oneof after the real one');
    assert.equal(field('f_int64').json_name, 'fInt64');
    assert.equal(field('ts').type_name, '.google.protobuf.Timestamp');
  });

  test('the rich error model is described with its dependencies (google/rpc, google/protobuf)', async () => {
    const out = await reflect(suite.gateway.grpcAddress!, [{ file_containing_symbol: 'google.rpc.ErrorInfo' }], { namespace: 'reg' });
    assert.deepEqual(filesOf(out.answers[0]).map((f) => f.name), ['google/rpc/error_details.proto', 'google/protobuf/duration.proto']);
  });

  test('unknown symbols, files and extensions are error responses; the stream goes on', async () => {
    const out = await reflect(suite.gateway.grpcAddress!, [
      { file_containing_symbol: 'prism.nothing.Here' },
      { file_by_filename: 'nothing/here.proto' },
      { file_containing_extension: { containing_type: 'google.protobuf.MethodOptions', extension_number: 72295728 } },
      { all_extension_numbers_of_type: 'prism.nothing.Here' },
      { all_extension_numbers_of_type: 'prism.test.v1.Everything' },
      {},
      { list_services: '' },
    ]);
    assert.equal(out.code, grpc.status.OK, out.details);
    assert.deepEqual(
      out.answers.slice(0, 4).map((a) => a.error_response?.error_code),
      [grpc.status.NOT_FOUND, grpc.status.NOT_FOUND, grpc.status.NOT_FOUND, grpc.status.NOT_FOUND],
    );
    assert.match(out.answers[0].error_response!.error_message, /prism\.nothing\.Here/);
    assert.equal(out.answers[4].all_extension_numbers_response?.base_type_name, 'prism.test.v1.Everything');
    assert.deepEqual(out.answers[4].all_extension_numbers_response?.extension_number ?? [], []);
    assert.equal(out.answers[5].error_response?.error_code, grpc.status.INVALID_ARGUMENT);
    assert.equal(out.answers[6].message_response, 'list_services_response');
    assert.deepEqual(out.answers[0].original_request, { file_containing_symbol: 'prism.nothing.Here', message_request: 'file_containing_symbol' });
  });

  test('the namespace header: the namespace alone, NOT_FOUND for an unknown one, UNIMPLEMENTED for one with its gRPC interface off', async () => {
    const fix = await reflect(suite.gateway.grpcAddress!, [{ list_services: '' }, { file_containing_symbol: REGISTRY }], { namespace: 'fix' });
    assert.deepEqual(fix.answers[0].list_services_response!.service.map((s) => s.name).sort(), [...REFLECTION, FIXTURE].sort());
    assert.equal(fix.answers[1].error_response?.error_code, grpc.status.NOT_FOUND, 'the registry is not in namespace fix');
    const unknown = await reflect(suite.gateway.grpcAddress!, [{ list_services: '' }], { namespace: 'nope' });
    assert.equal(unknown.code, grpc.status.NOT_FOUND);
    assert.deepEqual(unknown.answers, []);
    const closed = await reflect(suite.gateway.grpcAddress!, [{ list_services: '' }], { namespace: 'closed' });
    assert.equal(closed.code, grpc.status.UNIMPLEMENTED);
  });

  test('reflection calls are counted like other passthrough calls', async () => {
    const before = await suite.gateway.metrics.exposition();
    const count = (text: string, namespace: string, code: string) => sampleValue(text, 'prism_grpc_passthrough_calls_total', { namespace, method: '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', code }) ?? 0;
    await reflect(suite.gateway.grpcAddress!, [{ list_services: '' }], { namespace: 'reg' });
    await reflect(suite.gateway.grpcAddress!, [{ list_services: '' }], { namespace: 'nope' });
    const after = await suite.gateway.metrics.exposition();
    assert.equal(count(after, 'reg', 'OK') - count(before, 'reg', 'OK'), 1);
    // An unknown namespace is never a label: the refused call counts under ''.
    assert.equal(count(after, '', 'NOT_FOUND') - count(before, '', 'NOT_FOUND'), 1);
  });
});
