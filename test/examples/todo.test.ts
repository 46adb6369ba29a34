/**
 * The to-do example as its README shows it: `run.ts` started the way a user starts it (a child
 * process, here on free ports), then the README's curl lines as fetch calls, each answer checked
 * (status, headers, body), the change feed as SSE and NDJSON, and a Connect call to the
 * service's own method.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { useSuite } from '../support/use-suite.js';
import { waitFor } from '../support/wait-for.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

interface Example {
  readonly api: string;
  readonly child: ChildProcess;
  output(): string;
}

const example = useSuite<Example>(async (scope) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/todo/run.ts', '--port', '0', '--todo-listen', '127.0.0.1:0', '--log-level', 'warn'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  scope.onClose(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    const code = await exited;
    // run.ts stops both halves on SIGTERM and exits 0; anything else is a broken shutdown.
    assert.equal(code, 0, `run.ts exited ${code}: ${out}`);
  });
  const api = await waitFor(() => /todo example ready: (\S+)/.exec(out)?.[1] ?? (child.exitCode !== null ? Promise.reject(new Error('exited')) : undefined), {
    timeoutMs: 120_000,
    intervalMs: 50,
    what: 'run.ts to print "todo example ready"',
    detail: () => out,
  });
  return { api, child, output: () => out };
});

const json = { 'content-type': 'application/json' };

async function call(method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${example.api}${path}`, {
    method,
    headers: { ...(init.body === undefined ? {} : json), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

test('the readiness route answers while the service is healthy', async () => {
  const about = await call('GET', '/v1');
  assert.equal(about.status, 200);
  assert.deepEqual(about.body, { service: 'todo', version: 1 });
});

test('create, read, list with paging and filters, update by mask, delete', async () => {
  const created = await call('POST', '/v1/todos', {
    headers: { 'idempotency-key': 'k-1' },
    body: { title: 'Buy milk', priority: ' High ', labels: { home: 'yes' }, dueTime: '2026-12-24T18:00:00Z' },
  });
  assert.equal(created.status, 201, created.text);
  const id = created.body!.id as string;
  assert.equal(created.headers.get('location'), `/v1/todos/${id}`);
  assert.deepEqual(
    { ...created.body, createdAt: undefined, updatedAt: undefined },
    { id, title: 'Buy milk', priority: 'high', done: false, labels: { home: 'yes' }, due: '2026-12-24T18:00:00Z', revision: 1, createdAt: undefined, updatedAt: undefined },
  );
  assert.match(created.body!.createdAt as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

  // The same idempotency key gives back the same to-do, not a second one.
  const again = await call('POST', '/v1/todos', { headers: { 'idempotency-key': 'k-1' }, body: { title: 'Buy milk' } });
  assert.equal(again.body!.id, id);

  const someday = await call('POST', '/v1/todos', { body: { title: 'Learn the cello', someday: true } });
  assert.equal(someday.status, 201);
  assert.equal(someday.body!.someday, true);
  assert.equal(someday.body!.priority, 'none');
  assert.equal('due' in someday.body!, false, 'an unset oneof member is omitted');
  assert.equal('notes' in someday.body!, false, 'empty notes are omitted');

  const read = await call('GET', `/v1/todos/${id}`);
  assert.equal(read.status, 200);
  assert.deepEqual(read.body, created.body);

  const first = await call('GET', '/v1/todos?pageSize=1');
  assert.equal(first.status, 200);
  assert.equal(first.body!.total, 2);
  assert.deepEqual(first.body!.items, [{ id, title: 'Buy milk', priority: 'high', done: false, labels: { home: 'yes' } }]);
  const second = await call('GET', `/v1/todos?pageSize=1&pageToken=${first.body!.nextPageToken as string}`);
  assert.deepEqual((second.body!.items as { id: string }[]).map((t) => t.id), [someday.body!.id]);
  assert.equal('nextPageToken' in second.body!, false, 'the last page has no next token');

  const filtered = await call('GET', '/v1/todos?priority=HIGH&label=home=yes&q=MILK&done=false');
  assert.deepEqual((filtered.body!.items as { id: string }[]).map((t) => t.id), [id]);
  const none = await call('GET', '/v1/todos?done=true');
  assert.deepEqual(none.body, { items: [], total: 0 });

  const updated = await call('PATCH', `/v1/todos/${id}?updateMask=done,notes`, { body: { done: true, notes: '2 litres', title: 'not in the mask' } });
  assert.equal(updated.status, 200, updated.text);
  assert.equal(updated.body!.done, true);
  assert.equal(updated.body!.notes, '2 litres');
  assert.equal(updated.body!.title, 'Buy milk', 'fields outside the mask stay');
  assert.equal(updated.body!.revision, 2);
  // The cached read was cleared by the write through the same frontend.
  assert.deepEqual((await call('GET', `/v1/todos/${id}`)).body, updated.body);

  const deleted = await call('DELETE', `/v1/todos/${someday.body!.id as string}`);
  assert.equal(deleted.status, 204);
  assert.equal(deleted.text, '');
  assert.equal((await call('GET', `/v1/todos/${someday.body!.id as string}`)).status, 404);
});

test('errors: the service reasons and the gateway binding errors in the API error shape', async () => {
  const cases: [string, string, unknown, number, Record<string, unknown>][] = [
    ['GET', '/v1/todos/99', undefined, 404, { error: 'not_found', message: "to-do '99' does not exist", id: '99' }],
    ['GET', '/v1/todos/abc', undefined, 400, { error: 'bad_parameter', parameter: 'id' }],
    ['GET', '/v1/todos?pageSize=lots', undefined, 400, { error: 'bad_parameter', parameter: 'pageSize' }],
    ['GET', '/v1/todos?pageSize=500', undefined, 400, { error: 'invalid', message: 'page size must be 1 to 100', field: 'page_size' }],
    ['GET', '/v1/todos?pageToken=%21%21', undefined, 400, { error: 'invalid', field: 'page_token' }],
    ['GET', '/v1/todos?colour=red', undefined, 400, { error: 'bad_parameter', message: "unknown query parameter 'colour'", parameter: 'colour' }],
    ['POST', '/v1/todos', { title: '' }, 400, { error: 'invalid', message: 'a to-do needs a title', field: 'title' }],
    ['POST', '/v1/todos', { title: 'x', dueTime: 'tomorrow' }, 400, { error: 'bad_parameter' }],
    ['PATCH', '/v1/todos/1?updateMask=createTime', {}, 422, { error: 'bad_mask', message: "'create_time' is not a field an update may change", path: 'create_time' }],
    ['DELETE', '/v1/todos/98', undefined, 404, { error: 'not_found', id: '98' }],
    ['GET', '/v1/nothing-here', undefined, 404, { error: 'no_such_route' }],
  ];
  for (const [method, path, body, status, expected] of cases) {
    const res = await call(method, path, { body });
    assert.equal(res.status, status, `${method} ${path}: ${res.text}`);
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(res.body?.[key], value, `${method} ${path} .${key}: ${res.text}`);
  }
});

/** Reads a streaming answer until `done(text so far)` holds; then cancels the request. */
async function readStream(path: string, accept: string, done: (text: string) => boolean, whileOpen: () => Promise<unknown>) {
  const abort = new AbortController();
  const res = await fetch(`${example.api}${path}`, { headers: { accept }, signal: abort.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  // The response headers arrive when the service has opened the stream: changes made now are heard.
  await whileOpen();
  try {
    await waitFor(
      async () => {
        while (!done(text)) {
          const { value, done: ended } = await reader.read();
          if (ended) throw new Error(`the stream ended early: ${text}`);
          text += decoder.decode(value, { stream: true });
        }
        return true;
      },
      { timeoutMs: 30_000, what: `the stream ${path}`, detail: () => text },
    );
  } finally {
    abort.abort();
  }
  return { contentType: res.headers.get('content-type'), text };
}

test('the change feed as Server-Sent Events: existing to-dos, then each change as it happens', async () => {
  const { contentType, text } = await readStream(
    '/v1/todo-events?existing=true',
    'text/event-stream',
    (t) => t.includes('event: deleted'),
    async () => {
      const made = await call('POST', '/v1/todos', { body: { title: 'Watch me', priority: 'low' } });
      await call('DELETE', `/v1/todos/${made.body!.id as string}`);
    },
  );
  assert.match(contentType!, /^text\/event-stream/);
  const events = text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1], id: /^id: (.*)$/m.exec(block)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(block)![1]) as { kind: string; sequence: string; todo: { title: string } } }));
  assert.ok(events.some((e) => e.event === 'existing'), text);
  const created = events.find((e) => e.event === 'created')!;
  assert.equal(created.data.todo.title, 'Watch me');
  assert.equal(created.data.kind, 'CREATED');
  assert.equal(created.id, created.data.sequence);
  assert.equal(events.at(-1)!.event, 'deleted');
});

