/**
 * The Connect protocol (connectrpc.com/docs/protocol) on the public listener, for unary and
 * server-streaming methods (client and bidi streaming need HTTP/2: answered UNIMPLEMENTED).
 *
 * - Unary: `POST` with `application/json` or `application/proto` (a `Content-Encoding` of gzip
 *   is read), or `GET` with the message in the query for methods whose proto declares
 *   `idempotency_level = NO_SIDE_EFFECTS` (any other method: 405 with `Allow: POST`, as
 *   connect-go answers). Success is 200 with the message in the request's codec and the
 *   backend's metadata as headers; an error is the Connect error JSON with the HTTP status the
 *   spec gives its code (connect-error.ts).
 * - Server streaming: `POST` with `application/connect+json` or `+proto`, one enveloped request
 *   message; the answer is always 200 (errors travel in the end-of-stream message), the
 *   messages enveloped, then the end-of-stream envelope with the error or the trailers.
 * - `Connect-Protocol-Version` may be left out (the spec lets servers accept that, and curl
 *   users do); any value other than `1` is refused. `Connect-Timeout-Ms` sets the deadline.
 *
 * JSON follows the proto3 JSON mapping (proto-json-codec.ts); proto bodies are forwarded as
 * they are, never decoded.
 */
import { Code, GatewayError, gatewayError, GatewayReason } from '../core/gateway-error.js';
import { headerValue } from '../core/http-input-values.js';
import type { HttpInput } from '../core/http-types.js';
import { decompress } from './compression.js';
import { encodeEnvelope, decodeEnvelopes, endStreamEnvelope, ENVELOPE_COMPRESSED } from './connect-envelope.js';
import { connectErrorResponse } from './connect-error.js';
import { parseConnectGet, type ConnectCodec } from './connect-get.js';
import { jsonCodecFor } from './proto-json-codec.js';
import { admitRpc, callDeadlineMs, clientTimeoutMs, type AdmissionProgress } from './rpc-admission.js';
import { unknownMethod, type RpcCandidates, type RpcMethod } from './rpc-index.js';
import type { RpcOptions, RpcOutcome } from './rpc-outcome.js';
import type { RpcAnswer, RpcResponse } from './rpc-response.js';
import { metadataHeaders, openServerStream, relayMessages } from './rpc-stream.js';

const UNARY_TYPES: Readonly<Record<string, ConnectCodec>> = { 'application/json': 'json', 'application/proto': 'proto' };
const STREAM_TYPES: Readonly<Record<string, ConnectCodec>> = { 'application/connect+json': 'json', 'application/connect+proto': 'proto' };

/** The media types Connect requests are served in (POST). */
export const CONNECT_TYPES = [...Object.keys(UNARY_TYPES), ...Object.keys(STREAM_TYPES)];

export function isConnectType(mediaType: string): boolean {
  return mediaType in UNARY_TYPES || mediaType in STREAM_TYPES;
}

/**
 * Serves one Connect request; never throws. `mediaType`: the request's content type without
 * parameters, lower-case ('' for a GET without one). `rawQuery`: the URL's query string as sent
 * (a GET's message is read from it, percent-decoding exactly once).
 */
