/**
 * Durability of the DEK registry on SQLite (DESIGN.md §4): `prism-registry serve` on a SQLite
 * file is SIGKILLed while writers create DEKs; a registry restarted on the same file has every
 * DEK it acknowledged, with the acknowledged material, and the registry's own schemas beside
 * them (one file, two sets of tables).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistryClient } from '../patterns/registry/registry-test-client.js';
import { tempDir } from '../support/temp-dir.js';
import { createDekClient, type DekClient } from './dek-test-client.js';

const tsx = import.meta.resolve('tsx');
const cli = fileURLToPath(new URL('../../patterns/registry/cli.ts', import.meta.url));
const dir = tempDir('dek-durability');
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  dir.remove();
});

function serve(file: string): Promise<{ child: ChildProcess; address: string; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, ['--import', tsx, cli, 'serve', '--listen', '127.0.0.1:0', '--backend', `sqlite:${file}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const m = / on (\S+:\d+) /.exec(out);
      if (m) resolve({ child, address: m[1], exited });
    });
    child.stderr!.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}${err}`)));
  });
}

test('DEKs acknowledged before a SIGKILL are in the file after a restart', { timeout: 120_000 }, async () => {
  const file = join(dir.path, 'registry.db');
  const first = await serve(file);
  let client: DekClient = createDekClient(first.address);
  const registry = createRegistryClient(first.address);
  await registry.call('RegisterSchema', { subject: 'orders-value', schema: '{"type":"record","name":"O","fields":[{"name":"id","type":"int"}]}' });
  registry.close();
  await client.call('CreateKek', { name: 'k', kms_type: 'local-kms', kms_key_id: 'k' });
  const acked = new Map<string, string>();
  let killed = false;
  await Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < 100 && !killed; i++) {
        const subject = `w${w}-s${i}`;
        const material = Buffer.from(subject).toString('base64');
        try {
          await client.call('CreateDek', { kek_name: 'k', subject, encrypted_key_material: material });
          acked.set(subject, material);
          if (acked.size === 40 && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        } catch {
          // In flight when the process died: not acknowledged.
        }
      }
    }),
  );
  await first.exited;
  assert.equal(first.child.signalCode, 'SIGKILL');
  client.close();

  const second = await serve(file);
  client = createDekClient(second.address);
  const again = createRegistryClient(second.address);
  try {
    const stored = new Set((await client.call('ListDekSubjects', { kek_name: 'k' })).subjects as string[]);
    for (const [subject, material] of acked) {
      assert.ok(stored.has(subject), `${subject} was acknowledged`);
      assert.equal((await client.call('GetDek', { kek_name: 'k', subject })).encrypted_key_material, material);
    }
    assert.equal((await again.call('GetSchemaVersion', { subject: 'orders-value', version: '1' })).id, 1, 'the schemas share the file');
  } finally {
    client.close();
    again.close();
    second.child.kill('SIGTERM');
    await second.exited;
  }
});
