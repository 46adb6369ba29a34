/**
 * A work budget for the synchronous parts of schema work (parsing, reference loading,
 * compatibility walks), so that no single request holds the event loop for long.
 *
 * The walks are synchronous and deeply recursive, so the budget is ambient: `withWorkBudget`
 * installs one for the duration of a synchronous call and the hot loops call `spendWork`.
 * Nothing awaits inside such a call, so two requests never share a budget. Outside of
 * `withWorkBudget` (unit tests of a format, the CLI) spending is free.
 *
 * Two limits, whichever comes first: a step count, which makes the outcome for a given
 * schema the same on every machine, and a time limit, a backstop for work the steps
 * under-count (read once per 1,024 steps). The time is the slice's wall-clock time
 * (performance.now()), because that is how long the event loop is held, whatever the CPU did.
 * Not process.cpuUsage(): it counts every thread of the process (libuv's pool running scrypt
 * and SQLite for concurrent requests, GC helpers), so other requests could charge a slice
 * several times its length, while a slice stalled without computing would be charged nothing.
 * Per-thread CPU time (process.threadCpuUsage) needs Node 23.9. The price: on a machine busy
 * with other processes, a slice close to the limit can be refused where an idle machine would
 * accept it; the step count, far below the limit for real schemas, keeps outcomes reproducible.
 */

export interface WorkLimits {
  /** Steps (node visits, pair comparisons) one synchronous slice may take. */
  readonly maxSteps: number;
  /** Milliseconds (wall-clock) one synchronous slice may hold the event loop. */
  readonly maxMillis: number;
}

/**
 * Defaults. 200,000 steps is about 0.25 s of the JSON Schema diff on an idle CI core and
 * above what real schemas take (a 1.7 MB JSON schema parses, and is checked against
 * itself, in under 100,000 each); the 2 s are only for work the steps under-count
 * (one call into avsc or protobufjs, which parse 1 MiB in about 1 s).
 */
export const DEFAULT_WORK_LIMITS: WorkLimits = { maxSteps: 200_000, maxMillis: 2_000 };

/** Thrown by `spendWork` when the ambient budget is used up. */
export class WorkBudgetExceededError extends Error {
  override readonly name = 'WorkBudgetExceededError';
  constructor(
    readonly limit: 'steps' | 'time',
    readonly limits: WorkLimits,
  ) {
    super(
      limit === 'steps'
        ? `the work budget of ${limits.maxSteps} steps is used up`
        : `the work budget of ${limits.maxMillis} ms of event-loop time is used up`,
    );
  }
}

interface Budget {
  readonly limits: WorkLimits;
  /** performance.now() when the slice started. */
  readonly startedAt: number;
  steps: number;
  nextClockCheck: number;
}

const CLOCK_EVERY = 1024;
let current: Budget | undefined;

/**
 * Runs `fn` with a fresh budget of `limits`; nested calls keep the outer budget (one slice,
 * one budget).
 * @throws WorkBudgetExceededError when `fn` spends more than `limits` allow; whatever `fn` throws.
 */
export function withWorkBudget<T>(limits: WorkLimits, fn: () => T): T {
  if (current !== undefined) return fn();
  current = { limits, startedAt: performance.now(), steps: 0, nextClockCheck: CLOCK_EVERY };
  try {
    return fn();
  } finally {
    current = undefined;
  }
}

/**
 * Spends `steps` of the ambient budget (free when none is installed). Hot path: one
 * comparison and one addition per call, the clock once per 1,024 steps.
 * @throws WorkBudgetExceededError when the budget is used up.
 */
export function spendWork(steps = 1): void {
  const budget = current;
  if (budget === undefined) return;
  budget.steps += steps;
  if (budget.steps > budget.limits.maxSteps) throw new WorkBudgetExceededError('steps', budget.limits);
  if (budget.steps >= budget.nextClockCheck) {
    budget.nextClockCheck = budget.steps + CLOCK_EVERY;
    if (performance.now() - budget.startedAt > budget.limits.maxMillis) throw new WorkBudgetExceededError('time', budget.limits);
  }
}
