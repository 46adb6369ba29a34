/**
 * The change feed across a restart of `prism-registry serve` on one SQLite file: a watch open
 * at SIGTERM ends with UNAVAILABLE (the shutdown is not held open), the sequence goes on after
 * the restart, resuming after a sequence works, and `--change-retention` bounds what is kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { status } from '@grpc/grpc-js';
import { watchChanges } from './change-feed-client.js';
import { createRegistryClient } from './registry-test-client.js';

const tsx = import.meta.resolve('tsx');
const cli = fileURLToPath(new URL('../../../patterns/registry/cli.ts', import.meta.url));

/** Starts `prism-registry serve` in `cwd`; `address` resolves once it printed it. */
function serve(args: string[], cwd: string) {
  const child = spawn(process.execPath, ['--import', tsx, cli, 'serve', '--listen', '127.0.0.1:0', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const address = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const m = / on (\S+:\d+) /.exec(out);
      if (m) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${out}${err}`)));
  });
  return { child, address, exited, stderr: () => err };
}

test('prism-registry serve: the feed resumes after a sequence across a restart on the same SQLite file', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'change-feed-serve-'));
  try {
    const first = serve(['--backend', 'sqlite:./r.db'], dir);
    const address = await first.address;
    const client = createRegistryClient(address);
    const watch = watchChanges(address, { after: 'latest' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.call('UpdateMode', { subject: 'a', mode: 'READONLY' });
    await client.call('UpdateMode', { subject: 'b', mode: 'READONLY' });
    assert.deepEqual((await watch.take(2)).map((c) => `${c.sequence} ${c.kind} ${c.subject}`), ['1 MODE_CHANGED a', '2 MODE_CHANGED b']);
    client.close();
    first.child.kill('SIGTERM');
    assert.equal((await watch.ended).code, status.UNAVAILABLE);
    assert.equal(await first.exited, 0);

    // The restart keeps only the newest 3 changes from now on.
    const second = serve(['--backend', 'sqlite:./r.db', '--change-retention', '3'], dir);
    const again = createRegistryClient(await second.address);
    const resumed = watchChanges(await second.address, { after: '1' });
    assert.deepEqual((await resumed.take(1)).map((c) => c.sequence), ['2']);
    await again.call('DeleteMode', { subject: 'a' });
    await again.call('DeleteMode', { subject: 'b' });
    assert.deepEqual((await resumed.take(2)).map((c) => `${c.sequence} ${c.kind} ${c.subject}`), ['3 MODE_DELETED a', '4 MODE_DELETED b']);
    const expired = await watchChanges(await second.address, { after: '0' }).ended;
    assert.equal(expired.code, status.FAILED_PRECONDITION);
    assert.match(expired.details, /no longer retained; the oldest retained change is 2$/);
    resumed.cancel();
    again.close();
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('prism-registry serve: --change-retention must be a whole number ≥ 1', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'change-feed-serve-'));
  try {
    const bad = serve(['--backend', 'memstore:', '--change-retention', '0'], dir);
    assert.equal(await bad.exited, 2);
    assert.match(bad.stderr(), /--change-retention must be a whole number ≥ 1, not '0'/);
    await bad.address.catch(() => {});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
