/**
 * The contract every schema format (AVRO, JSON, PROTOBUF) implements for the registry.
 *
 * The registry never looks inside a schema itself: it asks the format to parse, to give the
 * canonical text that decides identity, and to compare two parsed schemas. Compatibility
 * levels (which versions, which direction) are built by the registry from the one primitive
 * `checkReads`, exactly as Confluent builds them from `isBackwardCompatible`
 * (compatibility-rules.md §1).
 */

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

/** A reference as stored with a schema: `name` is how the referring schema imports it. */
export interface SchemaReference {
  readonly name: string;
  readonly subject: string;
  readonly version: number;
}

/**
 * A reference resolved by the registry to the referenced schema's text, with that schema's
 * own references resolved too (depth first), so a format can build its whole import graph.
 */
export interface ResolvedReference extends SchemaReference {
  readonly schemaType: SchemaType;
  readonly schema: string;
  readonly references: readonly ResolvedReference[];
}

/** Thrown by `parse` for text that is not a valid schema; the message becomes the 42201 text. */
export class InvalidSchemaError extends Error {
  override readonly name = 'InvalidSchemaError';
}

export interface ParsedSchema {
  readonly type: SchemaType;
  /** The text the registry stores and returns (Confluent's canonical string for the format). */
  readonly canonical: string;
  /** The text used for `normalize=true` identity and storage (may equal `canonical`). */
  readonly normalized: string;
  /** Format-private parsed model, passed back to `checkReads`. */
  readonly model: unknown;
}

/** Which role ("new" or "old") each side plays; fills the two `%s` slots of messages. */
export interface CheckRoles {
  readonly reader: 'new' | 'old';
  readonly writer: 'new' | 'old';
}

export interface CheckOptions {
  /** JSON Schema only: Confluent's compatibility policy (STRICT by default). */
  readonly policy?: 'STRICT' | 'LENIENT';
}

export interface ParseOptions {
  /**
   * Check default values against their types (default true). Confluent checks them for new
   * schemas only: an IMPORT registration (7.5+) stores what it is given.
   */
  readonly validateDefaults?: boolean;
  /**
   * The text comes from the store: accept what was accepted when it was registered (a JSON
   * Schema pattern outside RE2's syntax then never matches instead of being refused).
   */
  readonly stored?: boolean;
}

export interface SchemaFormat {
  readonly type: SchemaType;
  /**
   * Parses schema text with its resolved references.
   * @throws InvalidSchemaError when the text or a reference is not a valid schema.
   * @throws WorkBudgetExceededError when the ambient work budget (work-budget.ts) is used up.
   */
  parse(text: string, references: readonly ResolvedReference[], options?: ParseOptions): ParsedSchema;
  /**
   * Can `reader` read data written with `writer`? Returns one Confluent-format message per
   * incompatibility (compatibility-rules.md §2.2, §3.6, §4.3); empty means compatible.
   * An unexpected failure is reported as a message.
   * @throws WorkBudgetExceededError when the ambient work budget (work-budget.ts) is used up.
   */
  checkReads(reader: ParsedSchema, writer: ParsedSchema, roles: CheckRoles, options?: CheckOptions): string[];
}
