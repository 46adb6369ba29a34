/**
 * The error mapper: a frontend's error mappings (route overrides first) compiled into one
 * closure that renders any GatewayError, whether it came from the upstream or from routing and
 * binding, as an HTTP status, headers and body. First match wins; with no match the body is
 * grpc-gateway's shape (`{code, message, details}`). If rendering itself fails, the fixed
 * fallback body goes out: an error never escapes as a stack trace.
 */
import type { ErrorMapping, Template } from '../frontends/definition.js';
import { codeName, GatewayError, parseCode } from '../core/gateway-error.js';
import { DEFAULT_FALLBACK, defaultErrorBody, type ErrorMapper, type FallbackBody } from '../core/render-error.js';
import { compileTemplate, type TemplateRenderer, type TemplateScope } from './template.js';

// The mapper's contract lives with renderError, which calls it; re-exported for the compiler.
export type { ErrorMapper, RenderedError } from '../core/render-error.js';
export { DEFAULT_FALLBACK };

/** What error templates see under `error.` */
export interface ErrorView {
  code: number;
  codeName: string;
  message: string;
  reason: string;
  domain: string;
  metadata: Record<string, string>;
  httpStatus: number;
}

export interface ErrorMapperProblem {
  /** Index in the list and pointer inside the mapping. */
  index: number;
  pointer: string;
  message: string;
}

interface CompiledMapping {
  matches(e: GatewayError): boolean;
  status?: number;
  body?: TemplateRenderer;
  headers: [string, TemplateRenderer][];
}

export function errorView(e: GatewayError): ErrorView {
  return { code: e.code, codeName: codeName(e.code), message: e.message, reason: e.reason, domain: e.domain, metadata: e.metadata, httpStatus: e.httpStatus };
}

/**
 * Compiles a list of mappings; an error none of them matches goes to `next` (a route's own
 * mappings fall through to its frontend's, compiled once and shared by every route), else to
 * the default body. Problems are returned through `report`. The mapper carries `fallback`, so
 * renderError can send it when the rendered body cannot be serialised.
 */
export function compileErrorMapper(
  mappings: readonly ErrorMapping[],
  scope: Omit<TemplateScope, 'error' | 'response'>,
  fallback: FallbackBody = DEFAULT_FALLBACK,
  report: (problem: ErrorMapperProblem) => void = () => {},
  next?: ErrorMapper,
): ErrorMapper {
  const compiled: CompiledMapping[] = [];
  mappings.forEach((m, index) => {
    const c = compileMapping(m, { ...scope, error: true }, (pointer, message) => report({ index, pointer, message }));
    if (c) compiled.push(c);
  });
  const fallbackBody = JSON.stringify(fallback.body);

  const mapper = (error: GatewayError, request?: unknown) => {
    try {
      const mapping = compiled.find((m) => m.matches(error));
      if (!mapping) return next ? next(error, request) : { status: error.httpStatus, headers: {}, body: defaultErrorBody(error) };
      const ctx = { error: errorView(error), request };
      const headers: Record<string, string> = {};
      for (const [name, render] of mapping.headers) {
        const v = render(ctx);
        if (v !== undefined && v !== null) headers[name] = String(v);
      }
      return { status: mapping.status ?? error.httpStatus, headers, body: mapping.body ? mapping.body(ctx) : defaultErrorBody(error) };
    } catch {
      return { status: fallback.status, headers: {}, body: JSON.parse(fallbackBody) };
    }
  };
  return Object.assign(mapper, { fallback });
}

function compileMapping(m: ErrorMapping, scope: TemplateScope, report: (pointer: string, message: string) => void): CompiledMapping | undefined {
  const tests: ((e: GatewayError) => boolean)[] = [];
  const match = m.match ?? {};
  if (match.code !== undefined) {
    const codes = new Set<number>();
    for (const c of Array.isArray(match.code) ? match.code : [match.code]) {
      const code = parseCode(c);
      if (code === undefined) report('/match/code', `unknown gRPC code '${c}'`);
      else codes.add(code);
    }
    tests.push((e) => codes.has(e.code));
  }
  if (match.reason !== undefined) {
    const reasons = new Set(Array.isArray(match.reason) ? match.reason : [match.reason]);
    tests.push((e) => reasons.has(e.reason));
  }
  if (match.domain !== undefined) {
    const domain = match.domain;
    tests.push((e) => e.domain === domain);
  }
  if (match.metadata !== undefined) {
    const entries = Object.entries(match.metadata);
    tests.push((e) => entries.every(([k, v]) => e.metadata[k] === v));
  }
  const compile = (t: Template | undefined, pointer: string): TemplateRenderer | undefined => {
    if (t === undefined) return undefined;
    try {
      return compileTemplate(t, scope, pointer);
    } catch (err) {
      report((err as { pointer?: string }).pointer ?? pointer, (err as Error).message);
      return undefined;
    }
  };
  const body = compile(m.body, '/body');
  const headers: [string, TemplateRenderer][] = [];
  for (const [name, t] of Object.entries(m.headers ?? {})) {
    const r = compile(t, `/headers/${name}`);
    if (r) headers.push([name.toLowerCase(), r]);
  }
  return { matches: (e) => tests.every((t) => t(e)), status: m.status, body, headers };
}
