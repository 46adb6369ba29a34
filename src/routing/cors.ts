/**
 * CORS on the public listener (the Fetch standard's CORS protocol, as connect-es's
 * `@connectrpc/cors` and Envoy's CORS filter read it): a policy compiled once per `cors:`
 * config, the policy that governs a path (the frontend binding's own, else the listener's),
 * and the headers a preflight and an actual answer carry. Framework-free; the adapter
 * (fastify-adapter.ts) applies it in an onRequest hook, before the route table is consulted.
 *
 * Why not @fastify/cors (read at 11.3.0): it always registers its own `OPTIONS *` route, which
 * fastify refuses next to the gateway's catch-all (FST_ERR_DUPLICATED_ROUTE); with preflights
 * on it answers every OPTIONS as a preflight (or refuses it 400 in strict mode), so an OPTIONS
 * that is not one could no longer reach the route table's Allow answer; its origins are exact
 * strings or regular expressions (no `https://*.example.com` with normalised ports); and it
 * sets headers on the fastify reply, which a stream written raw (fastify-io.ts streamResponse)
 * never sends. Its per-request `delegator` could pick a binding's policy from the swappable
 * table, but none of the rest would change.
 */
import { corsConfigProblems, parseOriginEntry, parseUrl, type WildcardOrigin } from '../config/cors-origins.js';
import { ConfigError, type CorsConfig } from '../config/gateway-config.js';
import type { RouteTable } from './route-table.js';

/** What a preflight allows when `allowMethods` is absent. */
export const DEFAULT_ALLOW_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Request headers a preflight always allows: what gRPC-Web and Connect clients (connect-es,
 * grpc-web) send, plus the gateway's own (auth, request id, namespace choice, SSE resume).
 */
export const DEFAULT_ALLOW_HEADERS: readonly string[] = [
  'content-type',
  'connect-protocol-version',
  'connect-timeout-ms',
  'connect-accept-encoding',
  'connect-content-encoding',
  'grpc-timeout',
  'x-grpc-web',
  'x-user-agent',
  'authorization',
  'x-request-id',
  'x-prism-namespace',
  'last-event-id',
];

/**
 * Response headers scripts may always read: a gRPC-Web client reads a unary call's status from
 * them (trailers-only answers), and connect-es needs them for errors.
 */
export const DEFAULT_EXPOSE_HEADERS: readonly string[] = ['grpc-status', 'grpc-message', 'grpc-status-details-bin'];

/** A `cors:` config compiled: matchers and the header values it answers with. */
export interface CorsPolicy {
  /** `*` among allowOrigins: every origin, `null` included. */
  readonly anyOrigin: boolean;
  readonly allowCredentials: boolean;
  /** Upper case. */
  readonly allowMethods: ReadonlySet<string>;
  /** Header values, joined once. */
  readonly allowMethodsValue: string;
  readonly allowHeadersValue: string;
  readonly exposeHeadersValue: string;
  readonly maxAgeValue?: string;
  /** Exact origins, serialised as the URL standard does (lower case, default port dropped). */
  readonly exactOrigins: ReadonlySet<string>;
  readonly wildcardOrigins: readonly WildcardOrigin[];
  /** Answers already given, per Origin header value (bounded; the hot path parses no URL twice). */
  readonly seen: Map<string, boolean>;
}

const compiled = new WeakMap<CorsConfig, CorsPolicy>();

/** How many Origin values a policy remembers its answer for before it starts over. */
const SEEN_LIMIT = 1024;

/**
 * The policy of a `cors:` config, compiled once per config object.
 * @throws ConfigError naming the field when the config cannot be used (see corsConfigProblems).
 */
export function compileCorsPolicy(config: CorsConfig): CorsPolicy {
  const cached = compiled.get(config);
  if (cached) return cached;
  const problems = corsConfigProblems(config);
  if (problems.length > 0) throw new ConfigError(`invalid cors config: ${problems.map((p) => `at cors${p.pointer}: ${p.message}`).join('; ')}`);
  const exactOrigins = new Set<string>();
  const wildcardOrigins: WildcardOrigin[] = [];
  for (const entry of config.allowOrigins) {
    if (entry === '*') continue;
    const parsed = parseOriginEntry(entry);
    if (parsed && 'exact' in parsed) exactOrigins.add(parsed.exact);
    else if (parsed) wildcardOrigins.push(parsed);
  }
  const methods = (config.allowMethods ?? DEFAULT_ALLOW_METHODS).map((m) => m.toUpperCase());
  const policy: CorsPolicy = {
    anyOrigin: config.allowOrigins.includes('*'),
    allowCredentials: config.allowCredentials === true,
    allowMethods: new Set(methods),
    allowMethodsValue: [...new Set(methods)].join(', '),
    allowHeadersValue: unionLowerCase(DEFAULT_ALLOW_HEADERS, config.allowHeaders).join(', '),
    exposeHeadersValue: unionLowerCase(DEFAULT_EXPOSE_HEADERS, config.exposeHeaders).join(', '),
    ...(config.maxAgeSeconds !== undefined ? { maxAgeValue: String(config.maxAgeSeconds) } : {}),
    exactOrigins,
    wildcardOrigins,
    seen: new Map(),
  };
  compiled.set(config, policy);
  return policy;
}

