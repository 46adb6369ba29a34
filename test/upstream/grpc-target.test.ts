/**
 * Target strings, one table for the one parser that the lean HTTP/2 client and the `tcp`
 * readiness check share (grpc-target.ts). Every row a grpc-js naming form accepts is also
 * checked against grpc-js's own parsing: the same address, the same :authority.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '@grpc/grpc-js';
import { getDefaultAuthority, mapUriDefaultScheme } from '@grpc/grpc-js/build/src/resolver.js';
import { parseUri, splitHostPort } from '@grpc/grpc-js/build/src/uri-parser.js';
import { parseGrpcTarget, type GrpcTarget } from '../../src/upstream/grpc-target.js';

type Row = readonly [target: string, expected: GrpcTarget | RegExp, note?: 'not grpc-js naming'];

const tcp = (host: string, port: number, authority: string): GrpcTarget => ({ kind: 'tcp', host, port, authority });
const unix = (path: string): GrpcTarget => ({ kind: 'unix', path, authority: 'localhost' });

const TARGET_CASES: readonly Row[] = [
  ['127.0.0.1:50051', tcp('127.0.0.1', 50051, '127.0.0.1:50051')],
  ['localhost:50051', tcp('localhost', 50051, 'localhost:50051')],
  ['backend.internal:8080', tcp('backend.internal', 8080, 'backend.internal:8080')],
  // A host without a port: grpc-js's DEFAULT_PORT, 443 (the HTTP/2 client used 80, and the tcp check never connected).
  ['backend', tcp('backend', 443, 'backend')],
  ['dns:backend:8080', tcp('backend', 8080, 'backend:8080')],
  ['dns:///backend:8080', tcp('backend', 8080, 'backend:8080')],
  ['dns:///backend', tcp('backend', 443, 'backend')],
  ['[::1]:50051', tcp('::1', 50051, '[::1]:50051')],
  ['[::1]', tcp('::1', 443, '[::1]')],
  ['::1', tcp('::1', 443, '::1')],
  ['dns:///[::1]:7', tcp('::1', 7, '[::1]:7')],
  ['ipv4:127.0.0.1:7', tcp('127.0.0.1', 7, '127.0.0.1:7')],
  ['ipv4:127.0.0.1', tcp('127.0.0.1', 443, '127.0.0.1')],
  ['ipv6:[::1]:7', tcp('::1', 7, '[::1]:7')],
  ['ipv6:::1', tcp('::1', 443, '::1')],
  ['unix:/tmp/prism/grpc.sock', unix('/tmp/prism/grpc.sock')],
  ['unix:///tmp/prism/grpc.sock', unix('/tmp/prism/grpc.sock')],
  ['unix:relative.sock', unix('relative.sock')],
  ['http://backend:8080', tcp('backend', 8080, 'backend:8080'), 'not grpc-js naming'],
  ['http://backend', tcp('backend', 80, 'backend'), 'not grpc-js naming'],
  ['', /target '' is empty/],
  ['unix:', /names no socket path/],
  ['unix://', /names no socket path/],
  ['unix:///', /names no socket path/],
  // grpc-js would drop 'host' and dial the relative path 'tmp/s.sock'.
  ['unix://host/tmp/s.sock', /names a host \('host'\)/],
  // grpc-js would ask 8.8.8.8; the system resolver may answer otherwise.
  ['dns://8.8.8.8/backend:50051', /names a DNS server \('8\.8\.8\.8'\).*dns:\/\/\/backend:50051/],
  ['ipv4:127.0.0.1:5,127.0.0.2:5', /lists several addresses/],
  ['ipv4:::1', /'::1', which is no ipv4 address/],
  ['ipv6:127.0.0.1', /no ipv6 address/],
  ['backend:http', /no valid port \('http'\)/],
  ['backend:70000', /no valid port \('70000'\)/],
  ['backend:', /no valid port \(''\)/],
  [':50051', /names no host/],
  ['a:b:c', /several colons/],
  ['[backend]:1', /'\[backend\]', which is no IPv6 address/],
  ['[::1', /unclosed '\['/],
  ['[::1]x', /'x' after '\]'/],
  ['back end:1', /no valid host \('back end'\)/],
];

for (const [target, expected] of TARGET_CASES) {
  test(`parseGrpcTarget(${JSON.stringify(target)})`, () => {
    if (expected instanceof RegExp) assert.throws(() => parseGrpcTarget(target), expected);
    else assert.deepEqual(parseGrpcTarget(target), expected);
  });
}

/** What grpc-js 1.x dials for `target`, from its own parser and resolvers' rules. */
function grpcJsDials(target: string): GrpcTarget {
  const uri = mapUriDefaultScheme(parseUri(target)!)!;
  const authority = getDefaultAuthority(uri);
  if (uri.scheme === 'unix') return { kind: 'unix', path: uri.authority === '' ? `/${uri.path}` : uri.path, authority };
  // resolver-dns.ts and resolver-ip.ts: DEFAULT_PORT 443.
  const hostPort = splitHostPort(uri.path)!;
  return { kind: 'tcp', host: hostPort.host, port: hostPort.port ?? 443, authority };
}

test('every accepted grpc-js form names what grpc-js dials, with its :authority', () => {
  for (const [target, expected, note] of TARGET_CASES) {
    if (expected instanceof RegExp || note === 'not grpc-js naming') continue;
    assert.deepEqual(parseGrpcTarget(target), grpcJsDials(target), target);
  }
});
