/**
 * RPC server streams share the listener's stream rules with SSE, NDJSON and WebSocket: a stream
 * holds a slot of `http.maxStreams` (a stream beyond it is refused RESOURCE_EXHAUSTED in the
 * protocol's shape, and the slot comes back when a stream ends), and a gateway shutdown ends an
 * open stream with UNAVAILABLE (gRPC-Web: the trailer frame) instead of cutting it. The shipped
 * registry stack with `http.maxStreams: 1`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway } from '../../src/start-gateway.js';
import { CONFIG_FILE } from '../confluent/support.js';
import { tempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';
import { waitFor } from '../support/wait-for.js';
import { bodyOf, frame, frames, grpcWebBody, readStream, registryType } from './rpc-wire.js';

const WATCH = '/prism.patterns.registry.v1.Registry/WatchChanges';

const stack = useSuite(async (scope) => {
  const dir = scope.own(tempDir('rpc-streams'));
  const config = parse(readFileSync(CONFIG_FILE, 'utf8')) as { http: Record<string, unknown>; namespaces: { frontends: { file: string }[] }[] };
  config.http.maxStreams = 1;
  for (const f of config.namespaces[0]!.frontends) f.file = resolve(CONFIG_FILE, '..', f.file);
  const file = join(dir.path, 'gateway.yaml');
  writeFileSync(file, stringify(config));
  const gateway = await startGateway(loadGatewayConfig(file), { host: '127.0.0.1', port: 0, dataDir: join(dir.path, 'data'), logger: false });
  scope.onClose(() => gateway.close());
  return { gateway };
});

const watch = (type: string, signal?: AbortSignal) =>
  fetch(stack.gateway.url + WATCH, {
    method: 'POST',
    headers: { 'content-type': type },
    body: bodyOf(frame(type.includes('json') ? Buffer.from('{"after":"latest"}') : registryType('WatchChangesRequest').encode({ after: 'latest' }).finish())),
    signal,
  });

test('a stream holds the one stream slot: a second is refused RESOURCE_EXHAUSTED; the slot comes back when the first ends', async () => {
  const first = new AbortController();
  const open = await watch('application/grpc-web+proto', first.signal);
  assert.equal(open.status, 200);

  const refused = await watch('application/connect+json');
  assert.equal(refused.status, 200);
  const end = frames(Buffer.from(await refused.arrayBuffer())).at(-1)!;
  assert.equal(end.flag, 2);
  assert.equal(JSON.parse(end.payload.toString()).error.code, 'resource_exhausted');

  first.abort();
  await open.body?.cancel().catch(() => {});
  // The slot is given back once the gateway sees the client leave (bounded at 10 s).
  await waitFor(async () => {
    const again = new AbortController();
    const res = await watch('application/grpc-web+proto', again.signal);
    const ok = res.headers.get('grpc-status') === null;
    again.abort();
    return ok;
  }, { timeoutMs: 10_000 });
});

test('a shutdown ends an open gRPC-Web stream with a trailer frame saying UNAVAILABLE', async () => {
  // The previous test's last stream may still hold the one slot for a moment.
  const res = await waitFor(async () => {
    const attempt = await watch('application/grpc-web+proto');
    if (attempt.headers.get('grpc-status') === null) return attempt;
    await attempt.body?.cancel();
    return undefined;
  });
  assert.equal(res.status, 200);
  const reading = readStream(res, () => false, 10_000);
  await stack.gateway.close();
  const { messages, trailers } = grpcWebBody(await reading);
  assert.equal(messages.length, 0);
  assert.equal(trailers?.['grpc-status'], '14');
});
