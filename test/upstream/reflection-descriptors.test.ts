/**
 * The descriptors reflection serves, checked by a consumer we did not write: the files of a
 * proto with custom options (google.api.http, with a repeated additional_bindings), reserved
 * and extension ranges, a proto2 file with required fields, defaults and an `extend`, and a
 * nested enum are handed to `buf build` as an image (a FileDescriptorSet), which rebuilds and
 * validates every file with Go's protodesc and prints it back as JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeProtoFiles, type DescriptorPool } from '../../src/grpc/reflection-descriptors.js';
import protobuf from 'protobufjs';
import { tempDir } from '../support/temp-dir.js';
import { useStarted } from '../support/use-suite.js';

const dir = useStarted(() => tempDir('reflection-descriptors'));

const SERVICE = `syntax = "proto3";
package demo.v1;
import "google/api/annotations.proto";
import "legacy.proto";
service Demo {
  rpc Get(Req) returns (Req) {
    option (google.api.http) = { get: "/v1/{name=things/*}" additional_bindings { post: "/v1/things:get" body: "*" } };
    option idempotency_level = NO_SIDE_EFFECTS;
  }
  rpc Put(legacy.Old) returns (Req) { option (google.api.http).put = "/v1/{name}"; option (google.api.http).body = "*"; }
}
message Req {
  message Inner { enum Kind { KIND_UNSPECIFIED = 0; BIG = 1; } Kind kind = 1; }
  string name = 1 [json_name = "label", deprecated = true];
  Inner inner = 2;
  map<string, Inner.Kind> kinds = 3;
  optional bool flag = 4;
  reserved 5 to 7, 100 to max;
  reserved "old";
}
`;

const LEGACY = `syntax = "proto2";
package legacy;
message Old {
  required string name = 1;
  optional int32 size = 2 [default = 7];
  optional Mood mood = 3 [default = SAD];
  extensions 100 to 199;
}
enum Mood { HAPPY = 1; SAD = 2; }
extend Old { optional string note = 100; }
`;

function imageOf(pool: DescriptorPool, top: string): Uint8Array {
  // An image lists files after everything they import.
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name)) return;
    const file = pool.file(name);
    assert.ok(file, `${name} is described`);
    file.dependencies.forEach(visit);
    order.push(name);
  };
  visit(top);
  // FileDescriptorSet.file (field 1) holds each file's bytes as served, never re-encoded (a
  // decoder without the custom options' extensions would drop them).
  const writer = protobuf.Writer.create();
  for (const name of order) writer.uint32((1 << 3) | 2).bytes(pool.file(name)!.bytes);
  return writer.finish();
}

function bufBuild(image: string, out: string): Promise<string> {
  return new Promise((done, fail) =>
    execFile(join(import.meta.dirname, '../../node_modules/.bin/buf'), ['build', image, '-o', out], { timeout: 60_000 }, (err, _stdout, stderr) => (err ? fail(new Error(`buf build failed: ${stderr}`)) : done(stderr))),
  );
}

// buf's JSON of descriptors, read loosely.
type Json = Record<string, any>;

test('buf rebuilds and validates the described files, options and ranges intact', async () => {
  writeFileSync(join(dir.path, 'demo.proto'), SERVICE);
  writeFileSync(join(dir.path, 'legacy.proto'), LEGACY);
  const pool = describeProtoFiles([join(dir.path, 'demo.proto')]);
  assert.deepEqual(pool.file('demo.proto')!.dependencies, ['google/api/annotations.proto', 'legacy.proto']);
  writeFileSync(join(dir.path, 'image.binpb'), imageOf(pool, 'demo.proto'));
  await bufBuild(join(dir.path, 'image.binpb'), join(dir.path, 'image.json'));
  const files = (JSON.parse(readFileSync(join(dir.path, 'image.json'), 'utf8')) as { file: Json[] }).file;
  assert.deepEqual(files.map((f) => f.name), ['google/api/http.proto', 'google/protobuf/descriptor.proto', 'google/api/annotations.proto', 'legacy.proto', 'demo.proto']);

  const demo = files.find((f) => f.name === 'demo.proto')!;
  const [get, put] = demo.service[0].method;
  assert.equal(get.options.idempotencyLevel, 'NO_SIDE_EFFECTS');
  assert.deepEqual(get.options['[google.api.http]'], { get: '/v1/{name=things/*}', additionalBindings: [{ post: '/v1/things:get', body: '*' }] });
  assert.deepEqual(put.options['[google.api.http]'], { put: '/v1/{name}', body: '*' });
  assert.equal(put.inputType, '.legacy.Old');
  const req = demo.messageType[0];
  assert.deepEqual(req.field[0], { name: 'name', number: 1, label: 'LABEL_OPTIONAL', type: 'TYPE_STRING', jsonName: 'label', options: { deprecated: true } });
  assert.deepEqual(req.reservedRange, [{ start: 5, end: 8 }, { start: 100, end: 536870912 }]);
  assert.deepEqual(req.reservedName, ['old']);
  assert.equal(req.field[2].typeName, '.demo.v1.Req.KindsEntry');
  assert.equal(req.nestedType.find((n: Json) => n.name === 'KindsEntry').field[1].typeName, '.demo.v1.Req.Inner.Kind');

  const legacy = files.find((f) => f.name === 'legacy.proto')!;
  assert.equal(legacy.syntax, undefined, 'proto2 leaves syntax empty, as protoc does');
  const old = legacy.messageType[0];
  assert.deepEqual(old.field.map((f: Json) => [f.name, f.label, f.defaultValue]), [['name', 'LABEL_REQUIRED', undefined], ['size', 'LABEL_OPTIONAL', '7'], ['mood', 'LABEL_OPTIONAL', 'SAD']]);
  assert.deepEqual(old.extensionRange, [{ start: 100, end: 200 }]);
  assert.deepEqual(legacy.extension[0].extendee, '.legacy.Old');
  assert.equal(pool.fileContainingExtension('legacy.Old', 100)?.name, 'legacy.proto');
  assert.deepEqual(pool.extensionNumbers('legacy.Old'), [100]);
  assert.equal(pool.fileContainingSymbol('demo.v1.Req.Inner.BIG')?.name, 'demo.proto', 'enum values are symbols of the enclosing scope');
});
