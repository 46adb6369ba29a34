/**
 * The slot binder (RFC-039 SlotBinder, MEMO-006 interfaces): checks that a pattern's slots are
 * bound to backends that can serve them, before the pattern starts, at config load and when the
 * admin API registers or updates a backend. A binding is refused, with every reason at once:
 * - when the pattern has no slot of that name;
 * - when the backend is not defined;
 * - when the backend's type lacks interfaces the slot requires (the message names the slot, the
 *   missing interfaces and what the backend offers);
 * - when the pattern has no implementation of the slot for the type: "no <pattern> slot
 *   implementation for <TYPE>" (DESIGN.md §8).
 * A bound slot is told which of its interfaces the backend implements (`slotInterfaces`).
 */
import type { SlotDeclaration } from '../upstream/pattern-module.js';
import { interfacesOf } from './backend-types.js';

/** A backend as the binder needs it. */
export interface BindableBackend {
  readonly name: string;
  readonly type: string;
}

/** A refused binding: which slot, and why (a sentence that quotes no config value). */
export interface SlotBindingProblem {
  readonly slot: string;
  readonly message: string;
}

/**
 * Every problem of a pattern's slot bindings. `backends` answers a backend by name (undefined
 * for an unknown one).
 */
export function slotBindingProblems(
  pattern: string,
  slots: readonly SlotDeclaration[],
  bindings: Readonly<Record<string, string>>,
  backends: (name: string) => BindableBackend | undefined,
): SlotBindingProblem[] {
  const problems: SlotBindingProblem[] = [];
  for (const [slot, backendName] of Object.entries(bindings)) {
    const declared = slots.find((s) => s.name === slot);
    if (!declared) {
      const names = slots.map((s) => `'${s.name}'`).join(', ');
      problems.push({ slot, message: `the ${pattern} pattern has no slot '${slot}' (${names ? `its slots: ${names}` : 'it has no slots'})` });
      continue;
    }
    const backend = backends(backendName);
    if (!backend) {
      problems.push({ slot, message: `slot '${slot}' is bound to unknown backend '${backendName}'` });
      continue;
    }
    const offered = interfacesOf(backend.type);
    const missing = declared.required.filter((i) => !(offered as readonly string[]).includes(i));
    if (missing.length > 0) {
      problems.push({
        slot,
        message: `slot '${slot}' of the ${pattern} pattern requires ${missing.join(', ')}, which backend '${backend.name}' (${backend.type}) does not implement; it implements ${offered.length > 0 ? offered.join(', ') : 'no interfaces'}`,
      });
      continue;
    }
    if (!declared.implementations.includes(backend.type)) {
      problems.push({
        slot,
        message: `no ${pattern} slot implementation for ${backend.type} (slot '${slot}', backend '${backend.name}'; the ${pattern} pattern implements it for ${declared.implementations.join(', ')})`,
      });
    }
  }
  return problems;
}

/** The interfaces of `slot` (required and optional) that a backend of `type` implements. */
export function slotInterfaces(slot: SlotDeclaration, type: string): string[] {
  const offered = interfacesOf(type) as readonly string[];
  return [...slot.required, ...(slot.optional ?? [])].filter((i) => offered.includes(i));
}

/**
 * The problems of a module's slot declarations themselves (a pattern module is code the
 * operator may have written: say what is wrong with it rather than fail later).
 */
export function slotDeclarationProblems(slots: unknown): string[] {
  if (slots === undefined) return [];
  if (!Array.isArray(slots)) return ['`slots` must be an array of { name, required, optional, implementations }'];
  const problems: string[] = [];
  for (const [i, s] of slots.entries()) {
    const slot = s as Partial<SlotDeclaration>;
    const label = typeof slot?.name === 'string' ? `slot '${slot.name}'` : `slots[${i}]`;
    if (typeof slot?.name !== 'string' || slot.name === '') problems.push(`${label} has no name`);
    for (const key of ['required', 'implementations'] as const) {
      if (!Array.isArray(slot?.[key]) || !slot[key]!.every((v) => typeof v === 'string')) problems.push(`${label} must list its ${key} (an array of names)`);
    }
    if (slot?.optional !== undefined && (!Array.isArray(slot.optional) || !slot.optional.every((v) => typeof v === 'string'))) problems.push(`${label}: optional must be an array of names`);
  }
  return problems;
}
