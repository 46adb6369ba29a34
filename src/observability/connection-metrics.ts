/**
 * The connection limits' own counter (routing/connection-guard.ts), on the gateway's registry:
 * every connection a listener refused or closed, by listener and reason, so an operator sees a
 * flood of sockets or trickling clients in `/metrics` instead of only in the file-descriptor graph.
 */
import { Counter, type Registry } from 'prom-client';
import type { RefusalReason as ConnectionRefusal } from '../routing/connection-guard.js';

/** Why a connection, or a stream on one, was refused (`max_streams`: the listener's stream cap). */
export type RefusalReason = ConnectionRefusal | 'max_streams';

export type ListenerName = 'public' | 'admin' | 'probes' | 'grpc';

/** Registers `prism_connections_refused_total{listener,reason}` on `registry`; returns its increment. */
export function createConnectionMetrics(registry: Registry): (listener: ListenerName, reason: RefusalReason) => void {
  const refused = new Counter({
    name: 'prism_connections_refused_total',
    help: 'Connections closed by a connection limit or a request read timeout, and streams refused by the stream cap, by listener and reason',
    labelNames: ['listener', 'reason'],
    registers: [registry],
  });
  return (listener, reason) => refused.inc({ listener, reason });
}
