/**
 * Hot reload under load: eight client loops keep requesting a route over real sockets while the
 * frontend is replaced twenty times through the admin API. No request may fail: every answer is
 * a 200 carrying one of the versions' bodies, a loop never goes back to an older version once it
 * has seen a newer one, and a request in flight when its route disappears still completes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../support/wait-for.js';
import { echoFrontend, fixtureNamespace, http, putFrontend, sampleValue, useConfiguredGateway } from './support.js';

const LOOPS = 8;
const SWAPS = 20;

const SLOW_ROUTE = `    - { id: slow, method: GET, path: /live/slow, grpc: Slow, params: [{ const: 600, to: delay_ms }] }\n`;

/** Version k: `/live` answers `v<k>`; even versions also have a second route, odd ones a slow one. */
function version(k: number): string {
  const routes = [{ id: 'live', path: '/live', marker: `v${k}` }];
  if (k % 2 === 0) routes.push({ id: `extra-${k}`, path: `/live/extra-${k}`, marker: `extra-${k}` });
  return echoFrontend('live', routes, k % 2 === 1 ? SLOW_ROUTE : '');
}

const stack = useConfiguredGateway(
  'reload',
  (fixture) => ({ namespaces: [fixtureNamespace('fx', fixture.address)] }),
  async ({ gateway }) => {
    const put = await putFrontend(gateway.adminUrl!, 'live', version(0));
    assert.equal(put.status, 200, put.text);
  },
);

describe('hot reload under load', () => {
  test(`${SWAPS} replacements while ${LOOPS} loops send requests: zero failures`, async () => {
    const metricsBefore = (await http(`${stack.gateway.adminUrl}/metrics`)).text;
    const reloadsBefore = sampleValue(metricsBefore, 'prism_route_table_reloads_total', { result: 'success' }) ?? 0;

    let done = false;
    const failures: string[] = [];
    const seen = new Set<number>();
    let total = 0;
    /** The version each loop saw last. */
    const latest: number[] = Array(LOOPS).fill(-1);
    const loop = async (n: number) => {
      let last = -1;
      while (!done) {
        let status = 0;
        let text = '';
        try {
          const res = await fetch(`${stack.gateway.url}/live`);
          status = res.status;
          text = await res.text();
        } catch (err) {
          failures.push(`loop ${n}: ${(err as Error).message}`);
          continue;
        }
        total++;
        const match = /^\{"fString":"v(\d+)"\}$/.exec(text);
        if (status !== 200 || !match) {
          failures.push(`loop ${n}: ${status} ${text}`);
          continue;
        }
        const k = Number(match[1]);
        seen.add(k);
        if (k < last) failures.push(`loop ${n}: saw v${k} after v${last}`);
        last = k;
        latest[n] = k;
      }
      return last;
    };
    const loops = Array.from({ length: LOOPS }, (_, n) => loop(n));

    // The slow request starts on version 1 (which has the slow route) and must finish on it
    // even though version 2 no longer has that route.
    let slow: Promise<{ status: number; text: string }> | undefined;
    const answers: number[] = [];
    for (let k = 1; k <= SWAPS; k++) {
      const put = await putFrontend(stack.gateway.adminUrl!, 'live', version(k));
      answers.push(put.status);
      if (k === 1) {
        slow = fetch(`${stack.gateway.url}/live/slow`).then(async (r) => ({ status: r.status, text: await r.text() }));
        // Let the request reach the upstream before the table changes under it.
        await waitFor(() => stack.fixture.received.some((r) => r.method === 'Slow'), { what: 'the slow request to reach the upstream' });
      }
    }
    // Every loop (and so every client connection) is answered by the last version before they stop.
    await waitFor(() => latest.every((k) => k === SWAPS), { what: `every loop to see v${SWAPS}`, detail: () => `last seen: ${latest.join(', ')}; failures: ${failures.length}` });
    done = true;
    const lasts = await Promise.all(loops);

    assert.deepEqual(answers, Array(SWAPS).fill(200), 'every replacement was accepted');
    assert.deepEqual(failures, [], `failed requests (of ${total})`);
    assert.ok(total >= LOOPS * 5, `the loops sent requests throughout (${total})`);
    assert.ok(seen.size >= 3, `requests saw several versions while swapping: ${[...seen].sort((a, b) => a - b).join(', ')}`);
    assert.deepEqual(lasts, Array(LOOPS).fill(SWAPS), 'every loop ends on the last version');

    const slowAnswer = await slow!;
    assert.deepEqual(slowAnswer, { status: 200, text: '{}' }, 'the in-flight request finished on the table it started with');
    assert.equal((await http(`${stack.gateway.url}/live/slow`)).status, 404, 'the slow route is gone in the last version');
    assert.equal((await http(`${stack.gateway.url}/live/extra-${SWAPS}`)).status, 200);
    assert.equal((await http(`${stack.gateway.url}/live/extra-${SWAPS - 2}`)).status, 404);

    const metricsAfter = (await http(`${stack.gateway.adminUrl}/metrics`)).text;
    assert.equal(sampleValue(metricsAfter, 'prism_route_table_reloads_total', { result: 'success' }), reloadsBefore + SWAPS);
  });
});
