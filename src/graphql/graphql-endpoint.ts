/**
 * The immutable product of compiling a GraphQL frontend: its schema (types derived from the
 * protos, resolvers bound to compiled fields), its limits and its upstream. The route table
 * holds one per frontend binding (graphql-index.ts); a request reads the table once, so a hot
 * reload swaps whole endpoints and in-flight operations finish on the one they started with.
 */
import type protobuf from 'protobufjs';
import type { GraphQLSchema } from 'graphql';
import type { ErrorMapper } from '../core/render-error.js';
import type { RequestMapper } from '../mapping/request-mapper.js';
import type { TemplateRenderer } from '../mapping/template.js';
import type { CompiledFrontend } from '../routing/compiled-route.js';
import type { Role } from '../security/authenticator.js';
import type { Upstream } from '../upstream/upstream.js';
import type { DocumentCache } from './prepared-document.js';

/** The body key the parent object is bound under (`$` never starts a GraphQL argument name). */
export const PARENT_KEY = '$parent';

export type OperationKind = 'query' | 'mutation' | 'subscription';

/** One schema field bound to a gRPC method, compiled. */
export interface CompiledGraphqlField {
  /** `Query.subjects`, `Subject.versions`: for logs and errors. */
  readonly coordinate: string;
  /** `/package.Service/Method` */
  readonly grpcPath: string;
  readonly requestType: protobuf.Type;
  readonly responseType: protobuf.Type;
  /** Builds the request message from `{ body: arguments (and `$parent`) }`. */
  readonly mapRequest: RequestMapper;
  /** Renders the result from `{ response, request, metadata }` (roots of the template language). */
  readonly render: TemplateRenderer;
  /** Role needed when auth is on: `none` lets anyone in. */
  readonly role: Role | 'none';
  readonly deadlineMs: number;
  /** The field's error mappings, then the frontend's; absent when neither declares any. */
  readonly mapError?: ErrorMapper;
  /** A server-streaming method (a Subscription field). */
  readonly streaming: boolean;
}

export interface GraphqlLimits {
  /** Deepest selection nesting accepted. */
  readonly maxDepth: number;
  /** Largest complexity accepted (query-limits.ts). */
  readonly maxComplexity: number;
  /** Longest a query or mutation may run, in ms; its calls' deadlines are cut to what is left. */
  readonly timeoutMs: number;
}

export interface GraphqlEndpoint {
  readonly name: string;
  /** The endpoint's full path (binding prefix + `graphql.path`). */
  readonly path: string;
  readonly host?: string;
  readonly namespace?: string;
  /** The frontend as routing sees it (CORS, errors on paths under the endpoint). */
  readonly frontend: CompiledFrontend;
  readonly schema: GraphQLSchema;
  /** The schema as SDL (`prism-gateway graphql-schema`, `GET /admin/frontends/{name}/schema.graphql`). */
  readonly sdl: string;
  readonly graphiql: boolean;
  readonly jit: boolean;
  /** Query texts by SHA-256 (hex), when the frontend accepts automatic persisted queries. */
  readonly persisted?: { get(hash: string): string | undefined; set(hash: string, query: string): unknown };
  readonly limits: GraphqlLimits;
  readonly upstream?: Upstream;
  /** Lower-case request headers forwarded as metadata. */
  readonly forwardHeaders: readonly string[];
  /** The frontend's error mappings (errors outside any field: refusals of the whole request). */
  readonly mapError?: ErrorMapper;
  /** Parsed, validated and measured documents (and their JIT compilations), by text. */
  readonly documents: DocumentCache;
  /** Every field bound to a method (`Query.schema` → `/pkg.Service/GetSchema`), in definition order: the `routes` printout. */
  readonly fields: readonly { readonly coordinate: string; readonly grpcPath: string }[];
}
