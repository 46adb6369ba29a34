/**
 * The registry: Confluent Schema Registry semantics (confluent-sr-api.md §3) over a
 * RegistryStorage, one method per RPC of `prism.patterns.registry.v1.Registry`.
 *
 * Every Confluent check happens here, in Confluent's order (§2.1); the storage only makes
 * writes atomic and assigns ids and versions. Writes are serialised in this process (one
 * at a time, from their first check to their commit), so what a write checked is still true
 * when it commits. Only the default context is implemented (§3.1).
 */
import { createHash } from 'node:crypto';
import { checkCompatibility, type CompatibilityResult, type PreviousSchema } from './check-compatibility.js';
import { DEFAULT_COMPATIBILITY_LEVEL, parseCompatibilityLevel, type CompatibilityLevel } from './compatibility-level.js';
import { avroInlinedText } from './formats/avro/index.js';
import { protobufSerialized } from './formats/protobuf/index.js';
import { findSchemaFormat, schemaFormats } from './formats/index.js';
import {
  InvalidSchemaError,
  type ParsedSchema,
  type ParseOptions,
  type ResolvedReference,
  type SchemaFormat,
  type SchemaReference,
  type SchemaType,
} from './formats/schema-format.js';
import { paginate } from './paginate.js';
import {
  compatibilityNotConfigured,
  incompatibleSchema,
  invalidMode,
  operationTimeout,
  invalidSchema,
  modeNotConfigured,
  operationNotPermitted,
  referenceExists,
  RegistryError,
  schemaNotFound,
  schemaTooLarge,
  subjectNotFound,
  subjectNotSoftDeleted,
  subjectSoftDeleted,
  versionNotFound,
  versionNotSoftDeleted,
  versionSoftDeleted,
} from './registry-error.js';
import type * as M from './registry-messages.js';
import { DEFAULT_MODE, parseRegistryMode, type RegistryMode } from './registry-mode.js';
import { createGuardedStorage } from './storage/guard-storage.js';
import { GLOBAL_SCOPE, StorageConflictError, type RegistryStorage, type StoredSchema, type StoredVersion } from './storage/registry-storage.js';
import { compareStrings } from './storage/compare-strings.js';
import { normalizeSubject, validateSubject } from './subject-name.js';
import { LATEST, parseVersionSelector } from './version-selector.js';
import { DEFAULT_WORK_LIMITS, withWorkBudget, WorkBudgetExceededError, type WorkLimits } from './work-budget.js';

export interface RegistryOptions {
  readonly storage: RegistryStorage;
  /**
   * Largest schema text accepted by RegisterSchema, in UTF-8 bytes (SCHEMA_TOO_LARGE
   * beyond). Confluent's limit is the Kafka record size, about 1 MiB by default.
   */
  readonly maxSchemaBytes?: number;
  /** Bounds on what one request may make the registry resolve and compute. */
  readonly limits?: Partial<RegistryLimits>;
}

/**
 * What one request may cost the registry (RELIABILITY.md lists these with their defaults).
 * A schema beyond a limit is refused as invalid (42201, INVALID_SCHEMA) with a message
 * naming the limit: the request cannot succeed by retrying, as with Confluent's own 42201.
 */
export interface RegistryLimits {
  /** Longest chain of references from a schema (Confluent has none; a cycle has no end). */
  readonly maxReferenceDepth: number;
  /** Distinct (name, subject, version) references one schema may resolve to, all levels. */
  readonly maxReferencedSchemas: number;
  /** Total UTF-8 size of the distinct referenced schema texts one schema resolves to. */
  readonly maxResolvedBytes: number;
  /** The budget of one synchronous slice of parsing or of one compatibility comparison. */
  readonly work: WorkLimits;
  /**
   * A write starts its commit only with at least this much of the caller's deadline left,
   * so that a write the caller saw time out was not committed.
   */
  readonly commitReserveMs: number;
}

export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = {
  maxReferenceDepth: 32,
  maxReferencedSchemas: 10_000,
  maxResolvedBytes: 16 * 1024 * 1024,
  work: DEFAULT_WORK_LIMITS,
  commitReserveMs: 250,
};

/** Confluent lists the types in its HashMap order; clients compare them as a set. */
const SCHEMA_TYPES = ['JSON', 'PROTOBUF', 'AVRO'];
/** `GET /schemas` caps its page size (confluent-sr-api.md §3.9). */
const LIST_SCHEMAS_MAX = 1000;
/** Parsed stored schemas kept for compatibility checks. */
const PARSED_CACHE_SIZE = 5000;
/** Ids up to this get their schema kind remembered by findMatch (one byte each). */
const AVRO_KIND_IDS_MAX = 1 << 24;

/** A schema from a request, parsed and ready to be matched or stored. */
interface Candidate {
  readonly format: SchemaFormat;
  readonly parsed: ParsedSchema;
  /** The text to store and to hash: canonical, or normalised with `normalize`. */
  readonly text: string;
  /** References with `-1` resolved to concrete versions. */
  readonly references: SchemaReference[];
  readonly hash: string;
  /**
   * Why the schema would be refused as a new one, when only its default values are wrong:
   * Confluent checks defaults for new schemas only, so it may still match a stored version
   * (an IMPORTed one), be looked up, or be imported.
   */
  readonly defaultsProblem?: RegistryError;
}

/**
 * One request's view of the reference graph: each distinct (subject, version) is resolved
 * once and shared by every path that reaches it, so a diamond costs its number of schemas,
 * not its number of paths (which grows exponentially with its depth).
 */
