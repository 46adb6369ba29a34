/**
 * Option values read from the `.proto` text ourselves, because protobufjs cannot parse some
 * aggregate values Confluent's tooling writes (a list of messages, as in
 * `[(confluent.field_meta) = { params: [ { key: "k", value: "v" } ] }]`) and loses the kind of
 * the others (an enum name and a string look the same after parsing).
 *
 * Before protobufjs sees the text, every option value is swapped for a placeholder string;
 * the real value is parsed here, in text-format syntax, and put back when printing.
 */

export type OptionValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number' | 'bool' | 'enum'; readonly text: string }
  | { readonly kind: 'map'; readonly entries: ReadonlyArray<readonly [string, OptionValue]> }
  | { readonly kind: 'list'; readonly items: readonly OptionValue[] };

const PLACEHOLDER = /^__prism_opt_(\d+)__$/;

export interface ExtractedOptions {
  /** The text with each option value replaced by a placeholder string literal. */
  readonly text: string;
  readonly values: readonly OptionValue[];
}

/** The option value a placeholder stands for, or undefined for any other value. */
export function placeholderValue(extracted: ExtractedOptions, value: unknown): OptionValue | undefined {
  if (typeof value !== 'string') return undefined;
  const m = PLACEHOLDER.exec(value);
  return m === null ? undefined : extracted.values[Number(m[1])];
}

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  /** Skips whitespace and comments; returns the next significant char ('' at the end). */
  skip(): string {
    const t = this.text;
    for (;;) {
      while (this.pos < t.length && /\s/.test(t[this.pos]!)) this.pos++;
      if (t.startsWith('//', this.pos)) {
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl === -1 ? t.length : nl + 1;
      } else if (t.startsWith('/*', this.pos)) {
        const end = t.indexOf('*/', this.pos + 2);
        this.pos = end === -1 ? t.length : end + 2;
      } else {
        return t[this.pos] ?? '';
      }
    }
  }

  /** Moves past a string literal starting at pos; returns its raw text. */
  string(): string {
    const t = this.text;
    const quote = t[this.pos]!;
    const start = this.pos++;
    while (this.pos < t.length && t[this.pos] !== quote) this.pos += t[this.pos] === '\\' ? 2 : 1;
    this.pos++;
    return t.slice(start, this.pos);
  }
}

/** Raw text of one option value starting at the cursor: balanced for aggregates and lists. */
function captureValue(c: Cursor): string {
  const start = c.pos;
  let depth = 0;
  for (;;) {
    const ch = c.skip();
    if (ch === '') break;
    if (ch === '"' || ch === "'") {
      c.string();
      continue;
    }
    if (ch === '{' || ch === '[' || ch === '<') depth++;
    else if (ch === '}' || ch === ']' || ch === '>') {
      if (depth === 0) break;
      depth--;
      c.pos++;
      if (depth === 0 && (ch === '}' || ch === '>')) break;
      continue;
    } else if (depth === 0 && (ch === ',' || ch === ';')) break;
    c.pos++;
  }
  return c.text.slice(start, c.pos).trim();
}

/**
 * Replaces every option value (after `option NAME =` and inside `[...]` field/enum-value
 * option lists) by a placeholder; field tags and enum numbers are left alone.
 */
export function extractOptionValues(text: string): ExtractedOptions {
  const c = new Cursor(text);
  const values: OptionValue[] = [];
  let out = '';
  let copied = 0;
  let inOptionStatement = false;
  let bracketDepth = 0;
  let lastSignificant = ';';
  for (;;) {
    const ch = c.skip();
    if (ch === '') break;
    if (ch === '"' || ch === "'") {
      c.string();
      lastSignificant = '"';
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(c.pos, c.pos + 64));
    if (word !== null) {
      // `option` is a statement keyword only at the start of a statement (not a field name).
      if (word[0] === 'option' && (lastSignificant === ';' || lastSignificant === '{' || lastSignificant === '}')) inOptionStatement = true;
      c.pos += word[0].length;
      lastSignificant = 'a';
      continue;
    }
    if (ch === '[' && !inOptionStatement) bracketDepth++;
    else if (ch === ']' && bracketDepth > 0) bracketDepth--;
    else if (ch === ';') inOptionStatement = false;
    if (ch === '=' && (inOptionStatement || bracketDepth > 0)) {
      c.pos++;
      c.skip();
      const valueStart = c.pos;
      const raw = captureValue(c);
      out += `${text.slice(copied, valueStart)}"__prism_opt_${values.length}__"`;
      copied = c.pos;
      values.push(parseOptionValue(raw));
      lastSignificant = '"';
      continue;
    }
    lastSignificant = ch;
    c.pos++;
  }
  return { text: out + text.slice(copied), values };
}

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
