/**
 * What we read from the `.proto` text ourselves before protobufjs parses it, because
 * protobufjs either rejects it or does not keep it:
 *
 * - Option values. protobufjs cannot parse some aggregates Confluent's tooling writes (a
 *   list of messages: `[(confluent.field_meta) = { params: [ { key: "k", value: "v" } ] }]`),
 *   fails on a custom option set twice or set both whole and by sub-field, and loses value
 *   kinds (an enum name and a string look alike). Every value is swapped for a placeholder
 *   string, and every custom (parenthesised) option name for a unique dummy name, so
 *   protobufjs parses a harmless file; the real name and value are put back from here.
 * - `reserved` and `extensions` statements, one entry per statement as written (protobufjs
 *   merges them and turns `5` into `5 to 5`), keyed by the enclosing type's path. They are
 *   removed from the text: protobufjs rejects a field inside a reserved range, wire does not.
 * - Empty statements (a stray `;`), which wire accepts and protobufjs rejects, are dropped.
 */
import { parseOptionValue, type OptionValue } from './option-values.js';

export interface ScannedOption {
  /** The name as written, whitespace removed: `java_package`, `(confluent.field_meta).doc`. */
  readonly name: string;
  readonly value: OptionValue;
}

/** One entry of a reserved/extensions statement: a number, a range (end may be `max`), a name. */
export type RangeEntry = number | readonly [number, number | 'max'] | string;

export interface ScannedSource {
  /** The text protobufjs parses: option values and custom option names replaced. */
  readonly text: string;
  readonly options: readonly ScannedOption[];
  /** Per type path (`Outer.Inner`): each `reserved` statement's entries, in order. */
  readonly reserved: ReadonlyMap<string, ReadonlyArray<readonly RangeEntry[]>>;
  readonly extensions: ReadonlyMap<string, ReadonlyArray<readonly RangeEntry[]>>;
}

const PLACEHOLDER = /^__prism_opt_(\d+)__$/;
const DUMMY_NAME = /^\(prism_opt_(\d+)\)$/;

/** The scanned option a protobufjs option entry stands for (by dummy name or placeholder). */
export function scannedOption(scan: ScannedSource, name: string, value: unknown): ScannedOption | undefined {
  const byName = DUMMY_NAME.exec(name);
  if (byName !== null) return scan.options[Number(byName[1])];
  const byValue = typeof value === 'string' ? PLACEHOLDER.exec(value) : null;
  return byValue === null ? undefined : scan.options[Number(byValue[1])];
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

  /** Moves past the string literal at pos. */
  string(): void {
    const t = this.text;
    const quote = t[this.pos]!;
    this.pos++;
    while (this.pos < t.length && t[this.pos] !== quote) this.pos += t[this.pos] === '\\' ? 2 : 1;
    this.pos++;
  }

  word(): string | null {
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.text.slice(this.pos, this.pos + 256));
    return m === null ? null : m[0];
  }
}

/** Moves past one option value: balanced for aggregates and lists, else up to `,` `]` `;`. */
function skipValue(c: Cursor): void {
  let depth = 0;
  for (;;) {
    const ch = c.skip();
    if (ch === '') return;
    if (ch === '"' || ch === "'") {
      c.string();
      continue;
    }
    if (ch === '{' || ch === '[' || ch === '<') depth++;
    else if (ch === '}' || ch === ']' || ch === '>') {
      if (depth === 0) return;
      depth--;
      c.pos++;
      if (depth === 0 && (ch === '}' || ch === '>')) return;
      continue;
    } else if (depth === 0 && (ch === ',' || ch === ';')) return;
    c.pos++;
  }
}

