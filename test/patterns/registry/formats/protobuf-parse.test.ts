import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protobufFormat } from '../../../../patterns/registry/formats/protobuf/index.js';
import { InvalidSchemaError, type ResolvedReference } from '../../../../patterns/registry/formats/schema-format.js';

const SOURCE = `syntax = "proto3";
package a.b;
import "google/protobuf/timestamp.proto";
option java_package = "com.x";
option optimize_for = SPEED;
// a comment that is not kept
message M {
  reserved 4, 6 to 8;
  int32 x = 1 [deprecated = true, json_name = "q"];
  map<string, Inner> m = 2;
  optional string o = 3;
  oneof choice { string s = 10; Inner i = 11; }
  google.protobuf.Timestamp t = 12;
  message Inner { repeated E e = 1; }
  enum E { A = 0; B = 1 [deprecated = true]; }
}
enum Top { T0 = 0; }
message N {}
service S { rpc Do (M) returns (stream N); }
`;

const CANONICAL = `syntax = "proto3";
package a.b;

import "google/protobuf/timestamp.proto";

option java_package = "com.x";
option optimize_for = SPEED;

message M {
  reserved 4, 6 to 8;

  int32 x = 1 [
    deprecated = true,
    json_name = "q"
  ];
  map<string, Inner> m = 2;
  optional string o = 3;
  google.protobuf.Timestamp t = 12;

  oneof choice {
    string s = 10;
    Inner i = 11;
  }

  message Inner {
    repeated E e = 1;
  }
  enum E {
    A = 0;
    B = 1 [deprecated = true];
  }
}
message N {}
enum Top {
  T0 = 0;
}

service S {
  rpc Do (M) returns (stream N);
}
`;

test('PROTOBUF canonical text is Confluent-style printed .proto', () => {
  assert.equal(protobufFormat.parse(SOURCE, []).canonical, CANONICAL);
});

test('PROTOBUF canonical text is stable: printing the printed text gives the same text', () => {
  assert.equal(protobufFormat.parse(CANONICAL, []).canonical, CANONICAL);
});

test('PROTOBUF whitespace and comments do not change the canonical text', () => {
  const a = protobufFormat.parse('syntax = "proto3";\nmessage A { int32 x = 1; }', []);
  const b = protobufFormat.parse('syntax="proto3";  /* c */ message A {\n\n  int32 x=1; // why\n}\n', []);
  assert.equal(a.canonical, b.canonical);
  assert.equal(a.canonical, 'syntax = "proto3";\n\nmessage A {\n  int32 x = 1;\n}\n');
});

test('PROTOBUF normalized text sorts fields and qualifies type names, canonical keeps order', () => {
  const text = 'syntax = "proto3";\npackage p;\nmessage A { B b = 2; int32 x = 1; }\nmessage B {}\n';
  const parsed = protobufFormat.parse(text, []);
  assert.equal(parsed.canonical, 'syntax = "proto3";\npackage p;\n\nmessage A {\n  B b = 2;\n  int32 x = 1;\n}\nmessage B {}\n');
  assert.equal(parsed.normalized, 'syntax = "proto3";\npackage p;\n\nmessage A {\n  int32 x = 1;\n  .p.B b = 2;\n}\nmessage B {}\n');
  const reordered = protobufFormat.parse('syntax = "proto3";\npackage p;\nmessage A { int32 x = 1; .p.B b = 2; }\nmessage B {}\n', []);
  assert.equal(reordered.normalized, parsed.normalized);
  assert.notEqual(reordered.canonical, parsed.canonical);
});

test('PROTOBUF normalized text drops an explicit proto2 syntax line', () => {
  const parsed = protobufFormat.parse('syntax = "proto2";\nmessage A { optional int32 x = 1; }', []);
  assert.equal(parsed.canonical, `syntax = "proto2";

message A {
  optional int32 x = 1;
}
`);
  assert.equal(parsed.normalized, `
message A {
  optional int32 x = 1;
}
`);
});

