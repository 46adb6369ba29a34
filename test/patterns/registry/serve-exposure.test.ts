/**
 * `prism-registry serve` as an operator meets it (issue 13, items 1, 5 and 17):
 * - a --listen beyond loopback is refused (exit 2) unless it has mutual TLS or --insecure;
 *   with --tls-cert, --tls-key and --client-ca only clients holding a certificate from that CA
 *   get in;
 * - a busy port is one sentence on stderr, without grpc-js' own trace before it;
 * - logs are pino JSON lines, in the gateway's shape;
 * - a SQLite file that cannot be opened is named;
 * - a connection string's password, and every credential-bearing parameter, never appear in
 *   stdout or stderr.
 * Real processes, real sockets, real TLS.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { healthProtoFile, registryProtoFile, REGISTRY_SERVICE_NAME } from '../../../patterns/registry/registry-server.js';
import { loadProtoRoot } from '../../../src/grpc/proto-root.js';
import { createServiceDefinition } from '../../../src/grpc/service-definition.js';
import { makeCertificates } from '../../security/support.js';
import { createTestDatabase, type TestDatabase } from './postgres-test-db.js';

const tsx = import.meta.resolve('tsx');
const cli = fileURLToPath(new URL('../../../patterns/registry/cli.ts', import.meta.url));
const SCHEMA = '{"type":"record","name":"A","fields":[{"name":"id","type":"int"}]}';

let dir: string;
const children: ChildProcess[] = [];
const databases: TestDatabase[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'registry-exposure-'));
  makeCertificates(dir);
});

after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(databases.map((db) => db.drop()));
  rmSync(dir, { recursive: true, force: true });
});

interface Served {
  readonly child: ChildProcess;
  /** The bound address from the JSON start line; rejects if the process exits first. */
  readonly address: Promise<string>;
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

