/**
 * The error mapper: a frontend's error mappings (route overrides first) compiled into one
 * closure that renders any GatewayError, whether it came from the upstream or from routing and
 * binding, as an HTTP status, headers and body. First match wins; with no match the body is
 * grpc-gateway's shape (`{code, message, details}`). If rendering itself fails, the fixed
 * fallback body goes out: an error never escapes as a stack trace.
 *
 * Two steps, like every other compile step: the mappings are planned (checked, every problem
 * reported into a DiagnosticSink with its code, giving ErrorRulePlans: the route plan's error
 * table), then the closure is compiled from those plans, so the table the exports read is the
 * table that renders.
 */
import type { ErrorMapping, ErrorMatch } from '../frontends/definition.js';
import { DiagnosticCode, nestedSink, type DiagnosticSink } from '../frontends/diagnostics.js';
import { codeName, GatewayError, parseCode, type ErrorDetail } from '../core/gateway-error.js';
import { DEFAULT_FALLBACK, defaultErrorBody, errorDetailList, type ErrorMapper, type FallbackBody } from '../core/render-error.js';
import type { ErrorRulePlan, TemplatePlan } from '../routing/route-plan.js';
import { compileTemplatePlan, planTemplate, type TemplateRenderer, type TemplateScope } from './template.js';


/** What error templates see under `error.` (the shape template.ts checks paths against: ERROR_VIEW_SHAPE). */
export interface ErrorView {
  /** The gRPC code number (grpc-gateway's `code`). */
  code: number;
  codeName: string;
  message: string;
  reason: string;
  domain: string;
  metadata: Record<string, string>;
  httpStatus: number;
  readonly details: ErrorDetailsView;
}

/**
 * The error's details: `list` is every detail as the default body renders it (`@type` first);
 * each standard google.rpc detail is also there by name (its first occurrence), in proto3 JSON:
 * `badRequest.fieldViolations[].field`, `retryInfo.retryDelay` ("1.5s"), ….
 */
export interface ErrorDetailsView {
  list: readonly ErrorDetail[];
  [detail: string]: unknown;
}

/** google.rpc detail type → its name under `error.details`. */
const DETAIL_NAMES: Record<string, string> = {
  'google.rpc.ErrorInfo': 'errorInfo',
  'google.rpc.RetryInfo': 'retryInfo',
  'google.rpc.DebugInfo': 'debugInfo',
  'google.rpc.QuotaFailure': 'quotaFailure',
  'google.rpc.PreconditionFailure': 'preconditionFailure',
  'google.rpc.BadRequest': 'badRequest',
  'google.rpc.RequestInfo': 'requestInfo',
  'google.rpc.ResourceInfo': 'resourceInfo',
  'google.rpc.Help': 'help',
  'google.rpc.LocalizedMessage': 'localizedMessage',
};

function detailsView(e: GatewayError): ErrorDetailsView {
  const list = errorDetailList(e);
  const view: ErrorDetailsView = { list };
  for (const d of list) {
    const name = DETAIL_NAMES[d['@type'].slice(d['@type'].lastIndexOf('/') + 1)];
    if (name && !(name in view)) {
      const { '@type': _, ...fields } = d;
      view[name] = fields;
    }
  }
  return view;
}

/** What error templates may read besides `error`: the bound request, on a route's own mappings. */
export type ErrorScope = Omit<TemplateScope, 'error' | 'response' | 'metadata' | 'item'>;

interface CompiledMapping {
  matches(e: GatewayError): boolean;
  status?: number;
  body?: TemplateRenderer;
  headers: [string, TemplateRenderer][];
}

export function errorView(e: GatewayError): ErrorView {
  let details: ErrorDetailsView | undefined;
  return {
    code: e.code,
    codeName: codeName(e.code),
    message: e.message,
    reason: e.reason,
    domain: e.domain,
    metadata: e.metadata,
    httpStatus: e.httpStatus,
    // Decoded only when a template reads it.
    get details() {
      return (details ??= detailsView(e));
    },
  };
}

/**
 * Checks a list of mappings, reporting every problem of every mapping into `sink` (pointers
 * relative to the list: `/0/match/code`, `/1/body/object/message/from`): an unknown gRPC code is
 * INVALID_VALUE, a template problem carries the template's own code.
 * @returns one plan per mapping, in order, or undefined when a problem was reported.
 */
