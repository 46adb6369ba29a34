/**
 * Bounds what clients can hold open on an HTTP listener: the connection caps of
 * connection-limit.ts (per listener and per client address) and a time for a request's headers
 * and for the whole request to arrive. Without them, 20,000 sockets each sending one body byte
 * every 5 s filled the process's descriptor table and locked every client out (issue 13, item 10).
 *
 * The read timeouts are node's own (`headersTimeout`, `requestTimeout`, checked every
 * `connectionsCheckingInterval`): they answer 408 and close the socket however the bytes trickle.
 * fastify leaves `requestTimeout` at 0 (none) by default, and an idle-socket timeout alone does
 * not catch a client that sends a byte just often enough. They are HTTP/1's: the gRPC passthrough
 * (HTTP/2) takes the caps alone.
 */
import type { Server } from 'node:http';
import { ConfigError } from '../config/gateway-config.js';
import { limitConnections, type CapReason, type ConnectionCaps, type ConnectionGuard } from './connection-limit.js';

export type { ConnectionGuard } from './connection-limit.js';

export interface ConnectionLimits extends ConnectionCaps {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** 0: no idle timeout (keep-alive idling is bounded by the server's keepAliveTimeout). */
  readonly idleTimeoutMs: number;
}

/**
 * Defaults: 2,048 per address leaves room for 1,000 concurrent streams from one client and for
 * the traffic of a proxy in front of the gateway (DESIGN.md §8); 16,384 per listener stays below
 * common descriptor limits (65,536 and up for services) with room for upstream sockets and files.
 * Headers get 30 s (node: 60 s); a whole request 300 s (node's default), enough for a 16 MB body
 * at about 0.5 Mbit/s.
 */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 16_384,
  maxConnectionsPerAddress: 2_048,
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 300_000,
  idleTimeoutMs: 0,
};

/** Why a connection was refused or closed; the label of prism_connections_refused_total. */
export type RefusalReason = CapReason | 'request_timeout';

/**
 * Installs the limits on a node HTTP(S) server (fastify's `app.server`), before it listens.
 * `refused` hears of every connection closed by a limit or a read timeout.
 */
export function guardConnections(server: Server, limits: ConnectionLimits, refused: (reason: RefusalReason) => void): ConnectionGuard {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  // node checks the two timeouts on this interval (default 30 s): check often enough that a
  // timeout closes the socket within about a quarter of its length past it.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(10, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
  server.setTimeout(limits.idleTimeoutMs);

  const guard = limitConnections(server, limits, refused);
  // node raises ERR_HTTP_REQUEST_TIMEOUT for both the headers and the whole-request timeout;
  // the server's clientError handler answers 408 and closes the socket.
  server.on('clientError', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') refused('request_timeout');
  });
  return guard;
}

/**
 * The limits a config's `http:` section asks for, defaults filled in.
 * @throws ConfigError when headersTimeoutMs exceeds requestTimeoutMs (node refuses that too).
 */
export function connectionLimits(config: Partial<ConnectionLimits> | undefined): ConnectionLimits {
  const limits: { -readonly [K in keyof ConnectionLimits]: number } = { ...DEFAULT_CONNECTION_LIMITS };
  for (const key of Object.keys(limits) as (keyof ConnectionLimits)[]) {
    const value = config?.[key];
    if (value !== undefined) limits[key] = value;
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new ConfigError(`http.headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed http.requestTimeoutMs (${limits.requestTimeoutMs})`);
  return limits;
}
