/**
 * How the gateway serves the schema browser (src/ui/ui-plugin.ts): the page with its security
 * and caching headers, hashed assets gzip-encoded as built and cached for good, `config.json`,
 * the redirect of the bare mount, no file outside the build, another path and API URL, the
 * section switched off, a UI that was never built (503 saying what to run), an `assets` folder
 * without a build refusing the start, and the config rules of `ui:`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { checkGatewayConfigText } from '../../src/config/gateway-config.js';
import { startGateway } from '../../src/start-gateway.js';
import { uiPlugin } from '../../src/ui/ui-plugin.js';
import { buildUi, startConfig, startUiGateway } from '../../scripts/ui-fixtures.js';
import { tempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';

/** A GET with the path sent exactly as written (fetch would normalise `..`). */
function rawGet(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url + path, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the UI on the npm start gateway', () => {
  const suite = useSuite(async (scope) => {
    const assets = buildUi();
    const dir = scope.own(tempDir('ui-serving'));
    const gateway = scope.own(await startUiGateway(dir.path, assets));
    return { url: gateway.url, assets };
  });

  test('the page: HTML with its CSP, no caching, no sniffing', async () => {
    const page = await rawGet(suite.url, '/ui/');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'; script-src 'self'; style-src 'self'/);
    // Only relative asset URLs: the page works under any mount path.
    assert.doesNotMatch(page.body.toString(), /(src|href)="\/(?!\/)/);
    assert.match(page.body.toString(), /<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js"><\/script>/);
  });

  test('hashed assets: gzip as built when accepted, cached for good', async () => {
    const js = readdirSync(join(suite.assets, 'assets')).find((f) => f.endsWith('.js'))!;
    const gz = await rawGet(suite.url, `/ui/assets/${js}`, { 'accept-encoding': 'gzip' });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers['cache-control'], 'public, max-age=31536000, immutable');
    const plain = await rawGet(suite.url, `/ui/assets/${js}`);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(String(plain.headers['content-type']), /^application\/javascript/);
  });

  test('config.json, the bare mount redirected, nothing outside the build', async () => {
    const config = await rawGet(suite.url, '/ui/config.json');
    assert.equal(config.status, 200);
    assert.deepEqual(JSON.parse(config.body.toString()), { apiUrl: '/' });
    const bare = await rawGet(suite.url, '/ui');
    assert.equal(bare.status, 308);
    assert.equal(bare.headers.location, '/ui/');
    for (const path of ['/ui/missing.js', '/ui/%2e%2e/package.json', '/ui/..%2fpackage.json', '/ui/assets/../../package.json']) {
      const answer = await rawGet(suite.url, path);
      assert.ok(answer.status === 404 || answer.status === 403, `${path}: ${answer.status}`);
      assert.doesNotMatch(answer.body.toString(), /"name": "prism-gateway"/);
    }
  });
});

describe('ui settings', () => {
  const dir = useSuite(async (scope) => scope.own(tempDir('ui-settings')));

  test('another path and API URL; the default path is then the frontend\'s', async () => {
    const gateway = await startUiGateway(join(dir.path, 'a'), buildUi(), { path: '/browse/', apiUrl: 'https://registry.example.com' });
    try {
      const config = await rawGet(gateway.url, '/browse/config.json');
      assert.deepEqual(JSON.parse(config.body.toString()), { apiUrl: 'https://registry.example.com' });
      assert.equal((await rawGet(gateway.url, '/browse/')).status, 200);
      const old = await rawGet(gateway.url, '/ui/');
      assert.equal(old.status, 404);
      assert.equal(JSON.parse(old.body.toString()).error_code, 404, 'the Confluent frontend answers it');
    } finally {
      await gateway.close();
    }
  });

  test('enabled: false serves no UI', async () => {
    const gateway = await startUiGateway(join(dir.path, 'b'), buildUi(), { enabled: false });
    try {
      assert.equal((await rawGet(gateway.url, '/ui/')).status, 404);
      assert.equal((await rawGet(gateway.url, '/ui/config.json')).status, 404);
    } finally {
      await gateway.close();
    }
  });

  test('a UI never built: its path answers 503 with what to run', async () => {
    const app = Fastify();
    await app.register(uiPlugin, { config: {}, packagedAssets: join(dir.path, 'not-built') });
    try {
      for (const url of ['/ui/', '/ui/assets/x.js']) {
        const answer = await app.inject({ method: 'GET', url });
        assert.equal(answer.statusCode, 503);
        assert.match(answer.body, /not built: run `npm run build`/);
      }
    } finally {
      await app.close();
    }
  });

  test('an assets folder without a build stops the start, naming it', async () => {
    const empty = join(dir.path, 'empty');
    mkdirSync(empty);
    await assert.rejects(startGateway(startConfig(empty), { host: '127.0.0.1', port: 0, dataDir: join(dir.path, 'c'), logger: false }), (err: Error) => {
      assert.match(err.message, new RegExp(`ui.assets: no index.html in ${empty}`));
      return true;
    });
  });

  test('config rules: the path\'s shape, and no binding under it', () => {
    const file = join(dir.path, 'gateway.yaml');
    writeFileSync(file, '');
    const check = (ui: string, prefix = '/registry') =>
      checkGatewayConfigText(`ui: ${ui}\nnamespaces:\n  - name: a\n    pattern: { target: "127.0.0.1:1" }\n    frontends: [{ file: f.yaml, pathPrefix: ${prefix} }]\n`, file).problems.map((p) => `${p.code} ${p.pointer} ${p.message}`);
    assert.deepEqual(check('{ path: /ui/ }'), []);
    assert.match(check('{ path: /ui }').join('\n'), /^SCHEMA \/ui\/path /);
    assert.match(check('{ path: ui/ }').join('\n'), /^SCHEMA \/ui\/path /);
    assert.deepEqual(check('{ path: /ui/ }', '/ui/registry'), ["ROUTE_CONFLICT /namespaces/0/frontends/0/pathPrefix pathPrefix '/ui/registry' is under the UI's path '/ui/' (ui.path)"]);
    assert.deepEqual(check('{ path: /ui/ }', '/ui'), ["ROUTE_CONFLICT /namespaces/0/frontends/0/pathPrefix pathPrefix '/ui' is under the UI's path '/ui/' (ui.path)"]);
    assert.deepEqual(check('{ path: /ui/, enabled: false }', '/ui'), []);
    assert.deepEqual(check('{ path: /ui/ }', '/uix'), []);
  });
});
