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
 * schema the same on every machine, and a CPU-time limit, a backstop for work the steps
 * under-count (read once per 1,024 steps). CPU time rather than wall-clock time, so that a
 * machine busy with other processes does not refuse a schema it would accept when idle.
 */

export interface WorkLimits {
  /** Steps (node visits, pair comparisons) one synchronous slice may take. */
  readonly maxSteps: number;
  /** CPU milliseconds one synchronous slice may take. */
  readonly maxMillis: number;
}

/**
 * Defaults. 200,000 steps is about 0.25 s of the JSON Schema diff on an idle CI core and
 * above what real schemas take (a 1.7 MB JSON schema parses, and is checked against
 * itself, in under 100,000 each); the 2 s of CPU is only for work the steps under-count
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
        : `the work budget of ${limits.maxMillis} ms of CPU time is used up`,
    );
  }
}

interface Budget {
  readonly limits: WorkLimits;
  /** CPU microseconds (user + system) of the process when the slice started. */
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
  current = { limits, startedAt: cpuMicros(), steps: 0, nextClockCheck: CLOCK_EVERY };
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
    if (cpuMicros() - budget.startedAt > budget.limits.maxMillis * 1000) throw new WorkBudgetExceededError('time', budget.limits);
  }
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}
