/**
 * `routes --config` binds frontends exactly as `serve` does (config/bindings-from-config.ts):
 * a config serve accepts, routes accepts, and both print the same table. Regression: the CLI's
 * own binding builder dropped `mount.host`, so two frontends on one path, one bound to a host,
 * were refused as a conflict (exit 2) although serve ran them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, test } from 'node:test';
import { parseAllDocuments, parse } from 'yaml';
import { createFrontendCatalog, readFileEntry, type NamespaceTarget } from '../../src/admin/frontend-catalog.js';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { printRoutes } from '../../src/routing/print-routes.js';
import type { Upstream } from '../../src/upstream/upstream.js';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'prism-routes-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const whoami = (name: string, answer: string) => `name: ${name}
type: REST
rest:
  routes:
    - id: whoami
      method: GET
      path: /whoami
      response: { body: { const: ${answer} } }
`;

test('routes --config accepts two frontends on one path when one of them is bound to a host', () => {
  writeFileSync(join(dir, 'public.yaml'), whoami('public', 'public'));
  writeFileSync(join(dir, 'internal.yaml'), whoami('internal', 'internal'));
  writeFileSync(
    join(dir, 'gateway.yaml'),
    `namespaces:
  - name: default
    pattern: { target: 127.0.0.1:1 }
    frontends:
      - file: public.yaml
      - file: internal.yaml
        host: internal.example
`,
  );
  const r = cli('routes', '--config', join(dir, 'gateway.yaml'));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, ['GET     /whoami  ->  (static)  [public/whoami]', 'GET     /whoami  ->  (static)  [internal/whoami]', ''].join('\n'));
});

test('routes --config still refuses two frontends on one path for the same host', () => {
  writeFileSync(join(dir, 'clash.yaml'), `namespaces:
  - name: default
    pattern: { target: 127.0.0.1:1 }
    frontends:
      - file: public.yaml
      - file: internal.yaml
`);
  const r = cli('routes', '--config', join(dir, 'clash.yaml'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /route 'whoami' \(GET \/whoami\) matches the same requests as route 'whoami' of frontend 'public'/);
});

/** Every gateway config (a YAML document with `namespaces`) under these folders. */
function gatewayConfigs(): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (name === 'node_modules' || name === 'results') continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(name)) {
        for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
          const value = doc.toJS() as Record<string, unknown> | null;
          if (value && typeof value === 'object' && 'namespaces' in value) found.push(path);
          // A Kubernetes ConfigMap that carries a gateway config: its paths are the image's
          // (/app is the repository), so it is checked with /app read as this checkout.
          const data = (value?.kind === 'ConfigMap' ? (value.data as Record<string, string>) : undefined) ?? {};
          for (const [key, text] of Object.entries(data)) {
            const inner = parse(text) as Record<string, unknown> | null;
            if (!inner || typeof inner !== 'object' || !('namespaces' in inner)) continue;
            const copy = join(dir, `${relative('.', path).replace(/[\\/]/g, '_')}_${key}`);
            writeFileSync(copy, text.replaceAll('/app/', `${resolve('.')}/`));
            found.push(copy);
          }
        }
      }
    }
  };
  for (const folder of ['examples', 'bench', 'deploy']) walk(folder);
  return found;
}

/** An upstream that fails the test if compiling (or anything else) touches it. */
function untouchable(namespace: string): Upstream {
  return new Proxy({} as Upstream, {
    get: (_, key) => {
      if (key === 'then') return undefined;
      throw new Error(`namespace '${namespace}': the upstream was used (${String(key)})`);
    },
  });
}

test('for every gateway config in the tree, routes --config prints the table serve compiles', () => {
  const configs = gatewayConfigs();
  assert.ok(configs.length >= 5, `found ${configs.join(', ')}`);
  for (const file of configs) {
    const loaded = loadGatewayConfig(file);
    // What serve does (start-gateway.ts), minus starting patterns and dialling upstreams.
    const namespaces = new Map<string, NamespaceTarget>(
      loaded.config.namespaces.map((ns) => [ns.name, { name: ns.name, upstream: untouchable(ns.name), protoFiles: (ns.pattern.protos ?? []).map((p) => resolve(loaded.baseDir, p)), deadlineMs: ns.deadlineMs, forwardHeaders: ns.forwardHeaders }]),
    );
    const entries = loaded.config.namespaces.flatMap((ns) => ns.frontends.map((m) => readFileEntry(m.file, ns.name, m.pathPrefix, m.host, loaded.baseDir)));
    const { table } = createFrontendCatalog(namespaces, loaded.baseDir, entries).compile();
    assert.ok(table.routes.length > 0 || (table.graphql?.endpoints.length ?? 0) > 0, `${file}: no routes`);
    const r = cli('routes', '--config', file);
    assert.equal(r.status, 0, `${file}: ${r.stderr}`);
    assert.equal(r.stdout, printRoutes(table), file);
  }
});
