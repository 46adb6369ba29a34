/**
 * The schema browser with authentication on (basic users and JWT bearer tokens, the security
 * suite's stack with the Confluent frontend): its files load without credentials; the page asks
 * for them when the API answers 401 and shows the API's own message, says when they are refused,
 * signs in with a password or a token, follows the change feed with them, and offers level and
 * mode editing only to the roles /prism/v1/whoami reports (write for the level, admin for mode).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildUi, seedRegistry } from '../../scripts/ui-fixtures.js';
import { as, startSecureStack, USERS } from '../security/support.js';
import { launchBrowser } from '../support/browser.js';
import { useSuite } from '../support/use-suite.js';
import { SHOWN_MS, waitForText } from './support.js';

describe('the schema browser with auth on', { timeout: 300_000 }, () => {
  const suite = useSuite(async (scope) => {
    const assets = buildUi();
    const stack = scope.own(await startSecureStack({ config: { ui: { assets } } }));
    await seedRegistry(stack.url, as('admin'));
    const browser = scope.own(await launchBrowser());
    return { stack, browser };
  });
  const open = async (hash = '') => {
    const page = await suite.browser.page();
    await page.goto(`${suite.stack.url}/ui/${hash}`);
    return page;
  };

  test('the page and its config load without credentials; the API does not', async () => {
    const page = await fetch(`${suite.stack.url}/ui/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="app">/);
    assert.equal((await fetch(`${suite.stack.url}/ui/config.json`)).status, 200);
    assert.equal((await fetch(`${suite.stack.url}/subjects`)).status, 401);
  });

  test('asks for credentials in the API\'s words, says when they are refused, signs in with a password', async () => {
    const missing = (await (await fetch(`${suite.stack.url}/prism/v1/whoami`)).json()) as { message: string };
    const wrong = (await (await fetch(`${suite.stack.url}/prism/v1/whoami`, { headers: { authorization: as('reader').replace(/.{4}$/, 'AAAA') } })).json()) as { message: string };
    const page = await open('#/subjects/orders-value');
    try {
      await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: SHOWN_MS });
      await waitForText(page.getByRole('alert'), `The registry asks for credentials ${missing.message}`);
      await page.getByLabel('User', { exact: true }).fill('reader');
      await page.getByLabel('Password', { exact: true }).fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await waitForText(page.getByRole('alert'), `The registry refused these credentials ${wrong.message}`);
      await page.getByLabel('User', { exact: true }).fill('reader');
      await page.getByLabel('Password', { exact: true }).fill(USERS.reader.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await waitForText(page.getByTestId('whoami'), 'reader · read');
      // The screen asked for shows once signed in; a reader sees no editing.
      await waitForText(page.locator('table.versions caption'), /^3 versions$/);
      await waitForText(page.getByTestId('compat-level'), /BACKWARD/);
      assert.equal(await page.getByRole('button', { name: 'Save compatibility' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Save mode' }).count(), 0);
      await waitForText(page.locator('.settings p.muted'), 'Changing compatibility needs the write role');
      // The change feed is read with the same credentials.
      await waitForText(page.getByTestId('feed-state'), 'Live (change feed)');
    } finally {
      await page.context().close();
    }
  });

  test('a writer may change the level but not the mode; a token with the admin role may change both', async () => {
    const page = await open('#/subjects/orders-value');
    try {
      await page.getByLabel('User', { exact: true }).fill('writer');
      await page.getByLabel('Password', { exact: true }).fill(USERS.writer.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await waitForText(page.getByTestId('whoami'), 'writer · write');
      await page.getByRole('button', { name: 'Save compatibility' }).waitFor({ timeout: SHOWN_MS });
      assert.equal(await page.getByRole('button', { name: 'Save mode' }).count(), 0);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: SHOWN_MS });
      await page.getByLabel('token').check();
      await page.getByLabel('Bearer token').fill(await suite.stack.token({ sub: 'ops', roles: ['admin'] }));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await waitForText(page.getByTestId('whoami'), 'ops · admin');
      await page.getByRole('button', { name: 'Save mode' }).waitFor({ timeout: SHOWN_MS });
      await page.getByRole('button', { name: 'Save compatibility' }).waitFor({ timeout: SHOWN_MS });
    } finally {
      await page.context().close();
    }
  });
});
