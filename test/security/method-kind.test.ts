/**
 * Reads and writes of a gRPC method (DESIGN.md §8): a read iff the proto declares
 * `idempotency_level = NO_SIDE_EFFECTS`. The registry's table is pinned here, so a new RPC, or
 * an annotation removed, shows up as a failing row instead of a silently changed role.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { registryProtoFile, REGISTRY_SERVICE_NAME } from '../../patterns/registry/registry-server.js';
import { methodKey, methodKind, requiredRole, unknownOverrideKeys } from '../../src/upstream/method-kind.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';

const REGISTRY_KINDS: Record<string, 'read' | 'write'> = {
  RegisterSchema: 'write',
  LookupSchema: 'read',
  GetLatestWithMetadata: 'read',
  TagSchemaVersion: 'write',
  GetSchemaVersion: 'read',
  ListSchemaVersions: 'read',
  ListSubjects: 'read',
  DeleteSchemaVersion: 'write',
  DeleteSubject: 'write',
  ListReferencedBy: 'read',
  GetSchema: 'read',
  ListSchemaSubjects: 'read',
  ListSchemaSubjectVersions: 'read',
  ListSchemas: 'read',
  GetSchemaTypes: 'read',
  ListContexts: 'read',
  CheckCompatibility: 'read',
  GetConfig: 'read',
  UpdateConfig: 'write',
  DeleteConfig: 'write',
  GetMode: 'read',
  UpdateMode: 'write',
  DeleteMode: 'write',
  WatchChanges: 'read',
};

describe('the registry proto', () => {
  const service = loadProtoRoot([registryProtoFile]).lookupService(REGISTRY_SERVICE_NAME);

  test('every RPC is in the table, and only those', () => {
    const declared = service.methodsArray.map((m) => m.name).sort();
    assert.deepEqual(declared, Object.keys(REGISTRY_KINDS).sort());
  });

  for (const [name, kind] of Object.entries(REGISTRY_KINDS)) {
    test(`${name} is a ${kind}`, () => assert.equal(methodKind(service.methods[name]), kind));
  }
});

describe('methodKind, requiredRole, unknownOverrideKeys', () => {
  const root = protobuf.parse(
    `syntax = "proto3";
     package p.v1;
     message M {}
     service S {
       rpc Read(M) returns (M) { option idempotency_level = NO_SIDE_EFFECTS; }
       rpc Idempotent(M) returns (M) { option idempotency_level = IDEMPOTENT; }
       rpc Unknown(M) returns (M) { option idempotency_level = IDEMPOTENCY_UNKNOWN; }
       rpc Plain(M) returns (M);
       rpc Watch(M) returns (stream M) { option idempotency_level = NO_SIDE_EFFECTS; }
     }`,
    { keepCase: true },
  ).root;
  root.resolveAll();
  const s = root.lookupService('p.v1.S');

  const rows: [string, 'read' | 'write'][] = [
    ['Read', 'read'],
    ['Idempotent', 'write'],
    ['Unknown', 'write'],
    ['Plain', 'write'],
    ['Watch', 'read'],
  ];
  for (const [name, kind] of rows) test(`${name} → ${kind}`, () => assert.equal(methodKind(s.methods[name]), kind));

  test('a namespace override wins over the proto, either way', () => {
    assert.equal(methodKey(s.methods.Read), 'p.v1.S/Read');
    assert.equal(requiredRole(s.methods.Read, { 'p.v1.S/Read': 'write' }), 'write');
    assert.equal(requiredRole(s.methods.Plain, { 'p.v1.S/Plain': 'read' }), 'read');
    assert.equal(requiredRole(s.methods.Plain, { 'p.v1.S/Plain': 'admin' }), 'admin');
    assert.equal(requiredRole(s.methods.Plain, { 'p.v1.S/Read': 'admin' }), 'write', 'an override of another method changes nothing');
  });

  test('override keys that name no declared method are reported', () => {
    assert.deepEqual(unknownOverrideKeys({ 'p.v1.S/Read': 'write', 'p.v1.S/Raed': 'write', 'S/Plain': 'read' }, s.methodsArray), ['p.v1.S/Raed', 'S/Plain']);
  });
});