export async function serveConnect(candidates: RpcCandidates | undefined, mediaType: string, input: HttpInput, rawQuery: string, requestId: string, response: RpcResponse, options: RpcOptions): Promise<RpcOutcome> {
  const progress: AdmissionProgress = {};
  const streaming = mediaType in STREAM_TYPES;
  const outcome = (code: Code, streamed: boolean, messages: number, fault?: unknown): RpcOutcome => ({ protocol: 'connect', method: progress.method, principal: progress.principal, code, streamed, messages, fault });
  const fail = (err: unknown): RpcOutcome => {
    const error = asGatewayError(err);
    response.send(connectFailureAnswer(mediaType, error, requestId));
    return outcome(error.code, false, 0, err instanceof GatewayError ? undefined : err);
  };

  let codec: ConnectCodec;
  let payload: Uint8Array;
  let method: RpcMethod;
  let metadata: Record<string, string>;
  try {
    if (!candidates) throw unknownMethod(input.path);
    const version = headerValue(input.headers['connect-protocol-version']);
    if (version !== undefined && version !== '1') {
      throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.BAD_REQUEST, `connect-protocol-version must be "1": got "${version}"`, { header: 'connect-protocol-version' });
    }
    // Which methods may be called how is known before anyone is authenticated; the answer
    // (405, 415) says nothing about namespaces or data.
    const any = candidates.values().next().value!;
    if (input.method === 'GET' && (!any.sideEffectFree || any.kind !== 'unary')) {
      response.send({ status: 405, headers: { allow: 'POST', 'x-request-id': requestId }, body: new Uint8Array(0) });
      return outcome(Code.UNIMPLEMENTED, false, 0);
    }
    if (input.method === 'POST' && streaming !== (any.kind !== 'unary')) {
      response.send({ status: 415, headers: { 'accept-post': any.kind === 'unary' ? Object.keys(UNARY_TYPES).join(', ') : Object.keys(STREAM_TYPES).join(', '), 'x-request-id': requestId }, body: new Uint8Array(0) });
      return outcome(Code.INVALID_ARGUMENT, false, 0);
    }
    const admission = admitRpc(candidates, input, requestId, options.auth, progress);
    const admitted = admission instanceof Promise ? await admission : admission;
    method = admitted.method;
    metadata = admitted.metadata;
    if (method.kind === 'client' || method.kind === 'bidi') {
      throw new GatewayError(Code.UNIMPLEMENTED, `${method.grpcPath} is a ${method.kind}-streaming method: client and bidi streaming need HTTP/2, which this listener does not serve`);
    }
    if (input.method === 'GET') {
      const get = parseConnectGet(new URLSearchParams(rawQuery));
      codec = get.codec;
      payload = decompress(get.compression, get.message, options.maxMessageBytes);
    } else if (streaming) {
      codec = STREAM_TYPES[mediaType];
      payload = singleEnvelope(input.body ?? Buffer.alloc(0), headerValue(input.headers['connect-content-encoding']), options.maxMessageBytes);
    } else {
      codec = UNARY_TYPES[mediaType];
      payload = decompress(headerValue(input.headers['content-encoding']), input.body ?? Buffer.alloc(0), options.maxMessageBytes);
    }
  } catch (err) {
    return fail(err);
  }

  const json = codec === 'json' ? jsonCodecFor(method.responseType) : undefined;
  const toWire = (bytes: Uint8Array): Uint8Array => (json ? Buffer.from(json.toJson(bytes), 'utf8') : bytes);
  const contentType = streaming ? `application/connect+${codec}` : `application/${codec}`;
  let opened;
  try {
    // An empty JSON body is the empty message, as an empty proto body is (curl without -d).
    const message = codec === 'json' ? jsonCodecFor(method.requestType).fromJson(payload.length === 0 ? '{}' : utf8Text(payload)) : payload;
    const deadlineMs = callDeadlineMs(method, clientTimeoutMs(input.headers));
    if (!streaming) {
      if (!method.upstream) throw gatewayError(Code.UNAVAILABLE, GatewayReason.UPSTREAM_UNAVAILABLE, 'no upstream serves this method', {});
      const reply = await method.upstream.unary({ path: method.grpcPath, message, metadata, deadlineMs, signal: input.signal });
      const body = toWire(reply.message);
      response.send({ status: 200, headers: metadataHeaders(reply.metadata, { 'content-type': contentType, 'x-request-id': requestId }), body });
      return outcome(Code.OK, false, 1);
    }
    opened = await openServerStream(method, message, metadata, deadlineMs, input.signal, options);
  } catch (err) {
    return fail(err);
  }

  response.start(200, metadataHeaders(opened.headers, { 'content-type': contentType, 'x-request-id': requestId }));
  const end = await relayMessages(opened, response, (m) => encodeEnvelope(0, toWire(m)), options);
  if (!end.gone) response.write(endStreamEnvelope(end.error, end.error ? undefined : metadataHeaders(end.trailers, {})));
  response.end();
  return outcome(end.error?.code ?? Code.OK, true, end.messages);
}

/**
 * A failure before any message, as Connect says it: a streaming request's is a 200 with only
 * the end-of-stream message; a unary one's the error JSON under the code's HTTP status.
 */
export function connectFailureAnswer(mediaType: string, error: GatewayError, requestId: string): RpcAnswer {
  if (mediaType in STREAM_TYPES) {
    return { status: 200, headers: { 'content-type': mediaType, 'x-request-id': requestId }, body: endStreamEnvelope(error) };
  }
  const rendered = connectErrorResponse(error);
  return { status: rendered.status, headers: { ...rendered.headers, 'x-request-id': requestId }, body: Buffer.from(rendered.body, 'utf8') };
}

/**
 * The one request message of a server-streaming call, from its envelope (decompressed with
 * `Connect-Content-Encoding` when its flag says so).
 * @throws GatewayError INVALID_ARGUMENT for no envelope or several, and as decodeEnvelopes and
 *   decompress throw.
 */
function singleEnvelope(body: Buffer, encoding: string | undefined, maxMessageBytes: number): Uint8Array {
  const envelopes = decodeEnvelopes(body, { maxMessageBytes });
  if (envelopes.length !== 1) {
    throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, `a server-streaming call takes exactly one request message, got ${envelopes.length}`, {});
  }
  const [{ flags, data }] = envelopes;
  return (flags & ENVELOPE_COMPRESSED) !== 0 ? decompress(encoding, data, maxMessageBytes) : data;
}

/** The payload as UTF-8 text; a body that already is a Buffer is read in place, not copied first. */
function utf8Text(payload: Uint8Array): string {
  return (Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)).toString('utf8');
}

function asGatewayError(err: unknown): GatewayError {
  return err instanceof GatewayError ? err : new GatewayError(Code.INTERNAL, 'internal error', { reason: GatewayReason.INTERNAL, cause: err });
}
