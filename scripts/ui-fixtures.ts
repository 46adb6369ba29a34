/**
 * What the schema browser's tests and its screenshot script share: the UI built once per
 * version of its sources, the `npm start` gateway serving it over a temporary data dir, and
 * seeded registry contents (a few subjects of each schema type with references, soft-deleted
 * versions and subjects, and a subject-level level; or thousands of subjects written straight
 * into the registry's SQLite store, since registering them one by one through the API would
 * take minutes on a loaded machine).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadGatewayConfig, type LoadedConfig } from '../src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../src/start-gateway.js';
import { createSqliteStorage } from '../patterns/registry/storage/sqlite-storage.js';

export const REPO_ROOT = resolve(import.meta.dirname, '..');
/** The `npm start` config. */
export const START_CONFIG = join(REPO_ROOT, 'examples/confluent-schema-registry/gateway.yaml');
const V1_JSON = 'application/vnd.schemaregistry.v1+json';

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

/**
 * The UI built by vite into `.tmp/ui-build/<hash of its sources>` (reused while the sources do
 * not change); returns that folder. Concurrent callers each build into a folder of their own
 * and the first rename wins.
 */
export function buildUi(): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(join(REPO_ROOT, 'ui'))) hash.update(relative(REPO_ROOT, file)).update('\0').update(readFileSync(file));
  const dir = join(REPO_ROOT, '.tmp', 'ui-build', hash.digest('hex').slice(0, 16));
  if (existsSync(join(dir, 'index.html'))) return dir;
  const own = `${dir}.${process.pid}`;
  mkdirSync(join(REPO_ROOT, '.tmp', 'ui-build'), { recursive: true });
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const run = spawnSync(process.execPath, [vite, 'build', '--config', 'ui/vite.config.ts'], { cwd: REPO_ROOT, env: { ...process.env, PRISM_UI_OUT_DIR: own }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`vite build failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  try {
    renameSync(own, dir);
  } catch {
    // Another process finished first: its build is the same.
    rmSync(own, { recursive: true, force: true });
  }
  // Builds of older sources, untouched for a day, are no one's any more.
  const builds = join(REPO_ROOT, '.tmp', 'ui-build');
  for (const name of readdirSync(builds)) {
    const path = join(builds, name);
    if (path !== dir && Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { recursive: true, force: true });
  }
  return dir;
}

/** The `npm start` config with the UI served from `assets` (and `ui` settings overridden). */
export function startConfig(assets: string, ui: Record<string, unknown> = {}): LoadedConfig {
  const loaded = loadGatewayConfig(START_CONFIG);
  return { ...loaded, config: { ...loaded.config, ui: { ...loaded.config.ui, assets, ...ui } } };
}

/** The `npm start` gateway on an ephemeral loopback port, data in `dataDir`. */
export function startUiGateway(dataDir: string, assets: string, ui: Record<string, unknown> = {}): Promise<RunningGateway> {
  return startGateway(startConfig(assets, ui), { host: '127.0.0.1', port: 0, dataDir, logger: false });
}

/** One Confluent API call; fails on a status other than 200. */
export async function registry(url: string, method: string, path: string, body?: unknown, authorization?: string): Promise<unknown> {
  const res = await fetch(url + path, {
    method,
    headers: { accept: V1_JSON, ...(body === undefined ? {} : { 'content-type': V1_JSON }), ...(authorization ? { authorization } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

export const avroOrder = (extra: object[] = []) =>
  JSON.stringify({
    type: 'record',
    name: 'Order',
    namespace: 'shop',
    fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'double' }, ...extra],
  });

/**
 * The demo registry: orders-value (AVRO, 3 versions), address-value and invoice-value (AVRO,
 * invoice references address), customers-value (JSON, level NONE), events-proto (PROTOBUF),
 * payments-value (version 1 soft-deleted), legacy-value (the whole subject soft-deleted).
 */
export async function seedRegistry(url: string, authorization?: string): Promise<void> {
  const post = (subject: string, body: object) => registry(url, 'POST', `/subjects/${subject}/versions`, body, authorization);
  await post('orders-value', { schema: avroOrder() });
  await post('orders-value', { schema: avroOrder([{ name: 'currency', type: 'string', default: 'EUR' }]) });
  await post('orders-value', { schema: avroOrder([{ name: 'currency', type: 'string', default: 'EUR' }, { name: 'note', type: ['null', 'string'], default: null }]) });
  await post('address-value', {
    schema: JSON.stringify({ type: 'record', name: 'Address', namespace: 'shop', fields: [{ name: 'street', type: 'string' }, { name: 'city', type: 'string' }] }),
  });
  await post('invoice-value', {
    schema: JSON.stringify({ type: 'record', name: 'Invoice', namespace: 'shop', fields: [{ name: 'number', type: 'string' }, { name: 'billTo', type: 'shop.Address' }] }),
    references: [{ name: 'shop.Address', subject: 'address-value', version: 1 }],
  });
  await post('customers-value', {
    schemaType: 'JSON',
    schema: JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } }, required: ['name'] }),
  });
  await registry(url, 'PUT', '/config/customers-value', { compatibility: 'NONE' }, authorization);
  await post('events-proto', {
    schemaType: 'PROTOBUF',
    schema: 'syntax = "proto3";\npackage shop.events;\n\nmessage OrderPlaced {\n  string order_id = 1;\n  int64 placed_at = 2;\n  repeated string items = 3;\n}\n',
  });
  await post('payments-value', { schema: JSON.stringify({ type: 'record', name: 'Payment', fields: [{ name: 'id', type: 'string' }] }) });
  await post('payments-value', { schema: JSON.stringify({ type: 'record', name: 'Payment', fields: [{ name: 'id', type: 'string' }, { name: 'method', type: 'string', default: 'card' }] }) });
  await registry(url, 'DELETE', '/subjects/payments-value/versions/1', undefined, authorization);
  await post('legacy-value', { schema: JSON.stringify({ type: 'record', name: 'Legacy', fields: [] }) });
  await registry(url, 'DELETE', '/subjects/legacy-value', undefined, authorization);
}

/**
 * Writes `count` subjects (`bulk-00000-value`, …), one version each of the same schema, into
 * the SQLite store the `npm start` config uses in `dataDir`, before the gateway opens it. The
 * schema is stored as the registry stores a schema without references: its text, and the MD5
 * of that text as its identity.
 */
export async function seedManySubjects(dataDir: string, count: number): Promise<void> {
  const storage = createSqliteStorage({ path: join(dataDir, 'registry.db') });
  const text = JSON.stringify({ type: 'record', name: 'Bulk', fields: [{ name: 'f', type: 'int' }] });
  const hash = createHash('md5').update(text).digest('hex');
  try {
    for (let i = 0; i < count; i++) await storage.insertVersion({ subject: `bulk-${String(i).padStart(5, '0')}-value`, schemaType: 'AVRO', schema: text, references: [], hash });
  } finally {
    await storage.close();
  }
}
