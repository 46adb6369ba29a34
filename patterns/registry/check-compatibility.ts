/**
 * Compatibility levels built from one primitive, `format.checkReads(reader, writer)`, as
 * Confluent's `CompatibilityChecker` builds them from `isBackwardCompatible`
 * (compatibility-rules.md §1):
 * - the caller passes the versions to compare against, newest first (register and
 *   "all versions" pass every live version; a check against one version passes that one);
 * - plain levels look only at the first of them, transitive ones at all, stopping at the
 *   first version that fails;
 * - BACKWARD: new reads old; FORWARD: old reads new; FULL: both, old-reads-new first;
 * - a version of another schema type fails with Confluent's single message;
 * - the messages of a failing version are followed by `{oldSchemaVersion: N}` and
 *   `{oldSchema: '…'}`, and any failure ends with the
 *   `{validateFields: 'false', compatibility: '<LEVEL>'}` trailer (7.5+ form).
 *
 * Each comparison with one version is one synchronous slice with its own work budget, and
 * the event loop gets a turn between versions: a transitive check against thousands of
 * versions takes long but never holds the registry, and `beforeEach` can stop it (deadline).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CompatibilityLevel } from './compatibility-level.js';
import type { ParsedSchema, SchemaFormat } from './formats/schema-format.js';
import { DEFAULT_WORK_LIMITS, withWorkBudget, type WorkLimits } from './work-budget.js';

/** A previous version to compare against. */
export interface PreviousSchema {
  readonly version: number;
  readonly parsed: ParsedSchema;
}

export interface CompatibilityResult {
  readonly compatible: boolean;
  /** Confluent's verbose messages; empty when compatible. */
  readonly messages: string[];
}

export interface CheckCompatibilityOptions {
  /** The budget of the comparison with one version (default DEFAULT_WORK_LIMITS). */
  readonly work?: WorkLimits;
  /** Called before each comparison; may throw to stop the check (e.g. a passed deadline). */
  readonly beforeEach?: () => void;
}

/**
 * Checks `candidate` against `previous` (newest first) under `level`.
 * @throws WorkBudgetExceededError when comparing with one version uses up `options.work`;
 *   whatever `options.beforeEach` throws.
 */
export async function checkCompatibility(
  format: SchemaFormat,
  level: CompatibilityLevel,
  candidate: ParsedSchema,
  previous: readonly PreviousSchema[],
  options: CheckCompatibilityOptions = {},
): Promise<CompatibilityResult> {
  if (level === 'NONE' || previous.length === 0) return { compatible: true, messages: [] };
  const transitive = level.endsWith('_TRANSITIVE');
  const direction = level.replace('_TRANSITIVE', '') as 'BACKWARD' | 'FORWARD' | 'FULL';
  const checked = transitive ? previous : previous.slice(0, 1);
  for (const [index, old] of checked.entries()) {
    if (index > 0) await nextTurn();
    options.beforeEach?.();
    const errors = withWorkBudget(options.work ?? DEFAULT_WORK_LIMITS, () => compareOne(format, direction, candidate, old.parsed));
    if (errors.length > 0) {
      return {
        compatible: false,
        messages: [
          ...errors,
          `{oldSchemaVersion: ${old.version}}`,
          `{oldSchema: '${old.parsed.canonical}'}`,
          `{validateFields: 'false', compatibility: '${level}'}`,
        ],
      };
    }
  }
  return { compatible: true, messages: [] };
}

function compareOne(format: SchemaFormat, direction: 'BACKWARD' | 'FORWARD' | 'FULL', candidate: ParsedSchema, old: ParsedSchema): string[] {
  if (candidate.type !== old.type) return ['Incompatible because of different schema type'];
  const oldReadsNew = () => format.checkReads(old, candidate, { reader: 'old', writer: 'new' });
  const newReadsOld = () => format.checkReads(candidate, old, { reader: 'new', writer: 'old' });
  switch (direction) {
    case 'BACKWARD':
      return newReadsOld();
    case 'FORWARD':
      return oldReadsNew();
    case 'FULL':
      return [...oldReadsNew(), ...newReadsOld()];
  }
}
