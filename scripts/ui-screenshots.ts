/**
 * `npm run ui:screenshots`: regenerates docs/ui/*.png, the schema browser's main screens as the
 * README shows them. Builds the UI (scripts/ui-fixtures.ts, cached per source version), starts
 * the `npm start` gateway over a temporary data dir, seeds the demo registry, and photographs
 * each screen in headless Chromium (Debian's /usr/bin/chromium, or PRISM_CHROMIUM).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { avroOrder, buildUi, REPO_ROOT, registry, seedRegistry, startUiGateway } from './ui-fixtures.js';

const OUT = join(REPO_ROOT, 'docs', 'ui');
const WAIT_MS = 20_000;

interface Shot {
  readonly file: string;
  readonly hash: string;
  readonly width?: number;
  readonly height?: number;
  readonly dark?: boolean;
  /** What must be on the page before it is photographed, and anything to do first. */
  ready(page: Page): Promise<void>;
}

const shots: Shot[] = [
  { file: 'subjects.png', hash: '?deleted=1', ready: (p) => p.getByTestId('subject-count').filter({ hasText: 'soft-deleted' }).waitFor({ timeout: WAIT_MS }) },
  { file: 'subject.png', hash: 'subjects/orders-value', ready: (p) => p.getByTestId('compat-level').waitFor({ timeout: WAIT_MS }) },
  { file: 'schema.png', hash: 'subjects/invoice-value/versions/1', ready: (p) => p.locator('.code .t-key').first().waitFor({ timeout: WAIT_MS }) },
  { file: 'diff.png', hash: 'subjects/orders-value/diff?a=1&b=3', ready: (p) => p.getByTestId('diff-summary').waitFor({ timeout: WAIT_MS }) },
  {
    file: 'compatibility.png',
    hash: 'subjects/orders-value/compatibility',
    async ready(p) {
      await p.waitForFunction(() => (document.querySelector('textarea[name=candidate]') as HTMLTextAreaElement | null)?.value.includes('"note"'), undefined, { timeout: WAIT_MS });
      await p.getByLabel('Candidate schema').fill(JSON.stringify(JSON.parse(avroOrder([{ name: 'paid', type: 'boolean' }])), null, 2));
      await p.getByRole('button', { name: 'Check' }).click();
      await p.getByTestId('verdict').waitFor({ timeout: WAIT_MS });
    },
  },
  { file: 'schema-dark.png', hash: 'subjects/events-proto/versions/1', dark: true, ready: (p) => p.locator('.code .t-keyword').first().waitFor({ timeout: WAIT_MS }) },
  { file: 'subject-phone.png', hash: 'subjects/payments-value', width: 390, height: 844, ready: (p) => p.getByTestId('compat-level').waitFor({ timeout: WAIT_MS }) },
];

const assets = buildUi();
const dataDir = mkdtempSync(join(tmpdir(), 'prism-ui-shots-'));
const gateway = await startUiGateway(dataDir, assets);
const browser = await chromium.launch({
  executablePath: process.env.PRISM_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  await seedRegistry(gateway.url);
  mkdirSync(OUT, { recursive: true });
  for (const shot of shots) {
    const context = await browser.newContext({ viewport: { width: shot.width ?? 1280, height: shot.height ?? 800 }, colorScheme: shot.dark ? 'dark' : 'light', deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${gateway.url}/ui/#/${shot.hash}`);
    await shot.ready(page);
    // The recent-changes panel shows one live change, made once the feed is open.
    if (shot.file === 'subjects.png') {
      await page.getByTestId('feed-state').filter({ hasText: 'Live' }).waitFor({ timeout: WAIT_MS });
      await registry(gateway.url, 'POST', '/subjects/shipments-value/versions', { schema: JSON.stringify({ type: 'record', name: 'Shipment', fields: [{ name: 'id', type: 'string' }] }) });
      await page.locator('ul.subjects a', { hasText: 'shipments-value' }).waitFor({ timeout: WAIT_MS });
    }
    await page.screenshot({ path: join(OUT, shot.file), fullPage: false });
    await context.close();
    console.log(`docs/ui/${shot.file}`);
  }
} finally {
  await browser.close();
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
}
