/**
 * Prometheus metrics (prom-client), one registry per gateway. Labels are route ids and frontend
 * names, never raw URLs, so cardinality is bounded by the definitions.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GatewayMetrics {
  readonly registry: Registry;
  /** The text `/metrics` serves: this process's metrics, or a whole cluster's. */
  exposition(): Promise<string>;
  /** One finished HTTP request. */
  request(frontend: string, route: string, method: string, status: number, seconds: number): void;
  /** One upstream gRPC call, by method path and status code name. */
  upstreamCall(method: string, code: string): void;
  /** A route table rebuild, accepted or rejected. */
  reload(result: 'success' | 'failure'): void;
}

export interface GatewayMetricsOptions {
  /** Replaces this registry's own text (a cluster worker serves every worker's, summed). */
  readonly exposition?: () => Promise<string>;
}

export function createGatewayMetrics(options: GatewayMetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'prism_http_requests_total',
    help: 'HTTP requests by frontend, route id, method and status class',
    labelNames: ['frontend', 'route', 'method', 'status_class'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'prism_http_request_duration_seconds',
    help: 'HTTP request latency by frontend and route id',
    labelNames: ['frontend', 'route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const upstream = new Counter({
    name: 'prism_upstream_calls_total',
    help: 'Upstream gRPC calls by method and status code',
    labelNames: ['method', 'code'],
    registers: [registry],
  });
  const reloads = new Counter({
    name: 'prism_route_table_reloads_total',
    help: 'Route table rebuilds by result',
    labelNames: ['result'],
    registers: [registry],
  });
  return {
    registry,
    exposition: options.exposition ?? (() => registry.metrics()),
    request(frontend, route, method, status, seconds) {
      const statusClass = `${Math.floor(status / 100)}xx`;
      requests.inc({ frontend, route, method, status_class: statusClass });
      latency.observe({ frontend, route }, seconds);
    },
    upstreamCall(method, code) {
      upstream.inc({ method, code });
    },
    reload(result) {
      reloads.inc({ result });
    },
  };
}
