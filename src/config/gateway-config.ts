/**
 * The gateway config file: listeners, the flat backend registry, and namespaces that bind a
 * pattern service (a gRPC target, or a module run in-process) to frontends.
 *
 * Declared once: each section is a TypeBox schema and its type is `Static<>` of it, so what ajv
 * checks at load and what the gateway reads cannot drift apart. Loading reports every problem
 * of the file in one pass as Diagnostics (code, JSON pointer, line and column): syntax, shape,
 * and the rules the schema cannot say (names used twice, references to unknown backends,
 * options that do not apply, listeners exposed beyond loopback).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { DiagnosticCode, formatDiagnostic, type Diagnostic } from '../frontends/diagnostics.js';
import { StringEnum } from '../frontends/definition.js';
import { schemaProblems } from '../frontends/schema-problems.js';
import { locatePointer } from '../frontends/source-positions.js';
import { redactUrlsIn } from '../observability/redact-url.js';
import { AuthConfigSchema } from '../security/auth-config.js';
import { BACKEND_TYPE_NAMES, checkBackendConfig, plainSecretWarning } from '../backends/backend-types.js';
import type { Http2UpstreamOptions } from '../upstream/http2-upstream.js';
import { corsConfigProblems } from './cors-origins.js';
import { exposureProblems } from './listener-exposure.js';

const Port = () => Type.Integer({ minimum: 0, maximum: 65535 });
const Optional = <T extends TSchema>(schema: T) => Type.Optional(schema);

export const TlsConfigSchema = Type.Object(
  {
    certFile: Optional(Type.String()),
    keyFile: Optional(Type.String()),
    caFile: Optional(Type.String()),
    clientCertificates: Optional(StringEnum(['require', 'request'], { description: 'Listeners: `require` refuses clients without a certificate signed by caFile.' })),
  },
  { additionalProperties: false, description: 'HTTPS: certificate and key files; `caFile` + `clientCertificates` verify clients (mTLS).' },
);
/** TLS files of a listener (certFile + keyFile; caFile + clientCertificates for mTLS) or of a target. */
export type TlsConfig = Static<typeof TlsConfigSchema>;

const listenerProperties = {
  host: Optional(Type.String()),
  port: Optional(Port()),
  tls: Optional(TlsConfigSchema),
};
const ListenerConfigSchema = Type.Object(listenerProperties, { additionalProperties: false });
/** Where a listener binds, and its TLS. */
export type ListenerConfig = Static<typeof ListenerConfigSchema>;

/**
 * Limits on the connections of the HTTP listeners (public, admin, probes), against clients that
 * open many sockets or trickle their requests (defaults in connection-guard.ts). The gRPC
 * listener takes the two connection caps alone (the read timeouts are HTTP/1's).
 */
const connectionCaps = {
  maxConnections: Optional(Type.Integer({ minimum: 1, description: 'Open connections per listener; more are closed at once.' })),
  maxConnectionsPerAddress: Optional(Type.Integer({ minimum: 1, description: 'Open connections per client address per listener; more are closed at once.' })),
};
const ConnectionLimitsSchema = Type.Object(
  {
    ...connectionCaps,
    headersTimeoutMs: Optional(Type.Integer({ minimum: 1, description: "Time for a request's headers to arrive in full (408 and close after it)." })),
    requestTimeoutMs: Optional(Type.Integer({ minimum: 1, description: 'Time for a whole request, headers and body, to arrive (408 and close after it).' })),
    idleTimeoutMs: Optional(Type.Integer({ minimum: 0, description: 'A socket with no traffic for this long is closed (0: never; keep-alive idling has its own limit).' })),
  },
  { additionalProperties: false },
);
/** Connection caps and read timeouts of an HTTP listener (defaults in connection-guard.ts). */
export type ConnectionLimitsConfig = Static<typeof ConnectionLimitsSchema>;

/**
 * Cross-origin access for browsers (the Fetch standard's CORS protocol): which origins may call
 * the public listener, with which methods and headers, and which response headers their
 * scripts may read. Set on the `http` listener, overridable per frontend binding; it applies to
 * REST, GraphQL, gRPC-Web and Connect alike. Off when absent.
 */
