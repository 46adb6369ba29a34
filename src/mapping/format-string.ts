/**
 * The text of a `format` template node: literal text with `{root.a.b}` references, `{{` and
 * `}}` standing for literal braces (the escapes of Python's str.format and .NET's
 * String.Format, so the braces of a route path read the same here).
 */

/** A piece of a format string: literal text, or the value path inside one pair of braces. */
export type FormatPiece = { readonly text: string } | { readonly path: string; readonly column: number };

export interface FormatProblem {
  /** 1-based column in the format string. */
  readonly column: number;
  readonly message: string;
}

/**
 * Splits a format string into its pieces; adjacent literal text is merged, empty text dropped.
 * Every problem is reported (an unclosed `{`, a lone `}`, an empty `{}`, a `{` inside a reference);
 * the value paths themselves are checked by the caller, against the template's roots.
 */
export function parseFormat(format: string): { pieces: FormatPiece[]; problems: FormatProblem[] } {
  const pieces: FormatPiece[] = [];
  const problems: FormatProblem[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') pieces.push({ text });
    text = '';
  };
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c === '{' && format[i + 1] === '{') {
      text += '{';
      i += 2;
    } else if (c === '}' && format[i + 1] === '}') {
      text += '}';
      i += 2;
    } else if (c === '}') {
      problems.push({ column: i + 1, message: "a lone '}' (write '}}' for a literal brace)" });
      i++;
    } else if (c === '{') {
      const close = format.indexOf('}', i + 1);
      const nested = format.indexOf('{', i + 1);
      if (close < 0) {
        problems.push({ column: i + 1, message: "a '{' that is never closed (write '{{' for a literal brace)" });
        break;
      }
      if (nested >= 0 && nested < close) {
        problems.push({ column: nested + 1, message: "a '{' inside a reference (write '{{' outside braces for a literal brace)" });
        i = close + 1;
        continue;
      }
      const path = format.slice(i + 1, close);
      if (path === '') problems.push({ column: i + 1, message: "an empty reference '{}' (write '{{}}' for literal braces)" });
      else {
        flush();
        pieces.push({ path, column: i + 2 });
      }
      i = close + 1;
    } else {
      text += c;
      i++;
    }
  }
  flush();
  return { pieces, problems };
}

