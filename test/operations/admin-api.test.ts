/**
 * Runtime frontends through the admin API, over real sockets: a valid definition is applied and
 * served at once; an invalid one is rejected with every problem listed while the old table keeps
 * serving; a delete takes the routes away; all of it survives a restart on the same data dir.
 * Then the same through the `prism-gateway frontend` CLI subcommands.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import type { RunningGateway } from '../../src/start-gateway.js';
import { echoFrontend, fixtureNamespace, http, putFrontend, runCli, startFromConfig, tempDir, writeConfig } from './support.js';

/** The unified error body (core/render-error.ts). */
interface ErrorBody {
  code: number;
  message: string;
  details: ({ '@type': string; reason?: string; domain?: string; metadata?: Record<string, string> } & { fieldViolations?: Violation[] })[];
}

/** A definition problem, as a google.rpc.BadRequest field violation. */
interface Violation {
  field: string;
  description: string;
  reason: string;
}

function errorInfo(body: unknown): { reason?: string; domain?: string; metadata?: Record<string, string> } | undefined {
  return (body as ErrorBody).details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo');
}

/** The field violations of a rejected definition (asserting the body's shape on the way). */
function violations(body: unknown): Violation[] {
  const b = body as ErrorBody;
  assert.equal(b.code, 3, JSON.stringify(body));
  assert.deepEqual(fields(errorInfo(b), ['reason', 'domain']), { reason: 'DEFINITION_INVALID', domain: 'gateway.prism.io' });
  const badRequest = b.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.BadRequest');
  assert.ok(badRequest?.fieldViolations, JSON.stringify(body));
  return badRequest.fieldViolations;
}

let fixture: FixtureServer;
let dir: ReturnType<typeof tempDir>;
let configFile: string;
let dataDir: string;
let gateway: RunningGateway | undefined;

const BASE = echoFrontend('base', [{ id: 'base-hello', path: '/base', marker: 'from-file' }]);
const EXTRA_V1 = echoFrontend('extra', [{ id: 'extra-hello', path: '/extra', marker: 'extra-v1' }]);
const EXTRA_V2 = echoFrontend('extra', [
  { id: 'extra-hello', path: '/extra', marker: 'extra-v2' },
  { id: 'extra-more', path: '/extra/more', marker: 'extra-more' },
]);
/** Well-formed, but two routes are wrong in two different ways (caught by the compiler). */
const EXTRA_BAD_MEANING = `name: extra
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - { id: no-such-method, method: GET, path: /extra, grpc: NoSuchMethod }
    - { id: no-such-field, method: GET, path: /extra/field, grpc: Echo, params: [{ from: query.x, to: no_such_field }] }
`;
/** Badly shaped in two places (caught by the schema check). */
const EXTRA_BAD_SHAPE = `name: extra
type: REST
rest:
  routes:
    - { id: missing-method, path: /extra, grpc: Echo }
    - { id: bad-verb, method: FETCH, path: /extra/x, grpc: Echo }
`;

/** The named fields of a reply object (the reply may carry more). */
function fields(value: unknown, keys: string[]): Record<string, unknown> {
  const record = value as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, record[k]]));
}

async function body(url: string): Promise<{ status: number; json?: unknown }> {
  const a = await http(url);
  let json: unknown;
  try {
    json = a.json();
  } catch {
    json = undefined;
  }
  return { status: a.status, json };
}

before(async () => {
  fixture = await startFixtureServer();
  dir = tempDir('admin');
  dataDir = join(dir.path, 'data');
  writeFileSync(join(dir.path, 'base.yaml'), BASE);
  configFile = writeConfig(dir.path, { namespaces: [fixtureNamespace('fx', fixture.address, [{ file: 'base.yaml' }])] });
  gateway = await startFromConfig(configFile, dataDir);
});

after(async () => {
  await gateway?.close();
  await fixture?.close();
  dir?.remove();
});

