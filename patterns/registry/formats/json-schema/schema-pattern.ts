/**
 * Regular expressions that come from schemas (`patternProperties` keys), compiled for the
 * linear-time engine re2js and never for the backtracking `RegExp`.
 *
 * JSON Schema patterns are ECMA-262 regular expressions (JSON Schema Validation §4.3, core
 * §6.4), and a schema author chooses both the pattern and, in a compatibility check, the
 * property names it runs on: `^(a+)+$` against `"aaaa…!"` takes time exponential in the
 * name with a backtracking engine. re2js runs in time linear in the input; what it cannot
 * express (lookaround, backreferences) is refused with the pattern named.
 *
 * The ECMA-262 escapes RE2 spells differently are rewritten first: `\uXXXX` and `\u{X…}`
 * become `\x{…}`, `\cX` becomes the control character's `\x{…}`.
 */
import { RE2JS } from 're2js';

/** A compiled schema pattern: `test` says whether it is found anywhere in the input. */
export interface SchemaPattern {
  readonly source: string;
  test(input: string): boolean;
}

/** Thrown by `compileSchemaPattern`; the message names the pattern and what RE2 refused. */
export class SchemaPatternError extends Error {
  override readonly name = 'SchemaPatternError';
}

const HEX4 = /^[0-9A-Fa-f]{4}$/;
const BRACED_HEX = /^\{([0-9A-Fa-f]{1,6})\}/;

/** ECMA-262 escapes rewritten into RE2 syntax; everything else is passed through as written. */
function toRe2Syntax(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch !== '\\' || i + 1 >= source.length) {
      out += ch;
      continue;
    }
    const next = source[i + 1]!;
    if (next === 'u') {
      const four = source.slice(i + 2, i + 6);
      if (HEX4.test(four)) {
        out += `\\x{${four}}`;
        i += 5;
        continue;
      }
      const braced = BRACED_HEX.exec(source.slice(i + 2, i + 11));
      if (braced) {
        out += `\\x{${braced[1]}}`;
        i += 1 + braced[0].length;
        continue;
      }
    } else if (next === 'c' && /^[A-Za-z]$/.test(source[i + 2] ?? '')) {
      out += `\\x{${(source.charCodeAt(i + 2) % 32).toString(16)}}`;
      i += 2;
      continue;
    }
    // Any other escape (including `\\`) is copied whole, so the escaped character is never
    // read as the start of another escape.
    out += ch + next;
    i += 1;
  }
  return out;
}

/**
 * Compiles a schema pattern for the linear-time engine.
 * @throws SchemaPatternError when the pattern is outside RE2's syntax (lookaround,
 *   backreferences, repeat counts over 1000) or is not a regular expression at all.
 */
export function compileSchemaPattern(source: string): SchemaPattern {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(toRe2Syntax(source));
  } catch (err) {
    throw new SchemaPatternError(
      `pattern ${JSON.stringify(source)} is not supported: patterns from schemas run on a linear-time engine (RE2 syntax): ${(err as Error).message}`,
    );
  }
  return { source, test: (input) => compiled.test(input) };
}
