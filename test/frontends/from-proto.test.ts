/**
 * google.api.http annotations → a frontend definition (from-annotations.ts), and the
 * `frontend from-proto` command (from-proto-command.ts): a case table of HttpRule forms and the
 * routes they become, the problems a bad rule reports, the printed YAML loading, validating and
 * compiling like any definition, and the generated routes serving HTTP in front of a real gRPC
 * server that records what each request became.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type FrontendDefinition, type RouteMapping } from '../../src/frontends/definition.js';
import { definitionFromAnnotations, type AnnotationStyle } from '../../src/frontends/from-annotations.js';
import { definitionToYaml, runFromProto } from '../../src/frontends/from-proto-command.js';
import { parseDefinitions, type LoadedDefinition } from '../../src/frontends/load-definition.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { createHttpServer } from '../../src/routing/fastify-adapter.js';
import { createTableHolder } from '../../src/routing/table-holder.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import { encodeStatusDetails } from '../../src/grpc/rich-status.js';
import { useSuite } from '../support/use-suite.js';

const ANNOTATED_PROTO = resolve(import.meta.dirname, 'fixtures/annotated.proto');
const LIBRARY = 'prism.test.annotated.v1.Library';
const root = loadProtoRoot([ANNOTATED_PROTO]);

function imported(style: AnnotationStyle = 'v2', service = LIBRARY) {
  return definitionFromAnnotations(root, { service, style, protos: [ANNOTATED_PROTO] });
}
const routeOf = (def: FrontendDefinition, id: string): RouteMapping | undefined => def.rest!.routes.find((r) => r.id === id);

/** Whether the definition format accepts a query source with a nested field path (`query.a.b`). */

describe('HttpRule forms → routes (v2 style)', () => {
  const { definition, problems, unannotated } = imported();
  const cases: { rule: string; id: string; route: Omit<RouteMapping, 'id' | 'grpc'> }[] = [
    {
      rule: 'get with a variable binding, response_body; free fields (nested, repeated, wrapper, timestamp, json_name) from the query, by proto or JSON name',
      id: 'GetBook',
      route: {
        method: 'GET',
        path: '/v1/{name=shelves/*/books/*}',
        params: [
          { from: 'path.name', to: 'name' },
          { from: 'query.filter.min_pages', to: 'filter.min_pages' },
          { from: 'query.filter.minPages', to: 'filter.min_pages' },
          { from: 'query.filter.shade', to: 'filter.shade' },
          { from: 'query.ids', to: 'ids' },
          { from: 'query.limit', to: 'limit' },
          { from: 'query.since', to: 'since' },
          { from: 'query.page_token', to: 'page_token' },
          { from: 'query.cursor', to: 'page_token' },
        ],
        response: { body: { from: 'response.title' } },
      },
    },
    { rule: 'additional binding: its own route, without the main rule\'s response_body', id: 'GetBook-2', route: { method: 'GET', path: '/v1/books/{name}', params: routeOf(imported().definition, 'GetBook')!.params } },
    { rule: 'additional binding with custom kind HEAD', id: 'GetBook-3', route: { method: 'HEAD', path: '/v1/heads/{name}', params: routeOf(imported().definition, 'GetBook')!.params } },
    {
      rule: 'patch with a field-path variable and body: "book"',
      id: 'UpdateBook',
      route: {
        method: 'PATCH',
        path: '/v1/{book.name=shelves/*/books/*}',
        params: [
          { from: 'path.book.name', to: 'book.name' },
          { from: 'body', to: 'book' },
          { from: 'query.update_mask', to: 'update_mask' },
          { from: 'query.updateMask', to: 'update_mask' },
        ],
      },
    },
    { rule: 'post with body: "*" (nothing from the query)', id: 'CreateBook', route: { method: 'POST', path: '/v1/books', params: [{ from: 'body', to: '*' }] } },
    {
      rule: 'delete with a multi-segment wildcard',
      id: 'DeletePath',
      route: { method: 'DELETE', path: '/v1/files/{path=**}', params: [{ from: 'path.path', to: 'path' }, { from: 'query.force', to: 'force' }] },
    },
    {
      rule: 'a custom verb',
      id: 'CancelOperation',
      route: { method: 'POST', path: '/v1/{name=operations/*}:cancel', params: [{ from: 'path.name', to: 'name' }, { from: 'body', to: '*' }] },
    },
    { rule: 'put', id: 'ReplaceBook', route: { method: 'PUT', path: '/v1/books/{name}', params: [{ from: 'path.name', to: 'name' }, { from: 'body', to: '*' }] } },
    {
      rule: 'a server stream: NDJSON {"result"} lines; oneof members from the query by either name',
      id: 'WatchShelf',
      route: {
        method: 'GET',
        path: '/v1/shelves/{shelf}:watch',
        params: [
          { from: 'path.shelf', to: 'shelf' },
          { from: 'query.filter.min_pages', to: 'filter.min_pages' },
          { from: 'query.filter.minPages', to: 'filter.min_pages' },
          { from: 'query.filter.shade', to: 'filter.shade' },
          { from: 'query.after_id', to: 'after_id' },
          { from: 'query.afterId', to: 'after_id' },
          { from: 'query.after_seq', to: 'after_seq' },
          { from: 'query.afterSeq', to: 'after_seq' },
        ],
        stream: { produces: ['application/x-ndjson'] },
        response: { body: { object: { result: { from: 'response' } } } },
      },
    },
    {
      rule: 'a client stream: the one reply as is (grpc-gateway forwards it as a unary reply), the request from the body',
      id: 'UploadBooks',
      route: { method: 'POST', path: '/v1/books:upload', params: [{ from: 'body', to: '*' }], stream: { produces: ['application/x-ndjson'] } },
    },
  ];
  for (const c of cases) {
    test(c.rule, () => {
      const route = routeOf(definition, c.id);
      assert.ok(route, `no route ${c.id}`);
      const { id: _id, grpc, ...rest } = route;
      assert.equal(grpc, c.id.replace(/-\d+$/, ''));
      assert.deepEqual(rest, c.route);
    });
  }

  test('every route is in the table above; the method without an annotation has none', () => {
    assert.deepEqual(definition.rest!.routes.map((r) => r.id).sort(), cases.map((c) => c.id).sort());
    assert.deepEqual(unannotated, ['Internal']);
    assert.deepEqual(problems, []);
  });

  test('the frontend: the service, v2 JSON (lowerCamelCase, defaults written), the default error body', () => {
    assert.equal(definition.name, LIBRARY);
    assert.equal(definition.rest!.service, LIBRARY);
    assert.deepEqual(definition.rest!.json, { names: 'json', emitDefaults: true });
    assert.deepEqual(definition.rest!.errors, [{}]);
  });
});

