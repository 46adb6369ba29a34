/**
 * HPACK (RFC 7541), as much as a gRPC client needs: a decoder for what servers send (indexed
 * fields, literals, the dynamic table, Huffman-coded strings) and an encoder that writes
 * every field as a literal without indexing, so the client keeps no table in step with the
 * server's decoder.
 */

/** Appendix A: the static table, index 1 first. */
const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

/**
 * Appendix B, as code lengths of symbols 0–255 (EOS, symbol 256, is 30 bits). The code is
 * canonical: codes follow from the lengths, assigned in order of (length, symbol).
 */
const HUFFMAN_LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
];
const EOS = 256;

/**
 * The Huffman decoding tree, flattened: node n's children are at 2n (bit 0) and 2n + 1
 * (bit 1); a positive entry is the next node, a negative one -(symbol + 1), 0 no code.
 */
const HUFFMAN_TREE = (() => {
  const lengths = [...HUFFMAN_LENGTHS, 30];
  const order = lengths.map((_, symbol) => symbol).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const tree: number[] = [0, 0];
  let code = 0;
  let previous = lengths[order[0]];
  for (let k = 0; k < order.length; k++) {
    const symbol = order[k];
    if (k > 0) code = (code + 1) * 2 ** (lengths[symbol] - previous);
    previous = lengths[symbol];
    let node = 0;
    for (let bit = lengths[symbol] - 1; bit >= 0; bit--) {
      const slot = 2 * node + (Math.floor(code / 2 ** bit) & 1);
      if (bit === 0) {
        tree[slot] = -(symbol + 1);
      } else {
        if (tree[slot] === 0) {
          tree[slot] = tree.length / 2;
          tree.push(0, 0);
        }
        node = tree[slot];
      }
    }
  }
  return Int32Array.from(tree);
})();

export class HpackError extends Error {
  override readonly name = 'HpackError';
}

/** A decoded header block: [name, value] pairs in order (values as latin1, byte for byte). */
export type HeaderList = (readonly [string, string])[];

/** Decodes header blocks of one connection, in order; the dynamic table lives across blocks. */
export class HpackDecoder {
  /** Newest entry first. */
  readonly #table: [string, string][] = [];
  #size = 0;
  #maxSize: number;
  /** The SETTINGS_HEADER_TABLE_SIZE this side announced: no table update may go above it. */
  readonly #limit: number;

  constructor(limit = 4096) {
    this.#limit = limit;
    this.#maxSize = limit;
  }

  /**
   * Decodes one complete block. `maxListBytes` bounds the decoded header list, counted as
   * RFC 9113 §6.5.2 counts SETTINGS_MAX_HEADER_LIST_SIZE (name + value + 32 per field): a
   * block past it is still decoded to its end, so the dynamic table stays in step with the
   * peer's encoder, but its fields are dropped and `undefined` comes back.
   * @throws HpackError for a malformed block (a connection error, COMPRESSION_ERROR: the
   * table is out of step).
   */
  decode(block: Buffer, maxListBytes = Infinity): HeaderList | undefined {
    const out: HeaderList = [];
    let listBytes = 0;
    let pos = 0;
    let fields = 0;
    while (pos < block.length) {
      const byte = block[pos];
      let name: string;
      let value: string;
      if (byte & 0x80) {
        const [index, next] = readInteger(block, pos, 7);
        pos = next;
        [name, value] = this.#field(index);
      } else if (byte & 0x40 || (byte & 0xe0) === 0) {
        // Literal with incremental indexing (6-bit prefix), without indexing or never indexed (4-bit).
        const indexing = (byte & 0x40) !== 0;
        const [index, afterIndex] = readInteger(block, pos, indexing ? 6 : 4);
        pos = afterIndex;
        if (index === 0) [name, pos] = readString(block, pos);
        else name = this.#field(index)[0];
        [value, pos] = readString(block, pos);
        if (indexing) this.#add(name, value);
      } else {
        // 001xxxxx: a dynamic table size update, only before the block's first field (RFC 7541 §4.2).
        if (fields > 0) throw new HpackError('table size update after a header field');
        const [size, next] = readInteger(block, pos, 5);
        pos = next;
        if (size > this.#limit) throw new HpackError(`table size update to ${size} above the limit ${this.#limit}`);
        this.#maxSize = size;
        this.#evict();
        continue;
      }
      fields++;
      listBytes += name.length + value.length + 32;
      // Past the limit nothing more is kept: a few bytes naming a large table entry again and
      // again must not build a large list.
      if (listBytes <= maxListBytes) out.push([name, value]);
    }
    return listBytes <= maxListBytes ? out : undefined;
  }

  #field(index: number): readonly [string, string] {
    if (index >= 1 && index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1];
    const entry = this.#table[index - STATIC_TABLE.length - 1];
    if (index === 0 || !entry) throw new HpackError(`header index ${index} out of range`);
    return entry;
  }