export const CorsConfigSchema = Type.Object(
  {
    allowOrigins: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'Origins allowed to call (`https://app.example.com`), `https://*.example.com` for any subdomain, or `*` for any origin.',
    }),
    allowMethods: Optional(Type.Array(Type.String({ pattern: '^[A-Za-z]+$' }), { description: 'Methods a preflight allows (default: GET, HEAD, POST, PUT, PATCH, DELETE).' })),
    allowHeaders: Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Request headers a preflight allows, beyond the defaults the gRPC-Web and Connect clients send.' })),
    exposeHeaders: Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Response headers scripts may read, beyond grpc-status, grpc-message and grpc-status-details-bin.' })),
    allowCredentials: Optional(Type.Boolean({ description: 'Let browsers send cookies and HTTP credentials (not with `*` origins).' })),
    maxAgeSeconds: Optional(Type.Integer({ minimum: 0, description: 'How long browsers may cache a preflight answer.' })),
  },
  { additionalProperties: false },
);
/** CORS settings of the public listener or of one frontend binding. */
export type CorsConfig = Static<typeof CorsConfigSchema>;

const HttpListenerSchema = Type.Object(
  {
    ...listenerProperties,
    maxConcurrent: Optional(Type.Integer({ minimum: 1, description: 'Requests in flight at once; more are refused with 503.' })),
    maxStreams: Optional(
      Type.Integer({
        minimum: 1,
        description: 'SSE/NDJSON streams and WebSocket sessions open at once (default 10000); more are refused (503, or WebSocket close 4008). An open stream does not count against maxConcurrent.',
      }),
    ),
    cors: Optional(CorsConfigSchema),
    websocket: Optional(
      Type.Object(
        {
          pingIntervalMs: Optional(Type.Integer({ minimum: 0, description: 'Keepalive pings at this interval; a peer that misses one is dropped (default 30000; 0 = off).' })),
          maxFrameBytes: Optional(Type.Integer({ minimum: 1, description: 'Largest inbound WebSocket message, in bytes (default 1 MiB).' })),
          maxSocketBufferedBytes: Optional(Type.Integer({ minimum: 1, description: "Unsent bytes a socket may hold before the backend's stream stops being read (default 256 KiB)." })),
        },
        { additionalProperties: false, description: 'WebSocket sessions of the public listener: keepalive and limits.' },
      ),
    ),
    ...ConnectionLimitsSchema.properties,
  },
  { additionalProperties: false, description: 'The public HTTP listener (default 127.0.0.1:8080), its in-flight request limit and its connection limits.' },
);

const AdminListenerSchema = Type.Object(
  {
    ...listenerProperties,
    enabled: Optional(Type.Boolean()),
    store: Optional(Type.String({ minLength: 1, description: 'A POSTGRES backend that gateway replicas share for runtime frontends (default: a SQLite file in the data dir).' })),
    insecure: Optional(Type.Boolean({ description: 'Bind beyond loopback with neither `auth` nor client certificates.' })),
    openProbes: Optional(Type.Boolean({ description: 'Serve /healthz, /readyz and /metrics without credentials.' })),
  },
  { additionalProperties: false, description: 'The admin listener: admin API, /metrics, /healthz, /readyz (default: ephemeral loopback port).' },
);

const GrpcListenerSchema = Type.Object(
  {
    ...listenerProperties,
    enabled: Optional(Type.Boolean()),
    insecure: Optional(Type.Boolean({ description: 'Bind beyond loopback with neither `auth` nor client certificates.' })),
    ...connectionCaps,
  },
  { additionalProperties: false, description: "The gRPC listener exposing each namespace's pattern as-is (default: ephemeral loopback port)." },
);

const ProbesListenerSchema = Type.Object(
  { host: Optional(Type.String()), port: Optional(Port()) },
  {
    additionalProperties: false,
    description: 'A listener with /healthz, /readyz and /metrics only, no credentials (for orchestrator probes and Prometheus); may bind any address. Off when absent.',
  },
);

