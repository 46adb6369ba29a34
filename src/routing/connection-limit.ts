/**
 * Caps the connections a listener holds: a number per listener and per client address, on any
 * node `net.Server` (the HTTP listeners through connection-guard.ts, the gRPC passthrough's own
 * TCP listener). Without them, a client that opens sockets and never closes them fills the
 * process's descriptor table and locks every client out (issue 13, item 10).
 *
 * A connection over a limit is closed as soon as it is accepted, before a byte is read, and the
 * server's own 'connection' listeners (node's HTTP parser and TLSSocket, or grpc-js' connection
 * injector) never see it: the refusal costs no parsing and no TLS work. Connections are counted
 * per client as addressKey() sees it (an IPv4-mapped address as its IPv4, IPv6 by /64), the same
 * key the failed-login limit uses.
 */
import type { Server, Socket } from 'node:net';
import { addressKey } from '../security/network-address.js';

export interface ConnectionCaps {
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
}

/** Why a connection was refused by a cap; labels of prism_connections_refused_total. */
export type CapReason = 'max_connections' | 'max_connections_per_address';

export interface ConnectionGuard {
  /** Open connections now, in all and for one client (any of its addresses). */
  open(address?: string): number;
}

/**
 * Installs the caps on `servers` (counted together, as one listener), before they listen.
 * `refused` hears of every connection closed by a cap.
 */
export function limitConnections(servers: Server | readonly Server[], caps: ConnectionCaps, refused: (reason: CapReason) => void): ConnectionGuard {
  let total = 0;
  const perAddress = new Map<string, number>();
  for (const server of Array.isArray(servers) ? (servers as readonly Server[]) : [servers as Server]) {
    // The server registered its own 'connection' listener when it was created. Merely running
    // ahead of it (prependListener) would still hand it the destroyed socket, and it would build
    // a parser or a TLSSocket for it anyway; so the guard takes its place and passes on only the
    // connections it admits. Listeners added later run after the guard, as usual.
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
      const reason: CapReason | undefined = total >= caps.maxConnections ? 'max_connections' : mine >= caps.maxConnectionsPerAddress ? 'max_connections_per_address' : undefined;
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
  }
  return { open: (address) => (address === undefined ? total : (perAddress.get(addressKey(address)) ?? 0)) };
}
