/**
 * The registry's change feed through the shipped Confluent stack (examples/confluent-schema-registry,
 * SQLite in a temporary data dir): changes made through the Confluent REST API appear on
 * `GET /prism/v1/events` (DESIGN.md §8) as SSE (read raw with fetch, and with EventSource) and as
 * NDJSON; the subject-prefix filter, resuming with `after` and `Last-Event-ID`, and the 410 / 400
 * answers in Confluent's error_code shape.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EventSource } from 'eventsource';
import { parse, stringify } from 'yaml';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';
import { call, CONFIG_FILE, startStack, type Stack } from '../confluent/support.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';

const EVENTS = '/prism/v1/events';
const KINDS = [
  'SCHEMA_REGISTERED',
  'SCHEMA_REGISTERED',
  'SCHEMA_REGISTERED',
  'VERSION_DELETED',
  'VERSION_PERMANENTLY_DELETED',
  'SUBJECT_DELETED',
  'SUBJECT_PERMANENTLY_DELETED',
  'CONFIG_CHANGED',
  'CONFIG_DELETED',
  'MODE_CHANGED',
  'MODE_DELETED',
];

interface Change {
  sequence: string;
  kind: string;
  subject: string;
  version?: number;
  id?: number;
  schemaType?: string;
  time: string;
}

interface SseEvent {
  event?: string;
  id?: string;
  data: string;
}

const record = (name: string, fields: unknown[] = []) => ({ schema: JSON.stringify({ type: 'record', name, fields }) });

/** Every kind of change, through the Confluent API, in the order of KINDS. */
async function makeChanges(url: string): Promise<void> {
  const steps: [string, string, unknown?][] = [
    ['POST', '/subjects/orders-value/versions', record('Order')],
    ['POST', '/subjects/orders-value/versions', record('Order', [{ name: 'note', type: 'string', default: '' }])],
    ['POST', '/subjects/other-value/versions', record('Other')],
    ['DELETE', '/subjects/orders-value/versions/1'],
    ['DELETE', '/subjects/orders-value/versions/1?permanent=true'],
    ['DELETE', '/subjects/orders-value'],
    ['DELETE', '/subjects/orders-value?permanent=true'],
    ['PUT', '/config/orders-value', { compatibility: 'NONE' }],
    ['DELETE', '/config/orders-value'],
    ['PUT', '/mode/orders-value', { mode: 'READONLY' }],
    ['DELETE', '/mode/orders-value'],
  ];
  for (const [method, path, body] of steps) {
    const reply = await call(url, method, path, { body });
    assert.equal(reply.status, 200, `${method} ${path}: ${reply.text}`);
  }
}

/**
 * Reads a live stream until `done` says the text so far is complete (the feed never ends on its
 * own), then cancels it; fails after `timeoutMs`.
 */
async function readUntil(url: string, headers: Record<string, string>, done: (text: string) => boolean, timeoutMs = 5000): Promise<{ res: Response; text: string }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const res = await fetch(url, { headers, signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (!done(text)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    throw new Error(`stream cut before it was complete; read so far: ${JSON.stringify(text)}`, { cause: error });
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { res, text };
}

/** Splits SSE text into events (comments and retry hints dropped). */
function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split('\n\n')) {
    const event: SseEvent = { data: '' };
    let seen = false;
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const field = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event' || field === 'id') (event[field] = value), (seen = true);
      if (field === 'data') (event.data = value), (seen = true);
    }
    if (seen) events.push(event);
  }
  return events;
}

const sseEventCount = (n: number) => (text: string) => parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2)).length >= n;

async function readSse(url: string, count: number, headers: Record<string, string> = {}): Promise<SseEvent[]> {
  const { res, text } = await readUntil(url, { accept: 'text/event-stream', ...headers }, sseEventCount(count));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  return parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2)).slice(0, count);
}

