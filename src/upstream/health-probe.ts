/**
 * The grpc.health.v1 `Health/Check` call (doc/health-checking.md in grpc/grpc), encoded and
 * read in this one place for every upstream's `healthy()`: the grpc-js and the lean HTTP/2
 * clients ask for the whole server, and a namespace's `health: { service }` for one service
 * (health-check.ts).
 */
import type { UnaryReply, UnaryRequest } from './grpc-upstream.js';

export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';
/** How long a check may take when its caller names no timeout. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 1000;

const NO_METADATA: Readonly<Record<string, string>> = Object.freeze({});

/**
 * `HealthCheckRequest { string service = 1; }`: nothing for the whole server (`''`, proto3
 * leaves a default value out), else tag 0x0a, the name's length as a varint, its UTF-8 bytes.
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