/**
 * The schema browser (ui/, built into dist/ui by `npm run build`): static assets on the public
 * listener that need no credentials; the page's API calls carry the user's. Off when absent.
 */
export const UiConfigSchema = Type.Object(
  {
    enabled: Optional(Type.Boolean({ description: 'Serve the schema browser (default true once the section is present).' })),
    path: Optional(Type.String({ pattern: '^/([A-Za-z0-9._~-]+/)+$', description: 'Where it is served on the public listener, with a slash at both ends (default `/ui/`).' })),
    apiUrl: Optional(
      Type.String({ minLength: 1, description: "The registry API the page opens: a path on this origin (default `/`) or another origin's URL (that origin must allow CORS)." }),
    ),
    assets: Optional(Type.String({ minLength: 1, description: 'A folder of built UI assets to serve instead of the packaged dist/ui (relative to the config file).' })),
  },
  { additionalProperties: false, description: 'The schema browser UI on the public listener (off when absent).' },
);
/** The `ui:` section: whether, where and with which API the schema browser is served. */
export type UiConfig = Static<typeof UiConfigSchema>;

export const BackendEntrySchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    type: StringEnum(BACKEND_TYPE_NAMES, { description: 'The backend type (RFC-039 BackendType); its config and interfaces are declared in src/backends/.' }),
    config: Optional(Type.Unsafe<Record<string, unknown>>({ type: 'object', description: "The type's typed config (checked against the type's schema at load)." })),
  },
  { additionalProperties: false },
);
/** One backend of the flat registry (RFC-039): a unique name, a type and its typed config. */
export type BackendEntry = Static<typeof BackendEntrySchema>;

