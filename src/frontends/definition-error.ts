/**
 * Definition problems: everything wrong with a definition is collected in one pass and
 * reported together, each naming the file, the route and the location (a JSON pointer).
 */

import type { Diagnostic } from './diagnostics.js';

/** A problem of a definition: a Diagnostic (stable code and location). */
export type DefinitionProblem = Diagnostic;

export function formatProblem(p: DefinitionProblem): string {
  const where = p.line ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  const route = p.route ? ` route '${p.route}'` : '';
  return `${where}:${route} at ${p.pointer || '/'}: ${p.message}`;
}

/** Thrown when a definition (or a set of them) cannot be compiled; lists every problem. */
export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';
  readonly problems: readonly DefinitionProblem[];

  constructor(problems: readonly DefinitionProblem[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in frontend definitions:\n` + problems.map((p) => '  ' + formatProblem(p)).join('\n'));
    this.problems = problems;
  }
}
