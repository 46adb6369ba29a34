/** WebSocket close codes the gateway sends (RFC 6455 §7.4) and the close reason's limit. */

export const WebSocketClose = {
  NORMAL: 1000,
  /** The gateway is shutting down. */
  GOING_AWAY: 1001,
  /** 4000 + the gRPC code: the session ended with that status (DESIGN.md §8). */
  STATUS_BASE: 4000,
} as const;

/** A close frame's payload is at most 125 bytes, two of them the code (RFC 6455 §5.5). */
export const MAX_CLOSE_REASON_BYTES = 123;

/** `text` cut to at most 123 UTF-8 bytes, never inside a character. */
export function closeReason(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return text;
  let end = MAX_CLOSE_REASON_BYTES;
  // Step back over continuation bytes (10xxxxxx) to the start of the character cut through.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