const HealthCheckSchema = Type.Object(
  {
    check: Optional(StringEnum(['grpc', 'tcp', 'off'])),
    service: Optional(Type.String()),
    timeoutMs: Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
// oneOf, as written before TypeBox: a wrong value is reported against both forms.
const HealthConfigSchema = Type.Unsafe<'off' | Static<typeof HealthCheckSchema>>({
  oneOf: [{ const: 'off' }, HealthCheckSchema],
  description: 'How /readyz and `readiness` routes check the pattern (default: grpc.health.v1 for the whole server).',
});
/**
 * A namespace's health check: `off` (always ready), `{ check: grpc, service }` (grpc.health.v1
 * Check for that service name; '' is the whole server), or `{ check: tcp }` (the target accepts
 * a connection).
 */
export type HealthConfig = Static<typeof HealthConfigSchema>;

const Http2OptionsSchema = Type.Object(
  {
    connectTimeoutMs: Optional(Type.Integer({ minimum: 1 })),
    keepaliveIntervalMs: Optional(Type.Integer({ minimum: 0 })),
    keepaliveTimeoutMs: Optional(Type.Integer({ minimum: 1 })),
    keepaliveWhileIdle: Optional(Type.Boolean()),
    idleTimeoutMs: Optional(Type.Integer({ minimum: 0 })),
    maxHeaderListBytes: Optional(Type.Integer({ minimum: 1024 })),
    receiveWindowBytes: Optional(Type.Integer({ minimum: 65535, maximum: 2147483647 })),
    maxReceiveMessageBytes: Optional(Type.Integer({ minimum: 1 })),
  },
  {
    additionalProperties: false,
    description:
      'Liveness and limits of the lean HTTP/2 client (http2-upstream.ts; defaults in H2_DEFAULTS): keepalive PINGs and their timeout, idle close, the reply header list and message sizes.',
  },
);
// The client declares its options (http2-upstream.ts); this schema must offer exactly those.
type Http2Options = Static<typeof Http2OptionsSchema>;
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;
const http2OptionsMatchTheClient: SameKeys<Http2Options, Http2UpstreamOptions> & (Http2Options extends Http2UpstreamOptions ? true : false) = true;
void http2OptionsMatchTheClient;

export const PatternConfigSchema = Type.Object(
  {
    target: Optional(Type.String({ minLength: 1, description: 'A running pattern service (`host:port`).' })),
    protos: Optional(Type.Array(Type.String(), { description: "Protos of the target's services (the frontends may also name their own)." })),
    embedded: Optional(Type.String({ minLength: 1, description: 'A pattern module to run in-process: `./path` (config-relative) or a path in this package.' })),
    listen: Optional(
      Type.String({
        description:
          'Address the embedded pattern listens on (`host:port`, or `unix:/path`). Default: a Unix socket in a private folder, so only this process (and its workers) can reach the pattern.',
      }),
    ),
    insecure: Optional(Type.Boolean({ description: "Lets `listen` bind beyond loopback, where anyone who reaches it bypasses the gateway's auth." })),
    slots: Optional(Type.Record(Type.String(), Type.String(), { description: 'Slot name → backend name.' })),
    tls: Optional(TlsConfigSchema),
    client: Optional(
      StringEnum(['http2', 'grpc-js'], {
        description: 'The unary client: `http2` (the lean HTTP/2 client of http2-upstream.ts, the default for plaintext targets) or `grpc-js` (always used with TLS).',
      }),
    ),
    http2: Optional(Http2OptionsSchema),
  },
  { additionalProperties: false, oneOf: [{ required: ['target'] }, { required: ['embedded'] }] },
);
/** A namespace's pattern service: a running `target`, or an `embedded` module. */
export type PatternConfig = Static<typeof PatternConfigSchema>;

export const FrontendMountSchema = Type.Object(
  {
    file: Type.String({ description: 'Definition file, relative to the config file.' }),
    pathPrefix: Optional(Type.String({ pattern: '^/', description: 'Path prefix the frontend is mounted under (default: none).' })),
    host: Optional(Type.String({ minLength: 1, description: 'Serve the frontend only for requests with this Host (without port).' })),
    cors: Optional(Type.Object(CorsConfigSchema.properties, { additionalProperties: false, description: "Overrides the `http` listener's CORS settings for this binding's paths." })),
  },
  { additionalProperties: false },
);
/** A frontend definition file bound to a namespace, under a path prefix and/or a host. */
export type FrontendMount = Static<typeof FrontendMountSchema>;

export const NamespaceConfigSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
    deadlineMs: Optional(Type.Integer({ minimum: 1, description: "Overrides the frontends' default deadline for this namespace." })),
    forwardHeaders: Optional(Type.Array(Type.String(), { description: "Overrides the frontends' forwarded headers for this namespace." })),
    grpcPassthrough: Optional(
      Type.Boolean({ description: "Expose the pattern's own gRPC services on the gRPC listener (default true); false also turns off gRPC-Web and Connect for the namespace." }),
    ),
    grpcWeb: Optional(
      Type.Boolean({
        description:
          "Serve the pattern's gRPC services as gRPC-Web and the Connect protocol at `/{package.Service}/{Method}` on the public listener, under each frontend binding's path prefix and host (default false; never served when `grpcPassthrough` is false).",
      }),
    ),
    methodRoles: Optional(
      Type.Unsafe<Record<string, 'read' | 'write' | 'admin'>>({
        type: 'object',
        propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_.]*/[A-Za-z_][A-Za-z0-9_]*$' },
        additionalProperties: { enum: ['read', 'write', 'admin'] },
        description:
          '`package.Service/Method` → the role a call needs on the gRPC passthrough, gRPC-Web and Connect, overriding the proto (a read iff `idempotency_level = NO_SIDE_EFFECTS`, else write; DESIGN.md §8).',
      }),
    ),
    health: Optional(HealthConfigSchema),
    pattern: PatternConfigSchema,
    frontends: Type.Array(FrontendMountSchema),
  },
  { additionalProperties: false },
);
/** A namespace: a pattern service, its slot bindings, and the frontends bound to it. */
export type NamespaceConfig = Static<typeof NamespaceConfigSchema>;

