/**
 * The origins of a `cors:` config (gateway-config.ts): how an `allowOrigins` entry is read
 * (an exact origin, a wildcard subdomain origin, or `*`) and what makes a config unusable.
 * In the config layer so that loading the config checks every `cors:` (the listener's and each
 * frontend binding's) with located diagnostics; routing/cors.ts compiles policies from the same
 * reading.
 */
/** What the origin rules read of a `cors:` config (declared here: gateway-config.ts imports this file). */
export interface CorsOrigins {
  readonly allowOrigins: readonly string[];
  readonly allowCredentials?: boolean;
}

/** `https://*.example.com:8443`: any subdomain (one or more labels) of `example.com`. */
export interface WildcardOrigin {
  readonly protocol: string;
  /** `.example.com` */
  readonly suffix: string;
  /** Empty for the scheme's default port. */
  readonly port: string;
}

/** A problem of one `cors:` config: the field (a JSON pointer below `cors`) and what is wrong. */
export interface CorsConfigProblem {
  readonly pointer: string;
  readonly message: string;
}

/**
 * What cannot be used in a `cors:` config (empty when it is sound): `*` with credentials (the
 * Fetch standard forbids `Access-Control-Allow-Origin: *` on credentialed requests, and
 * reflecting every origin with credentials would hand every site the user's session), and
 * origins that are not `scheme://host[:port]` or `scheme://*.domain[:port]`.
 */
export function corsConfigProblems(config: CorsOrigins): CorsConfigProblem[] {
  const problems: CorsConfigProblem[] = [];
  for (const [i, entry] of config.allowOrigins.entries()) {
    if (entry === '*') {
      if (config.allowCredentials === true) problems.push({ pointer: `/allowOrigins/${i}`, message: "'*' cannot be combined with allowCredentials: true; list the origins instead" });
    } else if (!parseOriginEntry(entry)) {
      problems.push({ pointer: `/allowOrigins/${i}`, message: `'${entry}' is not an origin: expected scheme://host[:port], scheme://*.domain[:port] or '*'` });
    }
  }
  return problems;
}

/** A config origin entry: an exact origin serialised, a wildcard, or undefined when it is neither. */
export function parseOriginEntry(entry: string): { exact: string } | WildcardOrigin | undefined {
  const wildcard = /^([a-z][a-z0-9+.-]*:\/\/)\*\.(.+)$/i.exec(entry);
  if (wildcard) {
    // A stand-in label lets the URL parser normalise the rest (case, default port, IDNA).
    const url = parseUrl(`${wildcard[1]}x.${wildcard[2]}`);
    if (!url || url.origin === 'null' || !isBareOrigin(url, `${wildcard[1]}x.${wildcard[2]}`) || url.hostname.includes('*')) return undefined;
    return { protocol: url.protocol, suffix: url.hostname.slice(1), port: url.port };
  }
  const url = parseUrl(entry);
  if (!url || url.origin === 'null' || !isBareOrigin(url, entry) || url.hostname.includes('*')) return undefined;
  return { exact: url.origin };
}

/** Nothing but scheme, host and port: no path, query, fragment or credentials. */
function isBareOrigin(url: URL, text: string): boolean {
  return url.username === '' && url.password === '' && url.search === '' && url.hash === '' && url.pathname === '/' && !text.replace(/^[^:]+:\/\//, '').includes('/');
}

export function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
