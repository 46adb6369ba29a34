/**
 * The one health check of every upstream: `healthy()` of both clients (grpc-upstream.ts,
 * http2-upstream.ts) is `createHealthProbe(unary)` from here, and a namespace's `health`
 * setting (issue 13, item 14) replaces it through `withHealthCheck`.
 *
 * The probe is grpc.health.v1 `Health/Check` (doc/health-checking.md in grpc/grpc), for the
 * whole server (service "") unless a service is named. A backend without that service stayed
 * NOT_SERVING forever, so a namespace chooses: a named service (`health: { service: name }`), a
 * plain connection check (`health: { check: tcp }`: the target accepts a connection), or none
 * (`health: off`). `/readyz` and routes marked `readiness` ask `healthy()`.
 */
import { connect } from 'node:net';
import { connectOptions, parseGrpcTarget } from './grpc-target.js';
import type { UnaryReply, UnaryRequest, Upstream } from './upstream.js';

export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';
/** How long a check may take when its caller names no timeout. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 1000;

/**
 * A namespace's health setting, as the gateway config writes it (gateway-config.ts
 * `HealthConfig`): `off` (always ready), `{ check: grpc, service }` (Check for that service;
 * '' is the whole server), or `{ check: tcp }` (the target accepts a connection). Declared here,
 * where it is read, so the clients that use this file need not import the config.
 */
export type HealthCheckSetting = 'off' | { readonly check?: 'grpc' | 'tcp' | 'off'; readonly service?: string; readonly timeoutMs?: number };

const NO_METADATA: Readonly<Record<string, string>> = Object.freeze({});

/**
 * `HealthCheckRequest { string service = 1; }`: nothing for the whole server (`''`, proto3
 * leaves a default value out), else tag 0x0a, the name's length as a varint, its UTF-8 bytes.
 * Encoded by hand: the clients carry no protobuf types, and this is the only message they send.
 */
export function encodeHealthCheckRequest(service: string): Buffer {
  const name = Buffer.from(service, 'utf8');
  if (name.length === 0) return name;
  const head = [0x0a];
  let n = name.length;
  while (n > 0x7f) {
    head.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  head.push(n);
  return Buffer.concat([Buffer.from(head), name]);
}

/**
 * Whether a `HealthCheckResponse { ServingStatus status = 1; }` says SERVING (1): exactly the
 * bytes 0x08 0x01. Anything else (NOT_SERVING, UNKNOWN, SERVICE_UNKNOWN, an empty reply) is not.
 */
export function isServing(reply: Uint8Array): boolean {
  return reply.length === 2 && reply[0] === 0x08 && reply[1] === 0x01;
}

/**
 * A `healthy(timeoutMs?)` that calls Check for `service` through `unary`: true when the answer
 * is SERVING, false for any other answer or any failure (it never throws). The request is
 * encoded here, once.
 */
export function createHealthProbe(
  unary: (request: UnaryRequest) => Promise<UnaryReply>,
  service = '',
  defaultTimeoutMs = DEFAULT_HEALTH_TIMEOUT_MS,
): (timeoutMs?: number) => Promise<boolean> {
  const message = encodeHealthCheckRequest(service);
  return async (timeoutMs = defaultTimeoutMs) => {
    try {
      return isServing((await unary({ path: HEALTH_CHECK_PATH, message, metadata: NO_METADATA, deadlineMs: timeoutMs })).message);
    } catch {
      return false;
    }
  };
}

/**
 * The upstream with `healthy()` as the namespace's health setting says. Everything else is the
 * upstream's own (its `unary` itself, not a wrapper: the request path gains no call).
 * @throws Error for `check: tcp` on a target parseGrpcTarget refuses (grpc-target.ts), which
 * could never be connected to.
 */
export function withHealthCheck(upstream: Upstream, health: HealthCheckSetting | undefined): Upstream {
  if (health === undefined) return upstream;
  const check = health === 'off' ? 'off' : (health.check ?? 'grpc');
  const timeoutMs = (health !== 'off' && health.timeoutMs) || DEFAULT_HEALTH_TIMEOUT_MS;
  let healthy: (timeoutMs?: number) => Promise<boolean>;
  if (check === 'off') {
    healthy = async () => true;
  } else if (check === 'tcp') {
    const where = connectOptions(parseGrpcTarget(upstream.target));
    healthy = (t = timeoutMs) => accepts(where, t);
  } else {
    healthy = createHealthProbe(upstream.unary, (health as { service?: string }).service ?? '', timeoutMs);
  }
  return { ...upstream, healthy };
}

/** Whether `where` accepts a connection within `timeoutMs`. */
function accepts(where: ReturnType<typeof connectOptions>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(where);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
