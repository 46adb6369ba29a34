/**
 * The gateway config file: listeners, the flat backend registry, and namespaces that bind a
 * pattern service (a gRPC target, or a module run in-process) to frontends.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { redactUrlsIn } from '../observability/redact-url.js';
import type { AuthConfig } from '../security/authenticator.js';
import type { Http2UpstreamOptions } from '../upstream/http2-upstream.js';
import { exposureProblems } from './listener-exposure.js';

export interface ListenerConfig {
  host?: string;
  port?: number;
  /** HTTPS: certificate and key files; `caFile` + `clientCertificates` verify clients (mTLS). */
  tls?: TlsConfig;
}

export interface TlsConfig {
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  /** Listeners: `require` refuses clients without a certificate signed by caFile. */
  clientCertificates?: 'require' | 'request';
}

/**
 * Limits on the connections of the HTTP listeners (public, admin, probes), against clients that
 * open many sockets or trickle their requests (defaults in connection-guard.ts). The gRPC
 * listener takes the two connection caps alone (the read timeouts are HTTP/1's).
 */
export interface ConnectionLimitsConfig {
  /** Open connections per listener; more are closed at once. */
  maxConnections?: number;
  /** Open connections per client address per listener; more are closed at once. */
  maxConnectionsPerAddress?: number;
  /** Time for a request's headers to arrive in full (408 and close after it). */
  headersTimeoutMs?: number;
  /** Time for a whole request, headers and body, to arrive (408 and close after it). */
  requestTimeoutMs?: number;
  /** A socket with no traffic for this long is closed (0: never; keep-alive idling has its own limit). */
  idleTimeoutMs?: number;
}

export interface GatewayConfig {
  /** The public HTTP listener (default 127.0.0.1:8080), its in-flight request limit and its connection limits. */
  http?: ListenerConfig & { maxConcurrent?: number } & ConnectionLimitsConfig;
  /**
   * The admin listener: admin API, /metrics, /healthz, /readyz (default: ephemeral loopback
   * port). `store` names a POSTGRES backend that gateway replicas share for runtime frontends
   * (default: a SQLite file in the data dir, for this gateway alone). `openProbes` serves
   * /healthz, /readyz and /metrics without credentials; `insecure` lets it bind beyond loopback
   * with neither `auth` nor client certificates.
   */
  admin?: ListenerConfig & { enabled?: boolean; store?: string; insecure?: boolean; openProbes?: boolean };
  /**
   * The gRPC listener exposing each namespace's pattern as-is (default: ephemeral loopback port).
   * `insecure` lets it bind beyond loopback with neither `auth` nor client certificates;
   * `maxConnections` and `maxConnectionsPerAddress` cap its connections as on `http:`.
   */
  grpc?: ListenerConfig & { enabled?: boolean; insecure?: boolean } & Pick<ConnectionLimitsConfig, 'maxConnections' | 'maxConnectionsPerAddress'>;
  /**
   * A listener with /healthz, /readyz and /metrics only, no credentials (for orchestrator probes
   * and Prometheus); may bind any address. Off when absent.
   */
  probes?: { host?: string; port?: number };
  /** Largest request body in bytes. */
  bodyLimit?: number;
  /** How long shutdown waits for in-flight requests (default 10 s). */
  shutdownTimeoutMs?: number;
  /** Where embedded patterns keep their data (relative to the config file). */
  dataDir?: string;
  backends?: BackendEntry[];
  namespaces: NamespaceConfig[];
  /** Authentication and roles; off when absent. */
  auth?: AuthConfig;
}

export interface BackendEntry {
  name: string;
  type: string;
  config?: Record<string, unknown>;
}

