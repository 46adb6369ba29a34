/**
 * Bounds what clients can hold open on an HTTP listener: a number of connections per listener
 * and per client address, and a time for a request's headers and for the whole request to
 * arrive. Without them, 20,000 sockets each sending one body byte every 5 s filled the process's
 * descriptor table and locked every client out (issue 13, item 10).
 *
 * The read timeouts are node's own (`headersTimeout`, `requestTimeout`, checked every
 * `connectionsCheckingInterval`): they answer 408 and close the socket however the bytes trickle.
 * fastify leaves `requestTimeout` at 0 (none) by default, and an idle-socket timeout alone does
 * not catch a client that sends a byte just often enough.
 *
 * A connection over a limit is closed as soon as it is accepted, before a byte is read, and
 * node's own 'connection' listener (which builds the HTTP parser, and for HTTPS the TLSSocket
 * that runs the handshake) never sees it: the refusal costs no parsing and no TLS work.
 * Connections are counted per client as addressKey() sees it (an IPv4-mapped address as its
 * IPv4, IPv6 by /64), the same key the failed-login limit uses.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { ConfigError } from '../config/gateway-config.js';
import { addressKey } from '../security/network-address.js';

export interface ConnectionLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
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
export type RefusalReason = 'max_connections' | 'max_connections_per_address' | 'request_timeout';

export interface ConnectionGuard {
  /** Open connections now, in all and for one client (any of its addresses). */
  open(address?: string): number;
}

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

  let total = 0;
  const perAddress = new Map<string, number>();
  // node's HTTP(S) server registered its own 'connection' listener when it was created. Merely
  // running ahead of it (prependListener) would still hand it the destroyed socket, and node
  // would build a parser or a TLSSocket for it anyway; so the guard takes its place and passes
  // on only the connections it admits. Listeners added later run after the guard, as usual.
  const admitted = server.rawListeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  // Hot path: every accepted connection.
  server.on('connection', (socket: Socket) => {
    const remote = socket.remoteAddress;
    if (remote === undefined) {
      // Already gone (reset before we saw it).
      socket.destroy();
      return;
    }
    const address = addressKey(remote);
    const mine = perAddress.get(address) ?? 0;
    const reason: RefusalReason | undefined = total >= limits.maxConnections ? 'max_connections' : mine >= limits.maxConnectionsPerAddress ? 'max_connections_per_address' : undefined;
    if (reason) {
      refused(reason);
      socket.destroy();
      return;
    }
    total++;
    perAddress.set(address, mine + 1);
    socket.once('close', () => {
      total--;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left === 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
    for (const listener of admitted) listener.call(server, socket);
  });
  // node raises ERR_HTTP_REQUEST_TIMEOUT for both the headers and the whole-request timeout;
  // the server's clientError handler answers 408 and closes the socket.
  server.on('clientError', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') refused('request_timeout');
  });
  return { open: (address) => (address === undefined ? total : (perAddress.get(addressKey(address)) ?? 0)) };
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
