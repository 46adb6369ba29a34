/**
 * Reading lists of stored versions as Confluent does: which are live, which one a version
 * selector names (§2.1/§3.7), grouping by subject, and the subject prefix filter (§3.9).
 */
import { subjectNotFound, versionNotFound } from '../registry-error.js';
import type { StoredVersion } from '../storage/registry-storage.js';
import { LATEST } from '../version-selector.js';

/** The versions not soft-deleted, in their order. */
export function live(versions: readonly StoredVersion[]): StoredVersion[] {
  return versions.filter((v) => !v.deleted);
}

/** The newest live version (what `latest` and `-1` name), if any. */
export function newestLive(versions: readonly StoredVersion[]): StoredVersion | undefined {
  return live(versions).at(-1);
}

/**
 * Resolves a selector against stored versions (Confluent's S4 rules, §2.1/§3.7).
 * @throws RegistryError SUBJECT_NOT_FOUND when nothing is visible, else VERSION_NOT_FOUND.
 */
export function selectVersion(subject: string, selector: number, versions: readonly StoredVersion[], includeDeleted: boolean): StoredVersion {
  const found =
    selector === LATEST ? newestLive(versions) : versions.find((v) => v.version === selector && (includeDeleted || !v.deleted));
  if (found) return found;
  const visible = includeDeleted ? versions : live(versions);
  if (visible.length === 0) throw subjectNotFound(subject);
  throw versionNotFound(selector);
}

/** The versions by subject, each list in the order given, subjects in order of first appearance. */
export function groupBySubject(versions: readonly StoredVersion[]): Map<string, StoredVersion[]> {
  const out = new Map<string, StoredVersion[]>();
  for (const v of versions) {
    const list = out.get(v.subject);
    if (list) list.push(v);
    else out.set(v.subject, [v]);
  }
  return out;
}

/**
 * `subjectPrefix` (confluent-sr-api.md §3.9): "" and the all-contexts wildcard ":*:" match
 * everything (only the default context exists here), ":.:" is the default context, and any
 * other context prefix matches nothing.
 */
export function prefixMatcher(prefix: string): (subject: string) => boolean {
  if (prefix === '' || prefix === ':*:') return () => true;
  if (prefix.startsWith(':.:')) {
    const rest = prefix.slice(3);
    return (subject) => subject.startsWith(rest);
  }
  if (prefix.startsWith(':.')) return () => false;
  return (subject) => subject.startsWith(prefix);
}