/**
 * Whether `origin` (an Origin header's value) may call under `policy`. Hosts and schemes
 * compare case-insensitively and a scheme's default port equals no port, as URL origins do.
 */
export function originAllowed(policy: CorsPolicy, origin: string): boolean {
  if (policy.anyOrigin) return true;
  const known = policy.seen.get(origin);
  if (known !== undefined) return known;
  const allowed = matchOrigin(policy, origin);
  if (policy.seen.size >= SEEN_LIMIT) policy.seen.clear();
  policy.seen.set(origin, allowed);
  return allowed;
}

/**
 * The policy governing `path` on `host`: the binding's own `cors:` when the frontend mounted
 * there has one, else the listener's; undefined when CORS is off for the path. Read from the
 * table current when the request started, so a hot reload changes it with the routes.
 * @throws ConfigError when the config that applies cannot be compiled (see compileCorsPolicy).
 */
export function corsPolicyFor(table: RouteTable, listener: CorsConfig | undefined, path: string, host: string | undefined): CorsPolicy | undefined {
  // An RPC path (gRPC-Web, Connect) takes its mount's settings: the frontend found by path
  // would miss it when the binding's frontend has a basePath.
  const mount = table.rpc?.mountOf(path, host);
  const config = (mount ? mount.cors : table.frontendFor(path, host)?.cors) ?? listener;
  return config ? compileCorsPolicy(config) : undefined;
}

/** A request is a preflight when it is OPTIONS with Origin and Access-Control-Request-Method. */
export function isPreflight(method: string, origin: string | undefined, requestMethod: string | undefined): boolean {
  return method === 'OPTIONS' && origin !== undefined && requestMethod !== undefined;
}

/**
 * The headers of a preflight's 204. An origin or a method the policy does not allow gets
 * `Vary` alone: the browser then refuses the actual request itself, and the answer tells a
 * prober nothing about the policy.
 */
export function preflightHeaders(policy: CorsPolicy, origin: string, requestMethod: string): Record<string, string> {
  const headers: Record<string, string> = { vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' };
  if (!originAllowed(policy, origin) || !policy.allowMethods.has(requestMethod.toUpperCase())) return headers;
  headers['access-control-allow-origin'] = allowOriginValue(policy, origin);
  if (policy.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  headers['access-control-allow-methods'] = policy.allowMethodsValue;
  headers['access-control-allow-headers'] = policy.allowHeadersValue;
  if (policy.maxAgeValue !== undefined) headers['access-control-max-age'] = policy.maxAgeValue;
  return headers;
}

/**
 * The headers every other answer on a path with a policy carries (errors and streams
 * included): `Vary: Origin` always, since the answer depends on it; the allow and expose
 * headers when the origin may call.
 */
export function responseHeaders(policy: CorsPolicy, origin: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { vary: 'Origin' };
  if (origin === undefined || !originAllowed(policy, origin)) return headers;
  headers['access-control-allow-origin'] = allowOriginValue(policy, origin);
  if (policy.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  headers['access-control-expose-headers'] = policy.exposeHeadersValue;
  return headers;
}

/** `*` when any origin may call without credentials (cacheable for all), else the origin itself. */
function allowOriginValue(policy: CorsPolicy, origin: string): string {
  return policy.anyOrigin && !policy.allowCredentials ? '*' : origin;
}

function matchOrigin(policy: CorsPolicy, origin: string): boolean {
  const url = parseUrl(origin);
  // An opaque origin (`null`, file:, sandboxed frames) matches only `*`.
  if (!url || url.origin === 'null') return policy.exactOrigins.has(origin.toLowerCase());
  if (policy.exactOrigins.has(url.origin)) return true;
  return policy.wildcardOrigins.some((w) => w.protocol === url.protocol && w.port === url.port && url.hostname.endsWith(w.suffix) && url.hostname.length > w.suffix.length);
}

function unionLowerCase(defaults: readonly string[], extra: readonly string[] | undefined): string[] {
  return [...new Set([...defaults, ...(extra ?? []).map((h) => h.toLowerCase())])];
}
