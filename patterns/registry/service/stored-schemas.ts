/**
 * What the registry learns of stored schemas by id and keeps: the parsed schema (for
 * compatibility checks and `format=serialized`) and whether it is AVRO with references
 * (for the second matching path); and the matching of a request's schema against stored
 * versions, which reads both.
 */
import { LRUCache } from 'lru-cache';
import { contractIdentity } from '../contract/data-contract.js';
import { avroInlinedText } from '../formats/avro/index.js';
import { schemaFormats } from '../formats/index.js';
import { protobufSerialized } from '../formats/protobuf/index.js';
import type { ParsedSchema, ResolvedReference, SchemaReference } from '../formats/schema-format.js';
import type { RegistryStorage, StoredSchema, StoredVersion } from '../storage/registry-storage.js';
import type { WorkLimits } from '../work-budget.js';
import { budgeted } from './budgeted-work.js';
import type { ResolveReferences } from './reference-resolver.js';
import { requireSchema } from './require-schema.js';
import type { Candidate } from './schema-candidate.js';

/** Default of `maxParsed`: parsed stored schemas kept for compatibility checks. */
const DEFAULT_MAX_PARSED = 5000;
/**
 * Default of `maxParsedBytes`: 64 MiB of estimated size, above what one schema can cost
 * within the default limits (a 1 MiB schema resolving 16 MiB of references), so every
 * schema the registry accepts by default can be kept.
 */
const DEFAULT_MAX_PARSED_BYTES = 64 * 1024 * 1024;
/** What a parsed schema costs beside its text: the parsed objects' fixed part, the cache's bookkeeping. */
const PARSED_OVERHEAD_BYTES = 1024;
/** Ids up to this get their schema kind remembered by findMatch (one byte each). */
const AVRO_KIND_IDS_MAX = 1 << 24;

export interface StoredSchemas {
  /**
   * The stored schema under `id`, parsed as stored (cached).
   * @throws RegistryError STORE_ERROR when the id is missing; INVALID_SCHEMA when its
   *   references no longer resolve or parsing uses up the work budget.
   */
  parseStored(id: number): Promise<ParsedSchema>;
  /**
   * The stored text in the requested format: `serialized` for PROTOBUF (a base64
   * FileDescriptorProto), `resolved` for AVRO (references inlined); anything else as stored.
   */
  formatted(id: number, stored: StoredSchema, format: string): Promise<string>;
  /** A request's schema in the requested format, as `formatted` writes a stored one (lookups). */
  formattedCandidate(candidate: Candidate, format: string): string;
  /**
   * The newest version of `versions` whose schema has the candidate's identity; failing
   * that, for a candidate without references, the newest version registered with
   * references that equals the candidate once those are written out inline (Confluent's
   * second matching path, §3.2/§3.6; AVRO only here).
   */
  findMatch(candidate: Candidate, versions: readonly StoredVersion[]): Promise<{ version: StoredVersion; references: SchemaReference[] } | undefined>;
  /** Forgets what was learnt by id: after a hard delete an id may be freed. */
  forgetSchemas(): void;
}

/** Bounds on the parsed schemas a registry keeps. */
export interface StoredSchemasOptions {
  /** Most parsed schemas kept (default 5,000); the least recently used is dropped first. */
  readonly maxParsed?: number;
  /**
   * Estimated size of the parsed schemas kept (default 64 MiB). A parsed schema is counted
   * as the text it was parsed from, its own and every schema it references (its parsed
   * form holds their types too), one byte a character, plus a fixed overhead; one larger
   * than the whole budget is parsed again on each use rather than kept.
   */
  readonly maxParsedBytes?: number;
}

/** The text a schema with `references` is parsed from, in characters; each referenced schema counted once. */
function referencedTextLength(references: readonly ResolvedReference[]): number {
  // The resolver shares one list per referenced schema, so a diamond is walked once per list.
  const walked = new Set<readonly ResolvedReference[]>();
  let length = 0;
  const walk = (refs: readonly ResolvedReference[]): void => {
    if (walked.has(refs)) return;
    walked.add(refs);
    for (const ref of refs) {
      length += ref.schema.length;
      walk(ref.references);
    }
  };
  walk(references);
  return length;
}

/**
 * Creates the memory of one registry over `storage`.
 * @throws TypeError when a bound in `options` is not a number.
 */
