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
import { connectOptions, parseGrpcTarget } from './grpc-target.js';
import { createHealthProbe, DEFAULT_HEALTH_TIMEOUT_MS } from './health-probe.js';

/**
 * The upstream with `healthy()` as the namespace's health config says. Everything else is the
 * upstream's own (its `unary` itself, not a wrapper: the request path gains no call).
 * @throws Error for `check: tcp` on a target parseGrpcTarget refuses (grpc-target.ts), which
 * could never be connected to.
 */
export function withHealthCheck(upstream: Upstream, health: HealthConfig | undefined): Upstream {
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
