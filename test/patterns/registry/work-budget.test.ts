/**
 * The work budget's time backstop measures how long the synchronous slice holds the event loop
 * (wall-clock time), not the process's CPU time: process.cpuUsage() also counts libuv's pool
 * (scrypt, SQLite) and GC threads, and none of the time a slice is stalled without computing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spendWork, withWorkBudget, WorkBudgetExceededError } from '../../../patterns/registry/work-budget.js';

/** Holds the thread for `ms` without using CPU (as a slice stalled on I/O or preempted would). */
const block = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

test('a slice that holds the event loop longer than maxMillis is stopped, even when it uses no CPU', () => {
  assert.throws(
    () =>
      withWorkBudget({ maxSteps: 1_000_000, maxMillis: 20 }, () => {
        block(60);
        for (let i = 0; i < 10_000; i++) spendWork();
      }),
    (err: Error) => err instanceof WorkBudgetExceededError && err.limit === 'time' && err.message === 'the work budget of 20 ms of event-loop time is used up',
  );
});

test('the step count stops a slice first when it is the smaller limit, and outside a budget spending is free', () => {
  assert.throws(
    () => withWorkBudget({ maxSteps: 100, maxMillis: 60_000 }, () => spendWork(101)),
    (err: Error) => err instanceof WorkBudgetExceededError && err.limit === 'steps',
  );
  assert.equal(withWorkBudget({ maxSteps: 100, maxMillis: 60_000 }, () => (spendWork(100), 'done')), 'done');
  for (let i = 0; i < 10_000; i++) spendWork(1_000);
});
