/**
 * Streaming calls over @grpc/grpc-js (grpc-upstream.ts `stream()`): the transport under
 * stream-call.ts on one grpc-js call.
 *
 * Every call is made with `makeBidiStreamRequest`, whichever kind the method is: on the wire a
 * server-streaming, client-streaming and bidi call are the same (request messages then
 * END_STREAM, response messages then trailers), and the contract's write()/end() shape is the
 * bidi one, so the kind need not be known here. Messages cross as raw bytes (identity
 * serializers): the mapping engine owns encoding.
 *
 * Backpressure: past `maxBufferedBytes` waiting for the consumer the call is paused (grpc-js
 * then stops reading its HTTP/2 stream, and the backend's window runs out), and resumed as the
 * consumer catches up; grpc-js' own buffers (its readable side's 16 messages and node:http2's
 * stream window) come on top of the bound. Writes resolve from grpc-js' write callback, which
 * runs once node:http2 has sent the message, window permitting.
 *
 * `maxMessageBytes` is checked per message as it arrives (grpc-js' receive limit is the
 * channel's, 64 MiB): a larger one cancels the call with RESOURCE_EXHAUSTED. The status is
 * passed on only after the messages that came before it have been read off the call, so an
 * error after some messages reaches the consumer after those messages.
 */
import * as grpc from '@grpc/grpc-js';
import { Code, type GatewayError } from '../core/gateway-error.js';
import { serviceErrorToGatewayError, statusToGatewayError } from './status.js';
import type { StreamSink, StreamTransport } from './stream-call.js';

const identity = (b: Buffer | Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b));

/**
 * Starts the call on `client` and returns its transport; what the call brings goes to `sink`.
 * `deadlineMs` 0: no deadline.
 */
export function openGrpcStream(client: grpc.Client, path: string, metadata: Readonly<Record<string, string>>, deadlineMs: number, sink: StreamSink): StreamTransport {
  const { maxBufferedBytes, maxMessageBytes } = sink.limits;
  const md = new grpc.Metadata();
  for (const key of Object.keys(metadata)) md.set(key, metadata[key]);
  const call = client.makeBidiStreamRequest<Uint8Array, Buffer>(path, identity, identity, md, { deadline: deadlineMs > 0 ? Date.now() + deadlineMs : Infinity });
  let done = false;
  let paused = false;
  let readEnded = false;
  let status: grpc.StatusObject | undefined;
  let error: grpc.ServiceError | undefined;

  call.on('metadata', (received: grpc.Metadata) => {
    if (!done) sink.headers(textOf(received));
  });
  call.on('data', (message: Buffer) => {
    if (done) return;
    if (message.length > maxMessageBytes) {
      fail(statusToGatewayError({ code: Code.RESOURCE_EXHAUSTED, details: `Received message larger than max (${message.length} vs ${maxMessageBytes})` }));
      return;
    }
    sink.message(message);
    if (!done && !paused && sink.buffered >= maxBufferedBytes) {
      paused = true;
      call.pause();
    }
  });
  call.on('end', () => {
    readEnded = true;
    settle();
  });
  // grpc-js emits 'error' for a non-OK status before 'status'; the status carries it too.
  call.on('error', (err: grpc.ServiceError) => (error = err));
  call.on('status', (s: grpc.StatusObject) => {
    status = s;
    settle();
  });

  /** Passes the status on once it is in and every message before it has been read. */
  function settle(): void {
    if (done || !status || !readEnded) return;
    done = true;
    const trailers = textOf(status.metadata);
    if (status.code === grpc.status.OK) sink.finish(undefined, trailers);
    else sink.finish(serviceErrorToGatewayError(error ?? Object.assign(new Error(`${status.code} ${Code[status.code] ?? ''}: ${status.details}`), status)), trailers);
  }

  function fail(err: GatewayError): void {
    if (done) return;
    done = true;
    call.cancel();
    sink.finish(err, {});
  }

  return {
    write(message) {
      if (done) return Promise.resolve();
      return new Promise<void>((resolve) => {
        call.write(message, () => resolve());
      });
    },
    end() {
      if (!done) call.end();
    },
    cancel() {
      if (done) return;
      done = true;
      call.cancel();
    },
    consumed() {
      if (paused && sink.buffered < maxBufferedBytes) {
        paused = false;
        call.resume();
      }
    },
    receiving: 0,
  };
}

function textOf(md: grpc.Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  copyText(md, out);
  return out;
}

/** The text values of grpc-js metadata (binary `-bin` values left out), copied into `into`. */
export function copyText(md: grpc.Metadata, into: Record<string, string>): void {
  const map = md.getMap();
  for (const key of Object.keys(map)) {
    const v = map[key];
    if (typeof v === 'string') into[key] = v;
  }
}
