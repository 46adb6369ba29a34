/**
 * One `Set-Cookie` header value (RFC 6265 §4.1.1) from a cookie's plan and its rendered value.
 *
 * Names and attributes are checked when the definition loads; only the value is known per
 * answer. A value may hold only cookie-octets (no controls, space, `"`, `,`, `;` or `\`): every
 * UTF-8 byte outside them, and `%` itself, is written as `%XX`, so plain values go out as they
 * are and any value comes back whole with `decodeURIComponent` (what `@fastify/cookie` and the
 * `cookie` package apply when they read one).
 */
import type { CookiePlan } from '../routing/route-plan.js';

const COOKIE_OCTET = /^[\x21\x23-\x24\x26-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/** A value as it may stand in a Set-Cookie header. */
export function encodeCookieValue(value: string): string {
  if (COOKIE_OCTET.test(value)) return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && COOKIE_OCTET.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function setCookieHeader(cookie: Omit<CookiePlan, 'value'>, value: string): string {
  let out = `${cookie.name}=${encodeCookieValue(value)}`;
  if (cookie.path !== undefined) out += `; Path=${cookie.path}`;
  if (cookie.domain !== undefined) out += `; Domain=${cookie.domain}`;
  if (cookie.maxAgeSeconds !== undefined) out += `; Max-Age=${cookie.maxAgeSeconds}`;
  if (cookie.secure) out += '; Secure';
  if (cookie.httpOnly) out += '; HttpOnly';
  if (cookie.sameSite !== undefined) out += `; SameSite=${cookie.sameSite}`;
  return out;
}
