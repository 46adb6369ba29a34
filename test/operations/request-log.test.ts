/**
 * What the gateway logs (issue 13, item 17): a request line says the path template, route,
 * namespace, principal and client address besides status and latency; every listener's start
 * line says which listener it is, and fastify's own "Server listening at" lines (one per
 * interface, naming no listener) are not printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { as, captureLog, startSecureStack } from '../security/support.js';
import { useStarted } from '../support/use-suite.js';
import { waitFor } from '../support/wait-for.js';

const log = captureLog();
const lines = () =>
  log
    .text()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const stack = useStarted(() => startSecureStack({ logger: { level: 'info', stream: log.stream }, config: { probes: { host: '127.0.0.1', port: 0 } } }));

test('a request line names the path template, route, namespace, principal and client address', async () => {
  const res = await fetch(`${stack.url}/subjects/orders-value/versions/latest`, { headers: { authorization: as('reader'), 'x-request-id': 'log-me' } });
  await res.text();
  const line = await waitFor(() => lines().find((l) => l.msg === 'request' && l.reqId === 'log-me'), { what: 'the request line' });
  assert.equal(line.path, '/subjects/{subject}/versions/{version}');
  assert.equal(typeof line.route, 'string');
  assert.equal(line.namespace, 'default');
  assert.equal(line.principal, 'reader');
  assert.equal(line.client, '127.0.0.1');
  assert.equal(line.status, res.status);
  assert.doesNotMatch(JSON.stringify(line), /reader-secret/, 'never the credentials');
});

test('every listener\'s start line says which listener it is, and nothing else announces a listener', () => {
  const starts = lines().filter((l) => typeof l.msg === 'string' && /listening/i.test(l.msg));
  assert.deepEqual(starts.map((l) => l.listener).sort(), ['admin', 'grpc', 'pattern', 'probes', 'public']);
  assert.equal(lines().filter((l) => typeof l.msg === 'string' && /^Server listening at/.test(l.msg)).length, 0);
});