function serve(args: string[]): Served {
  const child = spawn(process.execPath, ['--import', tsx, cli, 'serve', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const address = new Promise<string>((done, fail) => {
    child.stdout!.on('data', (c: string) => {
      out += c;
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { address?: string };
        if (entry.address) done(entry.address);
      }
    });
    void exited.then((code) => fail(new Error(`serve exited with ${code}: ${out}${err}`)));
  });
  address.catch(() => {});
  return { child, address, exited, stdout: () => out, stderr: () => err };
}

/** Runs `serve` expecting it to refuse to start; resolves with its exit code and output. */
async function refused(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = serve(args);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

const root = loadProtoRoot([registryProtoFile, healthProtoFile]);
const Registry = grpc.makeGenericClientConstructor(createServiceDefinition(root.lookupService(REGISTRY_SERVICE_NAME)), 'Registry');
const Health = grpc.makeGenericClientConstructor(createServiceDefinition(root.lookupService('grpc.health.v1.Health')), 'Health');
type Unary = (request: object, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, value?: Record<string, unknown>) => void) => void;

function call(Ctor: grpc.ServiceClientConstructor, address: string, credentials: grpc.ChannelCredentials, method: string, request: object): Promise<{ code: grpc.status; value?: Record<string, unknown> }> {
  const client = new Ctor(address, credentials) as unknown as grpc.Client & Record<string, Unary>;
  return new Promise((done) =>
    client[method](request, { deadline: Date.now() + 10_000 }, (err, value) => {
      client.close();
      done(err ? { code: err.code } : { code: grpc.status.OK, value });
    }),
  );
}

const file = (name: string) => readFileSync(join(dir, name));
const loopbackOf = (address: string) => `127.0.0.1:${address.slice(address.lastIndexOf(':') + 1)}`;

describe('exposure: a --listen beyond loopback', () => {
  const rows: [string, string[]][] = [
    ['0.0.0.0 in plaintext', ['--listen', '0.0.0.0:0']],
    ['[::] in plaintext', ['--listen', '[::]:0']],
    ['an interface name', ['--listen', 'registry.example:0']],
    ['TLS without client certificates', ['--listen', '0.0.0.0:0', '--tls-cert', 'server.crt', '--tls-key', 'server.key']],
  ];
  for (const [name, args] of rows) {
    test(`${name} is refused with exit 2 and says what to give`, async () => {
      const out = await refused([...args, '--backend', 'memstore:']);
      assert.equal(out.code, 2);
      assert.match(out.stderr, /^prism-registry: refusing to listen on \S+: the registry does not authenticate callers/);
      assert.match(out.stderr, /--tls-cert, --tls-key and --client-ca/);
      assert.match(out.stderr, /--insecure/);
      assert.equal(out.stderr.trim().split('\n').length, 1, 'one sentence');
      assert.equal(out.stdout, '');
    });
  }

  test('--insecure lets it bind 0.0.0.0, and it serves', async () => {
    const run = serve(['--listen', '0.0.0.0:0', '--insecure', '--backend', 'memstore:']);
    const address = await run.address;
    assert.match(address, /^0\.0\.0\.0:\d+$/);
    assert.deepEqual(await call(Health, loopbackOf(address), grpc.credentials.createInsecure(), 'Check', { service: '' }), { code: grpc.status.OK, value: { status: 'SERVING' } });
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  });

  test('mutual TLS: a client with a certificate from --client-ca gets in; without one, or with a foreign one, it does not', async () => {
    const run = serve(['--listen', '0.0.0.0:0', '--tls-cert', 'server.crt', '--tls-key', 'server.key', '--client-ca', 'ca.crt', '--backend', 'memstore:']);
    const address = loopbackOf(await run.address);
    const start = JSON.parse(run.stdout().split('\n')[0]) as { tls: string; msg: string };
    assert.equal(start.tls, 'mtls');
    const trusted = grpc.credentials.createSsl(file('ca.crt'), file('client.key'), file('client.crt'));
    const registered = await call(Registry, address, trusted, 'RegisterSchema', { subject: 's', schema: SCHEMA });
    assert.deepEqual({ code: registered.code, id: registered.value?.id, version: registered.value?.version }, { code: grpc.status.OK, id: 1, version: 1 });
    const anonymous = await call(Registry, address, grpc.credentials.createSsl(file('ca.crt')), 'ListSubjects', {});
    assert.equal(anonymous.code, grpc.status.UNAVAILABLE);
    const rogue = await call(Registry, address, grpc.credentials.createSsl(file('ca.crt'), file('rogue.key'), file('rogue.crt')), 'ListSubjects', {});
    assert.equal(rogue.code, grpc.status.UNAVAILABLE);
    const plaintext = await call(Registry, address, grpc.credentials.createInsecure(), 'ListSubjects', {});
    assert.equal(plaintext.code, grpc.status.UNAVAILABLE);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  });

  test('TLS options that do not fit together, or files that cannot be read, exit 2 naming them', async () => {
    const rows: [string[], RegExp][] = [
      [['--tls-cert', 'server.crt'], /--tls-cert and --tls-key go together/],
      [['--client-ca', 'ca.crt'], /--client-ca needs --tls-cert and --tls-key/],
      [['--tls-cert', 'missing.crt', '--tls-key', 'server.key'], /--tls-cert missing\.crt: ENOENT/],
      [['--log-level', 'loud'], /--log-level must be one of fatal, error, warn, info, debug, trace, silent, not 'loud'/],
    ];
    for (const [args, message] of rows) {
      const out = await refused(['--listen', '127.0.0.1:0', '--backend', 'memstore:', ...args]);
      assert.equal(out.code, 2, args.join(' '));
      assert.match(out.stderr, message);
    }
  });
});

describe('operator messages', () => {
  let busy: Server;
  let busyPort: number;

  before(async () => {
    busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    busyPort = (busy.address() as { port: number }).port;
  });

  after(() => new Promise<void>((done) => busy.close(() => done())));

  test('a busy port: one sentence naming the address and the reason, no grpc-js trace', async () => {
    const out = await refused(['--listen', `127.0.0.1:${busyPort}`, '--backend', 'memstore:']);
    assert.equal(out.code, 1);
    assert.equal(out.stderr, `prism-registry: cannot listen on 127.0.0.1:${busyPort}: listen EADDRINUSE: address already in use 127.0.0.1:${busyPort}\n`);
    assert.doesNotMatch(out.stdout, /No address added/);
  });

  test('logs are JSON lines in the gateway\'s pino shape (level, time, pid, hostname, msg)', async () => {
    const run = serve(['--listen', '127.0.0.1:0', '--backend', 'memstore:']);
    const address = await run.address;
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    const lines = run.stdout().trim().split('\n');
    assert.ok(lines.length >= 2);
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.equal(typeof entry.level, 'number');
      assert.equal(typeof entry.time, 'number');
      assert.equal(entry.pid, run.child.pid);
      assert.equal(typeof entry.hostname, 'string');
      assert.equal(typeof entry.msg, 'string');
    }
    const start = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.equal(start.level, 30);
    assert.equal(start.address, address);
    assert.equal(start.backend, 'memstore:');
    assert.match(String(start.msg), new RegExp(`^serving prism\\.patterns\\.registry\\.v1\\.Registry on ${address.replace(/\./g, '\\.')} \\(backend memstore:\\)$`));
    assert.ok(lines.some((l) => (JSON.parse(l) as { msg: string }).msg === 'SIGTERM, shutting down'));
    assert.equal(run.stderr(), '');
  });

  test('a SQLite file that cannot be opened is named (exit 2)', async () => {
    const directory = join(dir, 'a-directory.db');
    mkdirSync(directory);
    const out = await refused(['--listen', '127.0.0.1:0', '--backend', `sqlite:${directory}`]);
    assert.equal(out.code, 2);
    assert.equal(out.stderr, `prism-registry: cannot open the SQLite database ${directory}: unable to open database file\n`);
  });
});

