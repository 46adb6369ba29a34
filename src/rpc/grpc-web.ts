/**
 * gRPC-Web (gRPC's doc/PROTOCOL-WEB.md) on the public listener: `POST` with
 * `application/grpc-web`, `+proto`, `-text` or `-text+proto`; the one request frame is
 * forwarded as raw bytes (never decoded) to the namespace's backend, unary or server streaming.
 *
 * The answer is HTTP 200 with the request's content type, the backend's response metadata as
 * headers, one data frame per message and a last trailer frame (flag 0x80) with `grpc-status`,
 * `grpc-message` (percent-encoded) and `grpc-status-details-bin` (the google.rpc.Status, base64).
 * A call that fails before any message answers "trailers-only": the status in the response
 * headers and an empty body, as gRPC's HTTP/2 protocol does and PROTOCOL-WEB.md allows (Envoy's
 * gRPC-Web filter passes such answers on the same way; connect-es and grpc-web read the status
 * from the headers then). The `-text` variants carry the same bytes base64-encoded, frame by frame.
 */
import { Code, GatewayError, gatewayError, GatewayReason } from '../core/gateway-error.js';
import type { HttpInput } from '../core/http-types.js';
import { admitRpc, callDeadlineMs, clientTimeoutMs, type AdmissionProgress } from './rpc-admission.js';
import { DATA_FLAG, decodeBase64Body, encodeFrame, encodeTrailerFrame, readRequestMessage } from './grpc-web-frames.js';
import { unknownMethod, type RpcCandidates } from './rpc-index.js';
import type { RpcOptions, RpcOutcome } from './rpc-outcome.js';
import type { RpcAnswer, RpcResponse } from './rpc-response.js';
import { metadataHeaders, openServerStream, relayMessages } from './rpc-stream.js';
import { statusDetailsOf } from './status-details.js';

/** The gRPC-Web media types served, each answered under its own name. */
export const GRPC_WEB_TYPES = ['application/grpc-web', 'application/grpc-web+proto', 'application/grpc-web-text', 'application/grpc-web-text+proto'] as const;

/** True for every `application/grpc-web…` type, served or not (those not served get a 415). */
export function isGrpcWebType(mediaType: string): boolean {
  return mediaType.startsWith('application/grpc-web');
}

/**
 * Serves one gRPC-Web call; never throws. `candidates` undefined: the path lies under a served
 * mount but names no served method (UNIMPLEMENTED). `mediaType` is the request's content type
 * without parameters, lower-case, one of GRPC_WEB_TYPES.
 */
