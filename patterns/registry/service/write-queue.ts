/**
 * Write serialisation: the registry runs its writes one at a time in this process, from
 * their first check to their commit, so what a write checked is still true when it
 * commits. The caller's deadline decides whether a queued write may still start.
 */
import { operationTimeout } from '../registry-error.js';
import type { CallContext } from '../registry-messages.js';

/** Epoch milliseconds of a call's deadline; Infinity for none. */
export function deadlineOf(context: CallContext | undefined): number {
  const deadline = context?.deadline;
  if (deadline === undefined) return Infinity;
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

export interface WriteQueue {
  /**
   * Runs a write after the writes before it. A write whose caller's deadline is (nearly)
   * over by its turn does not start: its caller has been told it timed out.
   * @throws RegistryError OPERATION_TIMEOUT (rejects) when the write does not start;
   *   otherwise whatever `work` throws.
   */
  serialized<T>(operation: string, context: CallContext | undefined, work: () => Promise<T>): Promise<T>;
  /**
   * Refuses to start a commit with less than `commitReserveMs` of the caller's deadline
   * left: the caller is about to see DEADLINE_EXCEEDED (50002 through the gateway), and a
   * write it was told timed out must not be stored.
   * @throws RegistryError OPERATION_TIMEOUT.
   */
  requireTimeToCommit(operation: string, deadline: number): void;
}

/** Creates the queue of one registry; `commitReserveMs` is RegistryLimits.commitReserveMs. */
export function createWriteQueue(commitReserveMs: number): WriteQueue {
  let tail: Promise<unknown> = Promise.resolve();

  function requireTimeToCommit(operation: string, deadline: number): void {
    if (Date.now() + commitReserveMs >= deadline) {
      throw operationTimeout(operation, new Error(`less than ${commitReserveMs} ms of the caller's deadline left; nothing was written`));
    }
  }

  function serialized<T>(operation: string, context: CallContext | undefined, work: () => Promise<T>): Promise<T> {
    const deadline = deadlineOf(context);
    const start = () => {
      requireTimeToCommit(operation, deadline);
      return work();
    };
    const run = tail.then(start, start);
    tail = run.catch(() => undefined);
    return run;
  }

  return { serialized, requireTimeToCommit };
}
