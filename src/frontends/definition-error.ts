/**
 * Definition problems: everything wrong with a definition is collected in one pass and
 * reported together, each naming the file, the route and the location (a JSON pointer).
 */

import { formatDiagnostic, type Diagnostic } from './diagnostics.js';

/** A problem of a definition: a Diagnostic (stable code and location). */
export type DefinitionProblem = Diagnostic;

/** Thrown when a definition (or a set of them) cannot be compiled; lists every problem. */
export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';
  readonly problems: readonly DefinitionProblem[];

  constructor(problems: readonly DefinitionProblem[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in frontend definitions:\n` + problems.map((p) => '  ' + formatDiagnostic(p)).join('\n'));
    this.problems = problems;
  }
}
