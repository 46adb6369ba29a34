/**
 * The Connect protocol's streaming envelopes (connectrpc.com/docs/protocol, "Streaming-Request"):
 * one flags byte, a 4-byte big-endian length, the message. Flag 0x01 marks a compressed message,
 * 0x02 the EndStreamResponse that closes every response stream (a JSON object with the error,
 * if any, and the trailing metadata). The other six bits are reserved.
 */
import { Code, GatewayError, GatewayReason } from '../core/gateway-error.js';
import { connectEndStreamError } from './connect-error.js';

export const ENVELOPE_COMPRESSED = 0x01;
export const ENVELOPE_END_STREAM = 0x02;
const PREFIX_BYTES = 5;

/** One decoded envelope: its flags and its message bytes (a view into the body, not a copy). */
export interface Envelope {
  flags: number;
  data: Uint8Array;
}

/** One envelope: `flags`, the length of `payload` (big-endian uint32), `payload`. */
export function encodeEnvelope(flags: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(PREFIX_BYTES + payload.byteLength);
  out[0] = flags;
  out.writeUInt32BE(payload.byteLength, 1);
  out.set(payload, PREFIX_BYTES);
  return out;
}

export interface DecodeEnvelopeOptions {
  /**
   * Accept the end-stream flag (reading a response stream). A request stream must leave it
   * unset (the spec: "Request streams must always leave this bit unset"), so it is refused by
   * default.
   */
  allowEndStream?: boolean;
  /** The largest message accepted; a larger envelope is RESOURCE_EXHAUSTED before its bytes are read. */
  maxMessageBytes?: number;
}

/**
 * Splits a request body into its envelopes.
 * @throws GatewayError INVALID_ARGUMENT (reason MALFORMED_BODY) for a body that ends inside an
 * envelope or an envelope with a reserved flag (or the end-stream flag, unless allowed);
 * RESOURCE_EXHAUSTED (reason PAYLOAD_TOO_LARGE) for a message over `maxMessageBytes`.
 */
export function decodeEnvelopes(body: Uint8Array, options: DecodeEnvelopeOptions = {}): Envelope[] {
  const allowed = ENVELOPE_COMPRESSED | (options.allowEndStream ? ENVELOPE_END_STREAM : 0);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const envelopes: Envelope[] = [];
  let offset = 0;
  while (offset < body.byteLength) {
    if (body.byteLength - offset < PREFIX_BYTES) {
      throw malformed(`protocol error: incomplete envelope: ${body.byteLength - offset} of the 5 prefix bytes`, offset);
    }
    const flags = body[offset];
    const size = view.getUint32(offset + 1);
    if ((flags & ~allowed) !== 0) {
      throw malformed(`protocol error: invalid envelope flags ${flags}`, offset);
    }
    if (options.maxMessageBytes !== undefined && size > options.maxMessageBytes) {
      throw new GatewayError(Code.RESOURCE_EXHAUSTED, `message size ${size} is larger than configured max ${options.maxMessageBytes}`, {
        reason: GatewayReason.PAYLOAD_TOO_LARGE,
        metadata: { size: String(size), limit: String(options.maxMessageBytes) },
      });
    }
    const start = offset + PREFIX_BYTES;
    const available = body.byteLength - start;
    if (available < size) {
      throw malformed(`protocol error: promised ${size} bytes in enveloped message, got ${available} bytes`, offset);
    }
    envelopes.push({ flags, data: body.subarray(start, start + size) });
    offset = start + size;
  }
  return envelopes;
}

function malformed(message: string, offset: number): GatewayError {
  return new GatewayError(Code.INVALID_ARGUMENT, message, { reason: GatewayReason.MALFORMED_BODY, metadata: { offset: String(offset) } });
}

/** The JSON of an EndStreamResponse: `error` only when the call failed, `metadata` only when there is some. */
export interface EndStreamMessage {
  error?: ReturnType<typeof connectEndStreamError>;
  metadata?: Record<string, string[]>;
}

/**
 * The envelope that ends a response stream (flags 0x02): `{}` after success, `{"error":…}`
 * after a failure, with the trailers as `"metadata": {"name": ["value"]}` (the spec models
 * trailing metadata as lists of strings; names are lower-case like HTTP/2 headers).
 */
export function endStreamEnvelope(error?: GatewayError, trailers?: Record<string, string>): Buffer {
  const message: EndStreamMessage = {};
  if (error) message.error = connectEndStreamError(error);
  const names = Object.keys(trailers ?? {});
  if (names.length > 0) {
    const metadata: Record<string, string[]> = {};
    for (const name of names) (metadata[name.toLowerCase()] ??= []).push(trailers![name]);
    message.metadata = metadata;
  }
  return encodeEnvelope(ENVELOPE_END_STREAM, Buffer.from(JSON.stringify(message)));
}
