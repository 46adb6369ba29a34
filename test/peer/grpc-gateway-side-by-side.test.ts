/**
 * Side by side with grpc-gateway: the Go peer (grpc-gateway v1.6.4 built from echo.proto's
 * google.api.http annotations) and Prism serving a frontend imported from the same echo.proto
 * (`frontend from-proto --proto-names`, grpc-gateway v1's style), both in front of the same Go
 * gRPC server, get the same requests. They answer with the same status and the same JSON
 * (field order aside) for success, the ListItems stream and the Chat bidi body, and with the
 * same status, gRPC code and message for NOT_FOUND and INVALID_ARGUMENT. Query parameters are
 * read under either name of their field (`interval_ms`, `intervalMs`) by both.
 *
 * The one deliberate difference (DESIGN.md §8): an error before a stream's first message is an
 * ordinary HTTP error in Prism, its body the error itself; grpc-gateway v1 writes the same
 * status with the error as a stream line `{"error": …}`. Both carry v1's stream error fields
 * (`grpc_code`, `http_code`, `message`, `http_status`).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runFromProto } from '../../src/frontends/from-proto-command.js';
import { startFromConfig, writeConfig } from '../operations/support.js';
import { tempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';
import { ECHO_PROTO, goPeerBin, goPeerUnavailable, startPeerProgram } from './go-peer.js';

const skip = goPeerUnavailable();

interface Answer {
  status: number;
  text: string;
}

async function send(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(base + path, init);
  return { status: res.status, text: await res.text() };
}

/** A body of JSON values, one per line (both gateways end lines with '\n'). */
function lines(text: string): unknown[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
}

/** The gRPC code and message of an error answer, wherever its shape keeps them. */
function errorOf(text: string): { code: unknown; message: unknown } {
  let body = lines(text)[0] as Record<string, unknown>;
  if (typeof body.error === 'object' && body.error !== null) body = body.error as Record<string, unknown>;
  return { code: body.code ?? body.grpc_code, message: body.message };
}

describe('Prism with a frontend imported from echo.proto, beside grpc-gateway v1.6.4', { skip }, () => {
  const suite = useSuite(async (scope) => {
    const bin = await goPeerBin();
    const server = scope.own(await startPeerProgram(bin, 'server'));
    const grpcGateway = scope.own(await startPeerProgram(bin, 'gateway', ['-backend', server.address]));
    const dir = scope.own(tempDir('grpc-gateway-side-by-side'));
    let yaml = '';
    let errors = '';
    const code = runFromProto([ECHO_PROTO, '--proto-names', '--name', 'items'], { out: (t) => (yaml += t), err: (t) => (errors += t) });
    assert.equal(code, 0, errors);
    const frontend = join(dir.path, 'items.yaml');
    writeFileSync(frontend, yaml);
    const config = writeConfig(dir.path, { namespaces: [{ name: 'items', pattern: { target: server.address, protos: [ECHO_PROTO] }, frontends: [{ file: frontend }] }] });
    const prism = scope.own(await startFromConfig(config, join(dir.path, 'data')));
    return { prism: prism.url, peer: `http://${grpcGateway.address}` };
  });

  /** The same request to both gateways. */
  async function both(path: string, init: RequestInit = {}): Promise<{ prism: Answer; peer: Answer }> {
    const [prism, peer] = await Promise.all([send(suite.prism, path, init), send(suite.peer, path, init)]);
    return { prism, peer };
  }

  const successes: { name: string; path: string; init?: RequestInit }[] = [
    { name: 'GetItem', path: '/v1/items/abc' },
    { name: 'GetItem with an escaped id', path: '/v1/items/a%20b' },
    { name: 'ListItems: path count, every item a {"result"} line', path: '/v1/streams/5' },
    { name: 'ListItems with query parameters (size, interval_ms by their proto names)', path: '/v1/streams/3?size=7&interval_ms=1' },
    { name: 'ListItems with a query parameter by its JSON name (intervalMs), which both read too', path: '/v1/streams/3?size=2&intervalMs=1' },
    { name: 'ListItems of no items: an empty body', path: '/v1/streams/0' },
    {
      name: 'Chat: a body of concatenated messages, echoed as {"result"} lines',
      path: '/v1/chat',
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"a","seq":1}{"text":"b","seq":2}\n{"text":"c"}' },
    },
  ];
  for (const c of successes) {
    test(`${c.name}: same status, same JSON`, async () => {
      const { prism, peer } = await both(c.path, c.init);
      assert.equal(peer.status, 200, peer.text);
      assert.equal(prism.status, peer.status, prism.text);
      assert.deepEqual(lines(prism.text), lines(peer.text));
    });
  }

  test('the JSON compared is what the backend sent (the comparison can fail)', async () => {
    const { prism } = await both('/v1/streams/2?size=3');
    assert.deepEqual(lines(prism.text), [{ result: { id: '0', name: 'xxx' } }, { result: { id: '1', name: 'xxx', version: 1 } }]);
  });

  const failures: { name: string; path: string; status: number; code: number; sameBody?: boolean }[] = [
    { name: 'GetItem NOT_FOUND (the whole v1 body: error, message, code)', path: '/v1/items/missing', status: 404, code: 5, sameBody: true },
    { name: 'ListItems INVALID_ARGUMENT from the path (before the first message)', path: '/v1/streams/-1', status: 400, code: 3 },
    { name: 'ListItems INVALID_ARGUMENT from a query parameter', path: '/v1/streams/2?size=-4', status: 400, code: 3 },
    { name: 'ListItems INVALID_ARGUMENT from a query parameter by its JSON name', path: '/v1/streams/2?intervalMs=-1', status: 400, code: 3 },
  ];
  for (const c of failures) {
    test(`${c.name}: same status, code and message`, async () => {
      const { prism, peer } = await both(c.path);
      assert.equal(peer.status, c.status, peer.text);
      assert.equal(prism.status, peer.status, prism.text);
      const expected = errorOf(peer.text);
      assert.equal(expected.code, c.code, peer.text);
      assert.deepEqual(errorOf(prism.text), expected, prism.text);
      if (c.sameBody) assert.deepEqual(JSON.parse(prism.text), JSON.parse(peer.text));
    });
  }

  test('the deliberate difference: an error before the first message is the body itself in Prism, a stream line in grpc-gateway', async () => {
    const { prism, peer } = await both('/v1/streams/-1');
    const fields = { grpc_code: 3, http_code: 400, message: 'count must be 0..1000000, size 0..65536, interval_ms >= 0', http_status: 'Bad Request' };
    assert.deepEqual(JSON.parse(peer.text), { error: fields });
    assert.deepEqual(JSON.parse(prism.text), fields);
  });
});
