/**
 * Schema references resolved depth first into what a format's parser needs, the graph
 * bounded by the registry's depth, count and size limits.
 */
import { invalidSchema } from '../registry-error.js';
import type { ResolvedReference, SchemaReference, SchemaType } from '../formats/schema-format.js';
import type { RegistryStorage, StoredVersion } from '../storage/registry-storage.js';
import { normalizeSubject } from '../subject-name.js';
import { LATEST } from '../version-selector.js';
import type { RegistryLimits } from './registry-options.js';
import { requireSchema } from './require-schema.js';
import { newestLive } from './stored-versions.js';

/**
 * Resolves `references` of `schemaText`. `allowDeleted`: registrations require live
 * referenced versions, lookups also accept soft-deleted ones (confluent-sr-api.md §3.10);
 * `-1` means the newest live version. Each distinct (subject, version) is resolved once per
 * call (see Resolution) and the graph is bounded by the depth, count and size limits.
 * @throws RegistryError INVALID_SCHEMA for a malformed or missing reference, a cycle, or
 *   a graph beyond a limit.
 */
export type ResolveReferences = (
  schemaText: string,
  references: readonly SchemaReference[],
  allowDeleted: boolean,
) => Promise<{ resolved: ResolvedReference[]; concrete: SchemaReference[] }>;

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

/** Creates the resolver reading `storage` within `limits`. */
export function createReferenceResolver(storage: RegistryStorage, limits: RegistryLimits): ResolveReferences {
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
    const stored = await requireSchema(storage, version.id);
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

  return resolveReferences;
}
