/**
 * Issue 13 item 4: the `frontend` command against gateways with auth on. Credentials from
 * flags or the environment (basic and bearer); a 401 or 403 is a clear message and exit 1; a
 * usage mistake in the credential options is exit 2 before any request; an https admin
 * listener is reached with --ca-file (or PRISM_ADMIN_CA), and without the CA the message
 * says what to pass. Item 17: `frontend get` prints the definition as applied, which applies
 * again unchanged; --json adds the binding.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../operations/support.js';
import { makeCertificates, startSecureStack, USERS, type SecureStack } from '../security/support.js';

let dir: string;
let plain: SecureStack;
let tls: SecureStack;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prism-cli-auth-'));
  makeCertificates(dir);
  [plain, tls] = await Promise.all([
    startSecureStack(),
    startSecureStack({ config: { admin: { tls: { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') } } } }),
  ]);
});
after(async () => {
  await Promise.all([plain?.close(), tls?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** No PRISM_ADMIN_* from the environment the tests run in. */
const CLEAN: NodeJS.ProcessEnv = { PRISM_ADMIN_URL: '', PRISM_ADMIN_USER: undefined, PRISM_ADMIN_PASSWORD: undefined, PRISM_ADMIN_TOKEN: undefined, PRISM_ADMIN_CA: undefined };
const frontend = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...CLEAN, ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return runCli(['frontend', ...args], { env: merged });
};
const ADMIN_PW = `admin:${USERS.admin.password}`;

describe('frontend against an admin listener with auth', () => {
  test('without credentials: exit 1, and the message says how to give them', async () => {
    const run = await frontend(['list', '--admin', plain.adminUrl]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /requires credentials \(401 Unauthorized\): pass --user NAME\[:PASSWORD\] .* or --token TOKEN/);
  });

  test('a wrong password, and a user without the admin role: exit 1 with a message naming the user', async () => {
    const [wrong, writer] = await Promise.all([
      frontend(['list', '--admin', plain.adminUrl, '--user', 'admin:not-it']),
      frontend(['list', '--admin', plain.adminUrl, '--user', `writer:${USERS.writer.password}`]),
    ]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /did not accept the credentials of user 'admin' \(401 Unauthorized\)/);
    assert.ok(!wrong.stderr.includes('not-it'), 'the password is never printed');
    assert.equal(writer.code, 1);
    assert.match(writer.stderr, /user 'writer' may not use the admin API .* \(403 Forbidden\): it needs the admin role/);
  });

  test('--user NAME:PASS, --user NAME with PRISM_ADMIN_PASSWORD, PRISM_ADMIN_USER, --token and PRISM_ADMIN_TOKEN all list', async () => {
    const token = await plain.token({ sub: 'ops', roles: ['admin'] });
    const runs = await Promise.all([
      frontend(['list', '--admin', plain.adminUrl, '--user', ADMIN_PW]),
      frontend(['list', '--admin', plain.adminUrl, '--user', 'admin'], { PRISM_ADMIN_PASSWORD: USERS.admin.password }),
      frontend(['list'], { PRISM_ADMIN_URL: plain.adminUrl, PRISM_ADMIN_USER: 'admin', PRISM_ADMIN_PASSWORD: USERS.admin.password }),
      frontend(['list', '--admin', plain.adminUrl, '--token', token]),
      frontend(['list', '--admin', plain.adminUrl], { PRISM_ADMIN_TOKEN: token }),
    ]);
    for (const [i, run] of runs.entries()) {
      assert.equal(run.code, 0, `run ${i}: ${run.stderr}`);
      const names = (JSON.parse(run.stdout) as { names: string[] }[]).flatMap((e) => e.names);
      assert.ok(names.includes('confluent-schema-registry'), `run ${i}: ${run.stdout}`);
    }
  });

  test('a credential usage mistake exits 2 before any request (the cases: admin-credentials.test.ts)', async () => {
    const run = await frontend(['list', '--admin', plain.adminUrl, '--user', ADMIN_PW, '--token', 't']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /either --user or --token, not both/);
  });
});

