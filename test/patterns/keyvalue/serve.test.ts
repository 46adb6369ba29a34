/**
 * `prism-keyvalue serve` as an operator meets it: real processes, real sockets, real TLS.
 * A --listen beyond loopback is refused (exit 2) without mutual TLS or --insecure; mutual TLS
 * lets only clients with a certificate from --client-ca in; an unreachable backend fails the
 * start with its password redacted; SIGTERM stops it with exit 0.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { makeCertificates } from '../../security/support.js';
import { useSuite } from '../../support/use-suite.js';
import { tempDir } from '../../support/temp-dir.js';
import { createKeyValueClient } from './keyvalue-client.js';

const tsx = import.meta.resolve('tsx');
const cli = fileURLToPath(new URL('../../../patterns/keyvalue/cli.ts', import.meta.url));

interface Served {
  readonly child: ChildProcess;
  /** The bound address from the JSON start line; rejects if the process exits first. */
  readonly address: Promise<string>;
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

const suite = useSuite((scope) => {
  const dir = scope.own(tempDir('kv-serve')).path;
  makeCertificates(dir);
  const children: ChildProcess[] = [];
  scope.onClose(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { dir, children };
});

function serve(args: string[]): Served {
  const child = spawn(process.execPath, ['--import', tsx, cli, 'serve', ...args], { cwd: suite.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  suite.children.push(child);
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

const loopbackOf = (address: string) => `127.0.0.1:${address.slice(address.lastIndexOf(':') + 1)}`;
const file = (name: string) => readFileSync(join(suite.dir, name));

describe('prism-keyvalue serve', () => {
  test('serves on loopback with the backend it is given, and stops on SIGTERM with exit 0', async () => {
    const run = serve(['--listen', '127.0.0.1:0', '--backend', 'sqlite:data/kv.db']);
    const address = await run.address;
    const client = createKeyValueClient(address);
    try {
      await client.call('Set', { key: Buffer.from('k'), value: Buffer.from('v'), content_type: 'text/plain' });
      assert.equal(((await client.call('Get', { key: Buffer.from('k') })).value as Buffer).toString(), 'v');
    } finally {
      client.close();
    }
    const start = JSON.parse(run.stdout().split('\n')[0]) as { msg: string; tls: string };
    assert.match(start.msg, /^serving prism\.patterns\.keyvalue\.v1\.KeyValue on 127\.0\.0\.1:\d+ \(backend sqlite:data\/kv\.db\)$/);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  });

  for (const [name, args] of [
    ['0.0.0.0 in plaintext', ['--listen', '0.0.0.0:0']],
    ['TLS without client certificates', ['--listen', '0.0.0.0:0', '--tls-cert', 'server.crt', '--tls-key', 'server.key']],
  ] as const) {
    test(`${name} is refused with exit 2 and one sentence saying what to give`, async () => {
      const run = serve([...args, '--backend', 'memstore:']);
      assert.equal(await run.exited, 2);
      assert.match(run.stderr(), /^prism-keyvalue: refusing to listen on \S+: the keyvalue service does not authenticate callers.*--tls-cert, --tls-key and --client-ca.*--insecure/);
      assert.equal(run.stderr().trim().split('\n').length, 1);
      assert.equal(run.stdout(), '');
    });
  }

  test('mutual TLS beyond loopback: a client with a certificate from --client-ca gets in, one without does not', async () => {
    const run = serve(['--listen', '0.0.0.0:0', '--tls-cert', 'server.crt', '--tls-key', 'server.key', '--client-ca', 'ca.crt', '--backend', 'memstore:']);
    const address = loopbackOf(await run.address);
    const trusted = createKeyValueClient(address, grpc.credentials.createSsl(file('ca.crt'), file('client.key'), file('client.crt')));
    const anonymous = createKeyValueClient(address, grpc.credentials.createSsl(file('ca.crt')));
    try {
      assert.deepEqual(await trusted.call('Exists', { key: Buffer.from('k') }), { exists: false, version: '0' });
      assert.equal((await anonymous.failure('Exists', { key: Buffer.from('k') })).code, grpc.status.UNAVAILABLE);
    } finally {
      trusted.close();
      anonymous.close();
    }
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  });

  test('--insecure lets it bind 0.0.0.0', async () => {
    const run = serve(['--listen', '0.0.0.0:0', '--insecure', '--backend', 'memstore:']);
    assert.match(await run.address, /^0\.0\.0\.0:\d+$/);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  });

  test('an unreachable or unknown backend fails the start with exit 2, its password never printed', async () => {
    const unreachable = serve(['--listen', '127.0.0.1:0', '--backend', 'redis://app:s3cret-pass@127.0.0.1:1/0']);
    assert.equal(await unreachable.exited, 2);
    assert.match(unreachable.stderr(), /^prism-keyvalue: cannot reach the backend redis:\/\/app:\*+@127\.0\.0\.1:1\/0/);
    const unknown = serve(['--backend', 'mongodb://root:s3cret-pass@db/kv']);
    assert.equal(await unknown.exited, 2);
    assert.match(unknown.stderr(), /unknown backend .*expected memstore:, sqlite:<path>, postgres:\/\/… or redis:\/\/…/);
    for (const run of [unreachable, unknown]) assert.doesNotMatch(run.stdout() + run.stderr(), /s3cret-pass/);
  });
});
