/**
 * Connection strings are printed in start lines and error messages; the credentials inside
 * them never are. One function decides what a credential is, and every place that prints a
 * URL (the `prism-registry` CLI, storage and config errors) goes through it.
 *
 * Redacted, always replaced by `***` (the rest of the URL stays as written, so an operator can
 * still tell which host, database and options were used):
 * - the password of the userinfo (`scheme://user:PASSWORD@host`, RFC 3986 §3.2.1, which itself
 *   deprecates passwords in URLs); the user name stays;
 * - the value of every query parameter whose name, compared case-insensitively, is one of
 *   SECRET_PARAMETER_NAMES or contains one of SECRET_PARAMETER_PARTS. That covers libpq's
 *   `password` and `sslpassword` (and `sslkey`, a key file node-postgres reads), OAuth's
 *   `access_token` and `client_secret`, cloud `X-Amz-Signature`/`X-Amz-Security-Token`, and
 *   the usual `apikey`, `api_key`, `key`, `token`, `secret`.
 *
 * Parsing is by hand on purpose: WHATWG `URL` rejects connection strings that drivers accept
 * (several hosts, `postgres://u:p@h1:5432,h2:5432/db`) and normalises the rest, and a URL that
 * fails to parse must still not leak. When in doubt the function redacts more, never less.
 */

/** Query parameters (lower case) whose values are credentials. */
export const SECRET_PARAMETER_NAMES: readonly string[] = ['password', 'passwd', 'pwd', 'pass', 'sslpassword', 'sslkey', 'key', 'token', 'secret', 'auth', 'sig', 'signature', 'apikey', 'api_key', 'credentials', 'credential'];

/** A query parameter (lower case) containing one of these is a credential too. */
export const SECRET_PARAMETER_PARTS: readonly string[] = ['password', 'passwd', 'secret', 'token', 'apikey', 'api_key', 'api-key', 'signature', 'credential', 'private'];

export const REDACTED = '***';

/** True when a query parameter of this name carries a credential. */
export function isSecretParameter(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: judge the name as written.
  }
  const lower = decoded.trim().toLowerCase();
  return SECRET_PARAMETER_NAMES.includes(lower) || SECRET_PARAMETER_PARTS.some((part) => lower.includes(part));
}

/**
 * `url` with its userinfo password and credential-bearing query values replaced by `***`.
 * Anything that is not a URL comes back unchanged. Never throws.
 */
export function redactUrl(url: string): string {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(url);
  if (!scheme) return url;
  let rest = url.slice(scheme[0].length);
  let head = scheme[0];
  if (rest.startsWith('//')) {
    // The userinfo ends at the last '@' anywhere: a password with an unescaped '@', '/', '?'
    // or '#' is still covered (over-redacting a path or query with '@' in it is harmless).
    const at = rest.lastIndexOf('@');
    if (at !== -1) {
      const userinfo = rest.slice(2, at);
      const colon = userinfo.indexOf(':');
      head += '//' + (colon === -1 ? userinfo : `${userinfo.slice(0, colon)}:${REDACTED}`) + '@';
      rest = rest.slice(at + 1);
    }
  }
  return head + redactQuery(rest);
}

/** Redacts the query of `rest` (what follows the authority: path, query, fragment). */
function redactQuery(rest: string): string {
  const q = rest.indexOf('?');
  if (q === -1) return rest;
  const hash = rest.indexOf('#', q);
  const query = hash === -1 ? rest.slice(q + 1) : rest.slice(q + 1, hash);
  const fragment = hash === -1 ? '' : rest.slice(hash);
  const redacted = query
    .split(/([&;])/)
    .map((part) => {
      if (part === '&' || part === ';') return part;
      const eq = part.indexOf('=');
      const name = eq === -1 ? part : part.slice(0, eq);
      return eq !== -1 && isSecretParameter(name) ? `${name}=${REDACTED}` : part;
    })
    .join('');
  return `${rest.slice(0, q)}?${redacted}${fragment}`;
}

/**
 * Free text (an error message, a driver's complaint) with every `scheme://…` URL in it
 * redacted as redactUrl does. A URL ends at whitespace or a quote.
 */
export function redactUrlsIn(text: string): string {
  // A password with a raw space is no valid URL, but drivers print what they were given:
  // up to 64 characters between `scheme://user:` and the next '@' on the line go first
  // (redactUrl then takes a token's last '@', for a password with '@' in it).
  const withoutPasswords = text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:@/'"<>`]*:)[^\n'"@]{0,64}@/g, (_match, prefix: string) => `${prefix}${REDACTED}@`);
  return withoutPasswords.replace(/[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s'"<>`]+/g, (url) => redactUrl(url));
}