async function readNdjson(url: string, count: number): Promise<Change[]> {
  const { res, text } = await readUntil(url, { accept: 'application/x-ndjson' }, (t) => t.split('\n').length > count);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
  return text.split('\n').slice(0, count).map((line) => JSON.parse(line) as Change);
}

let stack: Stack;
let changes: Change[];

before(async () => {
  stack = await startStack();
  await makeChanges(stack.url);
  changes = (await readSse(stack.url + EVENTS, KINDS.length)).map((e) => JSON.parse(e.data) as Change);
});
after(async () => {
  await stack?.close();
});

describe('GET /prism/v1/events', () => {
  test('SSE: every change once, in order; id: the sequence, event: the kind, data: the change JSON', async () => {
    const events = await readSse(stack.url + EVENTS, KINDS.length);
    assert.deepEqual(events.map((e) => e.event), KINDS);
    assert.deepEqual(events.map((e) => e.id), KINDS.map((_, i) => String(i + 1)));
    for (const e of events) {
      const change = JSON.parse(e.data) as Change;
      assert.equal(change.sequence, e.id);
      assert.equal(change.kind, e.event);
      assert.match(change.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const [first, , third, deleted] = events.map((e) => JSON.parse(e.data) as Change);
    assert.deepEqual({ ...first, time: '' }, { sequence: '1', kind: 'SCHEMA_REGISTERED', subject: 'orders-value', version: 1, id: 1, schemaType: 'AVRO', time: '' });
    assert.equal(third!.subject, 'other-value');
    assert.deepEqual({ ...deleted, time: '' }, { sequence: '4', kind: 'VERSION_DELETED', subject: 'orders-value', version: 1, id: 1, time: '' });
    const config = JSON.parse(events[7]!.data) as Change;
    assert.deepEqual(Object.keys(config).sort(), ['kind', 'sequence', 'subject', 'time']);
  });

  test('a feed with nothing to replay answers its headers at once (after=latest): the client sees the stream open', async () => {
    const controller = new AbortController();
    try {
      const res = await fetch(stack.url + EVENTS + '?after=latest', { headers: { accept: 'text/event-stream' }, signal: AbortSignal.any([controller.signal, AbortSignal.timeout(10_000)]) });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/event-stream');
    } finally {
      controller.abort();
    }
  });

  test('NDJSON on request: the same changes, one JSON value per line', async () => {
    assert.deepEqual(await readNdjson(stack.url + EVENTS, KINDS.length), changes);
  });

  test('EventSource receives each change under its kind, with the sequence as lastEventId', async () => {
    const es = new EventSource(stack.url + EVENTS);
    const seen: string[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${seen.length} events arrived`)), 5000);
        for (const kind of new Set(KINDS)) {
          es.addEventListener(kind, (e) => {
            seen.push(`${e.lastEventId} ${e.type} ${(JSON.parse(e.data) as Change).sequence}`);
            if (seen.length === KINDS.length) clearTimeout(timer), resolve();
          });
        }
        es.onerror = (e) => (clearTimeout(timer), reject(new Error(`EventSource error: ${String(e.message)}`)));
      });
    } finally {
      es.close();
    }
    assert.deepEqual(seen, KINDS.map((kind, i) => `${i + 1} ${kind} ${i + 1}`));
  });

  test('subjectPrefix keeps only the changes of matching subjects', async () => {
    const events = await readSse(stack.url + EVENTS + '?subjectPrefix=other-', 1);
    assert.deepEqual(events.map((e) => [e.id, e.event]), [['3', 'SCHEMA_REGISTERED']]);
    // Nothing else for that prefix until a new change arrives; then it follows.
    const next = readSse(stack.url + EVENTS + '?subjectPrefix=other-', 2);
    await new Promise((r) => setTimeout(r, 200));
    const put = await call(stack.url, 'PUT', '/config/other-value', { body: { compatibility: 'FULL' } });
    assert.equal(put.status, 200);
    const both = await next;
    assert.equal(both[1]!.event, 'CONFIG_CHANGED');
    assert.equal((JSON.parse(both[1]!.data) as Change).subject, 'other-value');
    assert.ok(Number(both[1]!.id) > KINDS.length);
    const orders = await readNdjson(stack.url + EVENTS + '?subjectPrefix=orders-', KINDS.length - 1);
    assert.deepEqual(orders.map((c) => c.sequence), changes.filter((c) => c.subject.startsWith('orders-')).map((c) => c.sequence));
  });

  test('after resumes after that sequence; Last-Event-ID resumes too, and wins over after', async () => {
    assert.deepEqual((await readSse(stack.url + EVENTS + '?after=8', 3)).map((e) => e.id), ['9', '10', '11']);
    assert.deepEqual((await readSse(stack.url + EVENTS, 2, { 'last-event-id': '9' })).map((e) => e.id), ['10', '11']);
    assert.deepEqual((await readSse(stack.url + EVENTS + '?after=2', 2, { 'last-event-id': '9' })).map((e) => e.id), ['10', '11']);
    assert.deepEqual((await readNdjson(stack.url + EVENTS + '?after=10', 1)).map((c) => c.kind), ['MODE_DELETED']);
  });

  test('a malformed sequence is 400 in the error_code shape', async () => {
    for (const [query, headers] of [['?after=abc', {}], ['', { 'last-event-id': 'not-a-number' }]] as const) {
      const reply = await call(stack.url, 'GET', EVENTS + query, { headers: { accept: 'text/event-stream', ...headers } });
      assert.equal(reply.status, 400, reply.text);
      const body = reply.json() as { error_code: number; message: string };
      assert.equal(body.error_code, 400);
      assert.equal(typeof body.message, 'string');
      assert.deepEqual(Object.keys(body), ['error_code', 'message']);
    }
  });
});

describe('GET /prism/v1/events with a small changeRetention', () => {
  let dir: TempDir;
  let gateway: RunningGateway;

  before(async () => {
    dir = tempDir('events-retention');
    // The shipped config with the SQLite backend's changeRetention set to 3; paths made
    // absolute so the config can live in the temporary folder.
    const config = parse(readFileSync(CONFIG_FILE, 'utf8')) as {
      backends: { config: Record<string, unknown> }[];
      namespaces: { frontends: { file: string }[] }[];
    };
    config.backends[0]!.config.changeRetention = 3;
    for (const f of config.namespaces[0]!.frontends) f.file = resolve(CONFIG_FILE, '..', f.file);
    const file = join(dir.path, 'gateway.yaml');
    writeFileSync(file, stringify(config));
    gateway = await startGateway(loadGatewayConfig(file), { host: '127.0.0.1', port: 0, dataDir: join(dir.path, 'data'), logger: false });
    await makeChanges(gateway.url);
  });
  after(async () => {
    await gateway?.close();
    dir?.remove();
  });

  test('only the newest changes are replayed; resuming before them is 410 in the error_code shape', async () => {
    assert.deepEqual((await readSse(gateway.url + EVENTS, 3)).map((e) => e.event), ['CONFIG_DELETED', 'MODE_CHANGED', 'MODE_DELETED']);
    assert.deepEqual((await readSse(gateway.url + EVENTS + '?after=8', 3)).map((e) => e.id), ['9', '10', '11']);
    // Expired through `after`, and through Last-Event-ID (which wins over a valid `after`).
    const cases: [string, Record<string, string>][] = [['?after=2', {}], ['?after=9', { 'last-event-id': '2' }]];
    for (const [query, headers] of cases) {
      const reply = await call(gateway.url, 'GET', EVENTS + query, { headers: { accept: 'text/event-stream', ...headers } });
      assert.equal(reply.status, 410, reply.text);
      const body = reply.json() as { error_code: number; message: string };
      assert.equal(body.error_code, 410);
      assert.equal(typeof body.message, 'string');
      assert.deepEqual(Object.keys(body), ['error_code', 'message']);
    }
  });
});
