/**
 * One LISTEN connection that survives the database going away: a dedicated client (not a
 * pool member, since LISTEN belongs to a session) that reconnects with backoff and says so,
 * because notifications sent while it was away are lost for good.
 */
import pg from 'pg';

export interface ListenerEvents {
  /** A NOTIFY on the channel (its payload). */
  notification(payload: string): void;
  /** The connection is gone; notifications may be missed until `resumed`. */
  lost(): void;
  /** Listening again after a loss; anything may have changed meanwhile. */
  resumed(): void;
}

export interface ListenerOptions {
  readonly client: pg.ClientConfig;
  readonly channel: string;
  /** Longest wait between reconnection attempts (ms). */
  readonly maxBackoffMs?: number;
}

export interface Listener {
  /** Settles once the first LISTEN is in place (it retries until then), or once stopped. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/** Starts listening on `options.channel`. */
export function startListener(options: ListenerOptions, events: ListenerEvents): Listener {
  const maxBackoff = options.maxBackoffMs ?? 2000;
  let stopped = false;
  let client: pg.Client | undefined;
  let connected = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  /** Connects and LISTENs, retrying with backoff; false when stopped first. */
  async function connect(): Promise<boolean> {
    let backoff = 50;
    while (!stopped) {
      const candidate = new pg.Client({ keepAlive: true, ...options.client });
      candidate.on('error', () => {});
      try {
        await candidate.connect();
        await candidate.query(`LISTEN ${pg.escapeIdentifier(options.channel)}`);
      } catch {
        await candidate.end().catch(() => {});
        await sleep(backoff);
        backoff = Math.min(backoff * 2, maxBackoff);
        continue;
      }
      if (stopped) {
        await candidate.end().catch(() => {});
        return false;
      }
      client = candidate;
      connected = true;
      candidate.on('notification', (msg) => {
        if (msg.channel === options.channel) events.notification(msg.payload ?? '');
      });
      const onGone = () => {
        if (!connected || client !== candidate) return;
        connected = false;
        client = undefined;
        candidate.end().catch(() => {});
        if (stopped) return;
        events.lost();
        void connect().then((ok) => {
          if (ok) events.resumed();
        });
      };
      candidate.on('error', onGone);
      candidate.on('end', onGone);
      return true;
    }
    return false;
  }

  const stop = async () => {
    stopped = true;
    wake?.();
    const current = client;
    client = undefined;
    connected = false;
    await current?.end().catch(() => {});
  };
  return { ready: connect().then(() => undefined), stop };
}
