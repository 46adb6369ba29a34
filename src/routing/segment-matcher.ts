/**
 * What one raw path segment (still percent-encoded, cut at '/') holds: its decoded text, the
 * values of a mixed segment's parameters (`{id}.json`), and the value of a variable that spans
 * segments. Matching works on raw text so that an encoded character never acts as a separator:
 * `%2F` never splits segments, and `%2E` never ends `{name}` in `{name}.json`.
 *
 * Hot path: no regular expressions, one pass over the text.
 */
import type { SegmentPart } from './path-template.js';

/** The segment decoded once (`decodeURIComponent`), or undefined when its escapes are malformed. */
export function decodeSegment(raw: string): string | undefined {
  if (raw.indexOf('%') === -1) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * A multi-segment variable's value (`{path=**}`, `{name=shelves/*\/books/*}`): '/' between its
 * segments, each segment decoded except the characters RFC 6570 reserves, whose escapes stay as
 * sent (`%2F` stays `%2F`). This is Envoy's transcoder (grpc-httpjson-transcoding
 * `ExtractBindingsFromPath`) and grpc-gateway v2's default unescaping mode, and what
 * google/api/http.proto asks of the server for `{+var}` variables.
 * @returns undefined when an escape is malformed (no `%XX`, or bytes that are not UTF-8).
 */
export function decodeKeepingReserved(raw: string): string | undefined {
  if (raw.indexOf('%') === -1) return raw;
  let out = '';
  let i = 0;
  while (i < raw.length) {
    if (raw.charCodeAt(i) !== 37 /* % */) {
      const next = raw.indexOf('%', i);
      const stop = next === -1 ? raw.length : next;
      out += raw.slice(i, stop);
      i = stop;
      continue;
    }
    // A run of escapes that are not reserved ASCII is decoded together (UTF-8 spans escapes).
    let j = i;
    while (j < raw.length && raw.charCodeAt(j) === 37) {
      const byte = hexByte(raw, j + 1);
      if (byte === -1) return undefined;
      if (byte < 128 && RESERVED[byte]) break;
      j += 3;
    }
    if (j > i) {
      try {
        out += decodeURIComponent(raw.slice(i, j));
      } catch {
        return undefined;
      }
      i = j;
    } else {
      out += raw.slice(i, i + 3);
      i += 3;
    }
  }
  return out;
}

/** RFC 6570 reserved characters (gen-delims and sub-delims): ! # $ & ' ( ) * + , / : ; = ? @ [ ] */
const RESERVED: boolean[] = Array.from({ length: 128 }, (_, c) => "!#$&'()*+,/:;=?@[]".includes(String.fromCharCode(c)));

function hexByte(s: string, at: number): number {
  if (at + 1 >= s.length) return -1;
  const hi = hexDigit(s.charCodeAt(at));
  const lo = hexDigit(s.charCodeAt(at + 1));
  return hi === -1 || lo === -1 ? -1 : hi * 16 + lo;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Matches a mixed segment's parts against one raw segment. Literal text is found as written
 * (undecoded); a parameter followed by text ends at the first occurrence of that text, except
 * that the segment's last text must end the segment (`{name}.json` on `a.b.json` gives `a.b`,
 * `{id}:cancel` on `a:b:cancel` gives `a:b`); every value is non-empty and at most `maxLength`
 * raw characters. No backtracking: the cost is one scan of the segment.
 * @returns the raw (still encoded) values in part order, or undefined.
 */
export function matchMixedSegment(raw: string, parts: readonly SegmentPart[], maxLength: number): string[] | undefined {
  const values: string[] = [];
  let pos = 0;
  let limit = raw.length;
  const lastPart = parts[parts.length - 1];
  const firstPart = parts[0];
  if (firstPart.text !== undefined) {
    if (!raw.startsWith(firstPart.text)) return undefined;
    pos = firstPart.text.length;
  }
  if (lastPart.text !== undefined && parts.length > 1) {
    if (!raw.endsWith(lastPart.text)) return undefined;
    limit = raw.length - lastPart.text.length;
    if (limit < pos) return undefined;
  }
  const first = firstPart.text !== undefined ? 1 : 0;
  const stop = lastPart.text !== undefined && parts.length > 1 ? parts.length - 1 : parts.length;
  for (let k = first; k < stop; k++) {
    const part = parts[k];
    if (part.text !== undefined) {
      // Only reached when the text follows a parameter that found it already.
      continue;
    }
    const following = k + 1 < stop ? parts[k + 1].text : undefined;
    let end: number;
    if (following === undefined) end = limit;
    else {
      end = raw.indexOf(following, pos + 1);
      if (end === -1 || end + following.length > limit) return undefined;
    }
    if (end <= pos || end - pos > maxLength) return undefined;
    values.push(raw.slice(pos, end));
    pos = following === undefined ? end : end + following.length;
  }
  return pos === limit ? values : undefined;
}
