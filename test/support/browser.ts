/**
 * Headless Chromium for the browser tests: Debian's package (`/usr/bin/chromium`, which
 * `.ci/run` installs), driven by playwright-core; no browser is ever downloaded. Each launch
 * gets a fresh profile: playwright starts Chromium with a new temporary --user-data-dir of its
 * own and removes it on close (it refuses the flag among `args`).
 */
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.PRISM_CHROMIUM ?? '/usr/bin/chromium';

export interface TestBrowser {
  readonly browser: Browser;
  /** A new page in a new context (no shared cookies or storage between tests). */
  page(): Promise<Page>;
  close(): Promise<void>;
}

/** Launches Chromium headless with the flags DESIGN.md §8 fixes for the browser tests. */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    page: async () => (await browser.newContext()).newPage(),
    close: () => browser.close(),
  };
}
