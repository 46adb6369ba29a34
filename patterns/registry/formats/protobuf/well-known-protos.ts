/**
 * Files a schema may import without a reference, as Confluent's provider bundles them
 * (`ProtobufSchema.KNOWN_DEPENDENCIES`): google/protobuf/*, google/type/* and Confluent's own
 * option/decimal files. Confluent also puts all of them in the type table of every schema,
 * imported or not, so their types always resolve.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// Confluent ships these two with its serializers; schemas produced by its tooling import them.
const CONFLUENT_FILES: Readonly<Record<string, string>> = {
  'confluent/meta.proto': `syntax = "proto3";
package confluent;
import "google/protobuf/descriptor.proto";
option go_package = "github.com/confluentinc/schema-registry/confluent/meta";
message Meta {
  string doc = 1;
  map<string, string> params = 2;
  repeated string tags = 3;
}
extend google.protobuf.FileOptions { Meta file_meta = 1088; }
extend google.protobuf.MessageOptions { Meta message_meta = 1088; }
extend google.protobuf.FieldOptions { Meta field_meta = 1088; }
extend google.protobuf.EnumOptions { Meta enum_meta = 1088; }
extend google.protobuf.EnumValueOptions { Meta enum_value_meta = 1088; }
`,
  'confluent/type/decimal.proto': `syntax = "proto3";
package confluent.type;
option go_package = "github.com/confluentinc/schema-registry/confluent/type/decimal";
message Decimal {
  bytes value = 1;
  uint32 precision = 2;
  int32 scale = 3;
}
`,
};

let protoRoot: string | null | undefined;

function googleProtoRoot(): string | null {
  if (protoRoot === undefined) {
    try {
      protoRoot = dirname(createRequire(import.meta.url).resolve('google-proto-files/package.json'));
    } catch {
      protoRoot = null;
    }
  }
  return protoRoot;
}

// A plain Map, not an LRU: it holds only files that exist among the bundled ones (the two
// above and google-proto-files' google/protobuf and google/type folders), a fixed set read
// once per process. Paths that name no bundled file come from schema text, any number of
// them, so they are not remembered: answering one again costs a file-system check.
const cache = new Map<string, string>();

/** The text of a bundled import, or null when `path` is not one. */
export function wellKnownProtoText(path: string): string | null {
  const hit = cache.get(path);
  if (hit !== undefined) return hit;
  let text: string | null = Object.hasOwn(CONFLUENT_FILES, path) ? CONFLUENT_FILES[path] : null;
  if (text === null && (path.startsWith('google/protobuf/') || path.startsWith('google/type/')) && !path.includes('..')) {
    const root = googleProtoRoot();
    const full = root === null ? null : join(root, path);
    text = full !== null && existsSync(full) ? readFileSync(full, 'utf8') : null;
  }
  if (text !== null) cache.set(path, text);
  return text;
}

/** Every bundled file, as Confluent's `KNOWN_DEPENDENCIES` lists them. */
export const BUNDLED_PROTO_PATHS: readonly string[] = [
  'confluent/meta.proto', 'confluent/type/decimal.proto',
  ...['calendar_period', 'color', 'date', 'datetime', 'dayofweek', 'decimal', 'expr', 'fraction', 'interval', 'latlng', 'money', 'month', 'phone_number', 'postal_address', 'quaternion', 'timeofday'].map((n) => `google/type/${n}.proto`),
  ...['any', 'api', 'descriptor', 'duration', 'empty', 'field_mask', 'source_context', 'struct', 'timestamp', 'type', 'wrappers'].map((n) => `google/protobuf/${n}.proto`),
];
