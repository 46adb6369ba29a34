/**
 * ajv's errors as the sentences a definition's or config's author reads: one per problem, at
 * its JSON pointer. Shared by the definition loader and the gateway config loader, so a shape
 * mistake reads the same in both.
 */
import type { ErrorObject } from 'ajv';

/** A shape problem: where (a JSON pointer into the checked value) and what. */
export interface SchemaProblem {
  readonly pointer: string;
  readonly message: string;
  /** The node the problem is about, to take a position from: an unknown property itself. */
  readonly subject: string;
}

/**
 * The problems ajv found (compiled with `allErrors`; with `verbose`, a failed template union is
 * named as such), one sentence each, in ajv's order.
 */
export function schemaProblems(errors: readonly ErrorObject[]): SchemaProblem[] {
  return relevantErrors(errors).map((e) => ({ pointer: e.instancePath, message: describe(e), subject: subjectOf(e) }));
}

function subjectOf(e: ErrorObject): string {
  if (e.keyword !== 'additionalProperties') return e.instancePath;
  const key = (e.params as { additionalProperty: string }).additionalProperty;
  return `${e.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * ajv reports every failed branch of an anyOf; where a value matches none of a union's forms,
 * one sentence about the union says more than the branch-by-branch failures.
 */
function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const unions = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  // A union that fails because of something deeper inside it is explained by that deeper error.
  const deeper = (path: string) => errors.some((e) => e.instancePath.startsWith(path + '/') && e.keyword !== 'anyOf' && !unions.has(e.instancePath));
  const seen = new Set<string>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    if (unions.has(e.instancePath) && e.keyword !== 'anyOf') continue;
    if (e.keyword === 'anyOf' && deeper(e.instancePath)) continue;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown property '${(e.params as { additionalProperty: string }).additionalProperty}'`;
    case 'required':
      return `missing required property '${(e.params as { missingProperty: string }).missingProperty}'`;
    case 'enum':
      return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'anyOf':
      return (e.parentSchema as { $id?: string } | undefined)?.$id === 'Template'
        ? 'a template is a JSON scalar, an array, or an object with exactly one of from, const, object, each'
        : 'does not match any allowed form';
    case 'oneOf':
      return e.instancePath.includes('/params/') ? "a param needs exactly one of 'from' and 'const'" : 'must match exactly one form';
    default:
      return e.message ?? e.keyword;
  }
}
