/**
 * Issue 13 item 17, the command-line parts: --version prints package.json's version; every
 * pino level --log-level and PRISM_LOG_LEVEL may name is accepted and anything else is a
 * usage error (exit 2) rather than pino's internal message; `serve --help` states the data
 * dir default resolveDataDir applies; `serve` rereads the users file on SIGHUP and stays up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { stringify } from 'yaml';
import { resolveDataDir } from '../../src/start-gateway.js';
import { hashPassword } from '../../src/security/password-hash.js';
import { runCli } from '../operations/support.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'prism-cli-options-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('--version (and serve --version) print the version of package.json', async () => {
  const [top, serve] = await Promise.all([runCli(['--version']), runCli(['serve', '--version'])]);
  assert.equal(top.code, 0, top.stderr);
  assert.equal(top.stdout, `${VERSION}\n`);
  assert.equal(serve.code, 0, serve.stderr);
  assert.equal(serve.stdout, `${VERSION}\n`);
});

describe('--log-level', () => {
  test('an unknown level is a usage error naming the levels, from the flag or the environment', async () => {
    const [flag, env] = await Promise.all([
      runCli(['serve', '--config', join(dir, 'absent.yaml'), '--log-level', 'verbose']),
      runCli(['serve', '--config', join(dir, 'absent.yaml')], { env: { PRISM_LOG_LEVEL: 'loud' } }),
    ]);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /^invalid log level 'verbose': one of trace, debug, info, warn, error, fatal, silent\n/);
    assert.doesNotMatch(flag.stderr, /custom levels/);
    assert.equal(env.code, 2);
    assert.match(env.stderr, /^invalid log level 'loud'/);
  });

  test('every pino level, in any case, passes the check (the missing config is what fails next)', async () => {
    const runs = await Promise.all([...LEVELS, 'WARN'].map((level) => runCli(['serve', '--config', join(dir, 'absent.yaml'), '--log-level', level])));
    for (const [i, run] of runs.entries()) {
      assert.doesNotMatch(run.stderr, /log level/, `${[...LEVELS, 'WARN'][i]}: ${run.stderr}`);
      assert.match(run.stderr, /absent\.yaml/);
    }
  });

  test('serve --help lists the same levels', async () => {
    const help = await runCli(['serve', '--help']);
    assert.match(help.stdout, new RegExp(LEVELS.join('\\|')));
  });
});

test('serve --help states the data dir default that resolveDataDir applies', async (t) => {
  const help = await runCli(['serve', '--help']);
  assert.match(help.stdout.replace(/\s+/g, ' '), /default the config's dataDir, relative to the config file, else \.\/data in the directory the command runs in/);
  // The behaviour the text describes: without dataDir, ./data of the working directory, not
  // of the config file's folder.
  const cwd = process.cwd();
  t.after(() => process.chdir(cwd));
  const work = mkdtempSync(join(dir, 'cwd-'));
  process.chdir(work);
  const configDir = join(dir, 'elsewhere');
  assert.equal(resolveDataDir({ config: {}, baseDir: configDir } as never, undefined), join(work, 'data'));
  assert.equal(resolveDataDir({ config: { dataDir: 'state' }, baseDir: configDir } as never, undefined), join(configDir, 'state'));
});

test('serve rereads the users file on SIGHUP, logs it, and keeps serving', async () => {
  const users = [{ name: 'admin', password: await hashPassword('pw-1'), roles: 'admin' }];
  writeFileSync(join(dir, 'users.yaml'), stringify({ users }));
  writeFileSync(
    join(dir, 'gateway.yaml'),
    stringify({
      auth: { basic: { usersFile: 'users.yaml' } },
      http: { port: 0 },
      backends: [{ name: 'store', type: 'SQLITE', config: { path: 'registry.db' } }],
      namespaces: [{ name: 'default', pattern: { embedded: 'patterns/registry', slots: { storage: 'store' } }, frontends: [{ file: join(REPO_ROOT, 'examples/confluent-schema-registry/frontend.yaml') }] }],
    }),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--config', join(dir, 'gateway.yaml'), '--data-dir', join(dir, 'data'), '--log-level', 'debug'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const lines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const waitFor = async (what: string, match: (l: Record<string, unknown>) => boolean) => {
    const deadline = Date.now() + 60_000;
    while (!lines().some(match)) {
      if (Date.now() > deadline || child.exitCode !== null) assert.fail(`${what} not seen; stdout: ${out} stderr: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    await waitFor('the start', (l) => String(l.msg).startsWith('admin listening'));
    child.kill('SIGHUP');
    await waitFor('the reload', (l) => l.msg === 'users file reloaded' && l.trigger === 'SIGHUP');
    assert.equal(child.exitCode, null, 'still running after SIGHUP');
    const reload = lines().find((l) => l.msg === 'users file reloaded')!;
    assert.equal(reload.users, 1);
    assert.equal(reload.changed, false);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, err);
});
