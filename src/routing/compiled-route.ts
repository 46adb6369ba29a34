/** The immutable products of compilation: what the request path works with. */
import type protobuf from 'protobufjs';
import type { CorsConfig } from '../config/gateway-config.js';
import type { ErrorMapper } from '../core/render-error.js';
import type { BodyValidator } from '../mapping/body-validator.js';
import type { RequestMapper } from '../mapping/request-mapper.js';
import type { ResponseMapper } from '../mapping/response-mapper.js';
import type { TemplateRenderer } from '../mapping/template.js';
import type { StreamFraming } from '../frontends/definition.js';
import type { StreamLimits } from '../upstream/upstream.js';
import type { Upstream } from '../upstream/upstream.js';
import type { Negotiator } from './content-negotiation.js';
import type { CachePolicy, ResponseCache } from './response-cache.js';
import type { RoutePlan } from './route-plan.js';

export interface CompiledFrontend {
  readonly name: string;
  /** Namespace prefix + base path, e.g. `/ns/orders`. */
  readonly mountPath: string;
  /** Requests must carry this Host (without port); undefined serves every host. */
  readonly host?: string;
  /** The binding's CORS settings, overriding the listener's (the config's `cors:` as written). */
  readonly cors?: CorsConfig;
  /** The namespace the frontend is bound to. */
  readonly namespace?: string;
  readonly negotiator: Negotiator;
  /** Renders errors raised before a route is known (404, 405, 406, 413, 415). */
  readonly mapError: ErrorMapper;
  readonly unknownQuery: 'ignore' | 'reject';
  readonly trailingSlash: boolean;
  readonly upstream?: Upstream;
  /** Replies of routes that declare `cache`; cleared by any successful write. */
  readonly cache: ResponseCache;
}

export interface GrpcTarget {
  /** `/package.Service/Method` */
  readonly path: string;
  readonly requestType: protobuf.Type;
  readonly responseType: protobuf.Type;
}

export interface CompiledRoute {
  readonly id: string;
  readonly method: string;
  /** The full path template (mount path + route path). */
  readonly template: string;
  readonly frontend: CompiledFrontend;
  /** Absent on static routes, which answer their declared response without a call. */
  readonly grpc?: GrpcTarget;
  /**
   * What compiling the route decided, as plain data (JSON-serialisable): the source of the
   * `routes` printout, the OpenAPI export and `GET /admin/routes/{id}`.
   */
  readonly plan: RoutePlan;
  readonly mapRequest: RequestMapper;
  /** Checks the parsed body against the route's JSON Schema, when it declares one. */
  readonly validateBody?: BodyValidator;
  /** Query names some mapping binds (for the `reject` policy). */
  readonly boundQuery: ReadonlySet<string>;
  readonly mapResponse: ResponseMapper;
  readonly mapError: ErrorMapper;
  readonly deadlineMs: number;
  /** Lower-case request headers forwarded as metadata. */
  readonly forwardHeaders: readonly string[];
  readonly readiness: boolean;
  /** Role needed when auth is on. */
  readonly role: 'none' | 'read' | 'write' | 'admin';
  /** The higher role needed when this query flag is true (any case). */
  readonly elevate?: { readonly query: string; readonly role: 'read' | 'write' | 'admin' };
  /** Serve repeated reads from the frontend's cache (GET routes only). */
  readonly cache?: CachePolicy;
  /**
   * Forwarded headers other than x-request-id: the backend may answer differently for each
   * value (a tenant header, say), so their values are part of a cached answer's key.
   */
  readonly cacheVary: readonly string[];
  /** A successful answer changes state: the frontend's cache is cleared. */
  readonly writes: boolean;
  /**
   * Present on routes bound to a streaming method (their `stream` block, compiled): each
   * message is rendered by `mapResponse`; each inbound client message by `mapRequest` with
   * the frame's JSON as the body.
   */
  readonly streaming?: StreamingRoute;
}

/** How a streaming route streams (DESIGN.md §8). */
export interface StreamingRoute {
  /** The method's shape: server streaming, client streaming or bidirectional. */
  readonly kind: 'server' | 'client' | 'bidi';
  /** The route also accepts a WebSocket upgrade. */
  readonly websocket: boolean;
  /** Plain-HTTP framings offered to content negotiation, the default first; empty when only WebSocket. */
  readonly framings: readonly StreamFraming[];
  readonly sse: {
    /** Renders the `event:` field from a message (context as mapResponse's: response, request, metadata). */
    readonly event?: TemplateRenderer;
    /** Renders the `id:` field from a message. */
    readonly id?: TemplateRenderer;
    /** Sent as `retry:` at the start of the stream when declared. */
    readonly retryMs?: number;
    /** Interval of heartbeat comment lines; 0 = none. */
    readonly heartbeatMs: number;
  };
  /** Passed to the upstream's stream() as they are. */
  readonly limits: Partial<StreamLimits>;
}
