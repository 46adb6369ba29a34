/**
 * Path templates in OpenAPI style (`/subjects/{subject}/versions/{version}`): each `{name}` is
 * one whole path segment. Parsed once into segments, which the route table indexes in a
 * segment trie (segment-trie.ts).
 */
import { DiagnosticCode, type DiagnosticSink } from '../frontends/diagnostics.js';

/** One segment of a template: literal text, or a parameter that takes the whole segment. */
export type PathSegment = { readonly text: string; readonly param?: undefined } | { readonly param: string; readonly text?: undefined };

export interface PathTemplate {
  /** The template as written, joined with its prefixes. */
  readonly template: string;
  readonly params: readonly string[];
  /** The segments after the leading '/' (a trailing slash is a last, empty segment). */
  readonly segments: readonly PathSegment[];
  /** The template with parameter names erased: two routes with the same shape collide. */
  readonly shape: string;
}

const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * Joins mount prefixes and a route path into one absolute path: one slash at each joint,
 * everything inside a part (and a route's own trailing slash) kept as written.
 */
export function joinPaths(...parts: (string | undefined)[]): string {
  const present = parts.filter((p): p is string => p !== undefined && p !== '' && p !== '/');
  if (present.length === 0) return '/';
  return present
    .map((p, i) => {
      const start = p.replace(/^\/+/, '');
      return '/' + (i === present.length - 1 ? start : start.replace(/\/+$/, ''));
    })
    .join('');
}

/**
 * Parses a template, reporting every problem into `sink` (PATH_TEMPLATE, pointer ''): a path
 * that does not start with '/', an empty segment, a parameter named twice, a parameter that is
 * not a whole segment, a character that has no place in a template.
 * @returns the template, or undefined after reporting.
 */
export function parsePathTemplate(template: string, sink: DiagnosticSink): PathTemplate | undefined {
  let problems = 0;
  const fail = (message: string) => {
    problems++;
    sink(DiagnosticCode.PATH_TEMPLATE, '', message);
  };
  if (!template.startsWith('/')) {
    fail(`path '${template}' must start with '/'`);
    return undefined;
  }
  const params: string[] = [];
  const shapeSegments: string[] = [];
  const pathSegments: PathSegment[] = [];
  const segments = template.split('/').slice(1);
  segments.forEach((segment, i) => {
    if (segment === '' && i !== segments.length - 1) return fail(`path '${template}' has an empty segment`);
    const param = PARAM.exec(segment);
    if (param) {
      if (params.includes(param[1])) return fail(`path '${template}' names parameter {${param[1]}} twice`);
      params.push(param[1]);
      shapeSegments.push('{}');
      pathSegments.push({ param: param[1] });
      return;
    }
    if (/[{}]/.test(segment)) return fail(`segment '${segment}' of '${template}': a parameter must be a whole segment named like {name}`);
    if (/[*?#]/.test(segment)) return fail(`segment '${segment}' of '${template}' contains a character that is not allowed in a path template (*, ?, #)`);
    shapeSegments.push(segment);
    pathSegments.push({ text: segment });
  });
  if (problems > 0) return undefined;
  return { template, params, segments: pathSegments, shape: '/' + shapeSegments.join('/') };
}