export const GatewayConfigSchema = Type.Object(
  {
    http: Optional(HttpListenerSchema),
    admin: Optional(AdminListenerSchema),
    grpc: Optional(GrpcListenerSchema),
    probes: Optional(ProbesListenerSchema),
    bodyLimit: Optional(Type.Integer({ minimum: 1, description: 'Largest request body in bytes.' })),
    shutdownTimeoutMs: Optional(Type.Integer({ minimum: 0, description: 'How long shutdown waits for in-flight requests (default 10 s).' })),
    dataDir: Optional(Type.String({ description: 'Where embedded patterns keep their data (relative to the config file).' })),
    auth: Optional(AuthConfigSchema),
    ui: Optional(UiConfigSchema),
    backends: Optional(Type.Array(BackendEntrySchema)),
    namespaces: Type.Array(NamespaceConfigSchema, { minItems: 1 }),
  },
  { additionalProperties: false, title: 'Prism Gateway config' },
);
/** The gateway config file (see GatewayConfigSchema for every field's meaning). */
export type GatewayConfig = Static<typeof GatewayConfigSchema>;

const validate = new Ajv({ allErrors: true, verbose: true }).compile(GatewayConfigSchema);

/**
 * The config cannot be used. `problems` lists every problem of the file with its code, pointer
 * and position; the message has one line per problem (`file:line:col: at /pointer: …`).
 * Other start-up checks throw it with a message alone (and no problems).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly Diagnostic[];

  constructor(message: string, problems: readonly Diagnostic[] = []) {
    super(message);
    this.problems = problems;
  }
}

export interface LoadedConfig {
  readonly config: GatewayConfig;
  readonly file: string;
  readonly baseDir: string;
  /** Warnings found at load (plain secrets in backend configs), for the gateway to log. */
  readonly warnings?: readonly Diagnostic[];
}

/** Everything known about a config file: its problems, and the config when its shape is sound. */
export interface ConfigCheck {
  readonly file: string;
  readonly problems: readonly Diagnostic[];
  /**
   * The config, when it parsed and fits the schema: present even when other problems were
   * found (a duplicate name, an unknown backend), so its frontends can be checked too.
   */
  readonly loaded?: LoadedConfig;
  /** Per problem, the lines of the file it quotes (redacted; syntax problems only), else ''. */
  readonly excerpts?: readonly string[];
  /** What is accepted but should change (a plain secret in a backend config), located like problems. */
  readonly warnings?: readonly Diagnostic[];
}

/**
 * Reads and checks a config file, never throwing: every problem of the file, in one pass.
 * `validate` uses it to report the config's problems along with its frontends'.
 */
export function checkGatewayConfig(file: string): ConfigCheck {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { file, problems: [{ code: DiagnosticCode.UNREADABLE, file, pointer: '', message: `cannot read file: ${(err as Error).message}` }] };
  }
  return checkGatewayConfigText(text, file);
}

/** checkGatewayConfig for text already read; `file` names it in problems and anchors relative paths. */
export function checkGatewayConfigText(text: string, file: string): ConfigCheck {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (document.errors.length > 0) {
    // The YAML parser quotes the lines around a syntax error: a connection string among them
    // keeps its host, never its password. The position moves into the problem's location.
    const messages = document.errors.map((err) => redactUrlsIn(err.message).split('\n'));
    const problems = document.errors.map((err, i): Diagnostic => {
      const message = messages[i][0].replace(/ at line \d+, column \d+:?$/, '');
      return { code: DiagnosticCode.SYNTAX, file, pointer: '', line: err.linePos?.[0].line, column: err.linePos?.[0].col, message };
    });
    const excerpts = messages.map((lines) => lines.slice(1).join('\n').replace(/^\n+|\s+$/g, ''));
    return { file, problems, excerpts };
  }
  const value = document.toJS() as unknown;
  const at = (code: DiagnosticCode, pointer: string, message: string, subject = pointer): Diagnostic => {
    const pos = locatePointer(document, lineCounter, subject);
    return { code, file, pointer, line: pos?.line, column: pos?.column, message };
  };
  if (!validate(value)) {
    const problems = schemaProblems(validate.errors ?? []).map((p) => at(DiagnosticCode.SCHEMA, p.pointer, p.message, p.subject));
    return { file, problems };
  }
  // In file order, as the schema's problems are.
  const problems = configRuleProblems(value)
    .map((p) => at(p.code, p.pointer, p.message))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const warnings = backendSecretWarnings(value).map((p) => at(p.code, p.pointer, p.message));
  return { file, problems, warnings, loaded: { config: value, file, baseDir: dirname(resolve(file)), warnings } };
}