function parseRanges(raw: string): RangeEntry[] {
  const out: RangeEntry[] = [];
  for (const part of raw.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const quoted = /^(["'])(.*)\1$/.exec(p);
    if (quoted !== null) {
      out.push(quoted[2]!);
      continue;
    }
    const range = /^(-?\d+)\s+to\s+(max|-?\d+)$/.exec(p);
    if (range !== null) out.push([Number(range[1]), range[2] === 'max' ? 'max' : Number(range[2])]);
    else if (/^-?\d+$/.test(p)) out.push(Number(p));
  }
  return out;
}

const TYPE_KEYWORDS = new Set(['message', 'enum', 'group']);
const SCOPE_KEYWORDS = new Set(['message', 'enum', 'group', 'service', 'extend', 'oneof']);

export function scanSource(text: string): ScannedSource {
  const c = new Cursor(text);
  const options: ScannedOption[] = [];
  const reserved = new Map<string, RangeEntry[][]>();
  const extensions = new Map<string, RangeEntry[][]>();
  let out = '';
  let copied = 0;
  let inOptionStatement = false;
  let bracketDepth = 0;
  let nameStart = -1;
  let atStatementStart = true;
  // Scopes opened by `{`: a type name for message/enum/group, null for anything else.
  const scopes: Array<string | null> = [];
  let pendingKeyword: string | null = null;
  let pendingName: string | null = null;
  const typePath = (): string => scopes.filter((s): s is string => s !== null).join('.');

  for (;;) {
    const ch = c.skip();
    if (ch === '') break;
    const startOfStatement = atStatementStart;
    atStatementStart = false;
    if (ch === '"' || ch === "'") {
      c.string();
      continue;
    }
    const word = c.word();
    if (word !== null) {
      c.pos += word.length;
      // An enum constant may be called `option` or `reserved`: then `=` follows the word.
      const peek = new Cursor(text);
      peek.pos = c.pos;
      const constantName = peek.skip() === '=';
      if (startOfStatement && word === 'option' && !constantName) {
        inOptionStatement = true;
        nameStart = c.pos;
      } else if (startOfStatement && (word === 'reserved' || word === 'extensions') && bracketDepth === 0 && !constantName) {
        const end = text.indexOf(';', c.pos);
        const bracket = text.indexOf('[', c.pos);
        const stop = end === -1 ? text.length : end;
        const raw = text.slice(c.pos, bracket !== -1 && bracket < stop ? bracket : stop).replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
        const table = word === 'reserved' ? reserved : extensions;
        const key = typePath();
        table.set(key, [...(table.get(key) ?? []), parseRanges(raw)]);
        // The statement is kept from protobufjs: it rejects a field inside a reserved range,
        // which wire (and so Confluent) accepts, and we print these statements ourselves.
        out += text.slice(copied, c.pos - word.length);
        c.pos = Math.min(stop + 1, text.length);
        copied = c.pos;
        atStatementStart = true;
        continue;
      } else if ((startOfStatement && SCOPE_KEYWORDS.has(word)) || (word === 'group' && !inOptionStatement && bracketDepth === 0)) {
        // `group` follows its label (`optional group G = 1 {`), the others start a statement.
        pendingKeyword = word;
        pendingName = null;
      } else if (pendingKeyword !== null && pendingName === null) {
        pendingName = word;
      }
      continue;
    }
    if (ch === '{') {
      scopes.push(pendingKeyword !== null && TYPE_KEYWORDS.has(pendingKeyword) ? pendingName : null);
      pendingKeyword = null;
      pendingName = null;
      atStatementStart = true;
    } else if (ch === '}') {
      scopes.pop();
      atStatementStart = true;
    } else if (ch === ';' && startOfStatement && !inOptionStatement && bracketDepth === 0) {
      // An empty statement: wire accepts it, protobufjs does not.
      out += text.slice(copied, c.pos);
      c.pos++;
      copied = c.pos;
      atStatementStart = true;
      continue;
    } else if (ch === ';') {
      inOptionStatement = false;
      pendingKeyword = null;
      atStatementStart = true;
    } else if (ch === '[' && !inOptionStatement) {
      bracketDepth++;
      nameStart = c.pos + 1;
    } else if (ch === ']' && bracketDepth > 0) {
      bracketDepth--;
    } else if (ch === ',' && bracketDepth > 0) {
      nameStart = c.pos + 1;
    } else if (ch === '=' && (inOptionStatement || bracketDepth > 0)) {
      const rawName = text.slice(nameStart, c.pos).replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, '');
      const eq = c.pos;
      c.pos++;
      c.skip();
      const valueStart = c.pos;
      skipValue(c);
      const index = options.length;
      options.push({ name: rawName, value: parseOptionValue(text.slice(valueStart, c.pos).trim()) });
      const placeholder = `"__prism_opt_${index}__"`;
      // Custom options get a unique dummy name so protobufjs never merges or checks them.
      out += rawName.startsWith('(')
        ? `${text.slice(copied, nameStart)} (prism_opt_${index}) = ${placeholder}`
        : `${text.slice(copied, eq)}= ${placeholder}`;
      copied = c.pos;
      continue;
    }
    c.pos++;
  }
  return { text: out + text.slice(copied), options, reserved, extensions };
}
