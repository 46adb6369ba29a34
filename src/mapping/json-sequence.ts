/**
 * A streamed request body as the JSON values it carries, one request message each: values
 * concatenated, or separated by whitespace or newlines (NDJSON), as grpc-gateway reads the body
 * of a client- or bidi-streaming call. The body arrives in chunks cut anywhere (inside a value,
 * inside a string, inside a UTF-8 character), so the splitter keeps its scanning state across
 * chunks and hands out each value's text as soon as its last byte arrived: a message goes to the
 * backend while the rest of the body is still on its way.
 *
 * It only finds where values end (brackets and strings); JSON.parse judges each value, so a
 * malformed one is reported by the parser with its own message.
 */
import { StringDecoder } from 'node:string_decoder';
import { Code, gatewayError, GatewayReason } from '../core/gateway-error.js';

export interface JsonSequenceSplitter {
  /**
   * Takes the next chunk of the body; returns the texts of the values it completed, in order.
   * @throws GatewayError RESOURCE_EXHAUSTED (PAYLOAD_TOO_LARGE) when one value grows past the limit.
   */
  push(chunk: Uint8Array): string[];
  /** The body ended: the value still open, if any (cut short, so JSON.parse will refuse it). */
  end(): string[];
}

const enum Scan {
  /** Between values: whitespace is skipped. */
  Between,
  /** Inside an object or array. */
  Container,
  /** Inside a top-level string. */
  TopString,
  /** Inside a top-level number or literal (true, false, null): it ends at whitespace or a bracket. */
  Scalar,
}

/** Creates a splitter; a single value longer than `maxValueBytes` (UTF-16 units, close enough) is refused. */
export function createJsonSequenceSplitter(maxValueBytes: number): JsonSequenceSplitter {
  const decoder = new StringDecoder('utf8');
  /** Text of the value being read (from its first character). */
  let pending = '';
  let scan = Scan.Between;
  let depth = 0;
  let inString = false;
  let escaped = false;

  function feed(text: string): string[] {
    const values: string[] = [];
    // Where the current value started in `pending + text` terms: values complete inside this
    // chunk are cut out of it without copying the pending prefix more than once.
    let buffer = pending + text;
    let start = scan === Scan.Between ? -1 : 0;
    let i = pending.length;
    for (; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      switch (scan) {
        case Scan.Between:
          if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
          start = i;
          if (c === 0x7b || c === 0x5b) {
            scan = Scan.Container;
            depth = 1;
            inString = false;
          } else if (c === 0x22) {
            scan = Scan.TopString;
            escaped = false;
          } else if (c === 0x7d || c === 0x5d) {
            // A stray closing bracket: a value of its own, which JSON.parse refuses.
            values.push(buffer[i]!);
            start = -1;
          } else {
            scan = Scan.Scalar;
          }
          break;
        case Scan.Container:
          if (inString) {
            if (escaped) escaped = false;
            else if (c === 0x5c) escaped = true;
            else if (c === 0x22) inString = false;
          } else if (c === 0x22) {
            inString = true;
          } else if (c === 0x7b || c === 0x5b) {
            depth++;
          } else if (c === 0x7d || c === 0x5d) {
            if (--depth === 0) {
              values.push(buffer.slice(start, i + 1));
              scan = Scan.Between;
              start = -1;
            }
          }
          break;
        case Scan.TopString:
          if (escaped) escaped = false;
          else if (c === 0x5c) escaped = true;
          else if (c === 0x22) {
            values.push(buffer.slice(start, i + 1));
            scan = Scan.Between;
            start = -1;
          }
          break;
        case Scan.Scalar:
          if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x7b || c === 0x5b || c === 0x22) {
            values.push(buffer.slice(start, i));
            scan = Scan.Between;
            start = -1;
            i--; // the character that ended the scalar starts what follows
          }
          break;
      }
    }
    pending = start === -1 ? '' : buffer.slice(start);
    buffer = '';
    if (pending.length > maxValueBytes) {
      throw gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.PAYLOAD_TOO_LARGE, `a message of the streamed body is larger than the ${maxValueBytes} bytes accepted`, {});
    }
    return values;
  }

  return {
    push: (chunk) => feed(decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))),
    end() {
      const values = feed(decoder.end());
      if (pending !== '') values.push(pending);
      pending = '';
      scan = Scan.Between;
      return values;
    },
  };
}
