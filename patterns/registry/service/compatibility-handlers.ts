/**
 * The RPC of `/compatibility` (confluent-sr-api.md §3.11): is a schema compatible with
 * one version of a subject, or with the versions its level reads.
 */
import type { CompatibilityResult } from '../check-compatibility.js';
import { metadataFromMessage } from '../contract/contract-messages.js';
import { RegistryError, versionNotFound } from '../registry-error.js';
import type { RegistryApi } from '../registry-messages.js';
import type { StoredVersion } from '../storage/registry-storage.js';
import { normalizeSubject } from '../subject-name.js';
import { LATEST, parseVersionSelector } from '../version-selector.js';
import type { RegistryContext } from './registry-context.js';
import { inCompatibilityGroup } from './compatibility-group.js';
import type { Candidate } from './schema-candidate.js';
import { live } from './stored-versions.js';
import { deadlineOf } from './write-queue.js';

export type CompatibilityHandlers = Pick<RegistryApi, 'CheckCompatibility'>;

/** The compatibility RPC over `ctx`. */
export function createCompatibilityHandlers(ctx: RegistryContext): CompatibilityHandlers {
  const { storage, normalizeInScope, levelInScope, parseCandidate, parseStored, previousFor, checkedCompatibility, contractSettingsInScope } = ctx;

  return {
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
      // compatibilityGroup filters by the request's own metadata only: no defaults, no
      // inheritance (confluent-data-contracts.md §1.2 C1/C2, §3.5).
      const { compatibilityGroup } = await contractSettingsInScope(subject);
      against = await inCompatibilityGroup(storage, compatibilityGroup, metadataFromMessage(request.metadata), against);
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
  };
}
