/**
 * The OpenAPI frontend example (examples/openapi-frontend/): `run.ts` started as a user starts
 * it (a child process, on free ports), then its README's curl lines as fetch calls: a frontend
 * loaded from an OpenAPI 3.1 document routes by its x-prism-* extensions, checks bodies
 * against the document's schemas before any gRPC call, answers 204 without a body, takes a
 * custom verb, streams as SSE, and serves its own description back at the admin API.
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
}

const example = useSuite<Example>(async (scope) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/openapi-frontend/run.ts', '--port', '0', '--todo-listen', '127.0.0.1:0', '--log-level', 'warn'], {
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
    assert.equal(code, 0, `run.ts exited ${code}: ${out}`);
  });
  const api = await waitFor(() => /openapi example ready: (\S+)/.exec(out)?.[1] ?? (child.exitCode !== null ? Promise.reject(new Error(`exited: ${out}`)) : undefined), {
    timeoutMs: 120_000,
    intervalMs: 50,
    what: 'run.ts to print "openapi example ready"',
    detail: () => out,
  });
  return { api, child };
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${example.api}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

test('create, read, list, complete (a custom verb) and delete (204, no body) through the OpenAPI-defined routes', async () => {
  const created = await call('POST', '/v1/todos', { title: 'Buy milk', priority: 'high' });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.headers.get('location'), `todos/${created.body!.id as string}`);
  assert.deepEqual({ ...created.body, id: undefined }, { id: undefined, title: 'Buy milk', priority: 'high', done: false });
  const id = created.body!.id as string;

  const read = await call('GET', `/v1/todos/${id}`);
  assert.equal(read.status, 200);
  assert.equal(read.body!.title, 'Buy milk');
  assert.equal(read.body!.priority, 'PRIORITY_HIGH');

  const list = await call('GET', '/v1/todos?pageSize=5');
  assert.equal(list.status, 200);
  assert.ok((list.body!.items as { id: string }[]).some((t) => t.id === id));

  const done = await call('POST', `/v1/todos/${id}:complete`);
  assert.deepEqual([done.status, done.body], [200, { id, done: true }]);

  const deleted = await call('DELETE', `/v1/todos/${id}`);
  assert.deepEqual([deleted.status, deleted.text], [204, '']);
  const gone = await call('GET', `/v1/todos/${id}`);
  assert.deepEqual([gone.status, gone.body], [404, { error: 'not_found', message: `to-do '${id}' does not exist`, id }]);
});

test("a body that breaks the document's schema is 400 before any call, naming the property", async () => {
  const missing = await call('POST', '/v1/todos', { notes: 'no title' });
  assert.equal(missing.status, 400);
  assert.equal(missing.body!.error, 'invalid_body');
  assert.match(missing.body!.message as string, /title/);
  const tooLong = await call('POST', '/v1/todos', { title: 'x'.repeat(201) });
  assert.equal(tooLong.status, 400);
  assert.match(tooLong.body!.message as string, /\/title must NOT have more than 200 characters/);
  // Nothing was created by either.
  const list = await call('GET', '/v1/todos');
  assert.ok(!(list.body!.items as { title: string }[]).some((t) => t.title === 'no title' || t.title.length > 200));
});

test('a body with a property the schema does not allow names that property', async () => {
  const extra = await call('POST', '/v1/todos', { title: 'a', colour: 'red' });
  assert.equal(extra.status, 400);
  assert.match(extra.body!.message as string, /colour/);
});

test("parameters that do not fit are the frontend's 400, unknown query parameters are refused", async () => {
  const lots = await call('GET', '/v1/todos?pageSize=lots');
  assert.deepEqual([lots.status, lots.body!.error, lots.body!.parameter], [400, 'bad_parameter', 'pageSize']);
  const unknown = await call('GET', '/v1/todos?colour=red');
  assert.deepEqual([unknown.status, unknown.body!.error], [400, 'bad_parameter']);
  const badId = await call('GET', '/v1/todos/abc');
  assert.equal(badId.status, 400);
});

test('the change feed streams as Server-Sent Events', async () => {
  const controller = new AbortController();
  // A read that never returns is ended by the abort (10x the time the event takes).
  const stuck = setTimeout(() => controller.abort(), 20_000);
  const res = await fetch(`${example.api}/v1/todo-events`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = res.body!.getReader();
  const created = await call('POST', '/v1/todos', { title: 'Watch me' });
  assert.equal(created.status, 201);
  let text = '';
  await waitFor(
    async () => {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      text += new TextDecoder().decode(value);
      return /event: created\n/.test(text) && text.includes('Watch me') ? true : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 1, what: 'the created event', detail: () => text },
  );
  clearTimeout(stuck);
  controller.abort();
});