describe('admin API: apply, reject, delete, restart', () => {
  test('the config file frontend serves and is listed with origin file', async () => {
    assert.deepEqual(await body(`${gateway!.url}/base`), { status: 200, json: { fString: 'from-file' } });
    const list = (await http(`${gateway!.adminUrl}/admin/frontends`)).json() as { names: string[]; origin: string; namespace: string }[];
    assert.deepEqual(
      list.map((e) => ({ names: e.names, origin: e.origin, namespace: e.namespace })),
      [{ names: ['base'], origin: 'file', namespace: 'fx' }],
    );
  });

  test('the admin API is not on the public listener', async () => {
    const a = await http(`${gateway!.url}/admin/frontends`);
    assert.equal(a.status, 404);
  });

  test('a valid frontend is applied and traffic routes to it', async () => {
    assert.equal((await http(`${gateway!.url}/extra`)).status, 404, 'not served before it is applied');
    const put = await putFrontend(gateway!.adminUrl!, 'extra', EXTRA_V1);
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(fields(put.json(), ['applied', 'namespace', 'routes']), { applied: 'extra', namespace: 'fx', routes: 1 });
    assert.deepEqual(await body(`${gateway!.url}/extra`), { status: 200, json: { fString: 'extra-v1' } });
    assert.deepEqual(await body(`${gateway!.url}/base`), { status: 200, json: { fString: 'from-file' } }, 'the file frontend still serves');
    const got = (await http(`${gateway!.adminUrl}/admin/frontends/extra`)).json() as { names: string[]; origin: string; definition: string };
    assert.deepEqual(got.names, ['extra']);
    assert.equal(got.origin, 'admin');
    assert.equal(got.definition, EXTRA_V1);
  });

  test('applying again replaces the frontend (new routes served, old answers gone)', async () => {
    const put = await putFrontend(gateway!.adminUrl!, 'extra', EXTRA_V2);
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(fields(put.json(), ['applied', 'namespace', 'routes']), { applied: 'extra', namespace: 'fx', routes: 2 });
    assert.deepEqual(await body(`${gateway!.url}/extra`), { status: 200, json: { fString: 'extra-v2' } });
    assert.deepEqual(await body(`${gateway!.url}/extra/more`), { status: 200, json: { fString: 'extra-more' } });
    const routes = (await http(`${gateway!.adminUrl}/admin/routes`)).text;
    assert.match(routes, /extra-more/);
  });

  test('GET /admin/routes/{id} answers the route plan; a shared id needs ?frontend=, an unknown one is a 404', async () => {
    const one = await http(`${gateway!.adminUrl}/admin/routes/extra-more`);
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(fields(one.json(), ['id', 'frontend', 'namespace', 'method']), { id: 'extra-more', frontend: 'extra', namespace: 'fx', method: 'GET' });

    const twin = echoFrontend('twin', [{ id: 'extra-more', path: '/twin', marker: 'twin' }]);
    assert.equal((await putFrontend(gateway!.adminUrl!, 'twin', twin)).status, 200);
    try {
      const shared = await http(`${gateway!.adminUrl}/admin/routes/extra-more`);
      assert.equal(shared.status, 400, shared.text);
      assert.equal(errorInfo(shared.json())?.reason, 'ROUTE_AMBIGUOUS');
      assert.match((shared.json() as ErrorBody).message, /extra\/fx.*twin\/fx|twin\/fx.*extra\/fx/);
      const narrowed = await http(`${gateway!.adminUrl}/admin/routes/extra-more?frontend=twin&namespace=fx`);
      assert.equal(narrowed.status, 200, narrowed.text);
      assert.equal((narrowed.json() as { frontend: string }).frontend, 'twin');
    } finally {
      assert.equal((await http(`${gateway!.adminUrl}/admin/frontends/twin`, { method: 'DELETE' })).status, 200);
    }

    const none = await http(`${gateway!.adminUrl}/admin/routes/no-such-route`);
    assert.equal(none.status, 404, none.text);
    assert.deepEqual(fields(errorInfo(none.json()), ['reason', 'domain']), { reason: 'ROUTE_NOT_FOUND', domain: 'gateway.prism.io' });
  });

  test('an unknown frontend is a 404 in the unified error body', async () => {
    const got = await http(`${gateway!.adminUrl}/admin/frontends/nobody`);
    assert.equal(got.status, 404);
    assert.deepEqual(got.json(), {
      code: 5,
      message: "no frontend named 'nobody'",
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'FRONTEND_NOT_FOUND', domain: 'gateway.prism.io', metadata: { frontend: 'nobody' } }],
    });
  });

  test('a definition the compiler rejects answers 400 listing every problem; the old table still serves', async () => {
    const tableBefore = gateway!.tables.current;
    const put = await putFrontend(gateway!.adminUrl!, 'extra', EXTRA_BAD_MEANING);
    assert.equal(put.status, 400, put.text);
    const problems = violations(put.json());
    const method = problems.find((p) => p.description.includes("route 'no-such-method'"));
    const field = problems.find((p) => p.description.includes("route 'no-such-field'"));
    assert.match(method?.description ?? '', /NoSuchMethod/, `a problem for route no-such-method: ${put.text}`);
    assert.match(field?.description ?? '', /no_such_field/, `a problem for route no-such-field: ${put.text}`);
    // The field is file#pointer; the reason is the problem's stable diagnostic code.
    assert.match(method!.field, /^admin:extra#\/rest\/routes\/0/);
    assert.match(field!.field, /^admin:extra#\/rest\/routes\/1/);
    assert.match(method!.reason, /^[A-Z_]+$/);
    assert.equal(gateway!.tables.current, tableBefore, 'the route table was not swapped');
    assert.deepEqual(await body(`${gateway!.url}/extra`), { status: 200, json: { fString: 'extra-v2' } });
    assert.deepEqual(await body(`${gateway!.url}/extra/more`), { status: 200, json: { fString: 'extra-more' } });
    assert.equal((await http(`${gateway!.url}/extra/field`)).status, 404);
    const got = (await http(`${gateway!.adminUrl}/admin/frontends/extra`)).json() as { definition: string };
    assert.equal(got.definition, EXTRA_V2, 'the admin view still shows the accepted definition');
  });

  test('a badly shaped definition answers 400 listing every shape problem; the old table still serves', async () => {
    const put = await putFrontend(gateway!.adminUrl!, 'extra', EXTRA_BAD_SHAPE);
    assert.equal(put.status, 400, put.text);
    const problems = violations(put.json());
    assert.ok(problems.some((p) => p.field.includes('#/rest/routes/0')), `a problem in route 0: ${put.text}`);
    assert.ok(problems.some((p) => p.field.includes('#/rest/routes/1')), `a problem in route 1: ${put.text}`);
    assert.deepEqual(await body(`${gateway!.url}/extra`), { status: 200, json: { fString: 'extra-v2' } });
  });

  test('a definition that collides with another frontend is rejected; both keep serving', async () => {
    const clash = echoFrontend('clash', [{ id: 'clash-base', path: '/base', marker: 'clash' }]);
    const put = await putFrontend(gateway!.adminUrl!, 'clash', clash);
    assert.equal(put.status, 400, put.text);
    assert.ok(violations(put.json()).length >= 1);
    assert.deepEqual(await body(`${gateway!.url}/base`), { status: 200, json: { fString: 'from-file' } });
    assert.equal((await http(`${gateway!.adminUrl}/admin/frontends/clash`)).status, 404);
  });

  test('a body whose frontend name differs from the URL is rejected', async () => {
    const put = await putFrontend(gateway!.adminUrl!, 'other-name', EXTRA_V1);
    assert.equal(put.status, 400, put.text);
    assert.equal(errorInfo(put.json())?.reason, 'FRONTEND_NAME_MISMATCH', put.text);
    assert.deepEqual(await body(`${gateway!.url}/extra`), { status: 200, json: { fString: 'extra-v2' } });
  });

  test('a frontend applied with a path prefix is served under it', async () => {
    const kept = echoFrontend('kept', [{ id: 'kept-hello', path: '/hello', marker: 'kept' }]);
    const put = await putFrontend(gateway!.adminUrl!, 'kept', kept, { pathPrefix: '/p' });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(await body(`${gateway!.url}/p/hello`), { status: 200, json: { fString: 'kept' } });
    assert.equal((await http(`${gateway!.url}/hello`)).status, 404);
  });

  test('delete takes the routes away (404) and the frontend off the list', async () => {
    const del = await http(`${gateway!.adminUrl}/admin/frontends/extra`, { method: 'DELETE' });
    assert.equal(del.status, 200, del.text);
    assert.equal((del.json() as { deleted: string }).deleted, 'extra');
    assert.equal((await http(`${gateway!.url}/extra`)).status, 404);
    assert.equal((await http(`${gateway!.url}/extra/more`)).status, 404);
    assert.equal((await http(`${gateway!.adminUrl}/admin/frontends/extra`)).status, 404);
    assert.equal((await http(`${gateway!.adminUrl}/admin/frontends/extra`, { method: 'DELETE' })).status, 404, 'deleting twice is a 404');
  });

  test('a frontend loaded from the config file is read-only here: delete and apply answer 409', async () => {
    const del = await http(`${gateway!.adminUrl}/admin/frontends/base`, { method: 'DELETE' });
    assert.equal(del.status, 409, del.text);
    assert.match((del.json() as ErrorBody).message, /defined in the config file .*base\.yaml.*change it there/);
    assert.deepEqual(fields(errorInfo(del.json()), ['reason', 'domain']), { reason: 'READ_ONLY_FRONTEND', domain: 'gateway.prism.io' });
    assert.equal(errorInfo(del.json())?.metadata?.origin, 'file');
    const put = await putFrontend(gateway!.adminUrl!, 'base', BASE.replace('from-file', 'from-admin'));
    assert.equal(put.status, 409, put.text);
    assert.deepEqual(await body(`${gateway!.url}/base`), { status: 200, json: { fString: 'from-file' } });
  });

  test('after a restart on the same data dir the applied and deleted state is the same', async () => {
    await gateway!.close();
    gateway = undefined;
    gateway = await startFromConfig(configFile, dataDir);
    assert.deepEqual(await body(`${gateway.url}/p/hello`), { status: 200, json: { fString: 'kept' } }, 'the applied frontend is back, with its prefix');
    assert.equal((await http(`${gateway.url}/extra`)).status, 404, 'the deleted admin frontend stays deleted');
    assert.deepEqual(await body(`${gateway.url}/base`), { status: 200, json: { fString: 'from-file' } }, 'the file frontend is served as the file says');
    const list = (await http(`${gateway.adminUrl}/admin/frontends`)).json() as { names: string[]; origin: string; pathPrefix?: string }[];
    assert.deepEqual(
      list.map((e) => ({ names: e.names, origin: e.origin, pathPrefix: e.pathPrefix })),
      [
        { names: ['base'], origin: 'file', pathPrefix: undefined },
        { names: ['kept'], origin: 'admin', pathPrefix: '/p' },
      ],
    );
  });

  test('a rejected change is not persisted either', async () => {
    const before = await http(`${gateway!.adminUrl}/admin/frontends/kept`);
    const bad = await putFrontend(gateway!.adminUrl!, 'kept', EXTRA_BAD_MEANING.replace('name: extra', 'name: kept'), { pathPrefix: '/p' });
    assert.equal(bad.status, 400);
    await gateway!.close();
    gateway = undefined;
    gateway = await startFromConfig(configFile, dataDir);
    assert.deepEqual(await body(`${gateway.url}/p/hello`), { status: 200, json: { fString: 'kept' } });
    const after = await http(`${gateway.adminUrl}/admin/frontends/kept`);
    assert.equal(after.text, before.text);
  });
});

