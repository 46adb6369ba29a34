/**
 * Fault 1, backend down at start: the gateway starts against a registry target nobody listens
 * on. /readyz says 503, Confluent requests get 500 with error_code 50003 and a message within
 * the route deadline, and once a registry listens on that port the gateway serves again by
 * itself within about a second, without a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { avro, confluentError, preloadRegistry, request, startConfluentGateway, tempDir, unusedPort } from './support.js';

test('backend down at start: 503 readiness, mapped 50003 errors, recovery within ~1 s of the backend coming up', { timeout: 90_000 }, async (t) => {
  const dir = tempDir('down-at-start');
  const port = await unusedPort();
  // The registry that will come up later loads its modules now; it listens only on go().
  const later = preloadRegistry(`127.0.0.1:${port}`, join(dir.path, 'registry.db'));
  const gateway = await startConfluentGateway(dir.path, `127.0.0.1:${port}`, { namespace: { deadlineMs: 3000 } });
  try {
    const ready = await request(`${gateway.adminUrl}/readyz`);
    assert.equal(ready.status, 503, ready.text);
    assert.deepEqual((ready.json() as { namespaces: unknown }).namespaces, { default: 'NOT_SERVING' });

    // Liveness of the gateway itself is not the backend's: /healthz stays 200.
    assert.equal((await request(`${gateway.adminUrl}/healthz`)).status, 200);

    // Reads, writes and the readiness-checked root: all 500/50003 with a message, quickly.
    const calls: [string, string, unknown?][] = [
      ['GET', '/subjects'],
      ['GET', '/schemas/ids/1'],
      ['POST', '/subjects/s/versions', { schema: avro('A', 'a') }],
      ['GET', '/'],
    ];
    let sent = 0;
    for (let round = 0; round < 5; round++) {
      for (const [method, path, body] of calls) {
        const started = Date.now();
        const a = await request(gateway.url + path, { method, body });
        sent++;
        const elapsed = Date.now() - started;
        assert.equal(a.status, 500, `${method} ${path}: ${a.text}`);
        const err = confluentError(a);
        assert.ok(err, `${method} ${path} answers Confluent's error shape: ${a.text}`);
        assert.equal(err.error_code, 50003, `${method} ${path}: ${a.text}`);
        assert.ok(elapsed < 3000, `${method} ${path} answered within the 3 s deadline (took ${elapsed} ms)`);
      }
    }
    assert.equal(sent, 20);

    // Some seconds of being down (grpc back-off grows while connects fail), then the backend comes up.
    await new Promise((done) => setTimeout(done, 2500));
    assert.equal((await request(gateway.url + '/subjects')).status, 500);
    await later.loaded;
    const registry = later.go();
    await registry.serving;
    const up = Date.now();
    let recoveredAfter = -1;
    let attempts = 0;
    while (Date.now() - up < 10_000) {
      attempts++;
      const a = await request(gateway.url + '/subjects');
      if (a.status === 200) {
        recoveredAfter = Date.now() - up;
        break;
      }
      assert.equal(confluentError(a)?.error_code, 50003, a.text);
      await new Promise((done) => setTimeout(done, 20));
    }
    assert.ok(recoveredAfter >= 0, `the gateway did not recover within 10 s (${attempts} attempts)`);
    assert.ok(recoveredAfter <= 1200, `the gateway recovered ${recoveredAfter} ms after the backend came up (allowed: ~1 s)`);
    t.diagnostic(`requests while down: ${sent + 1}, all 500/50003; recovered ${recoveredAfter} ms after the backend came up (${attempts} attempts)`);
    const ready2 = await request(`${gateway.adminUrl}/readyz`);
    assert.equal(ready2.status, 200, ready2.text);
    const reg = await request(gateway.url + '/subjects/s/versions', { method: 'POST', body: { schema: avro('A', 'a') } });
    assert.equal(reg.status, 200, reg.text);
    assert.deepEqual(reg.json(), { id: 1 });
  } finally {
    await gateway.close();
    await later.kill();
    dir.remove();
  }
});