describe('secrets in connection strings (item 5)', () => {
  const SECRETS = ['s3cret', 'pw2', 'pw3', 't0k'];
  const noSecret = (text: string) => {
    for (const secret of SECRETS) assert.equal(text.includes(secret), false, `'${secret}' is printed: ${text}`);
  };

  test('an unreachable PostgreSQL: the error names the URL with its password and sslpassword redacted', async () => {
    const out = await refused(['--listen', '127.0.0.1:0', '--backend', 'postgres://user:s3cret@127.0.0.1:1/db?password=pw2&sslpassword=pw3&application_name=x']);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /cannot open the PostgreSQL backend postgres:\/\/user:\*\*\*@127\.0\.0\.1:1\/db\?password=\*\*\*&sslpassword=\*\*\*&application_name=x: /);
    noSecret(out.stdout + out.stderr);
  });

  test('an unparsable PostgreSQL URL and an unknown scheme: no secret either', async () => {
    for (const backend of ['postgres://user:s3cret@h:notaport/db?password=pw2', 'mysql://user:s3cret@h/db?token=t0k']) {
      const out = await refused(['--listen', '127.0.0.1:0', '--backend', backend]);
      assert.equal(out.code, 2, backend);
      assert.match(out.stderr, /user:\*\*\*@h/);
      noSecret(out.stdout + out.stderr);
    }
  });

  test('a PostgreSQL backend that opens: the start line shows the URL redacted', async () => {
    const db = await createTestDatabase('redact');
    databases.push(db);
    // Trust authentication on the test server: the passwords are accepted and ignored.
    const url = new URL(db.url);
    url.password = 's3cret';
    url.searchParams.set('password', 'pw2');
    const run = serve(['--listen', '127.0.0.1:0', '--backend', url.toString()]);
    await run.address;
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    const start = JSON.parse(run.stdout().split('\n')[0]) as { backend: string; msg: string };
    assert.match(start.backend, /^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/\w+\?password=\*\*\*$/);
    assert.ok(start.msg.includes(start.backend));
    noSecret(run.stdout() + run.stderr());
  });
});