export interface NamespaceConfig {
  name: string;
  pattern: PatternConfig;
  frontends: FrontendMount[];
  /** Overrides of the frontends' defaults for this namespace. */
  deadlineMs?: number;
  forwardHeaders?: string[];
  /** Expose the pattern's own gRPC services on the gRPC listener (default true). */
  grpcPassthrough?: boolean;
  /**
   * `package.Service/Method` → the role a call needs on the gRPC passthrough, overriding the
   * proto (a read iff `idempotency_level = NO_SIDE_EFFECTS`, else write; DESIGN.md §8).
   */
  methodRoles?: Record<string, 'read' | 'write' | 'admin'>;
  /** How /readyz and `readiness` routes check the pattern (default: grpc.health.v1 for the whole server). */
  health?: HealthConfig;
}

/**
 * A namespace's health check: `off` (always ready), `{ check: grpc, service }` (grpc.health.v1
 * Check for that service name; '' is the whole server), or `{ check: tcp }` (the target accepts
 * a connection).
 */
export type HealthConfig = 'off' | { check?: 'grpc' | 'tcp' | 'off'; service?: string; timeoutMs?: number };

export interface PatternConfig {
  /** A running pattern service (`host:port`). */
  target?: string;
  /** Protos of the target's services (the frontends may also name their own). */
  protos?: string[];
  /** A pattern module to run in-process: `./path` (config-relative) or a path in this package. */
  embedded?: string;
  /**
   * Address the embedded pattern listens on (`host:port`, or `unix:/path`). Default: a Unix socket
   * in a private folder, so only this process (and its workers) can reach the pattern.
   */
  listen?: string;
  /** Lets `listen` bind beyond loopback, where anyone who reaches it bypasses the gateway's auth. */
  insecure?: boolean;
  /** Slot name → backend name. */
  slots?: Record<string, string>;
  /** TLS to a `target` (caFile to trust it; certFile + keyFile for mTLS). */
  tls?: TlsConfig;
  /**
   * The unary client: `http2` (the lean HTTP/2 client of http2-upstream.ts, the default for plaintext
   * targets) or `grpc-js` (always used with TLS).
   */
  client?: 'http2' | 'grpc-js';
  /**
   * Liveness and limits of the lean HTTP/2 client (http2-upstream.ts; defaults in H2_DEFAULTS):
   * keepalive PINGs and their timeout, idle close, the reply header list and message sizes.
   */
  http2?: Http2UpstreamOptions;
}

export interface FrontendMount {
  /** Definition file, relative to the config file. */
  file: string;
  /** Path prefix the frontend is mounted under (default: none). */
  pathPrefix?: string;
  /** Serve the frontend only for requests with this Host (without port). */
  host?: string;
}

const tlsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    certFile: { type: 'string' },
    keyFile: { type: 'string' },
    caFile: { type: 'string' },
    clientCertificates: { enum: ['require', 'request'] },
  },
};

const authSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    realm: { type: 'string' },
    basic: {
      type: 'object',
      required: ['usersFile'],
      additionalProperties: false,
      properties: {
        usersFile: { type: 'string' },
        limits: {
          type: 'object',
          additionalProperties: false,
          properties: {
            cacheEntries: { type: 'integer', minimum: 0 },
            cacheTtlMs: { type: 'integer', minimum: 0 },
            failureBurst: { type: 'integer', minimum: 1 },
            failureRefillMs: { type: 'integer', minimum: 1 },
            trackedAddresses: { type: 'integer', minimum: 1 },
            concurrentVerifications: { type: 'integer', minimum: 1 },
            verificationsPerAddress: { type: 'integer', minimum: 1 },
            queuedVerifications: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
    bearer: {
      type: 'object',
      additionalProperties: false,
      properties: {
        jwksUrl: { type: 'string' },
        jwksFile: { type: 'string' },
        issuer: { type: 'string' },
        audience: { type: 'string' },
        clockToleranceSec: { type: 'integer', minimum: 0 },
        rolesClaim: { type: 'string' },
        jwksCacheMaxAgeMs: { type: 'integer', minimum: 100 },
        jwksCooldownMs: { type: 'integer', minimum: 100 },
        jwksTimeoutMs: { type: 'integer', minimum: 1 },
      },
    },
  },
};

function listenerSchema(switchable: boolean) {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      host: { type: 'string' },
      port: { type: 'integer', minimum: 0, maximum: 65535 },
      tls: tlsSchema,
      ...(switchable ? { enabled: { type: 'boolean' } } : {}),
    },
  };
}

