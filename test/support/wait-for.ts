/**
 * Polling for something real to happen (a call to arrive, a socket to close, a process to
 * start), instead of sleeping for a guessed time and hoping it did.
 */

export interface WaitForOptions {
  /** How long to keep trying before failing; generous, since a loaded machine is slow. */
  readonly timeoutMs?: number;
  /** The pause between two checks. */
  readonly intervalMs?: number;
  /** Says what was awaited, for the failure message. */
  readonly what?: string;
  /** The state last seen, for the failure message (read when the time is up). */
  readonly detail?: () => string;
}

/**
 * Checks `condition` until it returns a truthy value (or a promise of one) and resolves with
 * that value.
 *
 * @throws Error when `timeoutMs` (10 s by default) passes first, naming `what`, the last
 *   error the condition threw, if any, and `detail()`.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 10, what = 'condition', detail } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? '' : `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      const seen = detail === undefined ? '' : `; ${detail()}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}${seen}`, { cause: lastError });
    }
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs));
  }
}
