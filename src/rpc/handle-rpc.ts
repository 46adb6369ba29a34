/**
 * One request on a gRPC-Web / Connect path, framework-free: the protocol is told by the method
 * and the content type (gRPC-Web: `application/grpc-web…`; Connect: `application/json`,
 * `application/proto`, `application/connect+json|proto`, or a GET), then served by
 * grpc-web.ts or connect.ts. A POST in any other type is answered 415 with the types accepted
 * (`Accept-Post`), as connect-go answers it.
 */
import { Code, GatewayError, gatewayError, GatewayReason } from '../core/gateway-error.js';
import { headerValue } from '../core/http-input-values.js';
import type { HttpInput } from '../core/http-types.js';
import { CONNECT_TYPES, isConnectType, connectFailureAnswer, serveConnect } from './connect.js';
import { GRPC_WEB_TYPES, isGrpcWebType, serveGrpcWeb, trailersOnly } from './grpc-web.js';
import type { RpcCandidates } from './rpc-index.js';
import type { RpcOptions, RpcOutcome } from './rpc-outcome.js';
import type { RpcAnswer, RpcResponse } from './rpc-response.js';

/** A request's media type: the Content-Type without parameters, lower-case ('' when absent). */
export function mediaTypeOf(headers: HttpInput['headers']): string {
  const value = headerValue(headers['content-type']);
  if (value === undefined) return '';
  const semi = value.indexOf(';');
  return (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
}

/**
 * Whether a request whose path names no served method still speaks one of the protocols, so
 * that an unknown method under a served prefix is answered in the protocol's shape
 * (UNIMPLEMENTED) rather than by the REST frontends' 404. Reads two headers: cheap enough for
 * every request that missed the RPC index.
 */
export function speaksRpc(headers: HttpInput['headers']): boolean {
  const type = headers['content-type'];
  return (typeof type === 'string' && (type.startsWith('application/grpc-web') || type.startsWith('application/connect+'))) || headers['connect-protocol-version'] !== undefined;
}

/**
 * Serves one call; never throws. `candidates` undefined: the path is under a served mount but
 * names no served method.
 */
export function handleRpc(candidates: RpcCandidates | undefined, input: HttpInput, rawQuery: string, requestId: string, response: RpcResponse, options: RpcOptions): Promise<RpcOutcome> {
  // Not an async function: the protocol's own promise is handed on as it is, with no wrapper
  // promise (and microtask turn) per call. Nothing here throws (headers are read as strings).
  const type = mediaTypeOf(input.headers);
  if (input.method === 'POST' && isGrpcWebType(type)) {
    if ((GRPC_WEB_TYPES as readonly string[]).includes(type)) return serveGrpcWeb(candidates, type, input, requestId, response, options);
    return Promise.resolve(refuseType(requestId, response, 'grpc-web'));
  }
  if (input.method === 'GET' || isConnectType(type)) return serveConnect(candidates, type, input, rawQuery, requestId, response, options);
  return Promise.resolve(refuseType(requestId, response, 'unknown'));
}

/** Every media type an RPC path takes with POST, for `Accept-Post`. */
const ACCEPT_POST = [...GRPC_WEB_TYPES, ...CONNECT_TYPES].join(', ');

function refuseType(requestId: string, response: RpcResponse, protocol: RpcOutcome['protocol']): RpcOutcome {
  response.send({ status: 415, headers: { 'accept-post': ACCEPT_POST, 'x-request-id': requestId }, body: new Uint8Array(0) });
  return { protocol, code: Code.INVALID_ARGUMENT, streamed: false, messages: 0 };
}

/**
 * The answer to a failure found before the call could be served (the body over the listener's
 * limit, a malformed request), in the shape of the protocol the request speaks.
 */
export function rpcFailureAnswer(input: HttpInput, requestId: string, err: GatewayError): RpcAnswer {
  const type = mediaTypeOf(input.headers);
  if (isGrpcWebType(type)) {
    const variant = (GRPC_WEB_TYPES as readonly string[]).includes(type) ? type : 'application/grpc-web+proto';
    return trailersOnly(err, { 'content-type': variant, 'x-request-id': requestId }).answer;
  }
  return connectFailureAnswer(type, err, requestId);
}

/** The error of a request body over the listener's limit. */
export const BODY_TOO_LARGE = (): GatewayError => gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.PAYLOAD_TOO_LARGE, 'request body is too large');