describe('admin CLI: prism-gateway frontend apply | list | delete', () => {
  const cliDir = () => dir.path;

  test('apply -f FILE exits 0, prints the result, and the routes serve', async () => {
    const file = join(cliDir(), 'cli-fe.yaml');
    writeFileSync(file, echoFrontend('cli-fe', [{ id: 'cli-hello', path: '/cli', marker: 'from-cli' }]));
    const run = await runCli(['frontend', 'apply', '-f', file, '--admin', gateway!.adminUrl!]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(fields(JSON.parse(run.stdout), ['applied', 'namespace', 'routes']), { applied: 'cli-fe', namespace: 'fx', routes: 1 });
    assert.deepEqual(await body(`${gateway!.url}/cli`), { status: 200, json: { fString: 'from-cli' } });
  });

  test('apply of an invalid definition exits 2 and prints every problem; the served routes are unchanged', async () => {
    const file = join(cliDir(), 'cli-bad.yaml');
    writeFileSync(file, EXTRA_BAD_MEANING.replace('name: extra', 'name: cli-fe'));
    const run = await runCli(['frontend', 'apply', '-f', file, '--admin', gateway!.adminUrl!]);
    assert.equal(run.code, 2, `stdout: ${run.stdout} stderr: ${run.stderr}`);
    assert.match(run.stderr, /rejected/);
    assert.match(run.stderr, /NoSuchMethod/);
    assert.match(run.stderr, /no_such_field/);
    assert.equal(run.stdout, '');
    assert.deepEqual(await body(`${gateway!.url}/cli`), { status: 200, json: { fString: 'from-cli' } });
  });

  test('list exits 0 and prints every frontend', async () => {
    const run = await runCli(['frontend', 'list', '--admin', gateway!.adminUrl!]);
    assert.equal(run.code, 0, run.stderr);
    const entries = JSON.parse(run.stdout) as { names: string[]; origin: string }[];
    assert.deepEqual(entries.map((e) => `${e.names.join('+')}:${e.origin}`).sort(), ['base:file', 'cli-fe:admin', 'kept:admin']);
  });

  test('delete NAME exits 0 and the routes answer 404', async () => {
    const run = await runCli(['frontend', 'delete', 'cli-fe', '--admin', gateway!.adminUrl!]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { deleted: string }).deleted, 'cli-fe');
    assert.equal((await http(`${gateway!.url}/cli`)).status, 404);
  });

  test('delete of an unknown frontend exits non-zero with the reason on stderr', async () => {
    const run = await runCli(['frontend', 'delete', 'no-such-frontend', '--admin', gateway!.adminUrl!]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no frontend named 'no-such-frontend'/);
  });
});