  #add(name: string, value: string): void {
    const size = entrySize(name, value);
    // An entry larger than the table empties it and is not added (§4.4).
    this.#table.unshift([name, value]);
    this.#size += size;
    this.#evict();
  }

  #evict(): void {
    while (this.#size > this.#maxSize && this.#table.length > 0) {
      const [name, value] = this.#table.pop()!;
      this.#size -= entrySize(name, value);
    }
  }
}

/** §4.1: name and value octets plus 32. */
const entrySize = (name: string, value: string) => name.length + value.length + 32;

/** §5.1: an integer with an N-bit prefix; returns the value and the position after it. */
function readInteger(buf: Buffer, pos: number, prefixBits: number): [number, number] {
  if (pos >= buf.length) throw new HpackError('truncated integer');
  const mask = (1 << prefixBits) - 1;
  let value = buf[pos++] & mask;
  if (value < mask) return [value, pos];
  // Five continuation bytes carry 35 bits, past any value accepted here; more (even of zero
  // bits) are refused rather than read on.
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= buf.length) throw new HpackError('truncated integer');
    const byte = buf[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    if (value > 0xffffffff) throw new HpackError('integer too large');
    if ((byte & 0x80) === 0) return [value, pos];
  }
  throw new HpackError('integer encoded in too many bytes');
}

/** §5.2: a string literal, raw or Huffman-coded. */
function readString(buf: Buffer, pos: number): [string, number] {
  if (pos >= buf.length) throw new HpackError('truncated string');
  const huffman = (buf[pos] & 0x80) !== 0;
  const [length, start] = readInteger(buf, pos, 7);
  const end = start + length;
  if (end > buf.length) throw new HpackError('truncated string');
  return [huffman ? huffmanDecode(buf, start, end) : buf.toString('latin1', start, end), end];
}

/** §5.2 and Appendix B; padding must be the most significant bits of EOS (all ones), < 8 bits. */
export function huffmanDecode(buf: Buffer, start: number, end: number): string {
  let out = '';
  let node = 0;
  let depth = 0;
  let ones = true;
  for (let i = start; i < end; i++) {
    const byte = buf[i];
    for (let bit = 7; bit >= 0; bit--) {
      const b = (byte >> bit) & 1;
      const next = HUFFMAN_TREE[2 * node + b];
      depth++;
      ones &&= b === 1;
      if (next < 0) {
        const symbol = -next - 1;
        if (symbol === EOS) throw new HpackError('EOS in a Huffman string');
        out += String.fromCharCode(symbol);
        node = 0;
        depth = 0;
        ones = true;
      } else if (next === 0) {
        throw new HpackError('invalid Huffman code');
      } else {
        node = next;
      }
    }
  }
  if (depth > 7 || !ones) throw new HpackError('invalid Huffman padding');
  return out;
}

/** Writes header fields as literals without indexing, raw strings (§6.2.2). */
export class HpackEncoder {
  /** Static-table index by name, for a literal with an indexed name. */
  static readonly #nameIndex = new Map(STATIC_TABLE.map(([name], i) => [name, i + 1] as const).reverse());

  /** One field; `name` in lower case, both strings of single-byte characters. */
  static field(name: string, value: string): Buffer {
    const index = HpackEncoder.#nameIndex.get(name) ?? 0;
    const nameBytes = index === 0 ? stringBytes(name) : [];
    const head = integerBytes(index, 4, 0x00);
    return Buffer.concat([Buffer.from(head), Buffer.from(nameBytes), Buffer.from(stringBytes(value))]);
  }

  /** A dynamic table size update (§6.3), to open a block after the peer lowered SETTINGS_HEADER_TABLE_SIZE (§4.2). */
  static tableSizeUpdate(size: number): Buffer {
    return Buffer.from(integerBytes(size, 5, 0x20));
  }

  /** A field that matches a static entry exactly (e.g. `:method: POST`) is one index. */
  static indexed(name: string, value: string): Buffer {
    const index = STATIC_TABLE.findIndex(([n, v]) => n === name && v === value);
    if (index < 0) throw new Error(`no static entry ${name}: ${value}`);
    return Buffer.from(integerBytes(index + 1, 7, 0x80));
  }
}

function integerBytes(value: number, prefixBits: number, pattern: number): number[] {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) return [pattern | value];
  const out = [pattern | mask];
  let rest = value - mask;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}

function stringBytes(text: string): number[] {
  const bytes = Buffer.from(text, 'latin1');
  return [...integerBytes(bytes.length, 7, 0x00), ...bytes];
}
