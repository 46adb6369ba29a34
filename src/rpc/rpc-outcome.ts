/**
 * What a gRPC-Web or Connect call came to, for its log line and its metrics, and the options
 * both protocols are served with.
 */
import type { Code } from '../core/gateway-error.js';
import type { Authenticator } from '../security/authenticator.js';
import type { RpcMethod } from './rpc-index.js';
import type { StreamPlumbing } from './rpc-stream.js';

/** `unknown`: a request on an RPC path in neither protocol (answered 415). */
export type RpcProtocol = 'grpc-web' | 'connect' | 'unknown';

export interface RpcOutcome {
  readonly protocol: RpcProtocol;
  /** The method called, once known (an unknown method, or a refusal before the namespace was picked, has none). */
  readonly method?: RpcMethod;
  readonly principal?: string;
  /** The gRPC code the call ended with. */
  readonly code: Code;
  /** The answer was a stream (its messages counted). */
  readonly streamed: boolean;
  readonly messages: number;
  /** An unexpected failure behind an INTERNAL, for the log (never for the client). */
  readonly fault?: unknown;
}

export interface RpcOptions extends StreamPlumbing {
  readonly auth?: Authenticator;
  /** The largest request message accepted (the listener's body limit). */
  readonly maxMessageBytes: number;
}