const schema = {
  type: 'object',
  required: ['namespaces'],
  additionalProperties: false,
  properties: {
    http: {
      ...listenerSchema(false),
      properties: {
        ...listenerSchema(false).properties,
        maxConcurrent: { type: 'integer', minimum: 1 },
        maxConnections: { type: 'integer', minimum: 1 },
        maxConnectionsPerAddress: { type: 'integer', minimum: 1 },
        headersTimeoutMs: { type: 'integer', minimum: 1 },
        requestTimeoutMs: { type: 'integer', minimum: 1 },
        idleTimeoutMs: { type: 'integer', minimum: 0 },
      },
    },
    admin: {
      ...listenerSchema(true),
      properties: { ...listenerSchema(true).properties, store: { type: 'string', minLength: 1 }, insecure: { type: 'boolean' }, openProbes: { type: 'boolean' } },
    },
    grpc: {
      ...listenerSchema(true),
      properties: {
        ...listenerSchema(true).properties,
        insecure: { type: 'boolean' },
        maxConnections: { type: 'integer', minimum: 1 },
        maxConnectionsPerAddress: { type: 'integer', minimum: 1 },
      },
    },
    probes: {
      type: 'object',
      additionalProperties: false,
      properties: { host: { type: 'string' }, port: { type: 'integer', minimum: 0, maximum: 65535 } },
    },
    bodyLimit: { type: 'integer', minimum: 1 },
    shutdownTimeoutMs: { type: 'integer', minimum: 0 },
    dataDir: { type: 'string' },
    auth: authSchema,
    backends: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'type'],
        additionalProperties: false,
        properties: { name: { type: 'string', minLength: 1 }, type: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' }, config: { type: 'object' } },
      },
    },
    namespaces: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'pattern', 'frontends'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
          deadlineMs: { type: 'integer', minimum: 1 },
          forwardHeaders: { type: 'array', items: { type: 'string' } },
          grpcPassthrough: { type: 'boolean' },
          methodRoles: { type: 'object', propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_.]*/[A-Za-z_][A-Za-z0-9_]*$' }, additionalProperties: { enum: ['read', 'write', 'admin'] } },
          health: {
            oneOf: [
              { const: 'off' },
              {
                type: 'object',
                additionalProperties: false,
                properties: { check: { enum: ['grpc', 'tcp', 'off'] }, service: { type: 'string' }, timeoutMs: { type: 'integer', minimum: 1 } },
              },
            ],
          },
          pattern: {
            type: 'object',
            additionalProperties: false,
            properties: {
              target: { type: 'string', minLength: 1 },
              protos: { type: 'array', items: { type: 'string' } },
              embedded: { type: 'string', minLength: 1 },
              listen: { type: 'string' },
              insecure: { type: 'boolean' },
              slots: { type: 'object', additionalProperties: { type: 'string' } },
              tls: tlsSchema,
              client: { enum: ['http2', 'grpc-js'] },
              http2: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  connectTimeoutMs: { type: 'integer', minimum: 1 },
                  keepaliveIntervalMs: { type: 'integer', minimum: 0 },
                  keepaliveTimeoutMs: { type: 'integer', minimum: 1 },
                  keepaliveWhileIdle: { type: 'boolean' },
                  idleTimeoutMs: { type: 'integer', minimum: 0 },
                  maxHeaderListBytes: { type: 'integer', minimum: 1024 },
                  receiveWindowBytes: { type: 'integer', minimum: 65535, maximum: 2147483647 },
                  maxReceiveMessageBytes: { type: 'integer', minimum: 1 },
                },
              },
            },
            oneOf: [{ required: ['target'] }, { required: ['embedded'] }],
          },
          frontends: {
            type: 'array',
            items: {
              type: 'object',
              required: ['file'],
              additionalProperties: false,
              properties: { file: { type: 'string' }, pathPrefix: { type: 'string', pattern: '^/' }, host: { type: 'string', minLength: 1 } },
            },
          },
        },
      },
    },
  },
};

