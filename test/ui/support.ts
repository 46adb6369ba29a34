/**
 * Helpers of the schema browser's browser tests: waiting for text on the page (playwright-core
 * has no `expect`), with generous bounds (10× what a loaded 2-core machine needs).
 */
import type { Locator, Page } from 'playwright-core';

/** Generous bound for anything the page shows after an API answer. */
export const SHOWN_MS = 20_000;

/** Waits until `locator` has an element whose text matches `text`. */
export async function waitForText(locator: Locator, text: RegExp | string, timeout = SHOWN_MS): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout });
}

/** Waits until the page's URL fragment matches. */
export async function waitForHash(page: Page, hash: RegExp, timeout = SHOWN_MS): Promise<void> {
  await page.waitForURL((url) => hash.test(url.hash), { timeout });
}

/**
 * Records every request the page makes, so a test can check none left the gateway's origin
 * (no fonts, scripts or anything else from elsewhere).
 */
export function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  return urls;
}
