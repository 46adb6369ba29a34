/**
 * A browser's own WebSocket (headless Chromium) on a bidi route: a page served by the test opens
 * the socket, exchanges messages with the backend's echo, half-closes with {"$end":true} and sees
 * close 1000; a refused route reaches the page as an error frame and a 4000+code close (what a
 * rejected handshake could never tell it). The gateway has auth on, so the page's origin must be
 * allowed (with credentials) by the listener's CORS policy: the same page loaded from another
 * origin is refused before the 101 and sees only close 1006.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { launchBrowser } from '../support/browser.js';
import { startWsGateway } from './websocket-fixture.js';

const PAGE = `<!doctype html><title>ws</title><script>
window.exchange = (url, messages) => new Promise((resolve) => {
  const ws = new WebSocket(url);
  const frames = [];
  ws.onopen = () => { for (const m of messages) ws.send(JSON.stringify(m)); };
  ws.onmessage = (e) => {
    frames.push(JSON.parse(e.data));
    if (frames.length === messages.length) ws.send('{"$end":true}');
  };
  ws.onclose = (e) => resolve({ frames, code: e.code, reason: e.reason });
});
</script>`;

test('Chromium’s WebSocket exchanges messages with a bidi route and sees the close codes', { timeout: 60_000 }, async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pagePort = (server.address() as AddressInfo).port;
  const gw = await startWsGateway({ pingIntervalMs: 0 }, { cors: { allowOrigins: [`http://127.0.0.1:${pagePort}`], allowCredentials: true } });
  const browser = await launchBrowser();
  try {
    const page = await browser.page();
    await page.goto(`http://127.0.0.1:${pagePort}/`);
    const messages = [{ say: 'hello' }, { say: 'wörld' }, { n: 3 }];
    const chat = await page.evaluate(([url, m]) => (window as unknown as { exchange: (u: string, m: unknown[]) => Promise<unknown> }).exchange(url as string, m as unknown[]), [`${gw.url}/ws/chat`, messages] as const);
    assert.deepEqual(chat, { frames: messages, code: 1000, reason: '' });
    const refused = (await page.evaluate((url) => (window as unknown as { exchange: (u: string, m: unknown[]) => Promise<unknown> }).exchange(url, []), `${gw.url}/ws/plain`)) as { frames: unknown[]; code: number; reason: string };
    assert.equal(refused.code, 4012);
    assert.match(refused.reason, /does not accept a WebSocket/);
    assert.equal(refused.frames.length, 1);

    // The same page from another origin (localhost is not 127.0.0.1 to a browser): no session.
    await page.goto(`http://localhost:${pagePort}/`);
    const hijack = await page.evaluate(([url, m]) => (window as unknown as { exchange: (u: string, m: unknown[]) => Promise<unknown> }).exchange(url as string, m as unknown[]), [`${gw.url}/ws/chat`, messages] as const);
    assert.deepEqual(hijack, { frames: [], code: 1006, reason: '' });
  } finally {
    await browser.close();
    server.close();
    await gw.close();
  }
});
