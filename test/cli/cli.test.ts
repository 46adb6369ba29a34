/**
 * The prism-gateway command line as a user runs it: validate reports every problem with file,
 * line, route and location and exits 2; routes prints the compiled table (pinned here).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8' });

test('validate reports all three mistakes of a file, each with file, line, route and pointer, and exits 2', () => {
  const r = cli('validate', 'test/cli/three-mistakes.yaml');
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.deepEqual(lines, [
    "test/cli/three-mistakes.yaml:10:13: route 'one' at /rest/routes/0/grpc: unknown method 'Ech0' in service prism.test.v1.EverythingService (it has Echo, Describe, Fail, Slow, Stream) [UNKNOWN_METHOD]",
    "test/cli/three-mistakes.yaml:16:37: route 'two' at /rest/routes/1/params/0/to: unknown field 'no_such_field' in prism.test.v1.Everything [UNKNOWN_FIELD]",
    "test/cli/three-mistakes.yaml:19:13: route 'three' at /rest/routes/2/path: path parameter {missing} is not bound to any field [UNBOUND_PATH_PARAM]",
    '3 problems found',
  ]);
});

test('validate exits 0 on valid definitions', () => {
  const r = cli('validate', 'test/cli/fixture-frontend.yaml', 'examples/confluent-schema-registry/frontend.yaml');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '2 files valid\n');
});

test('routes prints the route table of the fixture frontend', () => {
  const r = cli('routes', 'test/cli/fixture-frontend.yaml');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      'GET     /api/items/{id}  ->  prism.test.v1.EverythingService/Echo  [fixture/get-item]',
      '          path.id -> f_int32',
      '          query.tag -> r_string',
      'POST    /api/items/{id}/describe  ->  prism.test.v1.EverythingService/Describe  [fixture/describe]',
      '          path.id -> f_int32 (required)',
      '          body -> *',
      '          const 7 -> f_sint32',
      'GET     /api  ->  (static, readiness)  [fixture/health]',
      '',
    ].join('\n'),
  );
});

test('--help on every command, and usage errors exit 2', () => {
  for (const command of ['serve', 'validate', 'routes', 'openapi', 'frontend', 'hash-password']) {
    const r = cli(command, '--help');
    assert.equal(r.status, 0, `${command}: ${r.stderr}`);
    assert.match(r.stdout, /^Usage: prism-gateway/);
  }
  assert.equal(cli('nonsense').status, 2);
  assert.equal(cli('serve').status, 2);
  assert.equal(cli('validate').status, 2);
});

test('hash-password prints a scrypt hash of standard input', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'hash-password'], { input: 'secret\n', encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+\n$/);
});

test('openapi prints the frontend as an OpenAPI 3.1 document', () => {
  const r = cli('openapi', 'test/cli/fixture-frontend.yaml');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.paths['/items/{id}'].get.operationId, 'get-item');
});

test('an invalid --admin URL is refused without printing its password', () => {
  for (const url of ['ftp://ops:hunter2@admin.example:9000', 'http://ops:hunter2@admin example:9000']) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'frontend', 'list', '--admin', url], { encoding: 'utf8', env: { ...process.env, PRISM_ADMIN_URL: '' } });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /invalid admin URL '.*ops:\*\*\*@admin/);
    assert.doesNotMatch(r.stderr, /hunter2/);
  }
});