export function planErrorMappings(mappings: readonly ErrorMapping[], scope: ErrorScope, owner: ErrorRulePlan['scope'], sink: DiagnosticSink): ErrorRulePlan[] | undefined {
  let problems = 0;
  const counting: DiagnosticSink = (code, pointer, message) => {
    problems++;
    sink(code, pointer, message);
  };
  const templateScope: TemplateScope = { ...scope, error: true };
  const plans = mappings.map((m, index) => planMapping(m, templateScope, owner, nestedSink(counting, `/${index}`)));
  return problems === 0 ? plans : undefined;
}

function planMapping(m: ErrorMapping, scope: TemplateScope, owner: ErrorRulePlan['scope'], sink: DiagnosticSink): ErrorRulePlan {
  const match = m.match ?? {};
  for (const c of match.code === undefined ? [] : [match.code].flat()) {
    if (parseCode(c) === undefined) sink(DiagnosticCode.INVALID_VALUE, '/match/code', `unknown gRPC code '${c}'`);
  }
  const body = m.body === undefined ? undefined : planTemplate(m.body, scope, sink, '/body');
  const headers: Record<string, TemplatePlan> = {};
  for (const [name, t] of Object.entries(m.headers ?? {})) {
    const plan = planTemplate(t, scope, sink, `/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (plan) headers[name] = plan;
  }
  return { scope: owner, match, ...(m.status === undefined ? {} : { status: m.status }), headers, ...(body ? { body } : {}) };
}

/**
 * Compiles planned mappings (planErrorMappings, same scope) into the mapper; an error none of
 * them matches goes to `next` (a route's own mappings fall through to its frontend's, compiled
 * once and shared by every route), else to the default body. The mapper carries `fallback`, so
 * renderError can send it when the rendered body cannot be serialised.
 * @throws Error only when a plan names proto types the scope does not have (a plan made
 *   against other protos).
 */
export function compileErrorPlans(plans: readonly ErrorRulePlan[], scope: ErrorScope, fallback: FallbackBody = DEFAULT_FALLBACK, next?: ErrorMapper): ErrorMapper {
  const templateScope: TemplateScope = { ...scope, error: true };
  const compiled = plans.map((p) => compileMapping(p, templateScope));
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

/**
 * Plans and compiles in one call, for mappings that are not part of a route plan. Problems go
 * to `sink`; a mapping with a problem is left out of the mapper.
 */
export function compileErrorMapper(
  mappings: readonly ErrorMapping[],
  scope: ErrorScope,
  fallback: FallbackBody = DEFAULT_FALLBACK,
  sink: DiagnosticSink = () => {},
  next?: ErrorMapper,
): ErrorMapper {
  const templateScope: TemplateScope = { ...scope, error: true };
  const plans: ErrorRulePlan[] = [];
  mappings.forEach((m, index) => {
    let ok = true;
    const plan = planMapping(m, templateScope, 'frontend', (code, pointer, message) => {
      ok = false;
      sink(code, `/${index}${pointer}`, message);
    });
    if (ok) plans.push(plan);
  });
  return compileErrorPlans(plans, scope, fallback, next);
}

function compileMapping(plan: ErrorRulePlan, scope: TemplateScope): CompiledMapping {
  const headers: [string, TemplateRenderer][] = Object.entries(plan.headers).map(([name, t]) => [name.toLowerCase(), compileTemplatePlan(t, scope)]);
  return { matches: compileMatch(plan.match), status: plan.status, body: plan.body && compileTemplatePlan(plan.body, scope), headers };
}

/** Every condition the match states must hold; codes that do not parse were reported when planned. */
function compileMatch(match: ErrorMatch): (e: GatewayError) => boolean {
  const tests: ((e: GatewayError) => boolean)[] = [];
  if (match.code !== undefined) {
    const codes = new Set<number>();
    for (const c of [match.code].flat()) {
      const code = parseCode(c);
      if (code !== undefined) codes.add(code);
    }
    tests.push((e) => codes.has(e.code));
  }
  if (match.reason !== undefined) {
    const reasons = new Set([match.reason].flat());
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
  return (e) => tests.every((t) => t(e));
}
