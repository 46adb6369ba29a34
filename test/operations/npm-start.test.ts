/**
 * Stopping `npm start` as a supervisor does (issue 13, item 13): SIGTERM to npm's pid used to
 * leave `node … serve` running and serving, because npm signalled the shell of its script and
 * the shell died without passing it on. `npm start` now execs node, so npm's SIGTERM reaches the
 * gateway, which drains; and when npm is killed outright, the gateway notices its parent is gone
 * and stops as well. The build is done once here (`npm start`'s prestart would build each time).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { alive, REPO_ROOT, http, spawnServing, tempDir } from './support.js';
import { waitFor } from '../support/wait-for.js';

before(async () => {
  const code = await new Promise<number | null>((done) => spawn('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' }).on('exit', done));
  assert.equal(code, 0, 'npm run build');
});

for (const [signal, stoppedBy] of [
  ['SIGTERM', 'SIGTERM'],
  ['SIGKILL', 'parent gone'],
] as const) {
  test(`${signal} to npm start's npm process stops the gateway (it logs shutting down: ${stoppedBy})`, { timeout: 120_000 }, async (t) => {
    const dir = tempDir(`npm-start-${signal}`);
    // --ignore-scripts: the start script without its prestart build (done above).
    const npm = await spawnServing('npm', ['start', '--ignore-scripts'], { env: { PORT: '0', PRISM_DATA_DIR: join(dir.path, 'data'), PRISM_LOG_LEVEL: 'info' }, timeoutMs: 60_000 });
    const gatewayPid = npm.lines.find((l) => l.msg === 'gateway listening (HTTP)')!.pid as number;
    t.after(() => {
      npm.kill();
      if (alive(gatewayPid)) process.kill(gatewayPid, 'SIGKILL');
      dir.remove();
    });
    assert.notEqual(gatewayPid, npm.child.pid, 'node runs as npm\'s child');
    assert.equal((await http(`${npm.url}/subjects`)).status, 200);

    npm.child.kill(signal);
    // Liveness bound: the drain takes well under a second here; 30 s is generous.
    await waitFor(() => !alive(gatewayPid), { timeoutMs: 30_000, intervalMs: 50, what: `the gateway (pid ${gatewayPid}) to exit after ${signal} to npm` });
    // Its last lines may still be in the pipe when the process is gone.
    await waitFor(() => npm.lines.some((l) => l.msg === 'shutting down' && l.signal === stoppedBy), {
      what: `the gateway's log line saying it drained on ${stoppedBy}`,
      detail: () => `messages: ${JSON.stringify(npm.lines.map((l) => l.msg))}`,
    });
    await assert.rejects(fetch(`${npm.url}/subjects`), 'nothing serves any more');
  });
}

test('the parent watch is on under npm or with PRISM_EXIT_WITH_PARENT=1, off for a process detached on purpose', async () => {
  const { shouldWatchParent } = await import('../../src/operations/parent-watch.js');
  assert.equal(shouldWatchParent({ npm_lifecycle_event: 'start' }), true);
  assert.equal(shouldWatchParent({}), false, 'nohup … & keeps running after its shell exits');
  assert.equal(shouldWatchParent({ PRISM_EXIT_WITH_PARENT: '1' }), true);
  assert.equal(shouldWatchParent({ npm_lifecycle_event: 'start', PRISM_EXIT_WITH_PARENT: '0' }), false);
});
