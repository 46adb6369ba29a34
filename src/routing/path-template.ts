/**
 * Path templates: OpenAPI-style whole-segment parameters (`/subjects/{subject}/versions/{version}`)
 * and google.api.HttpRule syntax (`{path=**}`, `{name=shelves/*\/books/*}`, bare `*` and `**`,
 * the custom verb `/v1/{name}:cancel`, field-path names `{book.name}`), plus parameters with
 * literal text around them inside one segment (`{id}.json`, `v{major}`). Parsed once into
 * segments, which the route table indexes in a segment trie (segment-trie.ts): whole segments
 * in the trie itself, the rest by a tail matcher hung where the whole segments end
 * (tail-matcher.ts).
 *
 * The HttpRule grammar (google/api/http.proto):
 *   Template = "/" Segments [ Verb ] ;  Segments = Segment { "/" Segment } ;
 *   Segment  = "*" | "**" | LITERAL | Variable ;  Variable = "{" FieldPath [ "=" Segments ] "}" ;
 *   FieldPath = IDENT { "." IDENT } ;  Verb = ":" LITERAL ;
 * with `**` only as the last segment (before the verb), as grpc-gateway and Envoy require.
 */
import { DiagnosticCode, type DiagnosticSink } from '../frontends/diagnostics.js';

type Absent<K extends string> = { readonly [P in K]?: undefined };

/** Literal text, compared decoded. `variable`: the multi-segment variable it is part of. */
export type LiteralSegment = { readonly text: string; readonly variable?: string } & Absent<'param' | 'wildcard' | 'parts' | 'verb'>;
/** A parameter that takes one whole, non-empty segment (`{id}`, `{id=*}`, `{book.name}`). */
export type ParamSegment = { readonly param: string } & Absent<'text' | 'wildcard' | 'parts' | 'verb' | 'variable'>;
/** `*`: one non-empty segment; `**`: the rest of the path, zero or more segments (always last). */
export type WildcardSegment = { readonly wildcard: '*' | '**'; readonly variable?: string } & Absent<'text' | 'param' | 'parts' | 'verb'>;
/** Literal text and parameters inside one segment (`{id}.json`, `{name}:cancel`). */
export type MixedSegment = { readonly parts: readonly SegmentPart[] } & Absent<'text' | 'param' | 'wildcard' | 'verb' | 'variable'>;
/** A custom verb after a multi-segment variable or a wildcard: `/v1/{name=projects/*}:cancel`. */
export type VerbSegment = { readonly verb: string } & Absent<'text' | 'param' | 'wildcard' | 'parts' | 'variable'>;

/** One segment of a template (a verb is a last pseudo-segment: it ends the path's last segment). */
export type PathSegment = LiteralSegment | ParamSegment | WildcardSegment | MixedSegment | VerbSegment;

/** A part of a mixed segment: literal text (matched as written, undecoded) or a parameter. */
export type SegmentPart = { readonly text: string; readonly param?: undefined } | { readonly param: string; readonly text?: undefined };

export interface PathTemplate {
  /** The template as written, joined with its prefixes. */
  readonly template: string;
  /** Parameter names (field paths such as `book.name` allowed), in path order. */
  readonly params: readonly string[];
  /** The segments after the leading '/' (a trailing slash is a last, empty segment). */
  readonly segments: readonly PathSegment[];
  /** The template with parameter names erased: two routes with the same shape collide. */
  readonly shape: string;
}

