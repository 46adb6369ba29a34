/**
 * `POST /subjects/{S}/versions/{V}/tags` (confluent-data-contracts.md §1.2 S11, §3.8): a new
 * version made from version V with its inline tags edited, its metadata or rule set replaced,
 * or rules merged in and removed, then registered through the ordinary register path.
 */
import { modifyAvroTags } from '../contract/avro-schema-tags.js';
import { ruleSetFromInput } from '../contract/contract-json.js';
import { mergeRuleSets } from '../contract/contract-merge.js';
import { metadataToMessage, ruleSetInputFromMessage, ruleSetToMessage, schemaTagsFromMessages } from '../contract/contract-messages.js';
import { normalizeRuleSet } from '../contract/data-contract.js';
import { validateRuleSet } from '../contract/rule-set-validation.js';
import { invalidRuleSet, invalidSchema } from '../registry-error.js';
import type { RegistryApi } from '../registry-messages.js';
import { normalizeSubject, validateSubject } from '../subject-name.js';
import { parseVersionSelector } from '../version-selector.js';
import type { RegistryContext } from './registry-context.js';
import { requireSchema } from './require-schema.js';
import { live, newestLive, selectVersion } from './stored-versions.js';

/** The tags RPC over `ctx`, registering through `register`. */
export function createTagSchemaHandler(ctx: RegistryContext, register: RegistryApi['RegisterSchema']): Pick<RegistryApi, 'TagSchemaVersion'> {
  const { storage } = ctx;
  return {
    async TagSchemaVersion(request, context) {
      // Check order of S11: subject, version, the version itself, then the rule sets.
      const subject = normalizeSubject(request.subject);
      validateSubject(subject, request.subject);
      const selector = parseVersionSelector(request.version);
      const versions = await storage.listVersions(subject);
      const found = selectVersion(subject, selector, live(versions), false);
      const merging = request.rules_to_merge != null || (request.rules_to_remove ?? []).length > 0;
      if (merging && request.rule_set) throw invalidRuleSet('ruleSet should be omitted if specifying rulesToMerge or rulesToRemove');
      const toMerge = ruleSetInputFromMessage(request.rules_to_merge);
      validateRuleSet(toMerge);
      validateRuleSet(ruleSetInputFromMessage(request.rule_set));

      const stored = await requireSchema(storage, found.id);
      if (stored.schemaType !== 'AVRO') throw invalidSchema(`Schema tags are supported for AVRO schemas only, not ${stored.schemaType}`);
      const text = modifyAvroTags(stored.schema, schemaTagsFromMessages(request.tags_to_add), schemaTagsFromMessages(request.tags_to_remove));
      const metadata = request.metadata ?? (stored.metadata ? metadataToMessage(stored.metadata) : null);
      let ruleSet = request.rule_set ?? null;
      if (merging) {
        // The base is version newVersion - 1 (the latest when no new version is named).
        const baseVersion =
          request.new_version !== undefined && request.new_version > 0 ? versions.find((v) => v.version === request.new_version! - 1) : newestLive(versions);
        const base = baseVersion ? (await requireSchema(storage, baseVersion.id)).ruleSet : undefined;
        const merged = mergeRuleSets(base, ruleSetFromInput(toMerge));
        const removed = new Set(request.rules_to_remove ?? []);
        const kept = normalizeRuleSet({
          migrationRules: (merged?.migrationRules ?? []).filter((r) => !removed.has(r.name)),
          domainRules: (merged?.domainRules ?? []).filter((r) => !removed.has(r.name)),
        });
        ruleSet = ruleSetToMessage(kept);
      }
      return register(
        {
          subject: request.subject,
          schema: text,
          schema_type: stored.schemaType,
          references: stored.references.map((r) => ({ ...r })),
          normalize: false,
          metadata,
          rule_set: ruleSet,
          ...(request.new_version !== undefined && request.new_version > 0 ? { version: request.new_version } : {}),
        },
        context,
      );
    },
  };
}
