/**
 * Schema text as a base64 FileDescriptorProto (Confluent's fallback when the text is not
 * .proto source, and the only form Confluent's JavaScript serdes use), and the same form back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import descriptorModule from 'protobufjs/ext/descriptor/index.js';
import { protobufFormat, protobufSerialized } from '../../../../patterns/registry/formats/protobuf/index.js';

const roles = { reader: 'new', writer: 'old' } as const;

const SOURCE = `syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";
option java_package = "com.shop";
message Order {
  string id = 1 [json_name = "orderId"];
  map<string, Line> lines = 2;
  optional int32 priority = 3;
  oneof pay { string card = 4; Cash cash = 5; }
  google.protobuf.Timestamp at = 6;
  repeated Status history = 7;
  message Line { int64 qty = 1; }
  reserved 10 to 12, 15;
}
message Cash { double amount = 1; }
enum Status { NEW = 0; DONE = 1; }
service Shop { rpc Place (Order) returns (stream Order); }
`;

test('PROTOBUF serialized form round-trips: what we encode parses back to the same schema', () => {
  const parsed = protobufFormat.parse(SOURCE, []);
  const back = protobufFormat.parse(protobufSerialized(parsed), []);
  assert.deepEqual(protobufFormat.checkReads(back, parsed, roles), []);
  assert.deepEqual(protobufFormat.checkReads(parsed, back, roles), []);
  // Read back from a descriptor, every type name is fully qualified.
  assert.equal(back.canonical, `syntax = "proto3";
package shop.v1;

import "google/protobuf/timestamp.proto";

option java_package = "com.shop";

message Order {
  reserved 10 to 12, 15;

  string id = 1 [json_name = "orderId"];
  map<string, .shop.v1.Order.Line> lines = 2;
  optional int32 priority = 3;
  .google.protobuf.Timestamp at = 6;
  repeated .shop.v1.Status history = 7;

  oneof pay {
    string card = 4;
    .shop.v1.Cash cash = 5;
  }

  message Line {
    int64 qty = 1;
  }
}
message Cash {
  double amount = 1;
}
enum Status {
  NEW = 0;
  DONE = 1;
}

service Shop {
  rpc Place (.shop.v1.Order) returns (stream .shop.v1.Order);
}
`);
});

test('PROTOBUF a descriptor written by another encoder (protobufjs) is accepted as schema text', () => {
  const root = protobuf.parse('syntax = "proto3";\npackage p;\nmessage A { int32 x = 1; repeated string tags = 2; B b = 3; }\nmessage B { bool ok = 1; }\n', { keepCase: true }).root;
  root.resolveAll();
  const set = (root as unknown as { toDescriptor(s: string): { file: unknown[] } }).toDescriptor('proto3');
  const FileDescriptorProto = (descriptorModule as unknown as { FileDescriptorProto: { encode(m: unknown): { finish(): Uint8Array } } }).FileDescriptorProto;
  const base64 = Buffer.from(FileDescriptorProto.encode(set.file[0]).finish()).toString('base64');
  const parsed = protobufFormat.parse(base64, []);
  assert.equal(parsed.canonical, `syntax = "proto3";
package p;

message A {
  int32 x = 1;
  repeated string tags = 2;
  B b = 3;
}
message B {
  bool ok = 1;
}
`);
  const fromText = protobufFormat.parse('syntax = "proto3";\npackage p;\nmessage A { int32 x = 1; repeated string tags = 2; B b = 3; }\nmessage B { bool ok = 1; }\n', []);
  assert.deepEqual(protobufFormat.checkReads(parsed, fromText, roles), []);
});

test('PROTOBUF text that is neither .proto nor a descriptor is still rejected with the .proto error', () => {
  assert.throws(() => protobufFormat.parse('bm90IGEgZGVzY3JpcHRvcg==', []), /^InvalidSchemaError|Invalid schema/);
});
