/**
 * The one module that says which client an address belongs to and whether a host is loopback:
 * the failed-login limit, the per-address connection limit, the gRPC passthrough, the listener
 * exposure check and the `frontend` command all use it, so its cases are pinned here once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey, isLoopbackHost, peerAddress } from '../../src/security/network-address.js';

test('address keys: IPv4 as is, IPv4-mapped as IPv4, IPv6 by its /64', () => {
  for (const [address, key] of [
    [undefined, ''],
    ['', ''],
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['::FFFF:192.0.2.7', '192.0.2.7'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:DB8:0:0:1:2:3:4', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['2001:db8:aa:bb:cc::', '2001:db8:aa:bb::/64'],
  ] as const) {
    assert.equal(addressKey(address), key, String(address));
  }
});

test('peer addresses: grpc-js getPeer() without its port', () => {
  for (const [peer, address] of [
    ['127.0.0.1:50512', '127.0.0.1'],
    ['::1:50512', '::1'],
    ['::ffff:10.0.0.7:443', '::ffff:10.0.0.7'],
    ['2001:db8::1:50512', '2001:db8::1'],
    ['[2001:db8::1]:50512', '2001:db8::1'],
    ['127.0.0.1', '127.0.0.1'],
    ['unix:/run/prism.sock', 'unix:/run/prism.sock'],
    ['unknown', 'unknown'],
  ] as const) {
    assert.equal(peerAddress(peer), address, peer);
  }
});

test('loopback hosts: only loopback IP addresses and localhost, never a name that looks like one', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1', true],
    ['127.8.0.1', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['[::ffff:127.0.0.1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['admin.example', false],
    ['127.evil.example', false],
    ['127.0.0.1.nip.io', false],
    ['localhost.evil.example', false],
    ['', false],
  ];
  for (const [host, loopback] of cases) assert.equal(isLoopbackHost(host), loopback, host);
});
