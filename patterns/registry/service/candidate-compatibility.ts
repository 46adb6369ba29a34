/**
 * The compatibility check of a request's schema against stored versions: which versions
 * the level reads, each compared in its own budgeted slice, the caller's deadline checked
 * between them.
 */
import { checkCompatibility, type CompatibilityResult, type PreviousSchema } from '../check-compatibility.js';
import type { CompatibilityLevel } from '../compatibility-level.js';
import type { ParsedSchema } from '../formats/schema-format.js';
import { operationTimeout } from '../registry-error.js';
import type { StoredVersion } from '../storage/registry-storage.js';
import { WorkBudgetExceededError, type WorkLimits } from '../work-budget.js';
import { budgetExceeded } from './budgeted-work.js';
import type { Candidate } from './schema-candidate.js';

export interface CandidateCompatibility {
  /** The versions a check compares against, newest first, parsed (only those the level reads). */
  previousFor(level: CompatibilityLevel, versions: readonly StoredVersion[]): Promise<PreviousSchema[]>;
  /**
   * The compatibility check of a candidate: one budgeted slice per version compared, the
   * caller's deadline checked between them.
   * @throws RegistryError INVALID_SCHEMA when comparing with one version uses up the work
   *   budget; OPERATION_TIMEOUT when the deadline passes between versions.
   */
  checkedCompatibility(
    candidate: Candidate,
    level: CompatibilityLevel,
    previous: readonly PreviousSchema[],
    operation: string,
    deadline: number,
  ): Promise<CompatibilityResult>;
}

/** The deadline as a check between the slices of a compatibility check. */
function deadlineGuard(operation: string, deadline: number): () => void {
  return () => {
    if (Date.now() >= deadline) throw operationTimeout(operation, new Error("the caller's deadline passed"));
  };
}

/** Creates the check reading stored versions through `parseStored`, each comparison within `work`. */
export function createCandidateCompatibility(parseStored: (id: number) => Promise<ParsedSchema>, work: WorkLimits): CandidateCompatibility {
  async function previousFor(level: CompatibilityLevel, versions: readonly StoredVersion[]): Promise<PreviousSchema[]> {
    if (level === 'NONE') return [];
    const newestFirst = [...versions].reverse();
    const needed = level.endsWith('_TRANSITIVE') ? newestFirst : newestFirst.slice(0, 1);
    return Promise.all(needed.map(async (v) => ({ version: v.version, parsed: await parseStored(v.id) })));
  }

  async function checkedCompatibility(
    candidate: Candidate,
    level: CompatibilityLevel,
    previous: readonly PreviousSchema[],
    operation: string,
    deadline: number,
  ): Promise<CompatibilityResult> {
    try {
      return await checkCompatibility(candidate.format, level, candidate.parsed, previous, {
        work,
        beforeEach: deadlineGuard(operation, deadline),
      });
    } catch (err) {
      if (err instanceof WorkBudgetExceededError) throw budgetExceeded('the compatibility check', err);
      throw err;
    }
  }

  return { previousFor, checkedCompatibility };
}
