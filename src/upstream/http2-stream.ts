/**
 * Streaming calls over the lean HTTP/2 client (http2-upstream.ts `stream()`): the transport
 * under stream-call.ts on one `H2Stream` (h2-connection.ts `openStream`).
 *
 * Receiving: DATA is cut into gRPC's 5-byte-prefixed messages (a message may span frames,
 * a frame may hold several). The stream's receive window is granted here, never by the
 * connection: the backend may send only as much as `maxBufferedBytes` minus what waits for
 * the consumer, so a consumer that stops reading stops the backend (its writes block) and at
 * most `maxBufferedBytes` (plus the one message being completed, when it alone is larger)
 * sit here per stream. The connection these streams use advertises an initial stream window
 * of 0, so the first grant is the whole window.
 *
 * Sending: each write is one framed message handed to the stream; it resolves once the
 * message went out as DATA within the backend's window (a backend that stops reading keeps
 * the write pending).
 *
 * Statuses become errors as unary calls' do (status.ts); a reset or a lost connection reads
 * as grpc-js reads it (`resetError`).
 */
import { Code, type GatewayError } from '../core/gateway-error.js';
import { STATUS_DETAILS_KEY } from '../grpc/rich-status.js';
import { RST, type H2Connection, type H2Stream, type StreamHandler } from './h2-connection.js';
import { copyMetadata, headerText as first, localError, resetError, toObject, type ReplyHeaders } from './h2-reply.js';
import { missingStatusError, readTrailerStatus, statusToGatewayError } from './status.js';
import type { StreamSink, StreamTransport } from './stream-call.js';

const EMPTY = Buffer.alloc(0);

/** Attempts of a call whose stream the server never processed (gRPC's transparent retry). */
const MAX_ATTEMPTS = 3;
/** Request bytes kept for such a retry until the response headers arrive; a call that sent more is not retried. */
const REPLAY_LIMIT = 64 * 1024;

/**
 * Opens the call's stream with the request header block `block` on the connection `connect`
 * gives (undefined: the upstream is closed) and returns its transport; what the stream brings
 * goes to `sink`. A stream the server never processed (refused, or caught by a GOAWAY below
 * it, or queued on a connection that went away) goes again, with what was written so far,
 * while no response headers have come and no more than REPLAY_LIMIT bytes were written.
 */
