/**
 * A server-streaming RPC relayed to the client, shared by gRPC-Web and Connect (each frames the
 * messages and the end its own way): a slot of the listener's stream cap is taken before the
 * backend is called; the response starts when the backend's headers arrive (a failure before
 * them is an ordinary error answer); messages are relayed as opaque bytes only as fast as the
 * client takes them (a full socket stops the pulling, and the upstream then stops granting the
 * backend window); a gateway shutdown ends the stream with UNAVAILABLE.
 */
import { Code, GatewayError, gatewayError, GatewayReason } from '../core/gateway-error.js';
import type { CallSignal } from '../core/http-types.js';
import type { OpenStreams, StreamSlots } from '../core/open-streams.js';
import type { UpstreamStream } from '../upstream/upstream.js';
import type { RpcMethod } from './rpc-index.js';
import type { RpcResponse } from './rpc-response.js';

export interface StreamPlumbing {
  /** The listener's cap on open streams (SSE, NDJSON, WebSocket and RPC streams together). */
  readonly streamSlots?: StreamSlots;
  /** Told when a stream is refused for lack of a slot (metrics). */
  readonly onStreamRefused?: () => void;
  /** Where open streams register, so a shutdown ends them. */
  readonly openStreams?: OpenStreams;
  /** Told when the stream's headers left (it no longer holds a request slot). */
  readonly onStreamOpened?: () => void;
}

/** An opened stream: the backend's response headers arrived. */
export interface OpenedStream {
  readonly call: UpstreamStream;
  readonly headers: Readonly<Record<string, string>>;
  /** Gives the stream slot back (idempotent). */
  readonly release: () => void;
}

/**
 * Calls the backend's server-streaming method with one request message and waits for its
 * response headers.
 * @throws GatewayError RESOURCE_EXHAUSTED (OVERLOADED) when the stream cap is reached,
 *   UNAVAILABLE without an upstream, or the backend's error before its headers.
 */
export async function openServerStream(method: RpcMethod, message: Uint8Array, metadata: Record<string, string>, deadlineMs: number, signal: CallSignal | undefined, plumbing: StreamPlumbing): Promise<OpenedStream> {
  const upstream = method.upstream;
  if (!upstream?.stream) throw gatewayError(Code.UNAVAILABLE, GatewayReason.UPSTREAM_UNAVAILABLE, 'no upstream that streams serves this method', {});
  const release = plumbing.streamSlots ? plumbing.streamSlots.acquire() : () => {};
  if (!release) {
    plumbing.onStreamRefused?.();
    throw gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.OVERLOADED, 'too many streams open; retry later', { maxStreams: String(plumbing.streamSlots!.max) });
  }
  try {
    const call = upstream.stream({ path: method.grpcPath, metadata, deadlineMs, signal });
    call.write(message).catch(() => {
      // The call's failure surfaces through its headers and its messages.
    });
    call.end();
    const headers = await call.headers;
    return { call, headers, release };
  } catch (err) {
    release();
    throw err;
  }
}

/** How a relayed stream ended. */
export interface RelayEnd {
  /** OK, the backend's error, CANCELLED when the client went away, UNAVAILABLE at shutdown. */
  readonly error?: GatewayError;
  /** The client went away: nothing more can be written. */
  readonly gone: boolean;
  /** The backend's trailing metadata on a clean end. */
  readonly trailers: Readonly<Record<string, string>>;
  readonly messages: number;
}

/**
 * Relays every message of an opened stream, each framed by `frame`, to a response already
 * started; returns how it ended (the caller writes its protocol's end and ends the response).
 */
export async function relayMessages(opened: OpenedStream, response: RpcResponse, frame: (message: Uint8Array) => Uint8Array, plumbing: StreamPlumbing): Promise<RelayEnd> {
  const { call } = opened;
  plumbing.onStreamOpened?.();
  let shuttingDown = false;
  const unregister = plumbing.openStreams?.add(() => {
    shuttingDown = true;
    call.cancel();
  });
  let messages = 0;
  try {
    for await (const message of call) {
      messages++;
      if (!response.write(frame(message))) {
        // The call's end (a limit, a cancel, the shutdown) must not wait for a reader that
        // stopped reading: either settles the wait.
        await Promise.race([response.drained(), call.trailers]);
      }
      // Leaving the loop cancels the backend's call.
      if (response.gone) break;
    }
    if (response.gone) return { gone: true, error: new GatewayError(Code.CANCELLED, 'the client went away'), trailers: {}, messages };
    return { gone: false, trailers: await call.trailers, messages };
  } catch (err) {
    if (shuttingDown) return { gone: response.gone, error: gatewayError(Code.UNAVAILABLE, GatewayReason.SHUTTING_DOWN, 'the gateway is shutting down', {}), trailers: {}, messages };
    if (response.gone) return { gone: true, error: new GatewayError(Code.CANCELLED, 'the client went away'), trailers: {}, messages };
    const error = err instanceof GatewayError ? err : new GatewayError(Code.INTERNAL, 'internal error', { reason: GatewayReason.INTERNAL, cause: err });
    return { gone: false, error, trailers: {}, messages };
  } finally {
    unregister?.();
    opened.release();
  }
}

/**
 * Response metadata as HTTP headers: everything but what HTTP, the gRPC transport or the
 * protocol's framing own.
 */
export function metadataHeaders(metadata: Readonly<Record<string, string>>, into: Record<string, string>, prefix = ''): Record<string, string> {
  for (const key of Object.keys(metadata)) {
    if (RESPONSE_NOT_METADATA.has(key) || key.startsWith('grpc-') || key.startsWith(':')) continue;
    into[prefix + key] = metadata[key];
  }
  return into;
}

const RESPONSE_NOT_METADATA = new Set(['content-type', 'content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive', 'te', 'trailer', 'date', 'server', 'x-request-id']);
