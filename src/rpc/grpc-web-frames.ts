/**
 * gRPC-Web's body format (gRPC's doc/PROTOCOL-WEB.md): 5-byte length-prefixed frames (flag byte,
 * big-endian uint32 length), a data frame per message (flag 0x00), and a last trailer frame (flag
 * 0x80) whose payload is the trailers as HTTP/1 header lines; the `-text` variants carry the
 * same bytes base64-encoded, where a sender may encode chunk by chunk, so padding may appear
 * inside the body and not only at its end.
 */
import { Code, gatewayError, GatewayReason } from '../core/gateway-error.js';

export const DATA_FLAG = 0x00;
export const TRAILER_FLAG = 0x80;
const COMPRESSED_FLAG = 0x01;

/** One frame: its 5-byte prefix and payload. */
export function encodeFrame(flag: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + payload.length);
  frame[0] = flag;
  frame.writeUInt32BE(payload.length, 1);
  frame.set(payload, 5);
  return frame;
}

/** The trailer frame: lower-case `name: value` lines, each ended by CRLF. */
export function encodeTrailerFrame(trailers: Readonly<Record<string, string>>): Buffer {
  let text = '';
  for (const [name, value] of Object.entries(trailers)) text += `${name.toLowerCase()}: ${value}\r\n`;
  return encodeFrame(TRAILER_FLAG, Buffer.from(text, 'latin1'));
}

/**
 * The single request message of a unary or server-streaming call: exactly one uncompressed
 * data frame.
 * @throws GatewayError INVALID_ARGUMENT (MALFORMED_BODY) for no frame, a truncated one, or more
 *   than one; RESOURCE_EXHAUSTED (PAYLOAD_TOO_LARGE) for a frame announcing more than
 *   `maxMessageBytes`; UNIMPLEMENTED for a compressed frame (only identity is accepted).
 */
export function readRequestMessage(body: Buffer, maxMessageBytes: number): Buffer {
  if (body.length === 0) throw malformed('the request has no message frame');
  if (body.length < 5) throw malformed(`the request's frame is truncated: ${body.length} of a 5-byte prefix`);
  const flag = body[0];
  const length = body.readUInt32BE(1);
  if (length > maxMessageBytes) {
    throw gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.PAYLOAD_TOO_LARGE, `the request message of ${length} bytes is larger than the limit of ${maxMessageBytes}`, { limit: String(maxMessageBytes) });
  }
  if ((flag & TRAILER_FLAG) !== 0) throw malformed('a request carries no trailer frame');
  if ((flag & COMPRESSED_FLAG) !== 0) throw gatewayError(Code.UNIMPLEMENTED, GatewayReason.UNSUPPORTED_MEDIA_TYPE, 'compressed request messages are not supported (grpc-encoding: identity only)', {});
  if (5 + length > body.length) throw malformed(`the request's frame is truncated: ${body.length - 5} of ${length} bytes`);
  if (5 + length < body.length) throw malformed('a unary or server-streaming call takes exactly one request message');
  return body.subarray(5);
}

const BASE64_SEGMENT = /^[A-Za-z0-9+/]*$/;

/**
 * The bytes of a `-text` body: base64, possibly as several padded segments one after the other
 * (a client that encoded chunk by chunk); whitespace is ignored.
 * @throws GatewayError INVALID_ARGUMENT (MALFORMED_BODY) for anything that is not such base64.
 */
export function decodeBase64Body(body: Buffer): Buffer {
  const text = body.toString('latin1').replace(/\s+/g, '');
  const parts: Buffer[] = [];
  let at = 0;
  while (at < text.length) {
    const pad = text.indexOf('=', at);
    let end = pad === -1 ? text.length : pad;
    const chars = text.slice(at, end);
    if (!BASE64_SEGMENT.test(chars)) throw malformed('the -text body is not base64');
    while (end < text.length && text[end] === '=') end++;
    const padding = end - (pad === -1 ? end : pad);
    // A padded segment is a whole number of 4-character groups; an unpadded last one may end
    // short, but never by 1 character (that encodes no byte).
    if (padding > 2 || (padding > 0 && (chars.length + padding) % 4 !== 0) || (padding === 0 && chars.length % 4 === 1)) {
      throw malformed('the -text body is not base64 (bad padding)');
    }
    parts.push(Buffer.from(chars, 'base64'));
    at = end;
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

function malformed(message: string) {
  return gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, message, {});
}
