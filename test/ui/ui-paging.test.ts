/**
 * The subjects screen over 10,000 subjects (written into the `npm start` gateway's SQLite store
 * before it starts): the count, pages of 100 with the pager, a page opened by its address, and
 * a prefix search over all of them. The bound on the first load is generous (a minute); the
 * time it took is reported as a diagnostic.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildUi, seedManySubjects, startUiGateway } from '../../scripts/ui-fixtures.js';
import { launchBrowser } from '../support/browser.js';
import { tempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';
import { waitForText } from './support.js';

const SUBJECTS = 10_000;

describe('paging 10,000 subjects', { timeout: 300_000 }, () => {
  const suite = useSuite(async (scope) => {
    const assets = buildUi();
    const dir = scope.own(tempDir('ui-paging'));
    await seedManySubjects(dir.path, SUBJECTS);
    const gateway = scope.own(await startUiGateway(dir.path, assets));
    const browser = scope.own(await launchBrowser());
    return { url: gateway.url, browser };
  });

  test('counts them all, pages through them, opens a page by address and searches by prefix', async (t) => {
    const page = await suite.browser.page();
    try {
      const started = performance.now();
      await page.goto(`${suite.url}/ui/`);
      await waitForText(page.getByTestId('subject-count'), /^10000 subjects$/, 60_000);
      t.diagnostic(`10,000 subjects listed ${Math.round(performance.now() - started)} ms after navigation`);
      await waitForText(page.getByTestId('page-status'), 'Page 1 of 100');
      assert.equal(await page.locator('ul.subjects a').count(), 100);
      assert.equal(await page.locator('ul.subjects a').first().textContent(), 'bulk-00000-value');

      await page.getByRole('button', { name: 'Next →' }).click();
      await waitForText(page.getByTestId('page-status'), 'Page 2 of 100');
      assert.equal(await page.locator('ul.subjects a').first().textContent(), 'bulk-00100-value');
      assert.equal(await page.getByRole('button', { name: '← Previous' }).isDisabled(), false);

      await page.goto(`${suite.url}/ui/#/?page=100`);
      await waitForText(page.getByTestId('page-status'), 'Page 100 of 100');
      assert.equal(await page.locator('ul.subjects a').last().textContent(), 'bulk-09999-value');
      assert.equal(await page.getByRole('button', { name: 'Next →' }).isDisabled(), true);

      await page.getByRole('searchbox').fill('bulk-099');
      await waitForText(page.getByTestId('subject-count'), /^100 subjects starting with “bulk-099”$/, 60_000);
      assert.equal(await page.getByTestId('page-status').count(), 0, 'one page: no pager');
      assert.equal(await page.locator('ul.subjects a').last().textContent(), 'bulk-09999-value');
    } finally {
      await page.context().close();
    }
  });
});
