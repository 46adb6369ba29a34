/**
 * A namespace's readiness check (issue 13, item 14): `/readyz` and routes marked `readiness`
 * ask the upstream's `healthy()`, which by default calls grpc.health.v1 `Check` for the whole
 * server (service ""). A backend without that service stayed NOT_SERVING forever; a namespace
 * now chooses: a named service (`health: { service: name }`), a plain connection check
 * (`health: { check: tcp }`: the target accepts a connection), or none (`health: off`).
 */
import { connect } from 'node:net';
import type { HealthConfig } from '../config/gateway-config.js';
import type { Upstream } from './grpc-upstream.js';

const DEFAULT_TIMEOUT_MS = 1000;

/** The upstream with `healthy()` as the namespace's health config says. */
export function withHealthCheck(upstream: Upstream, health: HealthConfig | undefined): Upstream {
  if (health === undefined) return upstream;
  const check = health === 'off' ? 'off' : (health.check ?? 'grpc');
  const timeoutMs = (health !== 'off' && health.timeoutMs) || DEFAULT_TIMEOUT_MS;
  let healthy: (timeoutMs?: number) => Promise<boolean>;
  if (check === 'off') healthy = async () => true;
  else if (check === 'tcp') healthy = (t = timeoutMs) => accepts(upstream.target, t);
  else {
    const service = (health as { service?: string }).service ?? '';
    healthy = (t = timeoutMs) => serving(upstream, service, t);
  }
  return { target: upstream.target, unary: (request) => upstream.unary(request), healthy, close: () => upstream.close() };
}

/** grpc.health.v1 Check for `service`: true when the answer is SERVING. */
async function serving(upstream: Upstream, service: string, timeoutMs: number): Promise<boolean> {
  try {
    // HealthCheckRequest { string service = 1; }: tag 0x0a, a varint length, the UTF-8 name.
    const name = Buffer.from(service, 'utf8');
    const message = Buffer.concat([name.length ? Buffer.from([0x0a, ...varint(name.length)]) : Buffer.alloc(0), name]);
    const reply = await upstream.unary({ path: '/grpc.health.v1.Health/Check', message, metadata: {}, deadlineMs: timeoutMs });
    // HealthCheckResponse { ServingStatus status = 1; } SERVING = 1: the bytes 0x08 0x01.
    return reply.message.length === 2 && reply.message[0] === 0x08 && reply.message[1] === 0x01;
  } catch {
    return false;
  }
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/** Whether `target` (host:port, [v6]:port, dns:///host:port, unix:/path) accepts a connection. */
function accepts(target: string, timeoutMs: number): Promise<boolean> {
  const where = connectOptions(target);
  if (!where) return Promise.resolve(false);
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

function connectOptions(target: string): { path: string } | { host: string; port: number } | undefined {
  if (target.startsWith('unix://')) return { path: target.slice('unix://'.length) };
  if (target.startsWith('unix:')) return { path: target.slice('unix:'.length) };
  const hostPort = target.replace(/^dns:(\/\/[^/]*\/)?/, '');
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(hostPort);
  if (!m) return undefined;
  return { host: m[1] ?? m[2], port: Number(m[3]) };
}
