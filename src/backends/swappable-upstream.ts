/**
 * A namespace's upstream whose client can be replaced while it serves, for re-binding an
 * embedded pattern to an updated backend (validate-then-swap at the process level): calls
 * start on the current client; `swap` makes a new one current, and the old one is closed once
 * the calls that started on it have finished (or after `drainMs`, whichever comes first).
 */
import type { StreamRequest, UnaryReply, UnaryRequest, Upstream, UpstreamStream } from '../upstream/upstream.js';

export interface SwappableUpstream extends Upstream {
  /** Makes `next` current; resolves once the previous client has drained and closed. */
  swap(next: Upstream, drainMs: number): Promise<void>;
}

interface Tracked {
  readonly upstream: Upstream;
  inFlight: number;
  drained?: () => void;
}

export function createSwappableUpstream(first: Upstream): SwappableUpstream {
  let current: Tracked = { upstream: first, inFlight: 0 };
  const settle = (t: Tracked) => {
    t.inFlight -= 1;
    if (t.inFlight === 0) t.drained?.();
  };
  return {
    get target() {
      return current.upstream.target;
    },
    // The hot path: one counter up and down around the call.
    async unary(request: UnaryRequest): Promise<UnaryReply> {
      const t = current;
      t.inFlight += 1;
      try {
        return await t.upstream.unary(request);
      } finally {
        settle(t);
      }
    },
    stream(request: StreamRequest): UpstreamStream {
      const t = current;
      t.inFlight += 1;
      const stream = t.upstream.stream(request);
      // The trailers settle (never reject) when the call has ended, whichever way.
      void stream.trailers.finally(() => settle(t));
      return stream;
    },
    healthy: (timeoutMs) => current.upstream.healthy(timeoutMs),
    close: () => current.upstream.close(),
    async swap(next, drainMs) {
      const old = current;
      current = { upstream: next, inFlight: 0 };
      if (old.inFlight > 0) {
        await new Promise<void>((done) => {
          const timer = setTimeout(done, drainMs);
          old.drained = () => {
            clearTimeout(timer);
            done();
          };
        });
      }
      old.upstream.close();
    },
  };
}
