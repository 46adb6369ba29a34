/**
 * The RPCs of `/subjects` (confluent-sr-api.md §3.5–§3.8, §3.10): register, look up, read,
 * list and delete versions of subjects, and the schemas referencing a version.
 */
import {
  incompatibleSchema,
  invalidSchema,
  operationNotPermitted,
  referenceExists,
  schemaNotFound,
  schemaTooLarge,
  subjectNotFound,
  subjectSoftDeleted,
  subjectNotSoftDeleted,
  versionNotFound,
  versionNotSoftDeleted,
  versionSoftDeleted,
} from '../registry-error.js';
import { hasDefaultsOrOverrides, contractInEffect } from '../contract/contract-merge.js';
import { metadataFromMessage, ruleSetInputFromMessage } from '../contract/contract-messages.js';
import { ruleSetFromInput } from '../contract/contract-json.js';
import { withKmsDefaults } from '../dek/kms-defaults.js';
import { contractIdentity, type DataContract } from '../contract/data-contract.js';
import { validateRuleSet } from '../contract/rule-set-validation.js';
import { modifyAvroTags, propagateAvroTags } from '../contract/avro-schema-tags.js';
import { schemaTagsFromMessages } from '../contract/contract-messages.js';
import { foundTags } from './found-tags.js';
import type { RegisterSchemaResponse, RegistryApi } from '../registry-messages.js';
import { paginate } from '../paginate.js';
import { compareStrings } from '../storage/compare-strings.js';
import { StorageConflictError, type StoredVersion } from '../storage/registry-storage.js';
import { normalizeSubject, validateSubject } from '../subject-name.js';
import { LATEST, parseVersionSelector } from '../version-selector.js';
import type { RegistryContext } from './registry-context.js';
import { requireSchema } from './require-schema.js';
import { inCompatibilityGroup } from './compatibility-group.js';
import { withContract, type Candidate } from './schema-candidate.js';
import { schemaMessage } from './schema-message.js';
import { groupBySubject, live, newestLive, prefixMatcher, selectVersion } from './stored-versions.js';
import { deadlineOf } from './write-queue.js';

export type SubjectHandlers = Pick<
  RegistryApi,
  | 'RegisterSchema'
  | 'LookupSchema'
  | 'GetLatestWithMetadata'
  | 'GetSchemaVersion'
  | 'ListSchemaVersions'
  | 'ListSubjects'
  | 'DeleteSchemaVersion'
  | 'DeleteSubject'
  | 'ListReferencedBy'
>;

