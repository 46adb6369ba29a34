/**
 * Definition problems: everything wrong with a definition is collected in one pass and
 * reported together, each naming the file, the route and the location (a JSON pointer).
 */

export interface DefinitionProblem {
  file: string;
  /** The route's id, when the problem lies inside a route. */
  route?: string;
  /** JSON pointer inside the definition, e.g. `/rest/routes/2/params/0/to`. */
  pointer: string;
  /** 1-based line and column in the file, when known. */
  line?: number;
  column?: number;
  message: string;
}

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
