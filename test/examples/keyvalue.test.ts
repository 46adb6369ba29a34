/**
 * examples/keyvalue end to end over HTTP: the README's requests against a gateway started from
 * the example's own gateway.yaml (the keyvalue pattern embedded on a memory store), then the
 * two-namespace config with the registry beside it. Bytes go in and come back untouched, with
 * their content type, ETag and conditions.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';
import { tempDir } from '../support/temp-dir.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'keyvalue');

async function start(file: string, dir: string): Promise<RunningGateway> {
  return startGateway(loadGatewayConfig(join(EXAMPLE, file)), { host: '127.0.0.1', port: 0, dataDir: dir, logger: false });
}

test('the README requests on examples/keyvalue/gateway.yaml', async () => {
  const dir = tempDir('kv-example');
  const gateway = await start('gateway.yaml', dir.path);
  const B = `${gateway.url}/v1`;
  try {
    const put = await fetch(`${B}/kv/greetings/en?ttl=3600`, { method: 'PUT', body: 'hello world', headers: { 'content-type': 'text/plain' } });
    assert.equal(put.status, 200);
    assert.equal(put.headers.get('etag'), '"1"');
    assert.deepEqual(await put.json(), { version: 1, created: true });

    const got = await fetch(`${B}/kv/greetings/en`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'text/plain');
    assert.equal(got.headers.get('etag'), '"1"');
    assert.equal(await got.text(), 'hello world');

    const updated = await fetch(`${B}/kv/greetings/en`, { method: 'PUT', body: 'hi world', headers: { 'content-type': 'text/plain', 'if-match': '"1"' } });
    assert.equal(updated.status, 200);
    assert.equal(updated.headers.get('etag'), '"2"');
    assert.deepEqual(await updated.json(), { version: 2, created: false });

    const stale = await fetch(`${B}/kv/greetings/en`, { method: 'PUT', body: 'again', headers: { 'if-match': 'W/"1"' } });
    assert.equal(stale.status, 412);
    assert.equal(((await stale.json()) as { error: string }).error, 'version_mismatch');
    const anyVersion = await fetch(`${B}/kv/greetings/en`, { method: 'PUT', body: 'again', headers: { 'if-match': '*' } });
    assert.equal(anyVersion.status, 400, 'If-Match: * has no compare-and-set counterpart');

    const created = await fetch(`${B}/kv/greetings/de`, { method: 'PUT', body: '{"a":1}', headers: { 'content-type': 'application/json', 'if-none-match': '*' } });
    assert.equal(created.status, 200);
    assert.equal(created.headers.get('etag'), '"3"');
    const again = await fetch(`${B}/kv/greetings/de`, { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json', 'if-none-match': '*' } });
    assert.equal(again.status, 412);
    // A JSON value is stored as its bytes, not parsed: it comes back byte for byte.
    assert.equal(await (await fetch(`${B}/kv/greetings/de`)).text(), '{"a":1}');

    // Binary bytes (not UTF-8) without a type: stored and answered untouched, as octet-stream,
    // whatever the client accepts.
    const binary = Buffer.from([0x00, 0xff, 0x10, 0xc3, 0x28, 0x0a]);
    assert.equal((await fetch(`${B}/kv/bin/%E2%82%AC`, { method: 'PUT', body: binary })).status, 200);
    const back = await fetch(`${B}/kv/bin/%E2%82%AC`, { headers: { accept: 'image/png' } });
    assert.equal(back.status, 200);
    assert.deepEqual(Buffer.from(await back.arrayBuffer()), binary);

    // Paged listing: keys as text, one per page, then the rest.
    const first = await fetch(`${B}/kv?prefix=greetings/&limit=1`);
    const page1 = (await first.json()) as { items: unknown[]; nextPageToken?: string };
    assert.deepEqual(page1.items, [{ key: 'greetings/de', version: 3, size: 7, contentType: 'application/json' }]);
    assert.ok(page1.nextPageToken);
    const page2 = (await (await fetch(`${B}/kv?prefix=greetings/&limit=1&pageToken=${encodeURIComponent(page1.nextPageToken)}`)).json()) as { items: unknown[]; nextPageToken?: string };
    assert.deepEqual(page2, { items: [{ key: 'greetings/en', version: 2, size: 8, contentType: 'text/plain' }] });
    const all = (await (await fetch(`${B}/kv`)).json()) as { items: { key: string }[] };
    assert.deepEqual(all.items.map((i) => i.key), ['bin/€', 'greetings/de', 'greetings/en']);

    assert.equal((await fetch(`${B}/kv/greetings/de`, { method: 'DELETE', headers: { 'if-match': '"99"' } })).status, 412);
    assert.equal((await fetch(`${B}/kv/greetings/de`, { method: 'DELETE', headers: { 'if-match': '"3"' } })).status, 204);
    const gone = await fetch(`${B}/kv/greetings/de`);
    assert.equal(gone.status, 404);
    assert.equal(((await gone.json()) as { error: string }).error, 'not_found');

    // Watch as SSE: a change made after the stream opened arrives as one event.
    const abort = new AbortController();
    const watch = await fetch(`${B}/kv-watch?prefix=greetings/`, { signal: abort.signal });
    assert.equal(watch.status, 200);
    assert.match(watch.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = watch.body!.getReader();
    await fetch(`${B}/kv/greetings/en`, { method: 'PUT', body: 'bonjour', headers: { 'content-type': 'text/plain' } });
    let text = '';
    const deadline = setTimeout(() => abort.abort(), 10_000);
    try {
      while (!text.includes('\n\n') || !/event: PUT/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString('utf8');
      }
    } finally {
      clearTimeout(deadline);
      abort.abort();
    }
    const event = text.split('\n\n').find((e) => e.includes('event: PUT'));
    assert.ok(event, text);
    const data = JSON.parse(event.split('\n').find((l) => l.startsWith('data: '))!.slice('data: '.length));
    // Versions count every write, the delete above included (1-4 puts, 5 the delete).
    assert.deepEqual(data, { kind: 'PUT', key: 'greetings/en', version: 6, value: Buffer.from('bonjour').toString('base64'), contentType: 'text/plain' });
    assert.match(event, /^id: 6$/m);
  } finally {
    await gateway.close();
    dir.remove();
  }
});

test('registry-and-keyvalue.yaml: both patterns side by side, on backends from one list', async () => {
  const dir = tempDir('kv-registry');
  const gateway = await start('registry-and-keyvalue.yaml', dir.path);
  try {
    const stored = await fetch(`${gateway.url}/kv/v1/kv/app/config`, { method: 'PUT', body: 'a=1', headers: { 'content-type': 'text/plain' } });
    assert.equal(stored.status, 200);
    assert.equal(await (await fetch(`${gateway.url}/kv/v1/kv/app/config`)).text(), 'a=1');
    const registered = await fetch(`${gateway.url}/registry/subjects/orders-value/versions`, {
      method: 'POST',
      body: JSON.stringify({ schema: '"string"' }),
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    });
    assert.equal(registered.status, 200, await registered.clone().text());
    assert.deepEqual(await (await fetch(`${gateway.url}/registry/subjects`)).json(), ['orders-value']);
  } finally {
    await gateway.close();
    dir.remove();
  }
});
