/**
 * Option values in protobuf text-format syntax, parsed from the raw value text that
 * source-scan.ts cut out of the `.proto` source: strings (adjacent literals concatenated),
 * numbers and identifiers as written, aggregates `{ k: v }` / `< >`, and lists `[a, b]`.
 * A repeated aggregate key collects its values into a list, as wire's option reader does.
 */

export type OptionValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number' | 'bool' | 'enum'; readonly text: string }
  | { readonly kind: 'map'; readonly entries: ReadonlyArray<readonly [string, OptionValue]> }
  | { readonly kind: 'list'; readonly items: readonly OptionValue[] };

const TOKEN = /\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[{}[\]<>:,;]|[^\s{}[\]<>:,;"']+/g;

function tokenize(raw: string): string[] {
  const out: string[] = [];
  for (const m of raw.matchAll(TOKEN)) {
    const t = m[0];
    if (/^\s/.test(t) || t.startsWith('//') || t.startsWith('/*')) continue;
    out.push(t);
  }
  return out;
}

function unquote(token: string): string {
  const body = token.slice(1, token.endsWith(token[0]!) && token.length > 1 ? -1 : undefined);
  return body.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'a': return '\u0007';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'v': return '\v';
      case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
      case 'u': return String.fromCharCode(parseInt(e.slice(1), 16));
      default: return /^[0-7]/.test(e) ? String.fromCharCode(parseInt(e, 8)) : e;
    }
  });
}

class ValueParser {
  private i = 0;
  constructor(private readonly tokens: string[]) {}

  private peek(): string | undefined {
    return this.tokens[this.i];
  }

  value(): OptionValue {
    const t = this.tokens[this.i++];
    if (t === undefined) return { kind: 'string', value: '' };
    if (t.startsWith('"') || t.startsWith("'")) {
      // Adjacent string literals concatenate, as in protobuf text format.
      let value = unquote(t);
      while (this.peek()?.startsWith('"') || this.peek()?.startsWith("'")) value += unquote(this.tokens[this.i++]!);
      return { kind: 'string', value };
    }
    if (t === '{' || t === '<') return this.map(t === '{' ? '}' : '>');
    if (t === '[') {
      const items: OptionValue[] = [];
      while (this.peek() !== undefined && this.peek() !== ']') {
        items.push(this.value());
        if (this.peek() === ',') this.i++;
      }
      this.i++;
      return { kind: 'list', items };
    }
    if (t === 'true' || t === 'false') return { kind: 'bool', text: t };
    if (/^[-+]?(\d|\.\d|inf|nan)/i.test(t)) return { kind: 'number', text: t };
    return { kind: 'enum', text: t };
  }

  private map(close: string): OptionValue {
    const entries: Array<[string, OptionValue]> = [];
    while (this.peek() !== undefined && this.peek() !== close) {
      let key = this.tokens[this.i++]!;
      if (key === '[') {
        // Extension field key: [pkg.ext]
        const parts: string[] = [];
        while (this.peek() !== undefined && this.peek() !== ']') parts.push(this.tokens[this.i++]!);
        this.i++;
        key = `[${parts.join('')}]`;
      }
      if (this.peek() === ':') this.i++;
      const value = this.value();
      // A repeated key collects its values into a list, as wire's option reader does.
      const existing = entries.findIndex(([k]) => k === key);
      if (existing === -1) entries.push([key, value]);
      else {
        const prev = entries[existing]![1];
        entries[existing] = [key, { kind: 'list', items: prev.kind === 'list' ? [...prev.items, value] : [prev, value] }];
      }
      if (this.peek() === ',' || this.peek() === ';') this.i++;
    }
    this.i++;
    return { kind: 'map', entries };
  }
}

export function parseOptionValue(raw: string): OptionValue {
  return new ValueParser(tokenize(raw)).value();
}
