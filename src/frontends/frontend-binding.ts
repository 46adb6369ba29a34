/**
 * A frontend definition as a namespace mounts it: what the REST route compiler and the
 * GraphQL compiler are given for each frontend. Its own module, so that both compilers (the
 * route compiler calls the GraphQL one) can name it without importing each other.
 */
import type { CorsConfig } from '../config/gateway-config.js';
import type { Upstream } from '../upstream/upstream.js';
import type { LoadedDefinition } from './load-definition.js';

export interface FrontendBinding {
  readonly loaded: LoadedDefinition;
  /** The namespace's path prefix the frontend is mounted under. */
  readonly pathPrefix?: string;
  /** Serve only requests with this Host. */
  readonly host?: string;
  /** Overrides the listener's CORS settings for this binding's paths. */
  readonly cors?: CorsConfig;
  readonly namespace?: string;
  /** The namespace's upstream; routes that call gRPC need one. */
  readonly upstream?: Upstream;
  /** Proto files the upstream pattern provides (absolute paths). */
  readonly protoFiles?: readonly string[];
  readonly includeDirs?: readonly string[];
  /** Namespace overrides of the frontend's defaults. */
  readonly deadlineMs?: number;
  readonly forwardHeaders?: readonly string[];
}
