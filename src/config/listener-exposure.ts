/**
 * Which listeners may bind beyond loopback (DESIGN.md §8 "Listeners and exposure"). The public
 * listener serves frontends, whose routes carry their own roles; every other listener hands out
 * more: the admin API changes what the gateway serves, the gRPC passthrough and an embedded
 * pattern's own port reach the patterns' every method. Those bind beyond loopback only with
 * authentication in front of them, or when the config says `insecure: true`, knowingly. The
 * probes listener carries health, readiness and metrics only and may bind anywhere.
 */
import { isLoopbackHost } from '../security/network-address.js';

// One definition of loopback for listeners, the registry's CLI and the `frontend` command.
export { isLoopbackHost };

/**
 * The host part of a gRPC listen address (`host:port`, `[v6]:port`), or undefined for a Unix
 * socket (`unix:/path`), which is guarded by file permissions instead.
 */
export function listenHost(address: string): string | undefined {
  if (address.startsWith('unix:')) return undefined;
  const colon = address.lastIndexOf(':');
  return colon === -1 ? address : address.slice(0, colon);
}

/** A listener that would bind beyond loopback unguarded: where it is configured, and what to set. */
export interface ExposureProblem {
  /** JSON pointer of the address in the config (`/admin/host`, `/namespaces/0/pattern/listen`). */
  readonly pointer: string;
  readonly message: string;
}

interface GuardedListener {
  readonly enabled?: boolean;
  readonly host?: string;
  readonly insecure?: boolean;
  readonly tls?: { readonly clientCertificates?: string; readonly caFile?: string };
}

/** The parts of a gateway config that decide exposure (declared here so the loader can import this file). */
export interface ExposureConfig {
  readonly auth?: unknown;
  readonly admin?: GuardedListener;
  readonly grpc?: GuardedListener;
  readonly namespaces: readonly { readonly name: string; readonly pattern: { readonly listen?: string; readonly insecure?: boolean } }[];
}

/** One problem per listener that would bind beyond loopback unguarded, naming what to set. */
export function exposureProblems(config: ExposureConfig): ExposureProblem[] {
  const problems: ExposureProblem[] = [];
  const mtls = (tls: { clientCertificates?: string; caFile?: string } | undefined) => tls?.clientCertificates === 'require' && tls.caFile !== undefined;
  const admin = config.admin;
  if (admin?.enabled !== false && admin?.host !== undefined && !isLoopbackHost(admin.host) && !config.auth && !mtls(admin.tls) && admin.insecure !== true) {
    problems.push({
      pointer: '/admin/host',
      message:
        `admin listener: binds ${admin.host} beyond loopback without authentication; anyone who reaches it can change the served frontends. ` +
        `Configure auth:, or admin.tls with clientCertificates: require, or bind it to 127.0.0.1 (serve probes on probes: { host, port }), or set admin.insecure: true`,
    });
  }
  const grpc = config.grpc;
  if (grpc?.enabled !== false && grpc?.host !== undefined && !isLoopbackHost(grpc.host) && !config.auth && !mtls(grpc.tls) && grpc.insecure !== true) {
    problems.push({
      pointer: '/grpc/host',
      message:
        `grpc listener: binds ${grpc.host} beyond loopback without authentication; anyone who reaches it calls every method of the patterns. ` +
        `Configure auth:, or grpc.tls with clientCertificates: require, or bind it to 127.0.0.1, or set grpc.insecure: true`,
    });
  }
  for (const [i, ns] of config.namespaces.entries()) {
    const listen = ns.pattern.listen;
    if (listen === undefined) continue;
    const host = listenHost(listen);
    // The pattern's own port has no authentication at all: only insecure: true lets it out.
    if (host !== undefined && !isLoopbackHost(host) && ns.pattern.insecure !== true) {
      problems.push({
        pointer: `/namespaces/${i}/pattern/listen`,
        message:
          `namespace '${ns.name}': the embedded pattern's listener binds ${listen} beyond loopback, where callers bypass the gateway's authentication. ` +
          `Leave pattern.listen out (a private Unix socket), bind it to 127.0.0.1, or set pattern.insecure: true`,
      });
    }
  }
  return problems;
}
