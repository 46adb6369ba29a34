/**
 * A child process that takes a lock with `acquireLock`, for the takeover race tests in
 * data-dir-lock.test.ts. Usage: `lock-contender.ts <lock file> <pause> [<gate file>]`.
 *
 * `pause` is where the takeover stops until `<gate file>` exists: `before` a rename or unlink of
 * the lock file (it has judged the lock stale and is about to remove it), `after` one (the file
 * is gone, nothing created yet), or `none`. The race is forced by the test, not by timing: the
 * other contender runs from start to end inside that pause.
 *
 * stdout: `paused` when it stops, then `held` or `refused <message>`. The process then stays
 * alive (its pid must stay running for the other contender) until its stdin closes.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const [file, pause, gate] = process.argv.slice(2);
if (!file || !['before', 'after', 'none'].includes(pause ?? '')) throw new Error('usage: lock-contender.ts <lock file> before|after|none [<gate file>]');

let paused = false;
const waitForGate = () => {
  if (paused) return;
  paused = true;
  process.stdout.write('paused\n');
  const deadline = Date.now() + 60_000;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (!fs.existsSync(gate!)) {
    if (Date.now() > deadline) throw new Error(`the gate ${gate} never opened`);
    Atomics.wait(cell, 0, 0, 10);
  }
};
const around = <F extends (...args: never[]) => unknown>(original: F): F =>
  ((...args: Parameters<F>) => {
    const onLockFile = String(args[0]) === file;
    if (onLockFile && pause === 'before') waitForGate();
    const result = original(...args);
    if (onLockFile && pause === 'after') waitForGate();
    return result;
  }) as F;
if (pause !== 'none') {
  // The lock module imports these by name; syncBuiltinESMExports makes those bindings see the wrappers.
  fs.renameSync = around(fs.renameSync);
  fs.unlinkSync = around(fs.unlinkSync);
  syncBuiltinESMExports();
}

const { acquireLock } = await import('../../src/operations/data-dir-lock.js');
try {
  acquireLock(file, 'test folder');
  process.stdout.write('held\n');
} catch (err) {
  process.stdout.write(`refused ${(err as Error).message}\n`);
}
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