const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** Characters that cannot stand in a literal: they start a query or fragment, or a wildcard. */
const NOT_IN_LITERAL = /[*?#]/;

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
 * that does not start with '/', an empty segment, unbalanced braces, a parameter named twice or
 * named by something that is not a field path, a `**` before the end, a variable that spans
 * segments inside a segment of literal text, two parameters with no text between them, a
 * character that has no place in a template.
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
  const units = splitUnits(template.slice(1));
  if (units === undefined) {
    fail(`path '${template}' has unbalanced braces: every '{' needs its '}' and variables do not nest`);
    return undefined;
  }
  const params: string[] = [];
  const segments: PathSegment[] = [];
  const name = (raw: string): string | undefined => {
    if (!FIELD_PATH.test(raw)) return void fail(`parameter {${raw}} of '${template}' must be named by a field path (letters, digits and '_', parts joined by '.')`);
    if (params.includes(raw)) return void fail(`path '${template}' names parameter {${raw}} twice`);
    params.push(raw);
    return raw;
  };
  units.forEach((unit, i) => {
    const last = i === units.length - 1;
    if (unit === '' && !last) return fail(`path '${template}' has an empty segment`);
    // The verb of HttpRule: ':' + literal after a wildcard or a variable of its own segments.
    // After a literal or a one-segment parameter it is literal text at the end of the segment.
    const verb = last ? /^(\*\*?|\{[^{}]*=[^{}]*\}):([^/{}:*?#]+)$/.exec(unit) : null;
    const body = verb ? verb[1] : unit;
    const before = segments.length;
    const whole = /^\{([^{}=]*)(?:=([^{}]*))?\}$/.exec(body);
    if (body === '*' || body === '**') segments.push({ wildcard: body });
    else if (whole && (whole[2] === undefined || whole[2] === '*')) {
      const n = name(whole[1]);
      if (n !== undefined) segments.push({ param: n });
    } else if (whole) {
      const n = name(whole[1]);
      const inner = whole[2].split('/');
      inner.forEach((s) => {
        if (s === '') return fail(`variable {${whole[1]}=${whole[2]}} of '${template}' has an empty segment`);
        if (s === '*' || s === '**') return n !== undefined && segments.push({ wildcard: s, variable: n });
        if (/[{}]/.test(s) || NOT_IN_LITERAL.test(s)) return fail(`segment '${s}' of variable {${whole[1]}} in '${template}' must be '*', '**' or literal text`);
        if (n !== undefined) segments.push({ text: s, variable: n });
      });
    } else if (/[{}]/.test(body)) {
      const parts = parseMixed(body, template, name, fail);
      if (parts) segments.push({ parts });
    } else if (NOT_IN_LITERAL.test(body)) {
      return fail(`segment '${unit}' of '${template}' contains a character that is not allowed in a path template (*, ?, #)`);
    } else segments.push({ text: body });
    if (verb && segments.length > before) {
      const added = segments[segments.length - 1];
      // A one-segment variable ends at the verb like a parameter before literal text.
      if (added.param !== undefined) segments[segments.length - 1] = { parts: [{ param: added.param }, { text: ':' + verb[2] }] };
      else segments.push({ verb: verb[2] });
    }
  });
  const rest = segments.findIndex((s) => s.wildcard === '**');
  if (rest !== -1 && segments.slice(rest + 1).some((s) => s.verb === undefined)) fail(`'**' in '${template}' must be the last segment (only a verb may follow it)`);
  if (problems > 0) return undefined;
  return { template, params, segments, shape: shapeOf(segments) };
}

/**
 * Splits at the slashes outside braces (a variable's own segments stay in its unit).
 * @returns undefined when braces do not balance or nest.
 */
function splitUnits(path: string): string[] | undefined {
  const units: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '{') {
      if (depth > 0) return undefined;
      depth++;
    } else if (c === '}') {
      if (depth === 0) return undefined;
      depth--;
    } else if (c === '/' && depth === 0) {
      units.push(path.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  units.push(path.slice(start));
  return units;
}

/** A segment of literal text and `{name}` parameters; parameters need text between them. */
function parseMixed(unit: string, template: string, name: (raw: string) => string | undefined, fail: (message: string) => void): SegmentPart[] | undefined {
  const parts: SegmentPart[] = [];
  let ok = true;
  let i = 0;
  while (i < unit.length) {
    if (unit[i] === '{') {
      const close = unit.indexOf('}', i);
      const inner = unit.slice(i + 1, close);
      const eq = inner.indexOf('=');
      if (eq !== -1 && inner.slice(eq + 1) !== '*') {
        fail(`variable {${inner}} in segment '${unit}' of '${template}': a variable that spans segments must be a whole segment`);
        ok = false;
      }
      const previous = parts.at(-1);
      if (previous?.param !== undefined) {
        fail(`segment '${unit}' of '${template}': parameters {${previous.param}} and {${inner}} need literal text between them`);
        ok = false;
      }
      const n = name(eq === -1 ? inner : inner.slice(0, eq));
      if (n === undefined) ok = false;
      else parts.push({ param: n });
      i = close + 1;
    } else {
      let end = unit.indexOf('{', i);
      if (end === -1) end = unit.length;
      const text = unit.slice(i, end);
      if (NOT_IN_LITERAL.test(text)) {
        fail(`segment '${unit}' of '${template}' contains a character that is not allowed in a path template (*, ?, #)`);
        ok = false;
      }
      parts.push({ text });
      i = end;
    }
  }
  return ok ? parts : undefined;
}

/**
 * Names erased, a variable's extent forgotten (it does not change which paths match): `{}` for
 * one segment (`{id}`, `*`), `**` for the rest, literal text as written, `:verb` at the end.
 */
function shapeOf(segments: readonly PathSegment[]): string {
  let shape = '';
  for (const s of segments) shape += s.verb !== undefined ? ':' + s.verb : '/' + segmentShape(s);
  return shape === '' ? '/' : shape;
}

/** One segment's part of a shape (a verb gives ':verb'). */
export function segmentShape(s: PathSegment): string {
  if (s.verb !== undefined) return ':' + s.verb;
  if (s.text !== undefined) return s.text;
  if (s.param !== undefined) return '{}';
  if (s.wildcard !== undefined) return s.wildcard === '*' ? '{}' : '**';
  return s.parts.map((p) => (p.param !== undefined ? '{}' : p.text)).join('');
}

/** The template's segments written back as a template (names kept): for messages and printouts. */
export function formatSegments(segments: readonly PathSegment[]): string {
  let out = '';
  let open: string | undefined;
  const close = () => {
    if (open !== undefined) out += '}';
    open = undefined;
  };
  for (const s of segments) {
    if (s.verb !== undefined) {
      close();
      out += ':' + s.verb;
      continue;
    }
    const variable = s.text !== undefined || s.wildcard !== undefined ? s.variable : undefined;
    if (variable !== open) close();
    out += '/';
    if (variable !== undefined && open === undefined) {
      out += `{${variable}=`;
      open = variable;
    }
    if (s.text !== undefined) out += s.text;
    else if (s.param !== undefined) out += `{${s.param}}`;
    else if (s.wildcard !== undefined) out += s.wildcard;
    else out += s.parts.map((p) => (p.param !== undefined ? `{${p.param}}` : p.text)).join('');
  }
  close();
  return out === '' ? '/' : out;
}
