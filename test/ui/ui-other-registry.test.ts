/**
 * The schema browser opened on another registry: the page served by one gateway talks to a
 * second one whose CORS settings allow the first one's origin, and whose Confluent frontend has
 * no change feed (its /prism/v1/events route removed), so the "recent changes" panel falls back
 * to polling the subject list and still shows a subject registered there. The choice survives a
 * reload and can be undone.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway } from '../../src/start-gateway.js';
import { buildUi, registry, REPO_ROOT, seedRegistry, startUiGateway } from '../../scripts/ui-fixtures.js';
import { launchBrowser } from '../support/browser.js';
import { tempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';
import { waitForText } from './support.js';

/** The page polls every 10 s (ui/src/changes.ts POLL_MS): six times that. */
const POLLED_MS = 60_000;

describe('another registry, without a change feed', { timeout: 300_000 }, () => {
  const suite = useSuite(async (scope) => {
    const assets = buildUi();
    const dir = scope.own(tempDir('ui-other'));
    const home = scope.own(await startUiGateway(join(dir.path, 'home'), assets));
    await seedRegistry(home.url);
    const definition = parse(readFileSync(join(REPO_ROOT, 'examples/confluent-schema-registry/frontend.yaml'), 'utf8')) as { rest: { routes: { id: string }[] } };
    definition.rest.routes = definition.rest.routes.filter((r) => r.id !== 'prism-events');
    writeFileSync(join(dir.path, 'frontend.yaml'), stringify(definition));
    writeFileSync(
      join(dir.path, 'gateway.yaml'),
      stringify({
        http: { cors: { allowOrigins: [new URL(home.url).origin] } },
        backends: [{ name: 'store', type: 'SQLITE', config: { path: 'registry.db' } }],
        namespaces: [{ name: 'default', pattern: { embedded: 'patterns/registry', slots: { storage: 'store' } }, frontends: [{ file: 'frontend.yaml' }] }],
      }),
    );
    const other = scope.own(await startGateway(loadGatewayConfig(join(dir.path, 'gateway.yaml')), { host: '127.0.0.1', port: 0, dataDir: join(dir.path, 'other'), logger: false }));
    await registry(other.url, 'POST', '/subjects/remote-value/versions', { schema: JSON.stringify({ type: 'record', name: 'Remote', fields: [] }) });
    const browser = scope.own(await launchBrowser());
    return { home: home.url, other: other.url, browser };
  });

  test('is browsed across origins, polled for changes, remembered, and left again', async () => {
    assert.equal((await fetch(`${suite.other}/prism/v1/events`)).status, 404, 'the other registry has no change feed');
    const page = await suite.browser.page();
    try {
      await page.goto(`${suite.home}/ui/`);
      await waitForText(page.getByTestId('subject-count'), /^6 subjects$/);
      await page.locator('summary', { hasText: 'Registry:' }).click();
      await page.getByLabel('Registry URL').fill(suite.other);
      await page.getByRole('button', { name: 'Open' }).click();
      await waitForText(page.getByTestId('registry-url'), suite.other);
      await waitForText(page.getByTestId('subject-count'), /^1 subject$/);
      assert.deepEqual(await page.locator('ul.subjects a').allTextContents(), ['remote-value']);
      await waitForText(page.getByTestId('feed-state'), /^Polling the subject list/);
      await registry(suite.other, 'POST', '/subjects/remote-new-value/versions', { schema: JSON.stringify({ type: 'record', name: 'New', fields: [] }) });
      await waitForText(page.getByTestId('changes').locator('li'), /subject appeared\s+remote-new-value/, POLLED_MS);
      await waitForText(page.getByTestId('subject-count'), /^2 subjects$/);

      await page.reload();
      await waitForText(page.getByTestId('registry-url'), suite.other);
      await waitForText(page.getByTestId('subject-count'), /^2 subjects$/);
      await page.locator('summary', { hasText: 'Registry:' }).click();
      await page.getByRole('button', { name: "Back to this gateway's registry" }).click();
      await waitForText(page.getByTestId('subject-count'), /^6 subjects$/);
      await waitForText(page.getByTestId('feed-state'), 'Live (change feed)');
    } finally {
      await page.context().close();
    }
  });
});