describe('frontend against an https admin listener', () => {
  test('--ca-file or PRISM_ADMIN_CA trusts its certificate', async () => {
    assert.match(tls.adminUrl, /^https:/);
    const [flag, env] = await Promise.all([
      frontend(['list', '--admin', tls.adminUrl, '--user', ADMIN_PW, '--ca-file', join(dir, 'ca.crt')]),
      frontend(['list', '--admin', tls.adminUrl, '--user', ADMIN_PW], { PRISM_ADMIN_CA: join(dir, 'ca.crt') }),
    ]);
    assert.equal(flag.code, 0, flag.stderr);
    assert.equal(env.code, 0, env.stderr);
  });

  test('without the CA, or with another, the message names the admin URL and --ca-file', async () => {
    const [none, rogue, missing] = await Promise.all([
      frontend(['list', '--admin', tls.adminUrl, '--user', ADMIN_PW]),
      frontend(['list', '--admin', tls.adminUrl, '--user', ADMIN_PW, '--ca-file', join(dir, 'rogue.crt')]),
      frontend(['list', '--admin', tls.adminUrl, '--user', ADMIN_PW, '--ca-file', join(dir, 'nope.crt')]),
    ]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /cannot reach the admin listener at https:\/\/127\.0\.0\.1:\d+: .*pass that CA with --ca-file FILE/);
    assert.equal(rogue.code, 1);
    assert.match(rogue.stderr, /--ca-file FILE/);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read the CA file .*nope\.crt: ENOENT/);
  });
});

describe('frontend get', () => {
  const DEFINITION = `# Applied by the CLI test; comments and layout survive a round trip.
name: cli-roundtrip
type: REST
protos:
  - prism/patterns/registry/v1/registry.proto
rest:
  service: prism.patterns.registry.v1.Registry
  routes:
    - id: list
      method: GET
      path: /rt/subjects
      grpc: ListSubjects
`;

  test('prints the definition as applied, which applies again; --json adds the binding', async () => {
    const file = join(dir, 'roundtrip.yaml');
    writeFileSync(file, DEFINITION);
    const auth = ['--admin', tls.adminUrl, '--user', ADMIN_PW, '--ca-file', join(dir, 'ca.crt')];
    const applied = await frontend(['apply', '-f', file, '--path-prefix', '/x', ...auth]);
    assert.equal(applied.code, 0, applied.stderr);
    const got = await frontend(['get', 'cli-roundtrip', ...auth]);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout, DEFINITION);
    const again = join(dir, 'roundtrip-again.yaml');
    writeFileSync(again, got.stdout);
    const reapplied = await frontend(['apply', '-f', again, '--path-prefix', '/x', ...auth]);
    assert.equal(reapplied.code, 0, reapplied.stderr);
    const json = await frontend(['get', 'cli-roundtrip', '--json', ...auth]);
    assert.equal(json.code, 0, json.stderr);
    const entry = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(entry.definition, DEFINITION);
    assert.equal(entry.namespace, 'default');
    assert.equal(entry.pathPrefix, '/x');
  });

  test('an unknown name: exit 1 with the admin API message', async () => {
    const run = await frontend(['get', 'no-such-frontend', '--admin', plain.adminUrl, '--user', ADMIN_PW]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no frontend named 'no-such-frontend'/);
  });
  test('a definition the gateway rejects: exit 2, the message and one line per problem from the unified error body', async () => {
    const file = join(dir, 'rejected.yaml');
    writeFileSync(file, DEFINITION.replace('name: cli-roundtrip', 'name: cli-rejected').replace('grpc: ListSubjects', 'grpc: NoSuchMethod').replace('path: /rt/subjects', 'path: "/rt/{a}{b}"'));
    const run = await frontend(['apply', '-f', file, '--admin', plain.adminUrl, '--user', ADMIN_PW]);
    assert.equal(run.code, 2, run.stderr);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines[0], 'the change was rejected; the served routes are unchanged');
    assert.equal(lines.length, 3, run.stderr);
    assert.equal(lines[1], "  admin:cli-rejected:11:13: route 'list' at /rest/routes/0/path: segment '{a}{b}' of '/rt/{a}{b}': parameters {a} and {b} need literal text between them [PATH_TEMPLATE]");
    assert.match(lines[2], /^ {2}admin:cli-rejected:12:13: route 'list' at \/rest\/routes\/0\/grpc: unknown method 'NoSuchMethod' in service prism\.patterns\.registry\.v1\.Registry \(it has /);
  });
});
