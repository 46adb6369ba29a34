/**
 * Connect GET requests (src/rpc/connect-get.ts): URLs as connect-es builds them (its own
 * transformConnectPostToGetRequest) parse back to the same codec, message and compression, and
 * each malformed query is refused with a clear message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { transformConnectPostToGetRequest } from '@connectrpc/connect/protocol-connect';
import { Code, GatewayError, GatewayReason } from '../../src/core/gateway-error.js';
import { parseConnectGet } from '../../src/rpc/connect-get.js';

/** The URL connect-es's client sends for a GET with this codec, compression and payload. */
function connectEsUrl(codec: string, message: Uint8Array, useBase64: boolean, compression?: string): URL {
  const header = new Headers({ 'content-type': `application/${codec}`, 'connect-protocol-version': '1' });
  if (compression) header.set('content-encoding', compression);
  const request = { url: 'http://gateway.test/prism.test.v1.EverythingService/Echo', header } as unknown as Parameters<typeof transformConnectPostToGetRequest>[0];
  return new URL(transformConnectPostToGetRequest(request, message, useBase64).url);
}

test('binary messages through base64, as connect-es sends them', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(undefined, 'gzip'), (bytes, compression) => {
      const url = connectEsUrl('proto', bytes, true, compression);
      const parsed = parseConnectGet(url.searchParams);
      assert.equal(parsed.codec, 'proto');
      assert.deepEqual(Buffer.from(parsed.message), Buffer.from(bytes));
      assert.equal(parsed.compression, compression);
    }),
    { numRuns: 200 },
  );
});

test('JSON messages percent-encoded, as connect-es sends them', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
      const json = JSON.stringify({ fString: text });
      const parsed = parseConnectGet(connectEsUrl('json', Buffer.from(json), false).searchParams);
      assert.equal(parsed.codec, 'json');
      assert.equal(Buffer.from(parsed.message).toString('utf8'), json);
      assert.equal(parsed.compression, undefined);
    }),
    { numRuns: 200 },
  );
});

test('padding is optional under base64=1; parameters come in any order with others beside them', () => {
  const bytes = Buffer.from([0xfb, 0xff, 0x01, 0x02]);
  for (const message of ['-_8BAg', '-_8BAg%3D%3D']) {
    const parsed = parseConnectGet(new URLSearchParams(`utm=x&message=${message}&base64=1&encoding=proto&connect=v1`));
    assert.deepEqual(Buffer.from(parsed.message), bytes);
  }
  // base64 other than 1 is ignored: the message is the text itself.
  assert.equal(Buffer.from(parseConnectGet(new URLSearchParams('encoding=json&base64=true&message=%7B%7D')).message).toString(), '{}');
  // An empty message is an empty payload (the default message).
  assert.equal(parseConnectGet(new URLSearchParams('encoding=proto&message=')).message.length, 0);
});

function refusal(query: string): GatewayError {
  try {
    parseConnectGet(new URLSearchParams(query));
  } catch (err) {
    assert.ok(err instanceof GatewayError, `a GatewayError, not ${String(err)}`);
    assert.equal(err.code, Code.INVALID_ARGUMENT);
    return err;
  }
  assert.fail(`expected ${query} to be refused`);
}

test('malformed queries, each refused with what is wrong', () => {
  const cases: [query: string, reason: string, message: RegExp][] = [
    ['message=%7B%7D', GatewayReason.BAD_REQUEST, /^missing encoding parameter$/],
    ['encoding=json', GatewayReason.BAD_REQUEST, /^missing message parameter$/],
    ['encoding=json&message=%7B%7D&connect=v2', GatewayReason.BAD_REQUEST, /^connect must be "v1": got "v2"$/],
    ['encoding=xml&message=x', GatewayReason.UNSUPPORTED_MEDIA_TYPE, /invalid message encoding: "xml"/],
    ['encoding=proto&base64=1&message=a%2Bb%2F', GatewayReason.MALFORMED_BODY, /not URL-safe base64/],
    ['encoding=proto&base64=1&message=abcde', GatewayReason.MALFORMED_BODY, /not URL-safe base64/],
    ['encoding=proto&message=%FF%FE', GatewayReason.MALFORMED_BODY, /must be sent as URL-safe base64/],
  ];
  for (const [query, reason, message] of cases) {
    const err = refusal(query);
    assert.equal(err.reason, reason, query);
    assert.match(err.message, message, query);
  }
});

test('a missing connect parameter is accepted (the spec lets servers require it; connect-go does not by default)', () => {
  assert.equal(parseConnectGet(new URLSearchParams('encoding=json&message=%7B%7D')).codec, 'json');
});
