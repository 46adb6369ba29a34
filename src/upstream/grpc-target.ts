/**
 * A gRPC target string, parsed once, for everything here that dials one itself: the lean
 * HTTP/2 client (http2-upstream.ts) and the `tcp` readiness check (health-check.ts). It reads
 * targets as grpc-js 1.x does (the gRPC naming spec, doc/naming.md in grpc/grpc; grpc-js's
 * uri-parser.ts and its dns, ipv4/ipv6 and unix resolvers), so a namespace's target names the
 * same address whichever client it uses:
 *
 * - `host:port`, `[v6]:port`, `dns:host:port`, `dns:///host:port`: a TCP address. A target
 *   whose scheme grpc-js has no resolver for (`localhost:50051` reads as scheme `localhost`)
 *   is a dns target as a whole, as grpc-js's mapUriDefaultScheme makes it.
 * - A host without a port means port 443, grpc-js's DEFAULT_PORT for dns and ip targets (an
 *   earlier parser here used 80). An IPv6 address without brackets (`::1`) is a host
 *   without a port.
 * - `ipv4:addr[:port]`, `ipv6:addr`, `ipv6:[addr]:port`: one literal address of that family.
 * - `unix:path` (relative or absolute) and `unix:///abs/path`: a Unix-domain socket; like
 *   grpc-js, :authority is then `localhost` (a socket path is no host name, and servers that
 *   check :authority expect one).
 * - `http://host[:port]`: kept from this client's first version, not grpc-js naming; an
 *   http: URL, so its default port is 80.
 *
 * Refused (grpc-js would accept them, but would dial something this parser cannot):
 * `dns://server/host` (grpc-js asks that DNS server; the system resolver could answer
 * differently), `unix://name/path` (grpc-js drops `name` and dials the relative `path`), and
 * address lists (`ipv4:a,b`: grpc-js balances over them, these clients dial one address).
 *
 * :authority for TCP targets is the host and port as written (`example.com`, `[::1]:50051`),
 * grpc-js's default authority.
 */
import { isIP, isIPv4, isIPv6 } from 'node:net';

export type GrpcTarget =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly authority: string }
  | { readonly kind: 'unix'; readonly path: string; readonly authority: string };

/** grpc-js's DEFAULT_PORT (resolver-dns.ts, resolver-ip.ts). */
export const GRPC_DEFAULT_PORT = 443;
const HTTP_DEFAULT_PORT = 80;
/** grpc-js's URI_REGEX (uri-parser.ts): scheme, authority, path. */
const URI = /^(?:([A-Za-z0-9+.-]+):)?(?:\/\/([^/]*)\/)?(.+)$/;
/** A DNS name (letters, digits, '-', '_', '.'), checked so a typo fails at load rather than per call. */
const HOST_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/;

/**
 * Where `target` points, as grpc-js would dial it (see the file's comment for the forms).
 * @throws Error naming the target and what is wrong with it: no host, no socket path, a port
 * that is not 0-65535, an address of the wrong family, or a form refused above.
 */
export function parseGrpcTarget(target: string): GrpcTarget {
  const fail = (why: string): never => {
    throw new Error(`target '${target}' ${why}`);
  };
  if (target.startsWith('unix:')) return parseUnix(target.slice('unix:'.length), fail);
  if (target.startsWith('http://')) return parseHostPort(target.slice('http://'.length), HTTP_DEFAULT_PORT, fail);
  const uri = URI.exec(target);
  if (!uri) return fail('is empty');
  const [, scheme, authority, path] = uri;
  switch (scheme) {
    case 'dns':
      if (authority) fail(`names a DNS server ('${authority}'), which this client cannot ask: use dns:///${path}, or client: grpc-js`);
      return parseHostPort(path, GRPC_DEFAULT_PORT, fail);
    case 'ipv4':
    case 'ipv6': {
      if (authority) fail(`has an authority ('${authority}'); an ${scheme} target is ${scheme}:address[:port]`);
      if (path.includes(',')) fail(`lists several addresses, which only client: grpc-js balances over`);
      const tcp = parseHostPort(path, GRPC_DEFAULT_PORT, fail);
      if (tcp.kind === 'tcp' && !(scheme === 'ipv4' ? isIPv4 : isIPv6)(tcp.host)) fail(`names '${tcp.host}', which is no ${scheme} address`);
      return tcp;
    }
    default:
      return parseHostPort(target, GRPC_DEFAULT_PORT, fail);
  }
}

/** What `net.connect` needs to reach `target`. */
export function connectOptions(target: GrpcTarget): { path: string } | { host: string; port: number } {
  return target.kind === 'unix' ? { path: target.path } : { host: target.host, port: target.port };
}

/** After `unix:`: `path`, or `///abs/path` (an empty authority; grpc-js then adds the leading '/'). */
function parseUnix(rest: string, fail: (why: string) => never): GrpcTarget {
  let path = rest;
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    if (slash > 2) fail(`names a host ('${rest.slice(2, slash)}'); a unix: target is unix:path or unix:///absolute/path`);
    path = rest.slice(2);
  }
  if (path === '' || path === '/') fail('names no socket path');
  return { kind: 'unix', path, authority: 'localhost' };
}

/** grpc-js's splitHostPort: `[v6]`, `[v6]:port`, `host`, `host:port`, or a bare IPv6 address (several colons, no port). */
function parseHostPort(text: string, defaultPort: number, fail: (why: string) => never): GrpcTarget {
  let host: string;
  let port: string | undefined;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    host = end < 0 ? fail("has an unclosed '['") : text.slice(1, end);
    if (!isIPv6(host)) fail(`has '[${host}]', which is no IPv6 address`);
    const after = text.slice(end + 1);
    if (after !== '') port = after.startsWith(':') ? after.slice(1) : fail(`has '${after}' after ']'`);
  } else {
    const colon = text.indexOf(':');
    if (colon < 0) host = text;
    else if (text.indexOf(':', colon + 1) < 0) [host, port] = [text.slice(0, colon), text.slice(colon + 1)];
    else host = isIPv6(text) ? text : fail('has several colons but is no IPv6 address (a port after IPv6 needs [brackets])');
  }
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) <= 65_535)) fail(`has no valid port ('${port}')`);
  if (host === '') fail('names no host');
  if (!isIP(host) && !HOST_NAME.test(host)) fail(`names no valid host ('${host}')`);
  return { kind: 'tcp', host, port: port === undefined ? defaultPort : Number(port), authority: text };
}
