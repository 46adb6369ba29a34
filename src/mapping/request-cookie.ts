/**
 * Reading one cookie out of a request's `Cookie` header (RFC 6265 §4.2.1: `a=1; b=2`).
 *
 * The reading follows Envoy's (`Http::Utility::parseCookieValue`): pairs are split at `;`,
 * the name is compared exactly, the first pair with that name wins, a value wrapped in double
 * quotes loses them (`"x y"` → `x y`), and nothing is percent-decoded. Decoding is left out on
 * purpose: a cookie value is opaque octets to the server (RFC 6265 §5.4), and a decoding the
 * client did not intend would corrupt values holding `%` (a route that needs one can `map` or
 * `pattern` the raw text). Pairs without `=` are skipped, as RFC 6265 §5.2 says.
 */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  // Node joins repeated Cookie headers with '; ' already; an array comes only from other adapters.
  const text = Array.isArray(header) ? header.join('; ') : header;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(';', start);
    if (end === -1) end = text.length;
    const eq = text.indexOf('=', start);
    if (eq !== -1 && eq < end && text.slice(start, eq).trim() === name) return unquote(text.slice(eq + 1, end).trim());
    start = end + 1;
  }
  return undefined;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
