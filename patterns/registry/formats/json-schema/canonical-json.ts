/**
 * The compact JSON text Confluent stores for a JSON Schema: Jackson's re-serialisation of the
 * parsed tree (confluent-sr-api.md §3.2). Key order is kept (or sorted, for `normalize`);
 * numbers keep their written form the way Jackson keeps them with exact BigDecimals — an
 * integer prints as digits, a float as `BigDecimal.toString()` (`1.50` stays `1.50`, `1e5`
 * becomes `1E+5`) — which JSON.stringify cannot do.
 */

type Tree =
  | { readonly t: 'object'; readonly entries: Map<string, Tree> }
  | { readonly t: 'array'; readonly items: Tree[] }
  | { readonly t: 'raw'; readonly text: string };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;
const WS = /[ \t\n\r]*/y;

/** Java's `BigDecimal.toString()` of a JSON float literal. */
export function bigDecimalText(literal: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (m === null) return literal;
  const frac = m[3] ?? '';
  const coeff = `${m[2]}${frac}`.replace(/^0+(?=\d)/, '');
  const scale = frac.length - Number(m[4] ?? '0');
  const negative = m[1] === '-' && /[1-9]/.test(coeff);
  const adjusted = -scale + (coeff.length - 1);
  let body: string;
  if (scale >= 0 && adjusted >= -6) {
    if (scale === 0) body = coeff;
    else if (coeff.length > scale) body = `${coeff.slice(0, coeff.length - scale)}.${coeff.slice(coeff.length - scale)}`;
    else body = `0.${'0'.repeat(scale - coeff.length)}${coeff}`;
  } else {
    body = coeff.length > 1 ? `${coeff[0]}.${coeff.slice(1)}` : coeff;
    if (adjusted !== 0) body += `E${adjusted > 0 ? '+' : ''}${adjusted}`;
  }
  return negative ? `-${body}` : body;
}

/** JSON.stringify escapes the same characters as Jackson, but Jackson writes `\u001F`, not `\u001f`. */
function jacksonString(value: string): string {
  return JSON.stringify(value).replace(/(\\+)u([0-9a-f]{4})/g, (m, slashes: string, hex: string) => (slashes.length % 2 === 1 ? `${slashes}u${hex.toUpperCase()}` : m));
}

class Reader {
  private pos = 0;
  constructor(private readonly text: string) {}

  private match(re: RegExp): string | null {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (m === null) return null;
    this.pos = re.lastIndex;
    return m[0];
  }

  private ws(): void {
    this.match(WS);
  }

  read(): Tree {
    this.ws();
    const ch = this.text[this.pos];
    if (ch === '{') {
      this.pos++;
      const entries = new Map<string, Tree>();
      this.ws();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return { t: 'object', entries };
      }
      for (;;) {
        this.ws();
        const key = JSON.parse(this.match(STRING)!) as string;
        this.ws();
        this.pos++; // ':'
        // A repeated key keeps its first position and its last value, as in Jackson.
        entries.set(key, this.read());
        this.ws();
        if (this.text[this.pos++] === '}') return { t: 'object', entries };
      }
    }
    if (ch === '[') {
      this.pos++;
      const items: Tree[] = [];
      this.ws();
      if (this.text[this.pos] === ']') {
        this.pos++;
        return { t: 'array', items };
      }
      for (;;) {
        items.push(this.read());
        this.ws();
        if (this.text[this.pos++] === ']') return { t: 'array', items };
      }
    }
    if (ch === '"') return { t: 'raw', text: jacksonString(JSON.parse(this.match(STRING)!) as string) };
    const num = this.match(NUMBER);
    if (num !== null) {
      const integral = !/[.eE]/.test(num);
      return { t: 'raw', text: integral ? BigInt(num).toString() : bigDecimalText(num) };
    }
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return { t: 'raw', text: word };
      }
    }
    throw new Error(`unexpected character at ${this.pos}`);
  }
}

function print(tree: Tree, sortKeys: boolean): string {
  switch (tree.t) {
    case 'raw': return tree.text;
    case 'array': return `[${tree.items.map((i) => print(i, sortKeys)).join(',')}]`;
    case 'object': {
      let entries = [...tree.entries];
      if (sortKeys) entries = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${jacksonString(k)}:${print(v, sortKeys)}`).join(',')}}`;
    }
  }
}

/**
 * Canonical (`sortKeys` false) or normalized (true) text of JSON text that JSON.parse has
 * already accepted.
 */
export function compactJson(text: string, sortKeys: boolean): string {
  return print(new Reader(text).read(), sortKeys);
}