/** The subject RPCs over `ctx`. */
export function createSubjectHandlers(ctx: RegistryContext): SubjectHandlers {
  const {
    storage,
    maxSchemaBytes,
    serialized,
    requireTimeToCommit,
    normalizeInScope,
    levelInScope,
    modeInScope,
    requireWritable,
    hasLiveReferrer,
    parseCandidate,
    findMatch,
    formatted,
    formattedCandidate,
    forgetSchemas,
    previousFor,
    checkedCompatibility,
    contractSettingsInScope,
  } = ctx;

  return {
    async RegisterSchema(request, context) {
      // Check order of confluent-sr-api.md §2.1 (S3), confluent-data-contracts.md §2.2: the
      // rule set first (42210), then the subject; the algorithm of §3.2.
      const ruleSetInput = ruleSetInputFromMessage(request.rule_set);
      validateRuleSet(ruleSetInput);
      // The DEK registry is served beside this service, so its KMS defaults apply before the
      // identity is computed (Confluent's EncryptionUpdateRequestHandler).
      const ruleSet = ruleSetFromInput(ruleSetInput);
      const requested: DataContract = { metadata: metadataFromMessage(request.metadata), ruleSet: ruleSet && withKmsDefaults(ruleSet) };
      const subject = normalizeSubject(request.subject);
      validateSubject(subject, request.subject);
      const tagsToAdd = schemaTagsFromMessages(request.schema_tags_to_add);
      const tagsToRemove = schemaTagsFromMessages(request.schema_tags_to_remove);
      // Tag edits and propagation change the text: no shortcut for them (§3.2 step 2).
      const tagging = tagsToAdd.length > 0 || tagsToRemove.length > 0 || request.propagate_schema_tags === true;
      // Hot path: auto-registering clients mostly re-register what is already live; that
      // answer needs no write, so it does not wait behind other writes. Config defaults or
      // overrides in scope turn the shortcut off (Confluent's hasDefaultsOrOverrides).
      const normalize = await normalizeInScope(subject, request.normalize);
      let parsedEarly: Candidate | undefined;
      if (request.schema !== '' && request.id === undefined && request.version === undefined && !tagging) {
        parsedEarly = withContract(await parseCandidate({ ...request, normalize }, false), requested);
        if (!hasDefaultsOrOverrides(await contractSettingsInScope(subject))) {
          const match = (await findMatch(parsedEarly, live(await storage.listVersions(subject))))?.version;
          if (match) return { id: match.id, version: match.version };
        }
      }
      return serialized('Register schema', context, async () => {
        const hasId = request.id !== undefined && request.id >= 0;
        const versions = await storage.listVersions(subject);
        const settings = await contractSettingsInScope(subject);
        const versionAgrees = (match: StoredVersion) => request.version === undefined || request.version === LATEST || request.version === match.version;

        // Shortcut: a schema already live in the subject, as sent, answers with its id before
        // any mode or compatibility check (an empty schema never matches here, 7.4+).
        let candidate: Candidate | undefined;
        if (request.schema !== '') {
          // Parsing again is only needed when a write in between can change the result:
          // references resolve against the store, and the normalize setting may have moved.
          const normalizeNow = await normalizeInScope(subject, request.normalize);
          candidate =
            parsedEarly && request.references.length === 0 && normalizeNow === normalize
              ? parsedEarly
              : withContract(await parseCandidate({ ...request, normalize: normalizeNow }, false), requested);
          if (!hasDefaultsOrOverrides(settings) && !tagging) {
            const match = (await findMatch(candidate, live(versions)))?.version;
            if (match && versionAgrees(match) && (!hasId || request.id === match.id)) return { id: match.id, version: match.version };
          }
        }

        const mode = await modeInScope(subject);
        if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') {
          throw operationNotPermitted(`Subject ${subject} is in read-only mode`, { subject, mode });
        }
        if (hasId && mode !== 'IMPORT') throw operationNotPermitted(`Subject ${subject} is not in import mode`, { subject, mode });
        if (!hasId && mode !== 'READWRITE') throw operationNotPermitted(`Subject ${subject} is not in read-write mode`, { subject, mode });

        // 7.4+: an empty schema re-uses the newest live version's text, type and references
        // ("register just metadata / a rule set"), else "Empty schema".
        const previous = newestLive(versions);
        const previousSchema = previous && (await requireSchema(storage, previous.id));
        let reused = false;
        if (!candidate) {
          if (!previousSchema) throw invalidSchema('Empty schema');
          const text = { schema: previousSchema.schema, schema_type: previousSchema.schemaType, references: previousSchema.references };
          candidate = await parseCandidate({ ...text, normalize: false }, true);
          reused = true;
        }
        if (tagging) {
          // Inline tags are edited into the text (§3.8): propagated from the previous
          // version first, then removed and added as asked.
          if (candidate.format.type !== 'AVRO') throw invalidSchema(`Schema tags are supported for AVRO schemas only, not ${candidate.format.type}`);
          let text = candidate.text;
          if (request.propagate_schema_tags && previousSchema?.schemaType === 'AVRO') text = propagateAvroTags(previousSchema.schema, text);
          text = modifyAvroTags(text, tagsToAdd, tagsToRemove);
          const normalizeNow = await normalizeInScope(subject, request.normalize);
          candidate = await parseCandidate({ schema: text, schema_type: candidate.format.type, references: candidate.references, normalize: normalizeNow }, false);
        }

        // The contract in effect (§3.2 step 6): the request's, else the previous version's,
        // under the config's defaults and over them its overrides; IMPORT stores it as sent.
        const effective = mode === 'IMPORT' ? requested : contractInEffect(requested, previousSchema, settings);
        candidate = withContract(candidate, effective);
        const modified = reused || tagging || effective.metadata !== undefined || effective.ruleSet !== undefined;
        const answer = (id: number, version: number): RegisterSchemaResponse =>
          modified
            ? schemaMessage(subject, version, id, candidate!, candidate!.format.type)
            : { id, version };

        // Step 8: the schema with its contract in effect may already be live here.
        const existing = (await findMatch(candidate, live(versions)))?.version;
        if (existing && versionAgrees(existing) && (!hasId || request.id === existing.id)) return answer(existing.id, existing.version);

        // 7.5+: an IMPORT registration is stored as given; a new schema's defaults must be valid.
        if (mode !== 'IMPORT' && candidate.defaultsProblem) throw candidate.defaultsProblem;
        if (mode !== 'IMPORT') {
          const level = await levelInScope(subject);
          const group = await inCompatibilityGroup(storage, settings.compatibilityGroup, effective.metadata, live(versions));
          const previousVersions = await previousFor(level, group);
          const result = await checkedCompatibility(candidate, level, previousVersions, 'Register schema', deadlineOf(context));
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
          const stored = await storage.insertVersion({
            subject,
            schemaType: candidate.format.type,
            schema: candidate.text,
            references: candidate.references,
            hash: candidate.hash,
            ...candidate.contract,
            id: hasId ? request.id : undefined,
            version,
          });
          return answer(stored.id, stored.version);
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
      // Lookups do not validate rule sets (only registrations and configs do, §3.6).
      const requested: DataContract = { metadata: metadataFromMessage(request.metadata), ruleSet: ruleSetFromInput(ruleSetInputFromMessage(request.rule_set)) };
      // The schema is parsed first, so an invalid one is 42201 even for an unknown
      // subject; an empty one (7.4+) is simply "no match".
      const normalize = await normalizeInScope(subject, request.normalize);
      let candidate = request.schema === '' ? undefined : withContract(await parseCandidate({ ...request, normalize }, true), requested);
      let match = candidate && (await findMatch(candidate, visible));
      // The inheritance pass (7.8.5+/7.9.2+, §3.3): the contract a registration of this
      // schema would get, tried when it differs from the request's.
      const previous = newestLive(versions);
      if (candidate && !match && previous) {
        const effective = contractInEffect(requested, await requireSchema(storage, previous.id), await contractSettingsInScope(subject));
        if (contractIdentity(effective) !== contractIdentity(candidate.contract)) {
          candidate = withContract(candidate, effective);
          match = await findMatch(candidate, visible);
        }
      }
      if (candidate && match) {
        // The schema answered is the canonical form of the submitted one (§3.6).
        const { version, id } = match.version;
        const message = schemaMessage(subject, version, id, candidate, candidate.format.type);
        return { ...message, references: match.references.map((r) => ({ ...r })), schema: formattedCandidate(candidate, request.format ?? '') };
      }
      if (visible.length > 0) throw schemaNotFound();
      throw subjectNotFound(subject);
    },

    async GetLatestWithMetadata(request) {
      // confluent-data-contracts.md §3.4: every stored version, newest first (soft-deleted
      // ones with `deleted`); the first whose metadata properties hold every pair wins.
      const subject = normalizeSubject(request.subject);
      const versions = await storage.listVersions(subject);
      const visible = request.deleted ? versions : live(versions);
      const pairs = new Map<string, string>();
      for (let i = 0; i < Math.min(request.key.length, request.value.length); i++) pairs.set(request.key[i], request.value[i]);
      for (let i = visible.length - 1; i >= 0; i--) {
        const stored = await requireSchema(storage, visible[i].id);
        if (!stored.metadata) continue;
        const properties = stored.metadata.properties ?? {};
        if (![...pairs].every(([k, v]) => Object.prototype.hasOwnProperty.call(properties, k) && properties[k] === v)) continue;
        const message = schemaMessage(subject, visible[i].version, visible[i].id, stored, stored.schemaType);
        return { ...message, schema: await formatted(visible[i].id, stored, request.format) };
      }
      if (visible.length === 0) throw subjectNotFound(subject);
      throw schemaNotFound();
    },

    async GetSchemaVersion(request) {
      const selector = parseVersionSelector(request.version);
      const subject = normalizeSubject(request.subject);
      const found = selectVersion(subject, selector, await storage.listVersions(subject), request.deleted);
      const stored = await requireSchema(storage, found.id);
      const message = schemaMessage(subject, found.version, found.id, stored, stored.schemaType);
      return { ...message, schema: await formatted(found.id, stored, request.format), ...foundTags(stored, request.find_tags) };
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
          // One SUBJECT_PERMANENTLY_DELETED change, not one per version (registry-change.ts).
          await storage.hardDeleteVersions(subject, versions.map((v) => v.version), 'subject');
          forgetSchemas();
          return { versions: versions.map((v) => v.version) };
        }
        await storage.softDeleteVersions(subject, liveVersions.map((v) => v.version), 'subject');
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
  };
}