interface Resolution {
  readonly versions: Map<string, Promise<readonly StoredVersion[]>>;
  /** `subject\0version` → the resolved schema, or 'pending' while its references resolve. */
  readonly nodes: Map<string, ResolvedNode | 'pending'>;
  /** Distinct `name\0subject\0version` references met (maxReferencedSchemas), shared by every path. */
  readonly named: Map<string, ResolvedReference>;
  bytes: number;
}

interface ResolvedNode {
  readonly schemaType: SchemaType;
  readonly schema: string;
  readonly bytes: number;
  /** Shared by every ResolvedReference to this schema (formats skip a list already walked). */
  readonly references: readonly ResolvedReference[];
  /** Longest chain of references below this schema, itself included. */
  readonly height: number;
}

/** Epoch milliseconds of a call's deadline; Infinity for none. */
function deadlineOf(context: M.CallContext | undefined): number {
  const deadline = context?.deadline;
  if (deadline === undefined) return Infinity;
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

interface SchemaInput {
  readonly schema: string;
  readonly schema_type: string;
  readonly references: readonly M.SchemaReferenceMessage[];
  readonly normalize: boolean;
}

/** Creates the registry over `options.storage` (which it closes on `close`). */
export function createRegistryService(options: RegistryOptions): M.RegistryApi & { close(): Promise<void> } {
  const storage = createGuardedStorage(options.storage);
  const maxSchemaBytes = options.maxSchemaBytes ?? 1024 * 1024;
  const limits: RegistryLimits = { ...DEFAULT_REGISTRY_LIMITS, ...options.limits };
  // Stored schemas parsed once, by id (at most PARSED_CACHE_SIZE, oldest dropped first);
  // cleared when a hard delete may free an id.
  const parsedById = new Map<number, ParsedSchema>();
  // Whether the schema under an id is AVRO with references, the only kind findMatch's
  // second path compares: one byte per id (0 not known yet, 1 no, 2 yes), so a registration
  // in a subject of thousands of versions scans them in microseconds.
  let avroWithReferences = new Uint8Array(1024);
  /** Forgets what was learnt by id: after a hard delete an id may be freed. */
  function forgetSchemas(): void {
    parsedById.clear();
    avroWithReferences.fill(0);
  }
  async function isAvroWithReferences(id: number): Promise<boolean> {
    const known = avroWithReferences[id];
    if (known) return known === 2;
    const stored = await requireSchema(id);
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

  // --- write serialisation ------------------------------------------------------------
  let tail: Promise<unknown> = Promise.resolve();
  /**
   * Runs a write after the writes before it. A write whose caller's deadline is (nearly)
   * over by its turn does not start: its caller has been told it timed out.
   */
  function serialized<T>(operation: string, context: M.CallContext | undefined, work: () => Promise<T>): Promise<T> {
    const deadline = deadlineOf(context);
    const start = () => {
      requireTimeToCommit(operation, deadline);
      return work();
    };
    const run = tail.then(start, start);
    tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Refuses to start a commit with less than `commitReserveMs` of the caller's deadline
   * left: the caller is about to see DEADLINE_EXCEEDED (50002 through the gateway), and a
   * write it was told timed out must not be stored.
   * @throws RegistryError OPERATION_TIMEOUT.
   */
  function requireTimeToCommit(operation: string, deadline: number): void {
    if (Date.now() + limits.commitReserveMs >= deadline) {
      throw operationTimeout(operation, new Error(`less than ${limits.commitReserveMs} ms of the caller's deadline left; nothing was written`));
    }
  }

  /** The deadline as a check between the slices of a compatibility check. */
  function deadlineGuard(operation: string, deadline: number): () => void {
    return () => {
      if (Date.now() >= deadline) throw operationTimeout(operation, new Error("the caller's deadline passed"));
    };
  }

  /**
   * Runs synchronous schema work (parsing, one compatibility comparison) within the work
   * budget, turning a used-up budget into 42201 with what was being done.
   * @throws RegistryError INVALID_SCHEMA when the budget is used up.
   */
  function budgeted<T>(what: string, fn: () => T): T {
    try {
      return withWorkBudget(limits.work, fn);
    } catch (err) {
      if (err instanceof WorkBudgetExceededError) throw budgetExceeded(what, err);
      throw err;
    }
  }

  function budgetExceeded(what: string, err: WorkBudgetExceededError): RegistryError {
    return invalidSchema(`Invalid schema: ${what} exceeded the registry's work budget (${err.message}); the schema is too large or too complex`, {
      limit: err.limit === 'steps' ? 'work.maxSteps' : 'work.maxMillis',
    });
  }

  // --- helpers: scope, lookups --------------------------------------------------------

  /** Level in scope: subject config, else global, else the server default. */
  async function levelInScope(subject: string): Promise<CompatibilityLevel> {
    const own = await storage.getSetting('compatibility', subject);
    const value = own ?? (await storage.getSetting('compatibility', GLOBAL_SCOPE));
    return (value as CompatibilityLevel | undefined) ?? DEFAULT_COMPATIBILITY_LEVEL;
  }

  /** `normalize` in scope: the request's flag, or the subject's setting, else the global one. */
  async function normalizeInScope(subject: string, requested: boolean): Promise<boolean> {
    if (requested) return true;
    const own = await storage.getSetting('normalize', subject);
    return (own ?? (await storage.getSetting('normalize', GLOBAL_SCOPE))) === 'true';
  }

  /** A stored `normalize` setting as a proto3 optional bool (absent when unset). */
  const normalizeField = (value: string | undefined): { normalize?: boolean } => (value === undefined ? {} : { normalize: value === 'true' });

  /** Mode in scope: a global READONLY_OVERRIDE beats everything, else subject, else global. */
  async function modeInScope(subject: string): Promise<RegistryMode> {
    const global = (await storage.getSetting('mode', GLOBAL_SCOPE)) as RegistryMode | undefined;
    if (global === 'READONLY_OVERRIDE' || subject === GLOBAL_SCOPE) return global ?? DEFAULT_MODE;
    const own = (await storage.getSetting('mode', subject)) as RegistryMode | undefined;
    return own ?? global ?? DEFAULT_MODE;
  }

  async function requireWritable(subject: string): Promise<void> {
    const mode = await modeInScope(subject);
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') {
      // Confluent names the global scope `__GLOBAL` (the reason that subject name is reserved).
      const name = subject === GLOBAL_SCOPE ? '__GLOBAL' : subject;
      throw operationNotPermitted(`Subject ${name} is in read-only mode`, { subject: name, mode });
    }
  }

  /** The scope a config/mode RPC addresses: "" or ":.:" is global. */
  function scopeOf(subject: string): string {
    return subject === '' || subject === ':.:' ? GLOBAL_SCOPE : normalizeSubject(subject);
  }

  const live = (versions: readonly StoredVersion[]) => versions.filter((v) => !v.deleted);
  const newestLive = (versions: readonly StoredVersion[]) => live(versions).at(-1);

  async function hasLiveReferrer(subject: string, version: number): Promise<boolean> {
    for (const id of await storage.listReferrers(subject, version)) {
      if ((await storage.listVersionsOfSchema(id)).some((v) => !v.deleted)) return true;
    }
    return false;
  }

  async function requireSchema(id: number): Promise<StoredSchema> {
    const schema = await storage.getSchema(id);
    if (!schema) throw new RegistryError('STORE_ERROR', `Schema ${id} is missing from the store`);
    return schema;
  }

  // --- helpers: parsing ---------------------------------------------------------------

  /**
   * Resolves references depth first into what a format's parser needs. `allowDeleted`:
   * registrations require live referenced versions, lookups also accept soft-deleted ones
   * (confluent-sr-api.md §3.10); `-1` means the newest live version. Each distinct
   * (subject, version) is resolved once per call (see Resolution) and the graph is bounded
   * by the depth, count and size limits.
   * @throws RegistryError INVALID_SCHEMA for a malformed or missing reference, a cycle, or
   *   a graph beyond a limit.
   */
  async function resolveReferences(
    schemaText: string,
    references: readonly SchemaReference[],
    allowDeleted: boolean,
  ): Promise<{ resolved: ResolvedReference[]; concrete: SchemaReference[] }> {
    const state: Resolution = { versions: new Map(), nodes: new Map(), named: new Map(), bytes: 0 };
    const resolved: ResolvedReference[] = [];
    const concrete: SchemaReference[] = [];
    for (const ref of references) {
      const { reference } = await resolveEdge(state, schemaText, ref, allowDeleted, 1);
      resolved.push(reference);
      concrete.push({ name: ref.name, subject: reference.subject, version: reference.version });
    }
    return { resolved, concrete };
  }

  /** Versions of a subject, read once per call. */
  function versionsOf(state: Resolution, subject: string): Promise<readonly StoredVersion[]> {
    let versions = state.versions.get(subject);
    if (versions === undefined) state.versions.set(subject, (versions = storage.listVersions(subject)));
    return versions;
  }

  const depthExceeded = () => invalidSchema(`Invalid reference: references nested deeper than ${limits.maxReferenceDepth}`, { limit: 'maxReferenceDepth' });

  /** One reference of a schema at `depth` (1 for the schema's own references). */
  async function resolveEdge(
    state: Resolution,
    schemaText: string,
    ref: SchemaReference,
    allowDeleted: boolean,
    depth: number,
  ): Promise<{ reference: ResolvedReference; node: ResolvedNode }> {
    if (!ref.name || !ref.subject || !ref.version) {
      throw invalidSchema(`Invalid reference: ${JSON.stringify({ name: ref.name, subject: ref.subject, version: ref.version })}`);
    }
    if (depth > limits.maxReferenceDepth) throw depthExceeded();
    const subject = normalizeSubject(ref.subject);
    const versions = await versionsOf(state, subject);
    const found =
      ref.version === LATEST
        ? newestLive(versions)
        : versions.find((v) => v.version === ref.version && (allowDeleted || !v.deleted));
    if (!found) {
      throw invalidSchema(
        `Invalid schema ${schemaText}, details: No schema reference found for subject "${ref.subject}" and version ${ref.version}`,
        { subject: ref.subject, version: String(ref.version) },
      );
    }
    const node = await resolveNode(state, subject, found, depth);
    // The chain through this reference, from the schema being resolved, must fit too.
    if (depth + node.height - 1 > limits.maxReferenceDepth) throw depthExceeded();
    const named = `${ref.name}\u0000${subject}\u0000${found.version}`;
    const known = state.named.get(named);
    if (known !== undefined) return { reference: known, node };
    const reference: ResolvedReference = {
      name: ref.name,
      subject,
      version: found.version,
      schemaType: node.schemaType,
      schema: node.schema,
      references: node.references,
    };
    state.named.set(named, reference);
    state.bytes += node.bytes;
    if (state.named.size > limits.maxReferencedSchemas) {
      throw invalidSchema(`Invalid reference: the references resolve to more than ${limits.maxReferencedSchemas} schemas`, { limit: 'maxReferencedSchemas' });
    }
    if (state.bytes > limits.maxResolvedBytes) {
      throw invalidSchema(`Invalid reference: the referenced schemas add up to more than ${limits.maxResolvedBytes} bytes`, { limit: 'maxResolvedBytes' });
    }
    return { reference, node };
  }

  /** A stored schema with its own references resolved (nested references may be soft-deleted). */
  async function resolveNode(state: Resolution, subject: string, version: StoredVersion, depth: number): Promise<ResolvedNode> {
    const key = `${subject}\u0000${version.version}`;
    const known = state.nodes.get(key);
    if (known === 'pending') {
      throw invalidSchema(`Invalid reference: the references of subject "${subject}" version ${version.version} form a cycle`, { subject, version: String(version.version) });
    }
    if (known !== undefined) return known;
    state.nodes.set(key, 'pending');
    const stored = await requireSchema(version.id);
    const references: ResolvedReference[] = [];
    let below = 0;
    for (const ref of stored.references) {
      const edge = await resolveEdge(state, stored.schema, ref, true, depth + 1);
      references.push(edge.reference);
      below = Math.max(below, edge.node.height);
    }
    const node: ResolvedNode = {
      schemaType: stored.schemaType,
      schema: stored.schema,
      bytes: Buffer.byteLength(stored.schema, 'utf8'),
      references,
      height: below + 1,
    };
    state.nodes.set(key, node);
    return node;
  }

  /** Identity key: the text, then each reference (confluent-sr-api.md §3.2); not the type. */
  function identityHash(text: string, references: readonly SchemaReference[]): string {
    const hash = createHash('md5').update(text);
    for (const r of references) hash.update(`\u0000${r.name}\u0000${r.subject}\u0000${r.version}`);
    return hash.digest('hex');
  }

  /**
   * Parses a schema from a request.
   * @throws RegistryError INVALID_SCHEMA for an unknown type, empty text, an unresolvable
   *   reference, or text the format rejects.
   */
  async function parseCandidate(input: SchemaInput, allowDeletedReferences: boolean): Promise<Candidate> {
    const format = findSchemaFormat(input.schema_type);
    if (!format) throw invalidSchema(`Invalid schema type ${input.schema_type}`, { schema_type: input.schema_type });
    if (input.schema === '') throw invalidSchema('Empty schema');
    const requested = input.references.map((r) => ({ name: r.name, subject: r.subject, version: r.version }));
    const { resolved, concrete } = await resolveReferences(input.schema, requested, allowDeletedReferences);
    const parse = (options: ParseOptions) => {
      try {
        return budgeted('parsing the schema', () => format.parse(input.schema, resolved, options));
      } catch (err) {
        if (err instanceof RegistryError) throw err;
        if (err instanceof InvalidSchemaError) throw invalidSchema(err.message);
        throw invalidSchema(`Invalid schema ${input.schema}, details: ${(err as Error).message}`);
      }
    };
    let parsed: ParsedSchema;
    let defaultsProblem: RegistryError | undefined;
    try {
      parsed = parse({ validateDefaults: true });
    } catch (err) {
      // A used-up budget would be used up again.
      if (err instanceof RegistryError && err.metadata['limit'] !== undefined) throw err;
      // Valid but for its defaults? Then it is refused only where a new schema is made.
      try {
        parsed = parse({ validateDefaults: false });
      } catch {
        throw err;
      }
      defaultsProblem = err as RegistryError;
    }
    let references = concrete;
    if (input.normalize) {
      // Normalised identity sorts and de-duplicates references (§3.2).
      const seen = new Set<string>();
      references = [...concrete]
        .sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.subject, b.subject) || a.version - b.version)
        .filter((r) => {
          const key = `${r.name}\u0000${r.subject}\u0000${r.version}`;
          return seen.has(key) ? false : (seen.add(key), true);
        });
    }
    const text = input.normalize ? parsed.normalized : parsed.canonical;
    return { format, parsed, text, references, hash: identityHash(text, references), defaultsProblem };
  }

  /** The stored text in the requested format (Confluent `format=serialized` for PROTOBUF). */
  async function formatted(id: number, stored: StoredSchema, format: string): Promise<string> {
    if (format !== 'serialized' || stored.schemaType !== 'PROTOBUF') return stored.schema;
    return protobufSerialized(await parseStored(id));
  }

  async function parseStored(id: number): Promise<ParsedSchema> {
    const hit = parsedById.get(id);
    if (hit) return hit;
    const stored = await requireSchema(id);
    const { resolved } = await resolveReferences(stored.schema, stored.references, true);
    // Stored schemas are taken as stored: an IMPORTed one may carry defaults a new one may
    // not, and one stored before patterns ran on RE2 may hold a pattern RE2 refuses.
    const parsed = budgeted(`parsing stored schema ${id}`, () =>
      schemaFormats[stored.schemaType].parse(stored.schema, resolved, { validateDefaults: false, stored: true }),
    );
    if (parsedById.size >= PARSED_CACHE_SIZE) parsedById.delete(parsedById.keys().next().value as number);
    parsedById.set(id, parsed);
    return parsed;
  }

  /** The versions a check compares against, newest first, parsed (only those the level reads). */
  async function previousFor(level: CompatibilityLevel, versions: readonly StoredVersion[]): Promise<PreviousSchema[]> {
    if (level === 'NONE') return [];
    const newestFirst = [...versions].reverse();
    const needed = level.endsWith('_TRANSITIVE') ? newestFirst : newestFirst.slice(0, 1);
    return Promise.all(needed.map(async (v) => ({ version: v.version, parsed: await parseStored(v.id) })));
  }

  /**
   * The compatibility check of a candidate: one budgeted slice per version compared, the
   * caller's deadline checked between them.
   * @throws RegistryError INVALID_SCHEMA when comparing with one version uses up the work
   *   budget; OPERATION_TIMEOUT when the deadline passes between versions.
   */
  async function checkedCompatibility(
    candidate: Candidate,
    level: CompatibilityLevel,
    previous: readonly PreviousSchema[],
    operation: string,
    deadline: number,
  ): Promise<CompatibilityResult> {
    try {
      return await checkCompatibility(candidate.format, level, candidate.parsed, previous, {
        work: limits.work,
        beforeEach: deadlineGuard(operation, deadline),
      });
    } catch (err) {
      if (err instanceof WorkBudgetExceededError) throw budgetExceeded('the compatibility check', err);
      throw err;
    }
  }

  /**
   * The newest version of `versions` whose schema has the candidate's identity; failing
   * that, for a candidate without references, the newest version registered with
   * references that equals the candidate once those are written out inline (Confluent's
   * second matching path, §3.2/§3.6; AVRO only here).
   */
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
      if (avroInlinedText(await parseStored(v.id)) === candidate.parsed.canonical) return { version: v, references: [...(await requireSchema(v.id)).references] };
    }
    return undefined;
  }

  function schemaMessage(subject: string, version: number, id: number, schema: StoredSchema | Candidate, type: SchemaType): M.SchemaMessage {
    const text = 'text' in schema ? schema.text : schema.schema;
    return { subject, version, id, schema_type: type, references: schema.references.map((r) => ({ ...r })), schema: text };
  }

  /** Resolves a selector against stored versions (Confluent's S4 rules, §2.1/§3.7). */
  function selectVersion(subject: string, selector: number, versions: readonly StoredVersion[], includeDeleted: boolean): StoredVersion {
    const found =
      selector === LATEST ? newestLive(versions) : versions.find((v) => v.version === selector && (includeDeleted || !v.deleted));
    if (found) return found;
    const visible = includeDeleted ? versions : live(versions);
    if (visible.length === 0) throw subjectNotFound(subject);
    throw versionNotFound(selector);
  }

  // --- the RPCs -----------------------------------------------------------------------

  const api: M.RegistryApi = {
    async RegisterSchema(request, context) {
      // Check order of confluent-sr-api.md §2.1 (S3) and the algorithm of §3.5.
      const subject = normalizeSubject(request.subject);
      validateSubject(subject, request.subject);
      // Hot path: auto-registering clients mostly re-register what is already live; that
      // answer needs no write, so it does not wait behind other writes.
      const normalize = await normalizeInScope(subject, request.normalize);
      let parsedEarly: Candidate | undefined;
      if (request.schema !== '' && request.id === undefined && request.version === undefined) {
        parsedEarly = await parseCandidate({ ...request, normalize }, false);
        const match = (await findMatch(parsedEarly, live(await storage.listVersions(subject))))?.version;
        if (match) return { id: match.id, version: match.version };
      }
      return serialized('Register schema', context, async () => {
        const hasId = request.id !== undefined && request.id >= 0;
        const versions = await storage.listVersions(subject);

        // Shortcut: a schema already live in the subject answers with its id before any
        // mode or compatibility check (an empty schema never matches here, 7.4+).
        let candidate: Candidate | undefined;
        if (request.schema !== '') {
          // Parsing again is only needed when a write in between can change the result:
          // references resolve against the store, and the normalize setting may have moved.
          const normalizeNow = await normalizeInScope(subject, request.normalize);
          candidate =
            parsedEarly && request.references.length === 0 && normalizeNow === normalize
              ? parsedEarly
              : await parseCandidate({ ...request, normalize: normalizeNow }, false);
          const match = (await findMatch(candidate, live(versions)))?.version;
          const versionAgrees = request.version === undefined || request.version === LATEST || request.version === match?.version;
          if (match && versionAgrees && (!hasId || request.id === match.id)) return { id: match.id, version: match.version };
        }

        const mode = await modeInScope(subject);
        if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') {
          throw operationNotPermitted(`Subject ${subject} is in read-only mode`, { subject, mode });
        }
        if (hasId && mode !== 'IMPORT') throw operationNotPermitted(`Subject ${subject} is not in import mode`, { subject, mode });
        if (!hasId && mode !== 'READWRITE') throw operationNotPermitted(`Subject ${subject} is not in read-write mode`, { subject, mode });

        if (!candidate) {
          // 7.4+: an empty schema re-uses the latest live version (Confluent does this to
          // attach metadata, which this registry does not store), else "Empty schema".
          const latest = newestLive(versions);
          if (!latest) throw invalidSchema('Empty schema');
          return { id: latest.id, version: latest.version };
        }

        // 7.5+: an IMPORT registration is stored as given; a new schema's defaults must be valid.
        if (mode !== 'IMPORT' && candidate.defaultsProblem) throw candidate.defaultsProblem;
        if (mode !== 'IMPORT') {
          const level = await levelInScope(subject);
          const previous = await previousFor(level, live(versions));
          const result = await checkedCompatibility(candidate, level, previous, 'Register schema', deadlineOf(context));
          if (!result.compatible) throw incompatibleSchema(subject, result.messages);
        }

        const maxStored = versions.at(-1)?.version ?? 0;
        let version: number | undefined;
        if (request.version !== undefined && request.version !== LATEST) {
          if (mode !== 'IMPORT' && request.version !== maxStored + 1) throw invalidSchema('Version is not one more than previous version');
          version = request.version;
        }
        if (hasId) {
          const bound = await storage.getSchema(request.id!);
          if (bound && bound.hash !== candidate.hash) {
            throw operationNotPermitted(`Overwrite new schema with id ${request.id} is not permitted.`, { id: String(request.id) });
          }
        }
        if (Buffer.byteLength(candidate.text, 'utf8') > maxSchemaBytes) throw schemaTooLarge();
        // Everything before took time: commit only if the caller will still hear the answer.
        requireTimeToCommit('Register schema', deadlineOf(context));
        try {
          return await storage.insertVersion({
            subject,
            schemaType: candidate.format.type,
            schema: candidate.text,
            references: candidate.references,
            hash: candidate.hash,
            id: hasId ? request.id : undefined,
            version,
          });
        } catch (err) {
          if (err instanceof StorageConflictError) {
            throw operationNotPermitted(`Overwrite new schema with id ${request.id ?? ''} is not permitted.`, { subject });
          }
          throw err;
        }
      });
    },

    async LookupSchema(request) {
      const subject = normalizeSubject(request.subject);
      const versions = await storage.listVersions(subject);
      const visible = request.deleted ? versions : live(versions);
      // The schema is parsed first, so an invalid one is 42201 even for an unknown
      // subject; an empty one (7.4+) is simply "no match".
      const normalize = await normalizeInScope(subject, request.normalize);
      const candidate = request.schema === '' ? undefined : await parseCandidate({ ...request, normalize }, true);
      const match = candidate && (await findMatch(candidate, visible));
      if (candidate && match) {
        // The schema answered is the canonical form of the submitted one (§3.6).
        const { version, id } = match.version;
        return { ...schemaMessage(subject, version, id, candidate, candidate.format.type), references: match.references.map((r) => ({ ...r })) };
      }
      if (visible.length > 0) throw schemaNotFound();
      throw subjectNotFound(subject);
    },

    async GetSchemaVersion(request) {
      const selector = parseVersionSelector(request.version);
      const subject = normalizeSubject(request.subject);
      const found = selectVersion(subject, selector, await storage.listVersions(subject), request.deleted);
      const stored = await requireSchema(found.id);
      const message = schemaMessage(subject, found.version, found.id, stored, stored.schemaType);
      return request.format === 'serialized' ? { ...message, schema: await formatted(found.id, stored, request.format) } : message;
    },

    async ListSchemaVersions(request) {
      const subject = normalizeSubject(request.subject);
      const versions = await storage.listVersions(subject);
      const anyDeletedFlag = request.deleted || request.deleted_only;
      if ((anyDeletedFlag ? versions : live(versions)).length === 0) throw subjectNotFound(subject);
      const selected = request.deleted_only ? versions.filter((v) => v.deleted) : request.deleted ? versions : live(versions);
      return { versions: paginate(selected.map((v) => v.version), request.offset, request.limit) };
    },

    async ListSubjects(request) {
      const matches = prefixMatcher(request.subject_prefix);
      const bySubject = groupBySubject(await storage.listAllVersions());
      const subjects: string[] = [];
      for (const [subject, versions] of bySubject) {
        if (!matches(subject)) continue;
        const anyLive = versions.some((v) => !v.deleted);
        const include = request.deleted_only ? !anyLive : request.deleted ? true : anyLive;
        if (include) subjects.push(subject);
      }
      return { subjects: paginate(subjects.sort(compareStrings), request.offset, request.limit) };
    },

    DeleteSchemaVersion: (request, context) =>
      serialized('Delete schema version', context, async () => {
        // Check order of §2.1 (S7).
        const selector = parseVersionSelector(request.version);
        const subject = normalizeSubject(request.subject);
        const versions = await storage.listVersions(subject);
        const target = selector === LATEST ? newestLive(versions) : versions.find((v) => v.version === selector);
        if (target && target.deleted && !request.permanent) throw versionSoftDeleted(subject, target.version);
        if (!target) {
          if (versions.length === 0) throw subjectNotFound(subject);
          throw versionNotFound(selector);
        }
        await requireWritable(subject);
        if (await hasLiveReferrer(subject, target.version)) throw referenceExists(subject, target.version);
        if (request.permanent && !target.deleted) throw versionNotSoftDeleted(subject, target.version);
        if (request.permanent) {
          await storage.hardDeleteVersions(subject, [target.version]);
          forgetSchemas();
        } else {
          await storage.softDeleteVersions(subject, [target.version]);
        }
        return { version: target.version };
      }),

    DeleteSubject: (request, context) =>
      serialized('Delete subject', context, async () => {
        // Check order of §2.1 (S9).
        const subject = normalizeSubject(request.subject);
        const versions = await storage.listVersions(subject);
        if (versions.length === 0) throw subjectNotFound(subject);
        const liveVersions = live(versions);
        if (!request.permanent && liveVersions.length === 0) throw subjectSoftDeleted(subject);
        await requireWritable(subject);
        for (const v of versions) {
          if (await hasLiveReferrer(subject, v.version)) throw referenceExists(subject, v.version);
          if (request.permanent && !v.deleted) throw subjectNotSoftDeleted(subject);
        }
        if (request.permanent) {
          await storage.hardDeleteVersions(subject, versions.map((v) => v.version));
          forgetSchemas();
          return { versions: versions.map((v) => v.version) };
        }
        await storage.softDeleteVersions(subject, liveVersions.map((v) => v.version));
        return { versions: liveVersions.map((v) => v.version) };
      }),

    async ListReferencedBy(request) {
      const selector = parseVersionSelector(request.version);
      const subject = normalizeSubject(request.subject);
      const found = selectVersion(subject, selector, await storage.listVersions(subject), true);
      const ids: number[] = [];
      for (const id of await storage.listReferrers(subject, found.version)) {
        if ((await storage.listVersionsOfSchema(id)).some((v) => !v.deleted)) ids.push(id);
      }
      return { ids: paginate(ids, request.offset, request.limit) };
    },

    async GetSchema(request) {
      // Hot path: a consumer's deserializer asks this for every new id (cached storage).
      const stored = await storage.getSchema(request.id);
      if (!stored) throw schemaNotFound(request.id);
      return {
        schema_type: stored.schemaType,
        schema: await formatted(request.id, stored, request.format),
        references: stored.references.map((r) => ({ ...r })),
        max_id: request.fetch_max_id ? Math.max(1, await storage.maxId()) : 0,
      };
    },

    async ListSchemaSubjects(request) {
      const usages = await usagesOf(request.id, request.deleted);
      const subjects = [...new Set(usages.map((v) => v.subject))].sort(compareStrings);
      return { subjects: paginate(subjects, request.offset, request.limit) };
    },

    async ListSchemaSubjectVersions(request) {
      const usages = await usagesOf(request.id, request.deleted);
      const pairs = usages.map((v) => ({ subject: v.subject, version: v.version }));
      return { subject_versions: paginate(pairs, request.offset, request.limit) };
    },

    async ListSchemas(request) {
      const matches = prefixMatcher(request.subject_prefix);
      const out: M.SchemaMessage[] = [];
      for (const [subject, versions] of groupBySubject(await storage.listAllVersions())) {
        if (!matches(subject)) continue;
        let visible = request.deleted ? versions : live(versions);
        if (request.latest_only) visible = visible.slice(-1);
        for (const v of visible) {
          const stored = await requireSchema(v.id);
          out.push(schemaMessage(subject, v.version, v.id, stored, stored.schemaType));
        }
      }
      const limit = request.limit > 0 && request.limit <= LIST_SCHEMAS_MAX ? request.limit : LIST_SCHEMAS_MAX;
      return { schemas: paginate(out, request.offset, limit) };
    },

    async GetSchemaTypes() {
      return { schema_types: [...SCHEMA_TYPES] };
    },

    async ListContexts(request) {
      return { contexts: paginate(['.'], request.offset, request.limit) };
    },

    async CheckCompatibility(request, context) {
      // Check order of §2.1 (C1): version selector, the version itself, then the schema.
      const subject = normalizeSubject(request.subject);
      const versions = live(await storage.listVersions(subject));
      let against: StoredVersion[] = versions;
      let single = false;
      if (request.version !== '') {
        const selector = parseVersionSelector(request.version);
        const found = selector === LATEST ? versions.at(-1) : versions.find((v) => v.version === selector);
        // A numeric version that is missing is 40402 even for an unknown subject; `latest`
        // with nothing live checks against nothing.
        if (!found && selector !== LATEST) throw versionNotFound(selector);
        against = found ? [found] : [];
        single = true;
      }
      let candidate: Candidate;
      try {
        candidate = await parseCandidate({ ...request, normalize: await normalizeInScope(subject, request.normalize) }, false);
        // A schema under test is a new one: its defaults must be valid.
        if (candidate.defaultsProblem) throw candidate.defaultsProblem;
      } catch (err) {
        if (request.verbose && err instanceof RegistryError && err.reason === 'INVALID_SCHEMA') {
          return { is_compatible: false, messages: [err.message] };
        }
        throw err;
      }
      const level = await levelInScope(subject);
      // Against one version, transitive levels act like the plain ones (§3.11).
      const previous = single
        ? await Promise.all(against.map(async (v) => ({ version: v.version, parsed: await parseStored(v.id) })))
        : await previousFor(level, against);
      let result: CompatibilityResult;
      try {
        result = await checkedCompatibility(candidate, level, previous, 'Check compatibility', deadlineOf(context));
      } catch (err) {
        if (request.verbose && err instanceof RegistryError && err.reason === 'INVALID_SCHEMA') return { is_compatible: false, messages: [err.message] };
        throw err;
      }
      return { is_compatible: result.compatible, messages: request.verbose ? result.messages : [] };
    },

    async GetConfig(request) {
      const scope = scopeOf(request.subject);
      const global = {
        level: (await storage.getSetting('compatibility', GLOBAL_SCOPE)) ?? DEFAULT_COMPATIBILITY_LEVEL,
        normalize: await storage.getSetting('normalize', GLOBAL_SCOPE),
      };
      if (scope === GLOBAL_SCOPE) return { compatibility_level: global.level, ...normalizeField(global.normalize) };
      const level = await storage.getSetting('compatibility', scope);
      const normalize = await storage.getSetting('normalize', scope);
      if (request.default_to_global) {
        // Unset subject fields are filled from the global config (7.9.x branch head).
        return { compatibility_level: level ?? global.level, ...normalizeField(normalize ?? global.normalize) };
      }
      if (level === undefined && normalize === undefined) throw compatibilityNotConfigured(scope);
      return { compatibility_level: level ?? '', ...normalizeField(normalize) };
    },

    UpdateConfig: (request, context) =>
      serialized('Update config', context, async () => {
        // Check order of §2.1 (G5): level, subject, mode.
        const clear = request.compatibility === '';
        const level = request.compatibility === undefined || clear ? undefined : parseCompatibilityLevel(request.compatibility);
        const scope = scopeOf(request.subject);
        if (scope !== GLOBAL_SCOPE) validateSubject(scope, request.subject);
        await requireWritable(scope);
        // 7.4+: fields absent from the update keep their stored value; a null one (empty
        // here) removes it (7.7+); the answer is the stored config in request shape (7.7+).
        if (level) await storage.putSetting('compatibility', scope, level);
        if (clear) await storage.putSetting('compatibility', scope, undefined);
        if (request.normalize !== undefined) await storage.putSetting('normalize', scope, String(request.normalize));
        return {
          compatibility: (await storage.getSetting('compatibility', scope)) ?? '',
          ...normalizeField(await storage.getSetting('normalize', scope)),
        };
      }),

    DeleteConfig: (request, context) =>
      serialized('Delete config', context, async () => {
        const scope = scopeOf(request.subject);
        const level = await storage.getSetting('compatibility', scope);
        const normalize = await storage.getSetting('normalize', scope);
        if (scope !== GLOBAL_SCOPE && level === undefined && normalize === undefined) throw subjectNotFound(scope);
        await requireWritable(scope);
        await storage.putSetting('compatibility', scope, undefined);
        await storage.putSetting('normalize', scope, undefined);
        return { compatibility_level: level ?? (scope === GLOBAL_SCOPE ? DEFAULT_COMPATIBILITY_LEVEL : ''), ...normalizeField(normalize) };
      }),

    async GetMode(request) {
      const scope = scopeOf(request.subject);
      if (scope === GLOBAL_SCOPE) return { mode: await modeInScope(GLOBAL_SCOPE) };
      const own = await storage.getSetting('mode', scope);
      if (own) return { mode: own };
      if (request.default_to_global) return { mode: await modeInScope(scope) };
      throw modeNotConfigured(scope);
    },

    UpdateMode: (request, context) =>
      serialized('Update mode', context, async () => {
        // Check order of §2.1 (M4): subject, mode, then the IMPORT precondition.
        const scope = scopeOf(request.subject);
        if (scope !== GLOBAL_SCOPE) validateSubject(scope, request.subject);
        // A missing mode is a null dereference (500) in Confluent; 42204 is the recommended answer.
        if (request.mode === undefined) throw invalidMode('');
        // `{"mode": null}` removes the mode at this scope (7.7+ branch heads, late 7.9.x).
        if (request.mode === '') {
          await storage.putSetting('mode', scope, undefined);
          return { mode: '' };
        }
        if (request.mode.trim() === '') throw invalidMode(request.mode);
        const mode = parseRegistryMode(request.mode);
        if (mode === 'IMPORT') {
          const all = scope === GLOBAL_SCOPE ? await storage.listAllVersions() : await storage.listVersions(scope);
          if (!request.force && all.some((v) => !v.deleted)) {
            throw operationNotPermitted('Cannot import since found existing subjects', scope ? { subject: scope } : {});
          }
          // The switch to IMPORT purges soft-deleted versions in scope (§3.13), unless a
          // live schema still references one (42206, 7.6+).
          for (const [subject, versions] of groupBySubject(all)) {
            const purge = versions.filter((v) => v.deleted);
            for (const v of purge) if (await hasLiveReferrer(subject, v.version)) throw referenceExists(subject, v.version);
            if (purge.length > 0) {
              await storage.hardDeleteVersions(subject, purge.map((v) => v.version));
              forgetSchemas();
            }
          }
        }
        await storage.putSetting('mode', scope, mode);
        return { mode };
      }),

    DeleteMode: (request, context) =>
      serialized('Delete mode', context, async () => {
        const scope = scopeOf(request.subject);
        const previous = await storage.getSetting('mode', scope);
        if (scope !== GLOBAL_SCOPE && previous === undefined) throw subjectNotFound(scope);
        await storage.putSetting('mode', scope, undefined);
        return { mode: previous ?? DEFAULT_MODE };
      }),
  };

  /** Stored uses of a schema id (SCHEMA_NOT_FOUND when the id is unknown). */
  async function usagesOf(id: number, includeDeleted: boolean): Promise<StoredVersion[]> {
    if (!(await storage.getSchema(id))) throw schemaNotFound();
    const usages = await storage.listVersionsOfSchema(id);
    return includeDeleted ? usages : live(usages);
  }

  return { ...api, close: () => serialized('Close', undefined, () => storage.close()) };
}

/**
 * `subjectPrefix` (confluent-sr-api.md §3.9): "" and the all-contexts wildcard ":*:" match
 * everything (only the default context exists here), ":.:" is the default context, and any
 * other context prefix matches nothing.
 */
function prefixMatcher(prefix: string): (subject: string) => boolean {
  if (prefix === '' || prefix === ':*:') return () => true;
  if (prefix.startsWith(':.:')) {
    const rest = prefix.slice(3);
    return (subject) => subject.startsWith(rest);
  }
  if (prefix.startsWith(':.')) return () => false;
  return (subject) => subject.startsWith(prefix);
}

function groupBySubject(versions: readonly StoredVersion[]): Map<string, StoredVersion[]> {
  const out = new Map<string, StoredVersion[]>();
  for (const v of versions) {
    const list = out.get(v.subject);
    if (list) list.push(v);
    else out.set(v.subject, [v]);
  }
  return out;
}