export async function serveGrpcWeb(candidates: RpcCandidates | undefined, mediaType: string, input: HttpInput, requestId: string, response: RpcResponse, options: RpcOptions): Promise<RpcOutcome> {
  const text = mediaType.startsWith('application/grpc-web-text');
  const progress: AdmissionProgress = {};
  const outcome = (code: Code, streamed: boolean, messages: number, fault?: unknown): RpcOutcome => ({ protocol: 'grpc-web', method: progress.method, principal: progress.principal, code, streamed, messages, fault });
  const frameOut = (bytes: Buffer): Buffer => (text ? Buffer.from(bytes.toString('base64'), 'latin1') : bytes);
  const baseHeaders = (): Record<string, string> => ({ 'content-type': mediaType, 'x-request-id': requestId });

  let opened;
  try {
    if (!candidates) throw unknownMethod(input.path);
    const admission = admitRpc(candidates, input, requestId, options.auth, progress);
    const admitted = admission instanceof Promise ? await admission : admission;
    const { method } = admitted;
    if (method.kind === 'client' || method.kind === 'bidi') {
      throw new GatewayError(Code.UNIMPLEMENTED, `${method.grpcPath} is a ${method.kind}-streaming method: gRPC-Web has no client streaming`);
    }
    const raw = input.body ?? Buffer.alloc(0);
    const message = readRequestMessage(text ? decodeBase64Body(raw) : raw, options.maxMessageBytes);
    const deadlineMs = callDeadlineMs(method, clientTimeoutMs(input.headers));
    if (method.kind === 'unary') {
      if (!method.upstream) throw gatewayError(Code.UNAVAILABLE, GatewayReason.UPSTREAM_UNAVAILABLE, 'no upstream serves this method', {});
      const reply = await method.upstream.unary({ path: method.grpcPath, message, metadata: admitted.metadata, deadlineMs, signal: input.signal });
      const body = text ? Buffer.concat([frameOut(encodeFrame(DATA_FLAG, reply.message)), OK_TRAILER_FRAME_TEXT]) : unaryBody(reply.message);
      response.send({ status: 200, headers: metadataHeaders(reply.metadata, baseHeaders()), body });
      return outcome(Code.OK, false, 1);
    }
    opened = await openServerStream(method, message, admitted.metadata, deadlineMs, input.signal, options);
  } catch (err) {
    const { answer, error } = trailersOnly(err, baseHeaders());
    response.send(answer);
    return outcome(error.code, false, 0, err instanceof GatewayError ? undefined : err);
  }

  response.start(200, metadataHeaders(opened.headers, baseHeaders()));
  const end = await relayMessages(opened, response, (m) => frameOut(encodeFrame(DATA_FLAG, m)), options);
  if (!end.gone) {
    const trailers = end.error ? errorTrailers(end.error) : { ...metadataHeaders(end.trailers, {}), ...statusTrailers(Code.OK, '') };
    response.write(frameOut(encodeTrailerFrame(trailers)));
  }
  response.end();
  return outcome(end.error?.code ?? Code.OK, true, end.messages);
}

/** The trailer frame of every successful call: the same bytes each time, so encoded once. */
const OK_TRAILER_FRAME = encodeTrailerFrame(statusTrailers(Code.OK, ''));
const OK_TRAILER_FRAME_TEXT = Buffer.from(OK_TRAILER_FRAME.toString('base64'), 'latin1');

/** A unary call's binary body, its data frame and the OK trailer frame, in one allocation. */
function unaryBody(message: Uint8Array): Buffer {
  const body = Buffer.allocUnsafe(5 + message.length + OK_TRAILER_FRAME.length);
  body[0] = DATA_FLAG;
  body.writeUInt32BE(message.length, 1);
  body.set(message, 5);
  body.set(OK_TRAILER_FRAME, 5 + message.length);
  return body;
}

/**
 * The answer to a call that failed before any message: HTTP 200, the status in the headers and
 * no body. Also used for failures found outside the call (a body over the listener's limit).
 */
export function trailersOnly(err: unknown, headers: Record<string, string>): { answer: RpcAnswer; error: GatewayError } {
  const error = err instanceof GatewayError ? err : new GatewayError(Code.INTERNAL, 'internal error', { reason: GatewayReason.INTERNAL, cause: err });
  return { answer: { status: 200, headers: { ...headers, ...errorTrailers(error) }, body: new Uint8Array(0) }, error };
}

function errorTrailers(error: GatewayError): Record<string, string> {
  const trailers = statusTrailers(error.code, error.message);
  const details = statusDetailsOf(error);
  // Binary metadata goes base64 without padding (PROTOCOL-HTTP2.md: emit unpadded, accept both).
  if (details) trailers['grpc-status-details-bin'] = Buffer.from(details).toString('base64').replace(/=+$/, '');
  return trailers;
}

function statusTrailers(code: Code, message: string): Record<string, string> {
  return message === '' ? { 'grpc-status': String(code) } : { 'grpc-status': String(code), 'grpc-message': percentEncode(message) };
}

/**
 * `grpc-message` is percent-encoded UTF-8 (PROTOCOL-HTTP2.md, "Status-Message"): every byte
 * outside printable ASCII, and `%` itself, as %XX.
 */
export function percentEncode(message: string): string {
  let plain = true;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return message;
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