test('PROTOBUF imports resolve from references by name, transitively', () => {
  const leaf: ResolvedReference = { name: 'leaf.proto', subject: 'leaf', version: 1, schemaType: 'PROTOBUF', schema: 'syntax = "proto3";\npackage l;\nmessage Leaf { int32 v = 1; }', references: [] };
  const mid: ResolvedReference = { name: 'mid.proto', subject: 'mid', version: 3, schemaType: 'PROTOBUF', schema: 'syntax = "proto3";\npackage m;\nimport "leaf.proto";\nmessage Mid { l.Leaf leaf = 1; }', references: [leaf] };
  const parsed = protobufFormat.parse('syntax = "proto3";\nimport "mid.proto";\nmessage Top { m.Mid mid = 1; }', [mid]);
  assert.equal(parsed.canonical, `syntax = "proto3";

import "mid.proto";

message Top {
  m.Mid mid = 1;
}
`);
});

const invalid: Array<[string, string, RegExp?]> = [
  ['unterminated message', 'syntax = "proto3"; message A {'],
  ['garbage', 'this is not a proto'],
  ['empty text', '   '],
  ['duplicate tag', 'syntax = "proto3"; message A { int32 x = 1; int32 y = 1; }'],
  ['unresolvable field type', 'syntax = "proto3"; message A { Missing x = 1; }', /Missing/],
  ['import that is neither a reference nor bundled', 'syntax = "proto3"; import "other.proto"; message A { int32 x = 1; }', /other\.proto/],
];
for (const [name, text, detail] of invalid) {
  test(`PROTOBUF parse rejects: ${name}`, () => {
    assert.throws(() => protobufFormat.parse(text, []), (err: unknown) => err instanceof InvalidSchemaError && /^Invalid schema/.test(err.message) && (detail === undefined || detail.test(err.message)));
  });
}

test('PROTOBUF parse accepts bundled google imports without references', () => {
  const parsed = protobufFormat.parse('syntax = "proto3";\nimport "google/protobuf/any.proto";\nimport "google/type/date.proto";\nmessage A { google.protobuf.Any a = 1; google.type.Date d = 2; }', []);
  assert.equal(parsed.type, 'PROTOBUF');
});

test('PROTOBUF aggregate option values with lists of messages parse and print in Confluent form', () => {
  const text = `syntax = "proto3";
import "confluent/meta.proto";
message Price {
  option (confluent.message_meta).doc = "a price";
  string amount = 1 [(confluent.field_meta) = { doc: "decimal text", params: [ { key: "precision", value: "8" }, { key: "scale", value: "2" } ] }];
}
enum Currency { option allow_alias = true; EUR = 0 [(confluent.enum_value_meta) = { tags: ["iso"] }]; }
`;
  const expected = `syntax = "proto3";

import "confluent/meta.proto";

message Price {
  option (confluent.message_meta).doc = "a price";

  string amount = 1 [(confluent.field_meta) = {
    doc: "decimal text",
    params: [
      {
        key: "precision",
        value: "8"
      },
      {
        key: "scale",
        value: "2"
      }
    ]
  }];
}
enum Currency {
  option allow_alias = true;
  EUR = 0 [(confluent.enum_value_meta) = {
    tags: [
      "iso"
    ]
  }];
}
`;
  assert.equal(protobufFormat.parse(text, []).canonical, expected);
});

test('PROTOBUF option value kinds are kept: enum names bare, strings quoted, number spelling as written', () => {
  const parsed = protobufFormat.parse('syntax = "proto2";\noption optimize_for = LITE_RUNTIME;\noption java_package = "SPEED";\nmessage M { optional double d = 1 [default = 1.50]; optional string option = 2; }', []);
  // `optional string option = 2;` stays a field: a field named option is not an option statement.
  assert.equal(parsed.canonical, `syntax = "proto2";

option optimize_for = LITE_RUNTIME;
option java_package = "SPEED";

message M {
  optional double d = 1 [default = 1.50];
  optional string option = 2;
}
`);
});

