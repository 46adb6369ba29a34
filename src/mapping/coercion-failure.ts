/**
 * What a coercer throws: the low-level fact (what was expected, what was found). The request
 * mapper adds the context (which parameter, which field) and turns it into a GatewayError.
 */
export type CoercionProblem = 'type' | 'range' | 'pattern';

export class CoercionFailure extends Error {
  override readonly name = 'CoercionFailure';
  constructor(
    readonly problem: CoercionProblem,
    readonly expected: string,
    readonly found: string,
    /** Where inside a JSON value the failure lies (`references[0].version`), if nested. */
    readonly at = '',
  ) {
    super(`expected ${expected}, got ${found}`);
  }

  /** The same failure one level deeper inside a JSON value. */
  nested(segment: string): CoercionFailure {
    const at = this.at === '' ? segment : segment.startsWith('[') ? segment + (this.at.startsWith('[') ? '' : '.') + this.at : `${segment}${this.at.startsWith('[') ? '' : '.'}${this.at}`;
    return new CoercionFailure(this.problem, this.expected, this.found, at);
  }
}

/** A short rendering of a found value for messages (never the whole of a large value). */
export function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? value.slice(0, 61) + '...' : value);
  return String(value);
}