describe('v1 style (--proto-names)', () => {
  const { definition } = imported('v1');

  test('query parameters by JSON or proto name (the proto name written last: it wins), JSON with proto names and no defaults', () => {
    assert.deepEqual(routeOf(definition, 'GetBook')!.params!.slice(1), [
      { from: 'query.filter.minPages', to: 'filter.min_pages' },
      { from: 'query.filter.min_pages', to: 'filter.min_pages' },
      { from: 'query.filter.shade', to: 'filter.shade' },
      { from: 'query.ids', to: 'ids' },
      { from: 'query.limit', to: 'limit' },
      { from: 'query.since', to: 'since' },
      { from: 'query.cursor', to: 'page_token' },
      { from: 'query.page_token', to: 'page_token' },
    ]);
    assert.deepEqual(definition.rest!.json, { names: 'original', emitDefaults: false });
  });

  test("oneof members only by proto name (v1 looks them up in the oneof's table of proto names)", () => {
    assert.deepEqual(
      routeOf(definition, 'WatchShelf')!.params!.filter((p) => p.to.startsWith('after_')),
      [
        { from: 'query.after_id', to: 'after_id' },
        { from: 'query.after_seq', to: 'after_seq' },
      ],
    );
  });

  test("errors: v1's body {error, message, code}, its CANCELLED 408 and FAILED_PRECONDITION 412", () => {
    const errors = definition.rest!.errors!;
    assert.deepEqual(errors.map((e) => [e.match?.code, e.status]), [['CANCELLED', 408], ['FAILED_PRECONDITION', 412], [undefined, undefined]]);
    assert.deepEqual(errors.at(-1)!.body, {
      object: { error: { from: 'error.message' }, message: { from: 'error.message' }, code: { from: 'error.code' }, details: { from: 'error.details.list', omitWhen: 'empty' } },
    });
  });

  test("a stream route renders errors as v1's stream error {grpc_code, http_code, message, http_status}", () => {
    const last = routeOf(definition, 'WatchShelf')!.errors!.at(-1)!;
    assert.deepEqual(Object.keys((last.body as { object: object }).object), ['grpc_code', 'http_code', 'message', 'http_status']);
  });
});

