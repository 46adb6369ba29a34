/**
 * At most `concurrency` password verifications at a time, taken in turn per client address.
 *
 * node runs scrypt on the libuv thread pool (4 threads unless UV_THREADPOOL_SIZE says
 * otherwise), which file system calls, DNS lookups and zlib share: unbounded verifications
 * from a crowd of guessers would queue everyone's file reads behind them. Waiting attempts
 * are served round-robin across addresses, so a legitimate user's first login waits for one
 * turn per busy address rather than behind every guess already queued; an address may hold
 * only a few attempts at once, and the whole queue is bounded.
 */

export interface VerificationGate {
  /**
   * Waits for a turn; the result releases it (call it exactly once). Undefined when the
   * address already holds `perAddress` attempts or `maxQueued` are waiting: refuse at once.
   */
  admit(address: string): Promise<() => void> | undefined;
  /** Verifications running now. */
  readonly running: number;
  /** Attempts waiting for a turn. */
  readonly queued: number;
}

export interface VerificationGateOptions {
  /** Verifications at once (default 2: half of libuv's default pool). */
  concurrency?: number;
  /** Attempts (running or waiting) one address may hold (default 4). */
  perAddress?: number;
  /** Attempts waiting in all (default 1,000). */
  maxQueued?: number;
}

export const VERIFICATION_GATE_DEFAULTS = { concurrency: 2, perAddress: 4, maxQueued: 1_000 } as const;

export function createVerificationGate(options: VerificationGateOptions = {}): VerificationGate {
  const concurrency = options.concurrency ?? VERIFICATION_GATE_DEFAULTS.concurrency;
  const perAddress = options.perAddress ?? VERIFICATION_GATE_DEFAULTS.perAddress;
  const maxQueued = options.maxQueued ?? VERIFICATION_GATE_DEFAULTS.maxQueued;
  let running = 0;
  let queued = 0;
  /** Attempts held (running or waiting) per address. */
  const held = new Map<string, number>();
  /** Waiters per address; the Map's order is the round-robin order. */
  const waiting = new Map<string, (() => void)[]>();

  const releaser = (address: string) => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      running--;
      const left = held.get(address)! - 1;
      if (left === 0) held.delete(address);
      else held.set(address, left);
      next();
    };
  };

  const next = () => {
    while (running < concurrency && waiting.size > 0) {
      const [address, queue] = waiting.entries().next().value!;
      const wake = queue.shift()!;
      waiting.delete(address);
      // Back of the line for this address's next attempt.
      if (queue.length > 0) waiting.set(address, queue);
      queued--;
      running++;
      wake();
    }
  };

  return {
    admit(address) {
      const mine = held.get(address) ?? 0;
      if (mine >= perAddress) return undefined;
      if (running < concurrency) {
        held.set(address, mine + 1);
        running++;
        return Promise.resolve(releaser(address));
      }
      if (queued >= maxQueued) return undefined;
      held.set(address, mine + 1);
      queued++;
      return new Promise((resolve) => {
        const queue = waiting.get(address);
        const wake = () => resolve(releaser(address));
        if (queue) queue.push(wake);
        else waiting.set(address, [wake]);
      });
    },
    get running() {
      return running;
    },
    get queued() {
      return queued;
    },
  };
}
