/**
 * How fast the schema browser lists 10,000 subjects (BENCHMARKS.md, "Schema browser"): the
 * `npm start` gateway over a SQLite store holding SUBJECTS subjects, and for RUNS rounds each
 * the time of `GET /subjects` alone, of a first page load until the count shows (fresh browser
 * context: no cache), of the Next button until page 2 shows, and of a prefix search until its
 * count shows (the page waits 250 ms after the last key before it asks). Medians and ranges.
 *   tsx scripts/ui-bench-subjects.ts [subjects] [runs]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { buildUi, seedManySubjects, startUiGateway } from './ui-fixtures.js';

const SUBJECTS = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 5);
const WAIT_MS = 120_000;

const assets = buildUi();
const dataDir = mkdtempSync(join(tmpdir(), 'prism-ui-bench-'));
await seedManySubjects(dataDir, SUBJECTS);
const gateway = await startUiGateway(dataDir, assets);
const browser = await chromium.launch({
  executablePath: process.env.PRISM_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const times: Record<string, number[]> = { 'GET /subjects': [], 'first load to count': [], 'next page': [], 'prefix search (incl. 250 ms pause)': [] };
const since = (t: number) => performance.now() - t;
try {
  for (let run = 0; run < RUNS; run++) {
    let t = performance.now();
    const names = (await (await fetch(`${gateway.url}/subjects`)).json()) as string[];
    times['GET /subjects'].push(since(t));
    if (names.length !== SUBJECTS) throw new Error(`expected ${SUBJECTS} subjects, got ${names.length}`);

    const context = await browser.newContext();
    const page = await context.newPage();
    t = performance.now();
    await page.goto(`${gateway.url}/ui/`);
    await page.getByTestId('subject-count').filter({ hasText: `${SUBJECTS} subjects` }).waitFor({ timeout: WAIT_MS });
    times['first load to count'].push(since(t));

    t = performance.now();
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByTestId('page-status').filter({ hasText: 'Page 2 of' }).waitFor({ timeout: WAIT_MS });
    times['next page'].push(since(t));

    t = performance.now();
    await page.getByRole('searchbox').fill('bulk-0042');
    await page.getByTestId('subject-count').filter({ hasText: 'starting with' }).waitFor({ timeout: WAIT_MS });
    times['prefix search (incl. 250 ms pause)'].push(since(t));
    await context.close();
  }
} finally {
  await browser.close();
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${SUBJECTS} subjects, ${RUNS} runs (ms: median [min–max])`);
for (const [name, xs] of Object.entries(times)) console.log(`${name.padEnd(38)} ${median(xs).toFixed(0).padStart(6)}  [${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}]`);