export function openHttp2Stream(connect: () => H2Connection | undefined, block: Buffer, sink: StreamSink): StreamTransport {
  const { maxBufferedBytes, maxMessageBytes } = sink.limits;
  let attempt = 1;
  let replay: Buffer[] | undefined = [];
  let replayBytes = 0;
  let endSent = false;
  let done = false;
  let httpStatus = 0;
  let responded = false;
  const metadata: Record<string, string> = {};
  // The message being received: its chunks, their total, its length once the prefix is in.
  let chunks: Buffer[] = [];
  let pending = 0;
  let frameLength = -1;
  const sendWaiters: (() => void)[] = [];

  const handler: StreamHandler = {
    onHeaders(fields, endStream) {
      if (done) return;
      const headers = toObject(fields);
      if (!responded) {
        responded = true;
        replay = undefined;
        httpStatus = Number(first(headers[':status']));
        if (endStream) return settleFromTrailers(headers);
        copyMetadata(headers, metadata);
        // A reply that is not gRPC's 200 ends in an error (status.ts): its headers are not the call's.
        if (httpStatus === 200) sink.headers({ ...metadata });
      } else {
        // A second header block is the trailers; without END_STREAM it breaks the protocol.
        if (!endStream) fail(localError(Code.INTERNAL, 'Trailers without END_STREAM'));
        else settleFromTrailers(headers);
      }
    },
    onData(chunk) {
      if (done) return;
      const failure = read(chunk);
      if (failure) fail(failure);
      else grant();
    },
    onEnd: () => ended(resetError(RST.NO_ERROR, httpStatus)),
    onReset: (code) => {
      if (!(code === RST.REFUSED_STREAM && retry())) ended(resetError(code, httpStatus));
    },
    onFailed: (error, unprocessed) => {
      if (!(unprocessed && retry())) ended(localError(Code.UNAVAILABLE, error.message));
    },
    onSendable() {
      for (const resolve of sendWaiters.splice(0)) resolve();
    },
  };
  const connection = connect();
  if (!connection) throw localError(Code.UNAVAILABLE, 'upstream closed');
  let h2: H2Stream = connection.openStream(block, handler);
  grant();

  /** Sends the call again on a stream the server will process; false when it may not go again. */
  function retry(): boolean {
    if (done || responded || !replay || attempt >= MAX_ATTEMPTS) return false;
    const next = connect();
    if (!next) return false;
    attempt++;
    chunks = [];
    pending = 0;
    frameLength = -1;
    h2 = next.openStream(block, handler);
    for (const frame of replay) h2.send(frame, false);
    if (endSent) h2.send(EMPTY, true);
    grant();
    return true;
  }

  /** The stream ended upstream with this error (no trailers, or gone). */
  function ended(error: GatewayError): void {
    if (done) return;
    done = true;
    sink.finish(error, metadata);
  }

  /** This side ends the call (a bad message): the stream is reset and the call fails. */
  function fail(error: GatewayError): void {
    if (done) return;
    done = true;
    h2.cancel();
    sink.finish(error, metadata);
  }

  function settleFromTrailers(headers: ReplyHeaders): void {
    if (done) return;
    const status = readTrailerStatus(first(headers['grpc-status']), first(headers['grpc-message']), first(headers[STATUS_DETAILS_KEY]));
    copyMetadata(headers, metadata);
    let error: GatewayError | undefined;
    if (status === undefined) error = missingStatusError(httpStatus);
    else if (status.code !== Code.OK) error = statusToGatewayError({ ...status, metadata: { ...metadata } });
    else if (pending > 0) error = localError(Code.INTERNAL, 'Incomplete message frame received');
    done = true;
    sink.finish(error, metadata);
  }

  /**
   * Cuts complete messages out of what arrived. Chunks are joined only once a whole message
   * is there (a large message comes in many 16 KiB frames). Returns an error when a message is
   * unacceptable.
   */
  function read(chunk: Buffer): GatewayError | undefined {
    chunks.push(chunk);
    pending += chunk.length;
    while (pending >= 5) {
      if (frameLength < 0) {
        const prefix = chunks[0].length >= 5 ? chunks[0] : flatten();
        if (prefix[0] !== 0) return localError(Code.INTERNAL, 'Received a compressed message, but no compression was negotiated');
        const length = prefix.readUInt32BE(1);
        if (length > maxMessageBytes) return localError(Code.RESOURCE_EXHAUSTED, `Received message larger than max (${length} vs ${maxMessageBytes})`);
        frameLength = length;
      }
      const total = 5 + frameLength;
      if (pending < total) break;
      const buffer = chunks.length === 1 ? chunks[0] : flatten();
      const rest = buffer.subarray(total);
      chunks = rest.length > 0 ? [rest] : [];
      pending = rest.length;
      frameLength = -1;
      sink.message(buffer.subarray(5, total));
      if (done) return undefined;
    }
    return undefined;
  }

  function flatten(): Buffer {
    const joined = Buffer.concat(chunks, pending);
    chunks = [joined];
    return joined;
  }

  /**
   * Grants the backend what the consumer has room for: `maxBufferedBytes` less what waits for
   * it (whole messages) and what is half received; when nothing waits for the consumer, at
   * least what completes the message under way (one larger than the whole buffer must still
   * arrive). Grants go out once they reach half the buffer, or, when the consumer has nothing
   * to read, as soon as the backend's window is below half the buffer or too small for the
   * message under way (the consumer would wait for them): few WINDOW_UPDATEs, never a stall.
   */
  function grant(): void {
    if (done) return;
    const queued = sink.buffered;
    const need = frameLength >= 0 ? 5 + frameLength - pending : 0;
    let want = maxBufferedBytes - queued - pending;
    if (queued === 0) want = Math.max(want, need);
    const more = want - h2.window;
    if (more <= 0) return;
    const window = h2.window;
    if (more >= maxBufferedBytes / 2 || (queued === 0 && (window < maxBufferedBytes / 2 || window < need))) h2.grant(more);
  }

  return {
    write(message) {
      if (done) return Promise.resolve();
      const frame = Buffer.allocUnsafe(5 + message.length);
      frame[0] = 0;
      frame.writeUInt32BE(message.length, 1);
      frame.set(message, 5);
      if (replay) {
        replayBytes += frame.length;
        if (replayBytes <= REPLAY_LIMIT) replay.push(frame);
        else replay = undefined;
      }
      if (h2.send(frame, false)) return Promise.resolve();
      return new Promise<void>((resolve) => sendWaiters.push(resolve));
    },
    end() {
      endSent = true;
      if (!done) h2.send(EMPTY, true);
    },
    cancel() {
      if (done) return;
      done = true;
      h2.cancel();
    },
    consumed() {
      grant();
    },
    get receiving() {
      return pending;
    },
  };
}