/**
 * Reads and checks a config file.
 * @throws ConfigError naming the file and every problem in it (`problems` holds them).
 */
export function loadGatewayConfig(file: string): LoadedConfig {
  const check = checkGatewayConfig(file);
  if (check.problems.length > 0 || !check.loaded) throw configError(check);
  return check.loaded;
}

/** The ConfigError of a check that found problems: one line per problem, then any quoted lines. */
export function configError(check: ConfigCheck): ConfigError {
  const n = check.problems.length;
  const lines = check.problems.map((p, i) => {
    const excerpt = check.excerpts?.[i];
    return '  ' + formatDiagnostic(p) + (excerpt ? '\n' + excerpt.replace(/^/gm, '    | ') : '');
  });
  return new ConfigError(`invalid gateway config ${check.file} (${n} problem${n === 1 ? '' : 's'}):\n${lines.join('\n')}`, check.problems);
}

/** A rule the schema cannot state, broken at `pointer`. */
export interface ConfigRuleProblem {
  readonly code: DiagnosticCode;
  readonly pointer: string;
  readonly message: string;
}

/** The rules across fields: unique names, known references, options that apply, exposure. */
function configRuleProblems(config: GatewayConfig): ConfigRuleProblem[] {
  const problems: ConfigRuleProblem[] = [];
  const problem = (code: DiagnosticCode, pointer: string, message: string) => problems.push({ code, pointer, message });
  const names = new Set<string>();
  for (const [i, b] of (config.backends ?? []).entries()) {
    if (names.has(b.name)) problem(DiagnosticCode.DUPLICATE_NAME, `/backends/${i}/name`, `backend name '${b.name}' is used twice`);
    names.add(b.name);
    // The type's own schema (src/backends/): its messages name fields, never their values.
    for (const p of checkBackendConfig(b.type, b.config ?? {}).problems) problem(DiagnosticCode.SCHEMA, `/backends/${i}/config${p.pointer}`, `backend '${b.name}' (${b.type}): ${p.message}`);
  }
  // Every `cors:` is checked here, the bindings' too: the route table that applies them is
  // compiled later, and a policy that cannot be used must stop the start, not be skipped.
  const corsRule = (cors: CorsConfig | undefined, at: string) => {
    for (const p of cors ? corsConfigProblems(cors) : []) problem(DiagnosticCode.INVALID_VALUE, `${at}${p.pointer}`, p.message);
  };
  corsRule(config.http?.cors, '/http/cors');
  const nsNames = new Set<string>();
  for (const [i, ns] of config.namespaces.entries()) {
    const at = `/namespaces/${i}`;
    for (const [j, mount] of ns.frontends.entries()) corsRule(mount.cors, `${at}/frontends/${j}/cors`);
    if (nsNames.has(ns.name)) problem(DiagnosticCode.DUPLICATE_NAME, `${at}/name`, `namespace name '${ns.name}' is used twice`);
    nsNames.add(ns.name);
    // An embedded pattern's slot may name a backend registered through the admin API: the
    // gateway binds (and checks) those at start, with the admin store open.
    for (const [slot, backend] of Object.entries(ns.pattern.embedded ? {} : (ns.pattern.slots ?? {}))) {
      if (!names.has(backend)) problem(DiagnosticCode.UNKNOWN_REFERENCE, `${at}/pattern/slots/${escapePointer(slot)}`, `namespace '${ns.name}' binds slot '${slot}' to unknown backend '${backend}'`);
    }
    // An embedded pattern listens on loopback in plaintext; TLS is for a `target`.
    if (ns.pattern.tls && !ns.pattern.target) problem(DiagnosticCode.INVALID_VALUE, `${at}/pattern/tls`, `namespace '${ns.name}': pattern.tls applies to a target, not to an embedded pattern`);
    if ((ns.pattern.listen !== undefined || ns.pattern.insecure !== undefined) && !ns.pattern.embedded) {
      problem(
        DiagnosticCode.INVALID_VALUE,
        `${at}/pattern/${ns.pattern.listen !== undefined ? 'listen' : 'insecure'}`,
        `namespace '${ns.name}': pattern.listen and pattern.insecure apply to an embedded pattern, not to a target`,
      );
    }
    if (typeof ns.health === 'object' && ns.health.service !== undefined && (ns.health.check ?? 'grpc') !== 'grpc') {
      problem(DiagnosticCode.INVALID_VALUE, `${at}/health/service`, `namespace '${ns.name}': health.service applies to check: grpc, not to check: ${ns.health.check}`);
    }
  }
  for (const [name, tls] of [['http', config.http?.tls], ['admin', config.admin?.tls], ['grpc', config.grpc?.tls]] as const) {
    if (tls && (!tls.certFile || !tls.keyFile)) problem(DiagnosticCode.INVALID_VALUE, `/${name}/tls`, `${name}.tls needs certFile and keyFile`);
    if (tls?.clientCertificates === 'require' && !tls.caFile) problem(DiagnosticCode.INVALID_VALUE, `/${name}/tls/clientCertificates`, `${name}.tls: clientCertificates require needs caFile`);
  }
  for (const p of exposureProblems(config)) problem(DiagnosticCode.EXPOSURE, p.pointer, p.message);
  // The UI's static route would shadow a binding mounted under it.
  const uiPath = config.ui && config.ui.enabled !== false ? (config.ui.path ?? '/ui/') : undefined;
  for (const [i, ns] of uiPath ? config.namespaces.entries() : []) {
    for (const [j, mount] of ns.frontends.entries()) {
      const prefix = mount.pathPrefix?.replace(/\/+$/, '');
      if (prefix && (prefix + '/').startsWith(uiPath!)) problem(DiagnosticCode.ROUTE_CONFLICT, `/namespaces/${i}/frontends/${j}/pathPrefix`, `pathPrefix '${mount.pathPrefix}' is under the UI's path '${uiPath}' (ui.path)`);
    }
  }
  const store = config.admin?.store;
  if (store !== undefined) {
    const backend = config.backends?.find((b) => b.name === store);
    if (!backend) problem(DiagnosticCode.UNKNOWN_REFERENCE, '/admin/store', `admin.store names unknown backend '${store}'`);
    else if (backend.type !== 'POSTGRES' || backend.config?.url === undefined) problem(DiagnosticCode.INVALID_VALUE, '/admin/store', `admin.store '${store}' must be a POSTGRES backend with a config.url`);
  }
  return problems;
}

/** A warning per secret field of a backend config written as a plain value (never quoting it). */
function backendSecretWarnings(config: GatewayConfig): ConfigRuleProblem[] {
  return (config.backends ?? []).flatMap((b, i) =>
    checkBackendConfig(b.type, b.config ?? {}).plainSecrets.map((pointer) => ({ code: DiagnosticCode.INVALID_VALUE, pointer: `/backends/${i}/config${pointer}`, message: plainSecretWarning(b.name, pointer) })),
  );
}

/**
 * A ConfigError for rules checked after load (slot bindings checked at start), located in the
 * config file as load-time problems are.
 */
export function locatedConfigError(file: string, found: readonly ConfigRuleProblem[]): ConfigError {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // Unlocated, then: the pointers still say where.
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const problems = found.map((p): Diagnostic => {
    const pos = locatePointer(document, lineCounter, p.pointer);
    return { code: p.code, file, pointer: p.pointer, line: pos?.line, column: pos?.column, message: p.message };
  });
  return configError({ file, problems });
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