export function createStoredSchemas(storage: RegistryStorage, resolveReferences: ResolveReferences, work: WorkLimits, options: StoredSchemasOptions = {}): StoredSchemas {
  // Stored schemas parsed once, by id, the least recently used dropped first, so the schemas
  // every registration is checked against stay while one-off reads pass through; cleared when
  // a hard delete may free an id. The size of each entry is given when it is stored.
  const maxSize = Math.max(1, Math.floor(options.maxParsedBytes ?? DEFAULT_MAX_PARSED_BYTES));
  const parsedById = new LRUCache<number, ParsedSchema>({
    // lru-cache allocates its index for `max` entries up front: no more than the byte budget
    // can hold.
    max: Math.max(1, Math.min(Math.floor(options.maxParsed ?? DEFAULT_MAX_PARSED), Math.floor(maxSize / PARSED_OVERHEAD_BYTES))),
    maxSize,
  });
  // Whether the schema under an id is AVRO with references, the only kind findMatch's
  // second path compares: one byte per id (0 not known yet, 1 no, 2 yes), so a registration
  // in a subject of thousands of versions scans them in microseconds.
  let avroWithReferences = new Uint8Array(1024);

  function forgetSchemas(): void {
    parsedById.clear();
    avroWithReferences.fill(0);
  }

  async function isAvroWithReferences(id: number): Promise<boolean> {
    const known = avroWithReferences[id];
    if (known) return known === 2;
    const stored = await requireSchema(storage, id);
    const answer = stored.references.length > 0 && stored.schemaType === 'AVRO';
    if (id < AVRO_KIND_IDS_MAX) {
      if (id >= avroWithReferences.length) {
        const grown = new Uint8Array(Math.min(AVRO_KIND_IDS_MAX, Math.max(id + 1, avroWithReferences.length * 2)));
        grown.set(avroWithReferences);
        avroWithReferences = grown;
      }
      avroWithReferences[id] = answer ? 2 : 1;
    }
    return answer;
  }

  function formattedCandidate(candidate: Candidate, format: string): string {
    if (format === 'serialized' && candidate.format.type === 'PROTOBUF') return protobufSerialized(candidate.parsed);
    if (format === 'resolved' && candidate.format.type === 'AVRO' && candidate.references.length > 0) return avroInlinedText(candidate.parsed) ?? candidate.text;
    return candidate.text;
  }

  async function formatted(id: number, stored: StoredSchema, format: string): Promise<string> {
    if (format === 'serialized' && stored.schemaType === 'PROTOBUF') return protobufSerialized(await parseStored(id));
    // Confluent's `resolved` (confluent-data-contracts.md §1.3): the referenced named types
    // written inline; the references are still listed beside it.
    if (format === 'resolved' && stored.schemaType === 'AVRO' && stored.references.length > 0) return avroInlinedText(await parseStored(id)) ?? stored.schema;
    return stored.schema;
  }

  async function parseStored(id: number): Promise<ParsedSchema> {
    const hit = parsedById.get(id);
    if (hit) return hit;
    const stored = await requireSchema(storage, id);
    const { resolved } = await resolveReferences(stored.schema, stored.references, true);
    // Stored schemas are taken as stored: an IMPORTed one may carry defaults a new one may
    // not, and one stored before patterns ran on RE2 may hold a pattern RE2 refuses.
    const parsed = budgeted(work, `parsing stored schema ${id}`, () =>
      schemaFormats[stored.schemaType].parse(stored.schema, resolved, { validateDefaults: false, stored: true }),
    );
    parsedById.set(id, parsed, { size: PARSED_OVERHEAD_BYTES + stored.schema.length + referencedTextLength(resolved) });
    return parsed;
  }

  async function findMatch(candidate: Candidate, versions: readonly StoredVersion[]): Promise<{ version: StoredVersion; references: SchemaReference[] } | undefined> {
    const ids = new Set(await storage.findSchemaIds(candidate.hash));
    if (ids.size > 0) {
      const byHash = versions.findLast((v) => ids.has(v.id));
      if (byHash) return { version: byHash, references: candidate.references };
    }
    if (candidate.references.length > 0 || candidate.format.type !== 'AVRO') return undefined;
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i];
      // Known answers are read without an await: this loop runs once per registration.
      const known = avroWithReferences[v.id];
      if (known === 1 || (known !== 2 && !(await isAvroWithReferences(v.id)))) continue;
      if (avroInlinedText(await parseStored(v.id)) !== candidate.parsed.canonical) continue;
      const stored = await requireSchema(storage, v.id);
      // The data contract is part of the identity on this path too.
      if (contractIdentity(stored) === contractIdentity(candidate.contract)) return { version: v, references: [...stored.references] };
    }
    return undefined;
  }

  return { parseStored, formatted, formattedCandidate, findMatch, forgetSchemas };
}
