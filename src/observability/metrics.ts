/**
 * Prometheus metrics (prom-client), one registry per gateway. Labels are namespace names, route
 * ids, frontend names and gRPC method paths the loaded protos declare, never raw URLs or
 * client-chosen values, so cardinality is bounded by the config and the definitions.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GatewayMetrics {
  readonly registry: Registry;
  /** The text `/metrics` serves: this process's metrics, or a whole cluster's. */
  exposition(): Promise<string>;
  /** One finished HTTP request; `namespace` is '' when no route answered. */
  request(frontend: string, route: string, method: string, status: number, seconds: number, namespace?: string): void;
  /**
   * One finished call on the gRPC passthrough, by namespace ('' when none was chosen), method
   * path and status code name.
   */
  passthroughCall(namespace: string, method: string, code: string, seconds: number): void;
  /**
   * One finished gRPC-Web or Connect call on the public listener, by namespace ('' when none was
   * chosen), method path ('' for a method no namespace serves), protocol and status code name.
   */
  rpcCall(namespace: string, method: string, protocol: string, code: string, seconds: number): void;
  /** One upstream gRPC call, by method path and status code name. */
  upstreamCall(method: string, code: string): void;
  /** A route table rebuild, accepted or rejected. */
  reload(result: 'success' | 'failure'): void;
  /** A stream (SSE, NDJSON) on a route opened: its headers left. */
  streamOpened(route: StreamLabels): void;
  /** A stream ended: messages sent, its duration and the gRPC code name it ended with. */
  streamClosed(route: StreamLabels, code: string, messagesSent: number, seconds: number): void;
}

/** Which route a stream runs on. */
export interface StreamLabels {
  readonly namespace: string;
  readonly frontend: string;
  readonly route: string;
}

/** Streams live from milliseconds to hours. */
const STREAM_BUCKETS = [0.01, 0.1, 1, 10, 60, 300, 1800, 3600, 14400];

export interface GatewayMetricsOptions {
  /** Replaces this registry's own text (a cluster worker serves every worker's, summed). */
  readonly exposition?: () => Promise<string>;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createGatewayMetrics(options: GatewayMetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'prism_http_requests_total',
    help: 'HTTP requests by namespace, frontend, route id, method and status class',
    labelNames: ['namespace', 'frontend', 'route', 'method', 'status_class'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'prism_http_request_duration_seconds',
    help: 'HTTP request latency by namespace, frontend and route id',
    labelNames: ['namespace', 'frontend', 'route'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const passthroughCalls = new Counter({
    name: 'prism_grpc_passthrough_calls_total',
    help: 'Calls on the gRPC passthrough by namespace, method and status code',
    labelNames: ['namespace', 'method', 'code'],
    registers: [registry],
  });
  const passthroughLatency = new Histogram({
    name: 'prism_grpc_passthrough_call_duration_seconds',
    help: 'gRPC passthrough call duration (a streaming call: until its status) by namespace and method',
    labelNames: ['namespace', 'method'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const rpcCalls = new Counter({
    name: 'prism_rpc_calls_total',
    help: 'gRPC-Web and Connect calls on the public listener by namespace, method, protocol and status code',
    labelNames: ['namespace', 'method', 'protocol', 'code'],
    registers: [registry],
  });
  const rpcLatency = new Histogram({
    name: 'prism_rpc_call_duration_seconds',
    help: 'gRPC-Web and Connect call duration (a stream: until it ended) by namespace, method and protocol',
    labelNames: ['namespace', 'method', 'protocol'],
    buckets: LATENCY_BUCKETS,
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
  const openStreams = new Gauge({
    name: 'prism_open_streams',
    help: 'Open streams (SSE, NDJSON) by namespace, frontend and route id',
    labelNames: ['namespace', 'frontend', 'route'],
    registers: [registry],
  });
  const streamMessages = new Counter({
    name: 'prism_stream_messages_total',
    help: 'Messages sent to clients on streams by namespace, frontend, route id and direction',
    labelNames: ['namespace', 'frontend', 'route', 'direction'],
    registers: [registry],
  });
  const streamDuration = new Histogram({
    name: 'prism_stream_duration_seconds',
    help: 'Stream duration by namespace, frontend, route id and the gRPC code it ended with',
    labelNames: ['namespace', 'frontend', 'route', 'code'],
    buckets: STREAM_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    exposition: options.exposition ?? (() => registry.metrics()),
    request(frontend, route, method, status, seconds, namespace = '') {
      const statusClass = `${Math.floor(status / 100)}xx`;
      requests.inc({ namespace, frontend, route, method, status_class: statusClass });
      latency.observe({ namespace, frontend, route }, seconds);
    },
    passthroughCall(namespace, method, code, seconds) {
      passthroughCalls.inc({ namespace, method, code });
      passthroughLatency.observe({ namespace, method }, seconds);
    },
    rpcCall(namespace, method, protocol, code, seconds) {
      rpcCalls.inc({ namespace, method, protocol, code });
      rpcLatency.observe({ namespace, method, protocol }, seconds);
    },
    upstreamCall(method, code) {
      upstream.inc({ method, code });
    },
    reload(result) {
      reloads.inc({ result });
    },
    streamOpened(route) {
      openStreams.inc({ namespace: route.namespace, frontend: route.frontend, route: route.route });
    },
    streamClosed(route, code, messagesSent, seconds) {
      const labels = { namespace: route.namespace, frontend: route.frontend, route: route.route };
      openStreams.dec(labels);
      streamMessages.inc({ ...labels, direction: 'sent' }, messagesSent);
      streamDuration.observe({ ...labels, code }, seconds);
    },
  };
}