const validate = new Ajv({ allErrors: true }).compile(schema);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadedConfig {
  readonly config: GatewayConfig;
  readonly file: string;
  readonly baseDir: string;
}

/**
 * Reads and checks a config file.
 * @throws ConfigError naming the file and every problem in it.
 */
export function loadGatewayConfig(file: string): LoadedConfig {
  let value: unknown;
  try {
    value = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    // The YAML parser quotes the lines around a syntax error: a connection string among them
    // keeps its host, never its password.
    throw new ConfigError(`${file}: ${redactUrlsIn((err as Error).message)}`);
  }
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => `  ${file}: at ${e.instancePath || '/'}: ${e.message}${e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : ''}`);
    throw new ConfigError(`invalid gateway config:\n${problems.join('\n')}`);
  }
  const config = value as unknown as GatewayConfig;
  const names = new Set<string>();
  const problems: string[] = [];
  for (const b of config.backends ?? []) {
    if (names.has(b.name)) problems.push(`backend name '${b.name}' is used twice`);
    names.add(b.name);
  }
  const nsNames = new Set<string>();
  for (const ns of config.namespaces) {
    if (nsNames.has(ns.name)) problems.push(`namespace name '${ns.name}' is used twice`);
    nsNames.add(ns.name);
    for (const [slot, backend] of Object.entries(ns.pattern.slots ?? {})) {
      if (!names.has(backend)) problems.push(`namespace '${ns.name}' binds slot '${slot}' to unknown backend '${backend}'`);
    }
    // An embedded pattern listens on loopback in plaintext; TLS is for a `target`.
    if (ns.pattern.tls && !ns.pattern.target) problems.push(`namespace '${ns.name}': pattern.tls applies to a target, not to an embedded pattern`);
    if ((ns.pattern.listen !== undefined || ns.pattern.insecure !== undefined) && !ns.pattern.embedded) problems.push(`namespace '${ns.name}': pattern.listen and pattern.insecure apply to an embedded pattern, not to a target`);
    if (typeof ns.health === 'object' && ns.health.service !== undefined && (ns.health.check ?? 'grpc') !== 'grpc') problems.push(`namespace '${ns.name}': health.service applies to check: grpc, not to check: ${ns.health.check}`);
  }
  for (const [name, tls] of [['http', config.http?.tls], ['admin', config.admin?.tls], ['grpc', config.grpc?.tls]] as const) {
    if (tls && (!tls.certFile || !tls.keyFile)) problems.push(`${name}.tls needs certFile and keyFile`);
    if (tls?.clientCertificates === 'require' && !tls.caFile) problems.push(`${name}.tls: clientCertificates require needs caFile`);
  }
  problems.push(...exposureProblems(config));
  const store = config.admin?.store;
  if (store !== undefined) {
    const backend = config.backends?.find((b) => b.name === store);
    if (!backend) problems.push(`admin.store names unknown backend '${store}'`);
    else if (backend.type !== 'POSTGRES' || typeof backend.config?.url !== 'string') problems.push(`admin.store '${store}' must be a POSTGRES backend with a config.url`);
  }
  if (problems.length > 0) throw new ConfigError(`invalid gateway config ${file}:\n${problems.map((p) => '  ' + p).join('\n')}`);
  return { config, file, baseDir: dirname(resolve(file)) };
}
