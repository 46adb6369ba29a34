/**
 * What the gateway knows about an address, decided in one place: which client a peer address
 * belongs to (the key per-client limits count by: failed logins, open connections) and whether
 * a host is loopback (where a listener may bind unguarded, and where the `frontend` command may
 * send credentials over plain HTTP). Each limit that disagreed on these let a client past it.
 */
import { isIP } from 'node:net';

/**
 * The key a client is limited by: IPv4 as is (an IPv4-mapped IPv6 address as its IPv4, so a
 * dual-stack listener counts a client once), IPv6 by its /64, the smallest block a single host
 * is usually given (RFC 6177), so that one host cannot reset a limit by hopping addresses inside
 * its own prefix. '' for no address. Hot path (every connection, every login that misses the
 * credential cache): string work only for IPv4.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return '';
  if (!address.includes(':')) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  const zone = address.indexOf('%');
  const plain = zone === -1 ? address : address.slice(0, zone);
  const [head, tail] = plain.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(':') + '::/64';
}

/**
 * The address of a grpc-js peer without its port: every new connection has a new port.
 * grpc-js' `getPeer()` is `${remoteAddress}:${remotePort}`, so IPv6 comes without brackets
 * (`::1:50512`); a bracketed `[v6]:port` is accepted too. Without a trailing `:port` the peer
 * comes back as is. Hot path: once per gRPC call, no regular expression.
 */
export function peerAddress(peer: string): string {
  const colon = peer.lastIndexOf(':');
  let host = peer;
  if (colon !== -1 && colon < peer.length - 1) {
    let digits = true;
    for (let i = colon + 1; i < peer.length && digits; i++) {
      const c = peer.charCodeAt(i);
      digits = c >= 0x30 && c <= 0x39;
    }
    if (digits) host = peer.slice(0, colon);
  }
  return host.charCodeAt(0) === 0x5b /* [ */ && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Whether `host` (a bind address, or a URL's hostname) is reachable from this machine only:
 * `localhost`, 127.0.0.0/8, `::1`, or the IPv4-mapped form of a 127 address; brackets around an
 * IPv6 address are allowed. Only an IP address is judged by its digits: a name such as
 * `127.evil.example` resolves wherever its owner likes and counts as beyond loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (h.toLowerCase() === 'localhost') return true;
  const family = isIP(h);
  if (family === 4) return h.startsWith('127.');
  if (family === 6) {
    const lower = h.toLowerCase();
    return lower === '::1' || lower === '0:0:0:0:0:0:0:1' || /^(::ffff:|0:0:0:0:0:ffff:)127\./.test(lower);
  }
  return false;
}