describe('admin API: concurrent changes', () => {
  test('ten different frontends applied at once are all served, and all survive a restart', async () => {
    const puts = await Promise.all(
      Array.from({ length: 10 }, (_, n) => putFrontend(gateway!.adminUrl!, `c${n}`, echoFrontend(`c${n}`, [{ id: `c${n}`, path: `/c/${n}`, marker: `c${n}` }]))),
    );
    assert.deepEqual(puts.map((p) => p.status), Array(10).fill(200));
    for (let n = 0; n < 10; n++) assert.deepEqual(await body(`${gateway!.url}/c/${n}`), { status: 200, json: { fString: `c${n}` } });
    await gateway!.close();
    gateway = undefined;
    gateway = await startFromConfig(configFile, dataDir);
    for (let n = 0; n < 10; n++) assert.deepEqual(await body(`${gateway.url}/c/${n}`), { status: 200, json: { fString: `c${n}` } });
  });

  test('racing versions of one frontend: what is served is what is persisted', async () => {
    const puts = await Promise.all(
      Array.from({ length: 10 }, (_, n) => putFrontend(gateway!.adminUrl!, 'race', echoFrontend('race', [{ id: 'race', path: '/race', marker: `r${n}` }]))),
    );
    assert.deepEqual(puts.map((p) => p.status), Array(10).fill(200));
    const served = await body(`${gateway!.url}/race`);
    assert.equal(served.status, 200);
    const shown = (await http(`${gateway!.adminUrl}/admin/frontends/race`)).json() as { definition: string };
    assert.match(shown.definition, new RegExp(`"${(served.json as { fString: string }).fString}"`), 'the admin view shows the served version');
    await gateway!.close();
    gateway = undefined;
    gateway = await startFromConfig(configFile, dataDir);
    assert.deepEqual(await body(`${gateway.url}/race`), served);
  });

  test('a definition written as JSON is accepted like YAML', async () => {
    const definition = {
      name: 'as-json',
      type: 'REST',
      protos: ['prism/test/v1/everything.proto'],
      rest: { service: 'prism.test.v1.EverythingService', routes: [{ id: 'as-json', method: 'GET', path: '/as-json', grpc: 'Echo', params: [{ const: 'json', to: 'f_string' }] }] },
    };
    const put = await http(`${gateway!.adminUrl}/admin/frontends/as-json`, { method: 'PUT', body: JSON.stringify(definition), headers: { 'content-type': 'application/json' } });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(await body(`${gateway!.url}/as-json`), { status: 200, json: { fString: 'json' } });
  });

  test('the CLI says why a file frontend cannot be deleted, and exits non-zero', async () => {
    const run = await runCli(['frontend', 'delete', 'base', '--admin', gateway!.adminUrl!]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /defined in the config file/);
    assert.deepEqual(await body(`${gateway!.url}/base`), { status: 200, json: { fString: 'from-file' } });
  });
});
