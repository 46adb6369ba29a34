/**
 * Request decompression for gRPC-Web and Connect: `identity` and `gzip` (what connect-go and
 * connect-es register by default). Decompression is bounded: a small body that inflates past
 * the message limit is refused once the limit is reached, never inflated whole (a gzip bomb
 * costs at most `maxBytes` of memory).
 */
import { gunzipSync } from 'node:zlib';
import { Code, GatewayError, GatewayReason } from '../core/gateway-error.js';

/** The content codings the gateway reads, in the order error messages list them. */
export const SUPPORTED_ENCODINGS: readonly string[] = ['gzip', 'identity'];

/** True for an encoding `decompress` reads (absent or empty means identity). */
export function isSupportedEncoding(encoding: string | undefined): boolean {
  return encoding === undefined || encoding === '' || SUPPORTED_ENCODINGS.includes(encoding);
}

/**
 * `data` decoded from `encoding` (undefined or empty: identity). Zero-length data is never
 * decompressed (the Connect spec: "Servers must not attempt to decompress zero-length" content).
 * @throws GatewayError UNIMPLEMENTED (reason UNSUPPORTED_MEDIA_TYPE) for an encoding other than
 * identity and gzip, listing those; RESOURCE_EXHAUSTED (reason PAYLOAD_TOO_LARGE) when the
 * result would exceed `maxBytes`; INVALID_ARGUMENT (reason MALFORMED_BODY) for data that is not
 * valid gzip.
 */
export function decompress(encoding: string | undefined, data: Uint8Array, maxBytes: number): Uint8Array {
  if (!isSupportedEncoding(encoding)) {
    throw new GatewayError(Code.UNIMPLEMENTED, `unknown compression "${encoding}": supported encodings are ${SUPPORTED_ENCODINGS.join(', ')}`, {
      reason: GatewayReason.UNSUPPORTED_MEDIA_TYPE,
      metadata: { encoding: encoding ?? '', supported: SUPPORTED_ENCODINGS.join(',') },
    });
  }
  if (encoding === undefined || encoding === '' || encoding === 'identity' || data.byteLength === 0) {
    if (data.byteLength > maxBytes) throw tooLarge(maxBytes);
    return data;
  }
  let inflated: Buffer;
  try {
    // zlib stops at maxOutputLength and throws ERR_BUFFER_TOO_LARGE; it never allocates past it
    // (it needs a limit of at least 1, hence the check after for a limit of 0).
    inflated = gunzipSync(data, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
    throw new GatewayError(Code.INVALID_ARGUMENT, `decompress: ${(err as Error).message}`, { reason: GatewayReason.MALFORMED_BODY, metadata: { encoding } });
  }
  if (inflated.byteLength > maxBytes) throw tooLarge(maxBytes);
  return inflated;
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError(Code.RESOURCE_EXHAUSTED, `message is larger than configured max ${maxBytes}`, {
    reason: GatewayReason.PAYLOAD_TOO_LARGE,
    metadata: { limit: String(maxBytes) },
  });
}
