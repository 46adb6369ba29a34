/**
 * The schema browser in headless Chromium against the `npm start` gateway (its config, its
 * Confluent frontend, the embedded registry on SQLite) with seeded data: each screen's main
 * path (subjects with search, counts and soft-deleted ones; a subject's versions, references,
 * level and mode, and editing them; a schema, highlighted, copied and raw; a diff of two
 * versions; a failing and a passing compatibility check), an error in the API's own words, a
 * registration made through the API appearing live, keyboard use, phone width, the dark theme,
 * and no request leaving the gateway's origin.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { avroOrder, buildUi, registry, seedRegistry, startUiGateway } from '../../scripts/ui-fixtures.js';
import { launchBrowser } from '../support/browser.js';
import { tempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';
import { recordRequests, waitForHash, waitForText } from './support.js';

describe('the schema browser on the npm start gateway', { timeout: 300_000 }, () => {
  const suite = useSuite(async (scope) => {
    const assets = buildUi();
    const dir = scope.own(tempDir('ui-screens'));
    const gateway = scope.own(await startUiGateway(dir.path, assets));
    await seedRegistry(gateway.url);
    const browser = scope.own(await launchBrowser());
    return { url: gateway.url, browser };
  });
  const open = async (hash = '', options: { width?: number; dark?: boolean } = {}) => {
    const context = await suite.browser.browser.newContext({
      viewport: { width: options.width ?? 1200, height: 800 },
      colorScheme: options.dark ? 'dark' : 'light',
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const page = await context.newPage();
    const requests = recordRequests(page);
    const consoleText: string[] = [];
    page.on('console', (m) => consoleText.push(m.text()));
    await page.goto(`${suite.url}/ui/${hash}`);
    return { page, requests, consoleText, close: () => context.close() };
  };

  test('subjects: counts, prefix search and the soft-deleted toggle', async () => {
    const { page, requests, consoleText, close } = await open();
    try {
      await waitForText(page.getByTestId('subject-count'), /^6 subjects$/);
      const names = await page.locator('ul.subjects a').allTextContents();
      assert.deepEqual(names, ['address-value', 'customers-value', 'events-proto', 'invoice-value', 'orders-value', 'payments-value']);
      await page.getByLabel('show soft-deleted').check();
      await waitForText(page.getByTestId('subject-count'), /^6 subjects, 1 soft-deleted$/);
      await waitForText(page.locator('ul.subjects li'), /legacy-value\s*soft-deleted/);
      await page.getByRole('searchbox').fill('orders');
      await waitForText(page.getByTestId('subject-count'), /^1 subject starting with “orders”, 0 soft-deleted$/);
      assert.deepEqual(await page.locator('ul.subjects a').allTextContents(), ['orders-value']);
      // Nothing but the gateway's own origin was asked for anything, and the page's CSP held.
      const origin = new URL(suite.url).origin;
      assert.deepEqual(requests.filter((u) => new URL(u).origin !== origin), []);
      assert.deepEqual(consoleText.filter((t) => /Content Security Policy/i.test(t)), []);
    } finally {
      await close();
    }
  });

  test('a subject: versions with ids and types, soft-deleted versions marked, references as links, level and mode', async () => {
    const { page, close } = await open('#/subjects/orders-value');
    try {
      await waitForText(page.locator('table.versions caption'), /^3 versions$/);
      assert.deepEqual(await page.locator('table.versions tbody td:first-child a').allTextContents(), ['v3', 'v2', 'v1']);
      assert.deepEqual(await page.locator('table.versions tbody td:nth-child(3)').allTextContents(), ['AVRO', 'AVRO', 'AVRO']);
      await waitForText(page.getByTestId('compat-level'), /BACKWARD\s*\(global default\)/);
      await waitForText(page.getByTestId('mode'), 'READWRITE');

      await page.goto(`${suite.url}/ui/#/subjects/payments-value`);
      await waitForText(page.locator('table.versions caption'), /2 versions, 1 soft-deleted/);
      await waitForText(page.locator('table.versions tr.deleted'), /v1\s*soft-deleted/);

      await page.goto(`${suite.url}/ui/#/subjects/invoice-value`);
      const ref = page.getByRole('link', { name: 'shop.Address → address-value v1' });
      await ref.waitFor();
      await ref.click();
      await waitForHash(page, /^#\/subjects\/address-value\/versions\/1$/);
      await waitForText(page.getByTestId('schema-type'), 'AVRO');
    } finally {
      await close();
    }
  });

  test('a schema: pretty-printed and highlighted, copied, with a raw link that answers the schema', async () => {
    const { page, close } = await open('#/subjects/orders-value/versions/2');
    try {
      const ids = (await registry(suite.url, 'GET', '/subjects/orders-value/versions/2')) as { id: number; schema: string };
      await waitForText(page.getByTestId('schema-id'), String(ids.id));
      // Indented over several lines, keys and strings in their own colours.
      const code = page.locator('.code pre');
      assert.match(await code.innerText(), /^\{\n {2}"type": "record",\n/);
      assert.ok((await page.locator('.code .t-key').count()) > 5);
      assert.ok((await page.locator('.code .t-string').count()) > 5);
      await page.getByRole('button', { name: 'Copy' }).click();
      await waitForText(page.locator('.code-bar'), 'Copied');
      const copied = String(await page.evaluate('navigator.clipboard.readText()'));
      assert.deepEqual(JSON.parse(copied), JSON.parse(ids.schema));
      const raw = await page.getByRole('link', { name: 'Raw schema' }).getAttribute('href');
      const rawBody = await (await fetch(raw!)).json();
      assert.deepEqual(rawBody, JSON.parse(ids.schema));

      await page.goto(`${suite.url}/ui/#/subjects/events-proto/versions/1`);
      await waitForText(page.getByTestId('schema-type'), 'PROTOBUF');
      await waitForText(page.locator('.code .t-keyword'), 'message');
      await waitForText(page.locator('.code .t-type'), 'int64');
    } finally {
      await close();
    }
  });

  test('a diff of two versions, side by side and unified', async () => {
    const { page, close } = await open('#/subjects/orders-value/diff?a=1&b=3');
    try {
      await waitForText(page.getByTestId('diff-summary'), /added/);
      const added = (await page.locator('.diff.split pre.d-added').allTextContents()).join('\n');
      assert.match(added, /"name": "currency"/);
      assert.match(added, /"name": "note"/);
      assert.equal(await page.locator('.diff.split pre.d-removed').count(), 0, 'nothing was removed between v1 and v3');
      await page.getByLabel('side by side').uncheck();
      await waitForText(page.locator('.diff.unified .d-added'), /"default": "EUR"/);
      // Another pair, picked with the selects.
      await page.locator('select[name=a]').selectOption('3');
      await page.locator('select[name=b]').selectOption('1');
      await waitForHash(page, /a=3&b=1/);
      await waitForText(page.locator('.diff.unified .d-removed'), /"name": "currency"/);
    } finally {
      await close();
    }
  });

  test('a compatibility check that fails with the verbose messages, and one that passes', async () => {
    const { page, close } = await open('#/subjects/orders-value/compatibility');
    try {
      const candidate = page.getByLabel('Candidate schema');
      // Prefilled with the latest schema once it has loaded.
      await page.waitForFunction(() => (document.querySelector('textarea[name=candidate]') as HTMLTextAreaElement | null)?.value.includes('"note"'), undefined, { timeout: 20_000 });
      // A new field without a default: the new schema cannot read data written with the old ones.
      await candidate.fill(avroOrder([{ name: 'paid', type: 'boolean' }]));
      await page.getByRole('button', { name: 'Check' }).click();
      await waitForText(page.getByTestId('verdict'), /^Not compatible/);
      const messages = await page.locator('[data-testid=verdict] li').allTextContents();
      assert.ok(messages.length > 0, 'verbose messages are shown');
      assert.ok(messages.some((m) => /paid/.test(m)), messages.join('\n'));

      await candidate.fill(avroOrder([{ name: 'currency', type: 'string', default: 'EUR' }, { name: 'note', type: ['null', 'string'], default: null }, { name: 'paid', type: 'boolean', default: false }]));
      await page.locator('select[name=against]').selectOption('all');
      await page.getByRole('button', { name: 'Check' }).click();
      await waitForText(page.getByTestId('verdict'), /^Compatible$/);
    } finally {
      await close();
    }
  });

  test('editing a subject\'s level and mode (auth off: everyone may), seen by the API', async () => {
    const { page, close } = await open('#/subjects/customers-value');
    try {
      await waitForText(page.getByTestId('compat-level'), /NONE\s*\(set on this subject\)/);
      await page.locator('select[name=level]').selectOption('FULL');
      await page.getByRole('button', { name: 'Save compatibility' }).click();
      await waitForText(page.getByRole('status'), 'Compatibility saved.');
      await waitForText(page.getByTestId('compat-level'), /FULL\s*\(set on this subject\)/);
      assert.deepEqual(await registry(suite.url, 'GET', '/config/customers-value'), { compatibilityLevel: 'FULL' });
      await page.locator('select[name=mode]').selectOption('READONLY');
      await page.getByRole('button', { name: 'Save mode' }).click();
      await waitForText(page.getByTestId('mode'), 'READONLY');
      assert.deepEqual(await registry(suite.url, 'GET', '/mode/customers-value'), { mode: 'READONLY' });
      await registry(suite.url, 'DELETE', '/mode/customers-value');
    } finally {
      await close();
    }
  });

  test('an error is shown in the API\'s own words', async () => {
    const { page, close } = await open('#/subjects/no-such-value');
    try {
      const api = await fetch(`${suite.url}/subjects/no-such-value/versions?deleted=true`);
      const body = (await api.json()) as { error_code: number; message: string };
      await waitForText(page.getByRole('alert'), `HTTP 404 · error_code ${body.error_code} ${body.message}`);
    } finally {
      await close();
    }
  });

  test('a registration made through the API appears live in recent changes and in the list', async () => {
    const { page, close } = await open();
    try {
      await waitForText(page.getByTestId('feed-state'), 'Live (change feed)');
      await waitForText(page.getByTestId('subject-count'), /subjects$/);
      await registry(suite.url, 'POST', '/subjects/live-value/versions', { schema: JSON.stringify({ type: 'record', name: 'Live', fields: [] }) });
      await waitForText(page.getByTestId('changes').locator('li'), /schema registered\s+live-value v1/);
      await waitForText(page.locator('ul.subjects a'), /^live-value$/);
    } finally {
      await close();
    }
  });

  test('keyboard: / focuses the search, Tab reaches the results, Enter opens one', async () => {
    const { page, close } = await open();
    try {
      await waitForText(page.getByTestId('subject-count'), /subjects$/);
      await page.keyboard.press('/');
      await page.keyboard.type('invoice');
      await waitForText(page.getByTestId('subject-count'), /^1 subject starting with “invoice”$/);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement.textContent'), 'invoice-value');
      await page.keyboard.press('Enter');
      await waitForHash(page, /^#\/subjects\/invoice-value$/);
    } finally {
      await close();
    }
  });

  test('phone width: nothing wider than the screen; dark theme from the system', async () => {
    const { page, close } = await open('#/subjects/orders-value/versions/3', { width: 360, dark: true });
    try {
      await waitForText(page.getByTestId('schema-type'), 'AVRO');
      assert.ok(Number(await page.evaluate('document.documentElement.scrollWidth')) <= 360, 'no horizontal scrolling of the page');
      assert.equal(await page.evaluate('getComputedStyle(document.body).backgroundColor'), 'rgb(17, 20, 24)');
    } finally {
      await close();
    }
    const light = await open('', { width: 360 });
    try {
      await waitForText(light.page.getByTestId('subject-count'), /subjects/);
      assert.equal(await light.page.evaluate('getComputedStyle(document.body).backgroundColor'), 'rgb(255, 255, 255)');
    } finally {
      await light.close();
    }
  });
});
