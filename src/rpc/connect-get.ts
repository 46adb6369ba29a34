/**
 * A Connect unary GET (connectrpc.com/docs/protocol, "Unary-Get-Request"): the request message
 * travels in the query, for methods without side effects, so browsers and CDNs can cache it.
 * `message` holds the payload (percent-encoded text, or URL-safe base64 with `base64=1`),
 * `encoding` the codec, `compression` an optional content coding, `connect=v1` the protocol
 * version (optional, as connect-go accepts it; any other value is refused). Other parameters are
 * allowed and ignored, in any order.
 */
import { Code, GatewayError, GatewayReason } from '../core/gateway-error.js';

export type ConnectCodec = 'json' | 'proto';

export interface ConnectGetRequest {
  codec: ConnectCodec;
  /** The payload as sent, still compressed when `compression` says so. */
  message: Uint8Array;
  /** The `compression` parameter when given (decompress() decides whether it is supported). */
  compression?: string;
}

/** URL-safe base64 (RFC 4648 §5), padding optional; a length of 1 mod 4 cannot be base64. */
const URL_SAFE_BASE64 = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Reads a Connect GET's query (as URLSearchParams, so `message` is already percent-decoded).
 * @throws GatewayError INVALID_ARGUMENT: reason BAD_REQUEST for a missing `encoding` or `message`
 * or a `connect` other than `v1`; UNSUPPORTED_MEDIA_TYPE for an encoding other than json and
 * proto (the spec answers an unsupported codec with 415); MALFORMED_BODY for a `message` that is
 * not URL-safe base64 under `base64=1`, or binary data sent without it.
 */
export function parseConnectGet(query: URLSearchParams): ConnectGetRequest {
  const version = query.get('connect');
  if (version !== null && version !== 'v1') {
    throw badRequest(`connect must be "v1": got "${version}"`, 'connect', version);
  }
  const encoding = query.get('encoding');
  if (encoding === null) throw badRequest('missing encoding parameter', 'encoding', '');
  const raw = query.get('message');
  if (raw === null) throw badRequest('missing message parameter', 'message', '');
  if (encoding !== 'json' && encoding !== 'proto') {
    throw new GatewayError(Code.INVALID_ARGUMENT, `invalid message encoding: "${encoding}" (supported: json, proto)`, {
      reason: GatewayReason.UNSUPPORTED_MEDIA_TYPE,
      metadata: { param: 'encoding', value: encoding, supported: 'json,proto' },
    });
  }
  // "If Base64-Query is present, the value of the parameter should be one. Other values ... will
  // simply be ignored."
  const base64 = query.get('base64') === '1';
  let message: Uint8Array;
  if (base64) {
    if (!URL_SAFE_BASE64.test(raw) || raw.replace(/=+$/, '').length % 4 === 1) {
      throw malformed('message is not URL-safe base64 (base64=1)', raw);
    }
    message = Buffer.from(raw, 'base64url');
  } else {
    // Percent-decoding has already turned bytes that are not UTF-8 into U+FFFD, so binary data
    // (a proto payload, compressed bytes) cannot be recovered exactly: the spec requires base64
    // for it, and a replacement character in such a payload means it was sent without.
    if ((encoding === 'proto' || query.has('compression')) && raw.includes('\uFFFD')) {
      throw malformed('a binary message must be sent as URL-safe base64 with base64=1', raw);
    }
    message = Buffer.from(raw, 'utf8');
  }
  const compression = query.get('compression');
  return compression === null ? { codec: encoding, message } : { codec: encoding, message, compression };
}

function badRequest(message: string, param: string, value: string): GatewayError {
  return new GatewayError(Code.INVALID_ARGUMENT, message, { reason: GatewayReason.BAD_REQUEST, metadata: { param, value } });
}

function malformed(message: string, value: string): GatewayError {
  const shown = value.length > 64 ? value.slice(0, 61) + '...' : value;
  return new GatewayError(Code.INVALID_ARGUMENT, message, { reason: GatewayReason.MALFORMED_BODY, metadata: { param: 'message', value: shown } });
}
