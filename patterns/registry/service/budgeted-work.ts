/**
 * Synchronous schema work (parsing, one compatibility comparison) within the registry's
 * work budget, with a used-up budget reported as 42201 naming what was being done.
 */
import { invalidSchema, type RegistryError } from '../registry-error.js';
import { withWorkBudget, WorkBudgetExceededError, type WorkLimits } from '../work-budget.js';

/**
 * Runs `fn` within the budget `work`.
 * @throws RegistryError INVALID_SCHEMA when the budget is used up; anything `fn` throws.
 */
export function budgeted<T>(work: WorkLimits, what: string, fn: () => T): T {
  try {
    return withWorkBudget(work, fn);
  } catch (err) {
    if (err instanceof WorkBudgetExceededError) throw budgetExceeded(what, err);
    throw err;
  }
}

/** The INVALID_SCHEMA error for a budget used up while doing `what` (metadata `limit`). */
export function budgetExceeded(what: string, err: WorkBudgetExceededError): RegistryError {
  return invalidSchema(`Invalid schema: ${what} exceeded the registry's work budget (${err.message}); the schema is too large or too complex`, {
    limit: err.limit === 'steps' ? 'work.maxSteps' : 'work.maxMillis',
  });
}