test('the change feed as NDJSON, filtered by priority', async () => {
  const { contentType, text } = await readStream(
    '/v1/todo-events?priority=high',
    'application/x-ndjson',
    (t) => t.includes('"High one"'),
    async () => {
      await call('POST', '/v1/todos', { body: { title: 'Low one', priority: 'low' } });
      await call('POST', '/v1/todos', { body: { title: 'High one', priority: 'high' } });
    },
  );
  assert.match(contentType!, /^application\/x-ndjson/);
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; todo: { title: string; priority: string } });
  assert.deepEqual(lines.map((l) => [l.kind, l.todo.title, l.todo.priority]), [['CREATED', 'High one', 'PRIORITY_HIGH']]);
});

test("the service's own method as a Connect call (grpcWeb: true)", async () => {
  const made = await call('POST', '/v1/todos', { body: { title: 'Over Connect' } });
  const res = await call('POST', '/todo.v1.TodoService/GetTodo', { body: { id: made.body!.id } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body!.title, 'Over Connect');
  assert.equal(res.body!.name, `todos/${made.body!.id as string}`);
  const missing = await call('POST', '/todo.v1.TodoService/GetTodo', { body: { id: '404' } });
  assert.equal(missing.status, 404);
  assert.equal(missing.body!.code, 'not_found');
});
