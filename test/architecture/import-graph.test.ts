import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { findCycles, importGraph } from './import-graph.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('the modules of src/ and patterns/ import each other without cycles', () => {
  const graph = importGraph(root, ['src', 'patterns']);
  assert.ok(graph.size > 100, `read ${graph.size} modules`);
  const cycles = findCycles(graph);
  assert.deepEqual(cycles.map((c) => c.join(' -> ')), []);
});

test('the cycle finder finds a cycle when there is one', () => {
  const graph = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts', 'd.ts']],
    ['d.ts', []],
  ]);
  assert.deepEqual(findCycles(graph), [['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
});

test('the patterns import no part of the gateway\'s request path (routing, mapping, core, admin, frontends)', () => {
  // The registry pattern runs as its own process (`prism-registry serve`): it must not pull in
  // the gateway's request path.
  const graph = importGraph(root, ['src', 'patterns']);
  const offenders: string[] = [];
  for (const [file, targets] of graph) {
    if (!file.startsWith('patterns/')) continue;
    for (const t of targets) if (/^src\/(routing|mapping|core|admin|frontends)\//.test(t)) offenders.push(`${file} -> ${t}`);
  }
  assert.deepEqual(offenders, []);
});
