/**
 * The RPCs of `/schemas`, `/schemas/types` and `/contexts` (confluent-sr-api.md §3.3,
 * §3.4, §3.9): schemas by id and where they are used, every schema, the schema types and
 * the contexts.
 */
import { contractFields } from '../contract/contract-messages.js';
import { hasRuleOfType } from '../contract/data-contract.js';
import { schemaNotFound } from '../registry-error.js';
import type { RegistryApi, SchemaMessage } from '../registry-messages.js';
import { paginate } from '../paginate.js';
import { compareStrings } from '../storage/compare-strings.js';
import type { StoredVersion } from '../storage/registry-storage.js';
import type { RegistryContext } from './registry-context.js';
import { requireSchema } from './require-schema.js';
import { schemaMessage } from './schema-message.js';
import { foundTags } from './found-tags.js';
import { groupBySubject, live, prefixMatcher } from './stored-versions.js';

/** Confluent lists the types in its HashMap order; clients compare them as a set. */
const SCHEMA_TYPES = ['JSON', 'PROTOBUF', 'AVRO'];
/** `GET /schemas` caps its page size (confluent-sr-api.md §3.9). */
const LIST_SCHEMAS_MAX = 1000;

export type SchemaHandlers = Pick<
  RegistryApi,
  'GetSchema' | 'ListSchemaSubjects' | 'ListSchemaSubjectVersions' | 'ListSchemas' | 'GetSchemaTypes' | 'ListContexts'
>;

/** The schema RPCs over `ctx`. */
export function createSchemaHandlers(ctx: RegistryContext): SchemaHandlers {
  const { storage, formatted } = ctx;

  /** Stored uses of a schema id (SCHEMA_NOT_FOUND when the id is unknown). */
  async function usagesOf(id: number, includeDeleted: boolean): Promise<StoredVersion[]> {
    if (!(await storage.getSchema(id))) throw schemaNotFound();
    const usages = await storage.listVersionsOfSchema(id);
    return includeDeleted ? usages : live(usages);
  }

  return {
    async GetSchema(request) {
      // Hot path: a consumer's deserializer asks this for every new id (cached storage).
      const stored = await storage.getSchema(request.id);
      if (!stored) throw schemaNotFound(request.id);
      return {
        schema_type: stored.schemaType,
        schema: await formatted(request.id, stored, request.format),
        references: stored.references.map((r) => ({ ...r })),
        max_id: request.fetch_max_id ? Math.max(1, await storage.maxId()) : 0,
        ...contractFields(stored),
        ...foundTags(stored, request.find_tags),
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
      const out: SchemaMessage[] = [];
      for (const [subject, versions] of groupBySubject(await storage.listAllVersions())) {
        if (!matches(subject)) continue;
        let visible = request.deleted ? versions : live(versions);
        if (request.latest_only) visible = visible.slice(-1);
        for (const v of visible) {
          const stored = await requireSchema(storage, v.id);
          // `ruleType` filters after `latestOnly` (confluent-data-contracts.md §1.3, I6).
          if (request.rule_type && !hasRuleOfType(stored.ruleSet, request.rule_type)) continue;
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
  };
}
