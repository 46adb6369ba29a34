/** The browser the streaming and gRPC-Web tests drive starts, loads a page and runs script. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { launchBrowser } from '../support/browser.js';

test('headless Chromium loads a page from a local server and runs its script', { timeout: 60_000 }, async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>t</title><script>document.title = String(6 * 7)</script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchBrowser();
  try {
    const page = await browser.page();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    assert.equal(await page.title(), '42');
  } finally {
    await browser.close();
    server.close();
  }
});