describe('rules the import refuses', () => {
  const { definition, problems } = imported('v2', 'prism.test.annotated.v1.Broken');
  test('one problem per bad rule, naming the method; no route for any of them', () => {
    assert.deepEqual(
      problems.map((p) => [p.code, p.message.split(':')[0]]),
      [
        ['UNSUPPORTED', 'prism.test.annotated.v1.Broken.UnknownKind'],
        ['UNKNOWN_FIELD', 'prism.test.annotated.v1.Broken.UnknownVariable'],
        ['UNKNOWN_FIELD', 'prism.test.annotated.v1.Broken.UnknownBody'],
        ['PATH_TEMPLATE', 'prism.test.annotated.v1.Broken.BadTemplate'],
      ],
    );
    assert.deepEqual(definition.rest!.routes, []);
  });
  test('an unknown service throws, naming it', () => {
    assert.throws(() => imported('v2', 'prism.test.annotated.v1.Nope'), /unknown gRPC service 'prism.test.annotated.v1.Nope'/);
  });
});

/** Runs the command in-process. */
function fromProto(...args: string[]) {
  let out = '';
  let err = '';
  const code = runFromProto(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('frontend from-proto', () => {
  test('prints YAML that loads, validates and compiles like any definition (both styles)', () => {
    for (const flags of [[], ['--proto-names']]) {
      const run = fromProto(ANNOTATED_PROTO, '--service', LIBRARY, '--name', 'library', ...flags);
      assert.equal(run.code, 0, run.err);
      assert.match(run.err, /without google.api.http get no route: Internal/);
      const loaded = parseDefinitions(run.out, 'library.yaml', process.cwd());
      assert.equal(loaded[0].definition.name, 'library');
      compileRouteTable(loaded.map((l) => ({ loaded: l })));
    }
  });

  test('the echo.proto-like service (no nested query) round-trips through YAML unchanged', () => {
    const def = imported('v1').definition;
    const flat = { ...def, rest: { ...def.rest!, routes: def.rest!.routes.filter((r) => r.id === 'CreateBook' || r.id === 'CancelOperation' || r.id === 'DeletePath') } };
    const [loaded] = parseDefinitions(definitionToYaml(flat), 'flat.yaml', process.cwd());
    assert.deepEqual(loaded.definition, flat);
    compileRouteTable([{ loaded }]);
  });

  const usage: { name: string; args: string[]; code: number; err: RegExp }[] = [
    { name: 'several annotated services and no --service', args: [ANNOTATED_PROTO], code: 2, err: /several annotated services .*name one with --service/ },
    { name: 'a rule the import refuses', args: [ANNOTATED_PROTO, '--service', 'prism.test.annotated.v1.Broken'], code: 2, err: /UnknownKind: custom method 'LIST'.*\[UNSUPPORTED\]/ },
    { name: 'an unknown service', args: [ANNOTATED_PROTO, '--service', 'x.Y'], code: 2, err: /unknown gRPC service 'x.Y'/ },
    { name: 'a missing file', args: ['nope.proto'], code: 2, err: /cannot load protos/ },
    { name: 'no file', args: [], code: 2, err: /name one .proto file/ },
    { name: 'an unknown option', args: [ANNOTATED_PROTO, '--nope'], code: 2, err: /Unknown option '--nope'/ },
  ];
  for (const c of usage) {
    test(`${c.name}: exit ${c.code}, nothing printed`, () => {
      const run = fromProto(...c.args);
      assert.equal(run.code, c.code);
      assert.equal(run.out, '');
      assert.match(run.err, c.err);
    });
  }

  test('--help prints the usage, exit 0', () => {
    const run = fromProto('--help');
    assert.equal(run.code, 0);
    assert.match(run.out, /^Usage: prism-gateway frontend from-proto FILE.proto/);
  });
});

describe('the imported routes over HTTP, in front of a gRPC server that records each request', () => {
  const received: { method: string; request: unknown }[] = [];
  const suite = useSuite(async (scope) => {
    const server = new grpc.Server();
    const reply = (method: string, answer: (req: Record<string, unknown>) => unknown) => (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      received.push({ method, request: call.request });
      if ((call.request as { name?: string }).name === 'missing') return cb({ code: grpc.status.NOT_FOUND, details: 'no such book' });
      if ((call.request as { name?: string }).name === 'held') {
        const metadata = new grpc.Metadata();
        metadata.set('grpc-status-details-bin', encodeStatusDetails(grpc.status.FAILED_PRECONDITION, 'book is held', { reason: 'BOOK_HELD', domain: 'library.test', metadata: { by: 'x' } }));
        return cb({ code: grpc.status.FAILED_PRECONDITION, details: 'book is held', metadata });
      }
      cb(null, answer(call.request));
    };
    const recordOptions = { longs: String, enums: String, defaults: false, arrays: false, objects: false };
    server.addService(createServiceDefinition(root.lookupService(LIBRARY), recordOptions), {
      GetBook: reply('GetBook', (r) => ({ name: r.name, title: `T:${String(r.name)}`, page_count: 3 })),
      UpdateBook: reply('UpdateBook', (r) => r.book),
      CreateBook: reply('CreateBook', (r) => r),
      DeletePath: reply('DeletePath', (r) => ({ name: r.path, done: r.force === true })),
      CancelOperation: reply('CancelOperation', (r) => ({ name: r.name, done: true })),
      ReplaceBook: reply('ReplaceBook', (r) => r),
      Internal: reply('Internal', (r) => r),
      UploadBooks(call: grpc.ServerReadableStream<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) {
        const names: string[] = [];
        call.on('data', (book: { name?: string }) => names.push(book.name ?? ''));
        call.on('end', () => {
          received.push({ method: 'UploadBooks', request: names });
          cb(null, { book_count: names.length, last_name: names.at(-1) ?? '' });
        });
      },
      WatchShelf(call: grpc.ServerWritableStream<Record<string, unknown>, unknown>) {
        received.push({ method: 'WatchShelf', request: call.request });
        call.write({ name: `${String(call.request.shelf)}/1` });
        call.write({ name: `${String(call.request.shelf)}/2`, tags: ['t'] });
        call.end();
      },
    });
    const port = await new Promise<number>((done, fail) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? fail(e) : done(p))));
    scope.onClose(() => new Promise<void>((done) => server.tryShutdown(() => done())));
    const upstream = createGrpcUpstream(`127.0.0.1:${port}`);
    scope.onClose(() => upstream.close());
    // Compiled from the definition object: what is checked here is the mapping, whatever the
    // schema's view of nested query names (the YAML round trip above checks that).
    const serve = async (style: AnnotationStyle) => {
      const definition = imported(style).definition;
      const loaded: LoadedDefinition = { definition, file: 'library.yaml', index: 0, baseDir: join(import.meta.dirname, 'fixtures'), locate: () => undefined, routeAt: () => undefined };
      const app = createHttpServer({ tables: createTableHolder(compileRouteTable([{ loaded, upstream }])) });
      await app.ready();
      scope.onClose(() => app.close());
      return app;
    };
    return { app: await serve('v2'), v1: await serve('v1') };
  });

  const cases: { name: string; method: string; url: string; body?: unknown; status: number; answer: unknown; grpc: string; request?: unknown }[] = [
    {
      name: 'variable binding, nested / repeated / enum / renamed query parameters, response_body',
      method: 'GET',
      url: '/v1/shelves/s1/books/b2?filter.minPages=5&filter.shade=SHADE_DARK&ids=1&ids=2&cursor=c',
      status: 200,
      answer: 'T:shelves/s1/books/b2',
      grpc: 'GetBook',
      request: { name: 'shelves/s1/books/b2', filter: { min_pages: 5, shade: 'SHADE_DARK' }, ids: [1, 2], page_token: 'c' },
    },
    {
      name: 'the same query parameters by their proto names',
      method: 'GET',
      url: '/v1/shelves/s1/books/b2?filter.min_pages=5&page_token=c',
      status: 200,
      answer: 'T:shelves/s1/books/b2',
      grpc: 'GetBook',
      request: { name: 'shelves/s1/books/b2', filter: { min_pages: 5 }, page_token: 'c' },
    },
    {
      name: 'both names of one field: the JSON name (written last in v2) wins',
      method: 'GET',
      url: '/v1/books/b1?cursor=json&page_token=proto',
      status: 200,
      answer: { name: 'b1', title: 'T:b1', tags: [], pageCount: '3' },
      grpc: 'GetBook',
      request: { name: 'b1', page_token: 'json' },
    },
    { name: 'an additional binding: the whole reply, v2 JSON with defaults', method: 'GET', url: '/v1/books/b1', status: 200, answer: { name: 'b1', title: 'T:b1', tags: [], pageCount: '3' }, grpc: 'GetBook', request: { name: 'b1' } },
    {
      name: 'a field-path variable over a body field: the path wins for book.name',
      method: 'PATCH',
      url: '/v1/shelves/s/books/b?updateMask=title',
      body: { name: 'ignored', title: 'new' },
      status: 200,
      answer: { name: 'shelves/s/books/b', title: 'new', tags: [], pageCount: '0' },
      grpc: 'UpdateBook',
      request: { book: { name: 'shelves/s/books/b', title: 'new' }, update_mask: 'title' },
    },
    { name: 'body "*"', method: 'POST', url: '/v1/books', body: { name: 'n', pageCount: '7' }, status: 200, answer: { name: 'n', title: '', tags: [], pageCount: '7' }, grpc: 'CreateBook', request: { name: 'n', page_count: '7' } },
    { name: 'a multi-segment wildcard keeps its slashes', method: 'DELETE', url: '/v1/files/a/b/c.txt?force=true', status: 200, answer: { name: 'a/b/c.txt', done: true }, grpc: 'DeletePath', request: { path: 'a/b/c.txt', force: true } },
    { name: 'a custom verb', method: 'POST', url: '/v1/operations/op1:cancel', body: {}, status: 200, answer: { name: 'operations/op1', done: true }, grpc: 'CancelOperation', request: { name: 'operations/op1' } },
    { name: 'NOT_FOUND: 404 and the default {code, message, details}', method: 'GET', url: '/v1/books/missing', status: 404, answer: { code: 5, message: 'no such book', details: [] }, grpc: 'GetBook' },
  ];
  for (const c of cases) {
    test(`${c.method} ${c.url}: ${c.name}`, async () => {
      received.length = 0;
      const res = await suite.app.inject({ method: c.method as 'GET', url: c.url, ...(c.body === undefined ? {} : { payload: c.body as object }) });
      assert.equal(res.statusCode, c.status, res.body);
      assert.deepEqual(res.json(), c.answer);
      assert.equal(received[0]?.method, c.grpc);
      if (c.request !== undefined) assert.deepEqual(received[0].request, c.request);
    });
  }

  test('a client stream: a body of concatenated messages in, the one reply out as is, without {"result"}', async () => {
    received.length = 0;
    const res = await suite.app.inject({ method: 'POST', url: '/v1/books:upload', headers: { 'content-type': 'application/json' }, payload: '{"name":"a"}{"name":"b"}\n{"name":"c"}' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(received, [{ method: 'UploadBooks', request: ['a', 'b', 'c'] }]);
    assert.deepEqual(res.body.trim().split('\n').map((l) => JSON.parse(l) as unknown), [{ bookCount: 3, lastName: 'c' }]);
  });

  test("v1 errors: {error, message, code}, details as Any values and left out when there are none; v1's 412", async () => {
    const held = await suite.v1.inject({ method: 'GET', url: '/v1/books/held' });
    assert.equal(held.statusCode, 412, held.body);
    assert.deepEqual(held.json(), {
      error: 'book is held',
      message: 'book is held',
      code: 9,
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'BOOK_HELD', domain: 'library.test', metadata: { by: 'x' } }],
    });
    const missing = await suite.v1.inject({ method: 'GET', url: '/v1/books/missing' });
    assert.equal(missing.statusCode, 404, missing.body);
    assert.deepEqual(missing.json(), { error: 'no such book', message: 'no such book', code: 5 });
  });

  test('a server stream: one {"result"} line per message', async () => {
    const res = await suite.app.inject({ method: 'GET', url: '/v1/shelves/s9:watch?filter.minPages=2' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/x-ndjson');
    assert.deepEqual(res.body.trim().split('\n').map((l) => JSON.parse(l) as unknown), [
      { result: { name: 's9/1', title: '', tags: [], pageCount: '0' } },
      { result: { name: 's9/2', title: '', tags: ['t'], pageCount: '0' } },
    ]);
  });
});