test('PROTOBUF reserved and extensions statements print one per statement, as written', () => {
  const text = 'syntax = "proto2";\nmessage M {\n  reserved 5 to 5, 7;\n  reserved "a", "b";\n  optional int32 x = 6;\n  extensions 100 to max;\n}\n';
  const parsed = protobufFormat.parse(text, []);
  assert.equal(parsed.canonical, 'syntax = "proto2";\n\nmessage M {\n  reserved 5 to 5, 7;\n  reserved "a", "b";\n\n  optional int32 x = 6;\n\n  extensions 100 to max;\n}\n');
  assert.equal(parsed.normalized, '\nmessage M {\n  reserved 5;\n  reserved 7;\n  reserved "a";\n  reserved "b";\n\n  optional int32 x = 6;\n\n  extensions 100 to max;\n}\n');
});

test('PROTOBUF what wire accepts and protoc would not still parses: a field inside a reserved range, an empty statement', () => {
  const parsed = protobufFormat.parse('syntax = "proto3";\nmessage M {\n  reserved 9 to 11;\n  int32 x = 10;\n  ;\n}\n', []);
  assert.equal(parsed.canonical, `syntax = "proto3";

message M {
  reserved 9 to 11;

  int32 x = 10;
}
`);
});

test('PROTOBUF custom options set twice, or whole and by sub-field, are all kept in order', () => {
  const text = 'syntax = "proto3";\nimport "confluent/meta.proto";\nmessage M {\n  string s = 1 [(confluent.field_meta) = { tags: ["a"] }, (confluent.field_meta).tags = "b", (confluent.field_meta).tags = "c"];\n}\n';
  const parsed = protobufFormat.parse(text, []);
  assert.equal(parsed.canonical, `syntax = "proto3";

import "confluent/meta.proto";

message M {
  string s = 1 [
    (confluent.field_meta) = {
      tags: [
        "a"
      ]
    },
    (confluent.field_meta).tags = "b",
    (confluent.field_meta).tags = "c"
  ];
}
`);
});

test('PROTOBUF bundled types resolve without an import, as in Confluent\'s type table', () => {
  const parsed = protobufFormat.parse('syntax = "proto3";\nmessage M { google.protobuf.Timestamp at = 1; google.type.Money price = 2; }', []);
  assert.equal(parsed.type, 'PROTOBUF');
});

test('PROTOBUF normalized custom options: names qualified, sub-field assignments merged into one aggregate', () => {
  const text = `syntax = "proto3";
package shop;
import "google/protobuf/descriptor.proto";
message Limits {
  double min = 1;
  double max = 2;
}
extend google.protobuf.FieldOptions {
  Limits limits = 50001;
}
message Item {
  double price = 1 [(limits).max = 1000.0, (limits).min = 0.5];
}
`;
  const parsed = protobufFormat.parse(text, []);
  assert.equal(parsed.canonical, `syntax = "proto3";
package shop;

import "google/protobuf/descriptor.proto";

message Limits {
  double min = 1;
  double max = 2;
}
message Item {
  double price = 1 [
    (limits).max = 1000.0,
    (limits).min = 0.5
  ];
}

extend google.protobuf.FieldOptions {
  Limits limits = 50001;
}
`);
  assert.equal(parsed.normalized, `syntax = "proto3";
package shop;

import "google/protobuf/descriptor.proto";

message Limits {
  double min = 1;
  double max = 2;
}
message Item {
  double price = 1 [(shop.limits) = {
    max: 1000,
    min: 0.5
  }];
}

extend .google.protobuf.FieldOptions {
  .shop.Limits limits = 50001;
}
`);
  assert.equal(protobufFormat.parse(parsed.normalized, []).normalized, parsed.normalized);
});

test('PROTOBUF an enum constant named extensions is a constant, not a statement', () => {
  // (protobufjs itself rejects a constant named `reserved` and misreads one named `option`.)
  const parsed = protobufFormat.parse('syntax = "proto3";\nenum Word {\n  NONE = 0;\n  extensions = 2;\n}\n', []);
  assert.equal(parsed.canonical, 'syntax = "proto3";\n\nenum Word {\n  NONE = 0;\n  extensions = 2;\n}\n');
});
