/**
 * The standard gRPC health service (`grpc.health.v1.Health`, grpc/grpc doc/health-checking.md)
 * as every pattern serves it beside its own service: `Check` answers a service's status now,
 * `Watch` streams it and every change after; "" stands for the whole server.
 *
 * Hand-written rather than the `grpc-health-check` package: that package brings
 * `@grpc/proto-loader` (and its own protobufjs copy) to load one small proto, a second proto
 * loader beside the protobufjs one the whole project uses (DESIGN.md §6). Here the proto goes
 * through `loadProtoRoot` like every other, and the service is the few lines below.
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadProtoRoot, projectProtoDir } from './proto-root.js';
import { createServiceDefinition } from './service-definition.js';

export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';
export const healthProtoFile = join(projectProtoDir, 'grpc/health/v1/health.proto');

/** What a service may be set to; SERVICE_UNKNOWN is only ever answered, for a name never set. */
export type ServingStatus = 'SERVING' | 'NOT_SERVING';
type AnsweredStatus = ServingStatus | 'SERVICE_UNKNOWN';

interface HealthRequest {
  service: string;
}
type WatchCall = grpc.ServerWritableStream<HealthRequest, { status: AnsweredStatus }>;

export interface HealthService {
  /** For `server.addService(health.definition, health.implementation)`. */
  readonly definition: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
  /** The status `service` has now; undefined for a name never set. */
  status(service: string): ServingStatus | undefined;
  /**
   * Sets `service`'s status (a new name becomes known); every Watch on it hears of a change.
   * Ignored after `shutdown`: a server going away stays NOT_SERVING.
   */
  set(service: string, status: ServingStatus): void;
  /**
   * The server is going away: every service NOT_SERVING for good, every watcher told, then its
   * stream ended, so a graceful server shutdown (grpc-js `tryShutdown`) does not wait for the
   * watchers' open streams. A Watch that starts later gets its status and ends at once.
   */
  shutdown(): void;
}

let definition: grpc.ServiceDefinition | undefined;
function healthDefinition(): grpc.ServiceDefinition {
  definition ??= createServiceDefinition(loadProtoRoot([healthProtoFile]).lookupService(HEALTH_SERVICE_NAME));
  return definition;
}

/**
 * A health service knowing `initial` (service name → status; include "" for the whole server).
 * @throws ProtoLoadError when the health proto cannot be loaded (a broken installation).
 */
export function createHealthService(initial: Readonly<Record<string, ServingStatus>>): HealthService {
  const statuses = new Map<string, ServingStatus>(Object.entries(initial));
  /** Each Watch call and the last status it was sent. */
  const watchers = new Map<WatchCall, AnsweredStatus>();
  let down = false;

  const answer = (service: string): AnsweredStatus => statuses.get(service) ?? 'SERVICE_UNKNOWN';

  /** Sends a watcher its service's status if it differs from what it was last sent. */
  function tell(call: WatchCall): void {
    const now = answer(call.request.service);
    if (watchers.get(call) === now) return;
    watchers.set(call, now);
    call.write({ status: now });
  }

  const implementation: grpc.UntypedServiceImplementation = {
    Check(call: grpc.ServerUnaryCall<HealthRequest, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const status = statuses.get(call.request.service);
      if (status === undefined) callback({ code: grpc.status.NOT_FOUND, details: `unknown service ${call.request.service}` });
      else callback(null, { status });
    },
    Watch(call: WatchCall) {
      const now = answer(call.request.service);
      call.write({ status: now });
      if (down) {
        call.end();
        return;
      }
      watchers.set(call, now);
      call.on('cancelled', () => watchers.delete(call));
    },
  };

  return {
    definition: healthDefinition(),
    implementation,
    status: (service) => statuses.get(service),
    set(service, status) {
      if (down) return;
      statuses.set(service, status);
      for (const call of watchers.keys()) if (call.request.service === service) tell(call);
    },
    shutdown() {
      if (down) return;
      down = true;
      for (const service of statuses.keys()) statuses.set(service, 'NOT_SERVING');
      for (const call of watchers.keys()) {
        tell(call);
        call.end();
      }
      watchers.clear();
    },
  };
}
