/**
 * One case per PROTOBUF difference type of compatibility-rules.md §4.2 (and per verdict):
 * old and new schema side by side. Run at the format level (protobuf-compatibility.test.ts)
 * and through the HTTP API (test/confluent/compatibility-http.test.ts).
 */
import type { ProtoDifferenceType } from '../../../../patterns/registry/formats/protobuf/index.js';
import type { ResolvedReference } from '../../../../patterns/registry/formats/schema-format.js';

export interface Case {
  /** The §4.2 difference type the case is about. */
  readonly rule: ProtoDifferenceType;
  readonly why: string;
  readonly old: string;
  readonly new: string;
  readonly compatible: boolean;
  /** The path Confluent reports the difference at. */
  readonly path?: string;
  readonly oldRefs?: readonly ResolvedReference[];
  readonly newRefs?: readonly ResolvedReference[];
}

export const P3 = 'syntax = "proto3";\n';
export const P2 = 'syntax = "proto2";\n';

export const cases: Case[] = [
  { rule: 'PACKAGE_CHANGED', why: 'package renamed', old: `${P3}package a;\nmessage M { int32 x = 1; }`, new: `${P3}package b;\nmessage M { int32 x = 1; }`, compatible: false, path: '#/' },
  { rule: 'PACKAGE_CHANGED', why: 'package added', old: `${P3}message M { int32 x = 1; }`, new: `${P3}package b;\nmessage M { int32 x = 1; }`, compatible: false },
  { rule: 'MESSAGE_ADDED', why: 'new top-level message', old: `${P3}message M { int32 x = 1; }`, new: `${P3}message M { int32 x = 1; }\nmessage N { string s = 1; }`, compatible: true, path: '#/N' },
  { rule: 'MESSAGE_REMOVED', why: 'top-level message dropped', old: `${P3}message M { int32 x = 1; }\nmessage N { string s = 1; }`, new: `${P3}message M { int32 x = 1; }`, compatible: false, path: '#/N' },
  { rule: 'MESSAGE_REMOVED', why: 'nested message dropped', old: `${P3}message M { message Inner { int32 a = 1; } int32 x = 1; }`, new: `${P3}message M { int32 x = 1; }`, compatible: false, path: '#/M/Inner' },
  { rule: 'MESSAGE_MOVED', why: 'sibling messages reordered', old: `${P3}message A { int32 x = 1; }\nmessage B { int32 y = 1; }`, new: `${P3}message B { int32 y = 1; }\nmessage A { int32 x = 1; }`, compatible: true },
  { rule: 'ENUM_ADDED', why: 'new enum type', old: `${P3}message M { int32 x = 1; }`, new: `${P3}message M { int32 x = 1; }\nenum E { A = 0; }`, compatible: true },
  { rule: 'ENUM_REMOVED', why: 'enum type dropped', old: `${P3}message M { int32 x = 1; }\nenum E { A = 0; }`, new: `${P3}message M { int32 x = 1; }`, compatible: true },
  { rule: 'ENUM_CONST_ADDED', why: 'enum number added', old: `${P3}enum E { A = 0; }`, new: `${P3}enum E { A = 0; B = 1; }`, compatible: true, path: '#/E/1' },
  { rule: 'ENUM_CONST_REMOVED', why: 'enum number removed', old: `${P3}enum E { A = 0; B = 1; }`, new: `${P3}enum E { A = 0; }`, compatible: true },
  { rule: 'ENUM_CONST_CHANGED', why: 'enum number renamed', old: `${P3}enum E { A = 0; B = 1; }`, new: `${P3}enum E { A = 0; C = 1; }`, compatible: true },
  { rule: 'FIELD_ADDED', why: 'optional field added', old: `${P3}message M { int32 x = 1; }`, new: `${P3}message M { int32 x = 1; string y = 2; }`, compatible: true, path: '#/M/2' },
  { rule: 'FIELD_REMOVED', why: 'field removed', old: `${P3}message M { int32 x = 1; string y = 2; }`, new: `${P3}message M { int32 x = 1; }`, compatible: true },
  { rule: 'FIELD_REMOVED', why: 'renumbering is remove + add', old: `${P3}message M { int32 x = 1; }`, new: `${P3}message M { int32 x = 2; }`, compatible: true },
  { rule: 'FIELD_NAME_CHANGED', why: 'same tag, new name', old: `${P3}message M { int32 x = 1; }`, new: `${P3}message M { int32 y = 1; }`, compatible: true },
  { rule: 'FIELD_KIND_CHANGED', why: 'scalar to message', old: `${P3}message M { int32 x = 1; }\nmessage N {}`, new: `${P3}message M { N x = 1; }\nmessage N {}`, compatible: false, path: '#/M/1' },
  { rule: 'FIELD_KIND_CHANGED', why: 'message to map', old: `${P3}message M { N x = 1; }\nmessage N {}`, new: `${P3}message M { map<string, N> x = 1; }\nmessage N {}`, compatible: false },
  { rule: 'FIELD_SCALAR_KIND_CHANGED', why: 'int32 to sint32', old: `${P3}message M { int32 x = 1; }`, new: `${P3}message M { sint32 x = 1; }`, compatible: false, path: '#/M/1' },
  { rule: 'FIELD_SCALAR_KIND_CHANGED', why: 'float to double', old: `${P3}message M { float x = 1; }`, new: `${P3}message M { double x = 1; }`, compatible: false },
  { rule: 'FIELD_SCALAR_KIND_CHANGED', why: 'enum to string', old: `${P3}message M { E x = 1; }\nenum E { A = 0; }`, new: `${P3}message M { string x = 1; }\nenum E { A = 0; }`, compatible: false },
  { rule: 'FIELD_SCALAR_KIND_CHANGED', why: 'fixed32 to fixed64', old: `${P3}message M { fixed32 x = 1; }`, new: `${P3}message M { fixed64 x = 1; }`, compatible: false },
  { rule: 'FIELD_SCALAR_KIND_CHANGED', why: 'map value kind changed', old: `${P3}message M { map<string, int32> x = 1; }`, new: `${P3}message M { map<string, string> x = 1; }`, compatible: false },
  { rule: 'FIELD_NAMED_TYPE_CHANGED', why: 'field now names an identical but different message', old: `${P3}message M { A x = 1; }\nmessage A { int32 v = 1; }\nmessage B { int32 v = 1; }`, new: `${P3}message M { B x = 1; }\nmessage A { int32 v = 1; }\nmessage B { int32 v = 1; }`, compatible: false, path: '#/M/1' },
  {
    rule: 'FIELD_NAMED_TYPE_CHANGED', why: 'same-named message from another reference is incompatible',
    old: `${P3}import "dep.proto";\nmessage M { d.Dep x = 1; }`, new: `${P3}import "dep.proto";\nmessage M { d.Dep x = 1; }`, compatible: false,
    oldRefs: [{ name: 'dep.proto', subject: 'dep', version: 1, schemaType: 'PROTOBUF', schema: `${P3}package d;\nmessage Dep { int32 v = 1; }`, references: [] }],
    newRefs: [{ name: 'dep.proto', subject: 'dep', version: 2, schemaType: 'PROTOBUF', schema: `${P3}package d;\nmessage Dep { string v = 1; }`, references: [] }],
  },
  {
    rule: 'FIELD_ADDED', why: 'same-named message from another reference, compatible change: no FIELD_NAMED_TYPE_CHANGED',
    old: `${P3}import "dep.proto";\nmessage M { d.Dep x = 1; }`, new: `${P3}import "dep.proto";\nmessage M { d.Dep x = 1; }`, compatible: true, path: '#/Dep/2',
    oldRefs: [{ name: 'dep.proto', subject: 'dep', version: 1, schemaType: 'PROTOBUF', schema: `${P3}package d;\nmessage Dep { int32 v = 1; }`, references: [] }],
    newRefs: [{ name: 'dep.proto', subject: 'dep', version: 2, schemaType: 'PROTOBUF', schema: `${P3}package d;\nmessage Dep { int32 v = 1; string w = 2; }`, references: [] }],
  },
  { rule: 'FIELD_NUMERIC_LABEL_CHANGED', why: 'proto2 optional to repeated int32', old: `${P2}message M { optional int32 x = 1; }`, new: `${P2}message M { repeated int32 x = 1; }`, compatible: false, path: '#/M/1' },
  { rule: 'FIELD_NUMERIC_LABEL_CHANGED', why: 'enum field optional to repeated', old: `${P2}message M { optional E x = 1; }\nenum E { A = 0; }`, new: `${P2}message M { repeated E x = 1; }\nenum E { A = 0; }`, compatible: false },
  { rule: 'FIELD_STRING_OR_BYTES_LABEL_CHANGED', why: 'string optional to repeated', old: `${P2}message M { optional string x = 1; }`, new: `${P2}message M { repeated string x = 1; }`, compatible: true },
  { rule: 'FIELD_STRING_OR_BYTES_LABEL_CHANGED', why: 'proto3 optional string to repeated', old: `${P3}message M { optional string x = 1; }`, new: `${P3}message M { repeated string x = 1; }`, compatible: true },
  { rule: 'REQUIRED_FIELD_ADDED', why: 'proto2 required tag added', old: `${P2}message M { optional int32 x = 1; }`, new: `${P2}message M { optional int32 x = 1; required string y = 2; }`, compatible: false, path: '#/M/2' },
  { rule: 'REQUIRED_FIELD_REMOVED', why: 'proto2 required tag removed', old: `${P2}message M { optional int32 x = 1; required string y = 2; }`, new: `${P2}message M { optional int32 x = 1; }`, compatible: false, path: '#/M/2' },
  { rule: 'ONEOF_ADDED', why: 'new oneof with new fields', old: `${P3}message M { int32 x = 1; }`, new: `${P3}message M { int32 x = 1; oneof o { string a = 2; int32 b = 3; } }`, compatible: true, path: '#/M/o' },
  { rule: 'ONEOF_REMOVED', why: 'whole oneof removed with all members', old: `${P3}message M { int32 x = 1; oneof o { string a = 2; int32 b = 3; } }`, new: `${P3}message M { int32 x = 1; }`, compatible: true },
  { rule: 'ONEOF_REMOVED', why: 'oneof renamed', old: `${P3}message M { oneof o { string a = 2; int32 b = 3; } }`, new: `${P3}message M { oneof p { string a = 2; int32 b = 3; } }`, compatible: true },
  { rule: 'ONEOF_FIELD_ADDED', why: 'member added to a oneof', old: `${P3}message M { oneof o { string a = 2; } }`, new: `${P3}message M { oneof o { string a = 2; int32 b = 3; } }`, compatible: true, path: '#/M/o/3' },
  { rule: 'ONEOF_FIELD_REMOVED', why: 'member dropped while the oneof survives', old: `${P3}message M { oneof o { string a = 2; int32 b = 3; } }`, new: `${P3}message M { oneof o { string a = 2; } }`, compatible: false, path: '#/M/o/3' },
  { rule: 'ONEOF_FIELD_REMOVED', why: 'oneof renamed and a member dropped', old: `${P3}message M { oneof o { string a = 2; int32 b = 3; } }`, new: `${P3}message M { oneof p { string a = 2; } }`, compatible: false, path: '#/M/o/3' },
  { rule: 'ONEOF_FIELD_MOVED_TO_TOP_LEVEL', why: 'member moved out, oneof survives', old: `${P3}message M { oneof o { string a = 2; int32 b = 3; } }`, new: `${P3}message M { int32 b = 3; oneof o { string a = 2; } }`, compatible: true, path: '#/M/3' },
  { rule: 'FIELD_SCALAR_KIND_CHANGED', why: 'type change hidden by a oneof rename is still caught', old: `${P3}message M { oneof o { string a = 2; } }`, new: `${P3}message M { oneof p { int32 a = 2; } }`, compatible: false, path: '#/M/p/2' },
  { rule: 'MULTIPLE_FIELDS_MOVED_TO_ONEOF', why: 'two top-level fields now share a oneof', old: `${P3}message M { int32 a = 1; string b = 2; }`, new: `${P3}message M { oneof o { int32 a = 1; string b = 2; } }`, compatible: false, path: '#/M/o' },
  { rule: 'FIELD_MOVED_TO_EXISTING_ONEOF', why: 'one top-level field moved into an existing oneof', old: `${P3}message M { int32 a = 1; oneof o { string b = 2; } }`, new: `${P3}message M { oneof o { int32 a = 1; string b = 2; } }`, compatible: false, path: '#/M/o' },
  { rule: 'ONEOF_ADDED', why: 'one top-level field wrapped alone in a new oneof is one group: compatible', old: `${P3}message M { int32 a = 1; }`, new: `${P3}message M { oneof o { int32 a = 1; string b = 2; } }`, compatible: true },
];
