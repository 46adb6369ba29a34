/**
 * The client-independent half of a streaming call (`UpstreamStream`, upstream.ts): the queue of
 * received messages and its one consumer, the `headers` and `trailers` promises, writes, and
 * every way a call ends on this side (cancel(), the caller's signal, the deadline, the idle
 * timeout, the maximum duration). Each client supplies a `StreamTransport` (http2-stream.ts
 * over the lean HTTP/2 connection, grpc-stream.ts over grpc-js) and reports what the wire
 * brings through the `StreamSink` it is handed, so both clients end calls the same way.
 *
 * Backpressure is the transport's: the sink counts the bytes waiting for the consumer
 * (`buffered`), and tells the transport what the consumer took (`consumed`), from which it
 * decides when the backend may send more.
 */
import { Code, GATEWAY_DOMAIN, GatewayError, GatewayReason } from '../core/gateway-error.js';
import { statusToGatewayError } from './status.js';
import { STREAM_LIMIT_DEFAULTS, type StreamLimits, type StreamRequest, type UpstreamStream } from './upstream.js';

/** What a streaming call asks of the client that carries it. */
export interface StreamTransport {
  /** Sends one message (the transport frames it); resolves when the backend's window took it. */
  write(message: Uint8Array): Promise<void>;
  /** Half-closes the request side. */
  end(): void;
  /** Resets the call upstream (RST_STREAM CANCEL); called at most once, never after the call ended upstream. */
  cancel(): void;
  /** The consumer took `bytes` (a message's length) off the queue. */
  consumed(bytes: number): void;
  /** Bytes of a message still arriving, held by the transport (0 when it cannot tell). */
  readonly receiving: number;
}

/** What the transport reports; calls after the call has ended are ignored. */
export interface StreamSink {
  /** The response headers (text metadata, pseudo and status keys left out). */
  headers(metadata: Record<string, string>): void;
  /** One complete message. */
  message(bytes: Buffer): void;
  /** The call ended upstream: `error` undefined for status OK, with the trailers' text metadata. */
  finish(error: GatewayError | undefined, trailers: Record<string, string>): void;
  /** Bytes of messages waiting for the consumer. */
  readonly buffered: number;
  /** The call's resolved limits. */
  readonly limits: Readonly<StreamLimits>;
}

/** The longest delay a Node timer holds (past it, it fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The limits of a call: the request's over STREAM_LIMIT_DEFAULTS.
 * @throws GatewayError INVALID_ARGUMENT naming the first limit out of range.
 */
export function resolveStreamLimits(limits: Partial<StreamLimits> | undefined): StreamLimits {
  const out = { ...STREAM_LIMIT_DEFAULTS, ...stripUndefined(limits) };
  const check = (name: keyof StreamLimits, min: number, max: number) => {
    const v = out[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new GatewayError(Code.INVALID_ARGUMENT, `stream limit ${name} must be an integer from ${min} to ${max}, got ${String(v)}`);
    }
  };
  // The window an owner may grant stays under HTTP/2's 2^31-1.
  check('maxBufferedBytes', 5, 2 ** 30);
  check('maxMessageBytes', 0, 2 ** 30);
  check('idleTimeoutMs', 0, MAX_TIMER_MS);
  check('maxDurationMs', 0, MAX_TIMER_MS);
  return out;
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  if (!o) return out;
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] !== undefined) out[key] = o[key];
  return out;
}

/**
 * A streaming call: `open` starts the transport with the sink it reports to. A call whose
 * request is unusable (limits out of range, signal already aborted, `open` throwing)
 * returns a stream that has already failed: this function never throws.
 */
export function createStreamCall(request: StreamRequest, open: (sink: StreamSink) => StreamTransport): UpstreamStream {
  const queue: Buffer[] = [];
  let head = 0;
  let buffered = 0;
  /** The call's outcome: undefined while it runs, null for OK. */
  let outcome: GatewayError | null | undefined;
  /** The upstream end has been seen (or the transport is gone): no cancel() upstream any more. */
  let upstreamDone = false;
  let ended = false;
  let responded = false;
  let waiter: { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: unknown) => void } | undefined;
  const writers = new Set<{ resolve: () => void; reject: (e: unknown) => void }>();
  let lastActivity = 0;
  const timers: NodeJS.Timeout[] = [];

  let resolveHeaders!: (h: Readonly<Record<string, string>>) => void;
  let rejectHeaders!: (e: unknown) => void;
  const headers = new Promise<Readonly<Record<string, string>>>((res, rej) => {
    resolveHeaders = res;
    rejectHeaders = rej;
  });
  // A caller that reads only the messages must not meet an unhandled rejection.
  headers.catch(() => {});
  let resolveTrailers!: (t: Readonly<Record<string, string>>) => void;
  const trailers = new Promise<Readonly<Record<string, string>>>((res) => (resolveTrailers = res));

  let limits: StreamLimits = STREAM_LIMIT_DEFAULTS;
  let transport: StreamTransport | undefined;

  /** Settles everything once. `local`: this side ended the call (queued messages are dropped, the stream reset). */
  function settle(error: GatewayError | null, trailerMetadata: Record<string, string>, local: boolean): void {
    if (outcome !== undefined) return;
    outcome = error;
    for (const t of timers) clearTimeout(t);
    request.signal?.removeEventListener('abort', onAbort);
    if (local) {
      queue.length = 0;
      head = 0;
      buffered = 0;
      if (!upstreamDone) transport?.cancel();
    }
    upstreamDone = true;
    if (!responded) {
      responded = true;
      if (error) rejectHeaders(error);
      else resolveHeaders(trailerMetadata);
    }
    resolveTrailers(trailerMetadata);
    for (const w of writers) {
      if (error) w.reject(error);
      else w.resolve();
    }
    writers.clear();
    wake();
  }

  /** Hands the waiting consumer what it can have now. */
  function wake(): void {
    if (!waiter) return;
    if (head < queue.length) {
      const w = waiter;
      waiter = undefined;
      w.resolve({ value: take(), done: false });
    } else if (outcome !== undefined) {
      const w = waiter;
      waiter = undefined;
      if (outcome) w.reject(outcome);
      else w.resolve({ value: undefined, done: true });
    }
  }

  function take(): Buffer {
    const message = queue[head];
    queue[head++] = EMPTY;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
    buffered -= message.length + 5;
    if (outcome === undefined) transport?.consumed(message.length + 5);
    return message;
  }

  const fail = (error: GatewayError) => settle(error, {}, true);
  const onAbort = () => fail(statusToGatewayError({ code: Code.CANCELLED, details: 'Call cancelled' }));

  const sink: StreamSink = {
    headers(metadata) {
      if (outcome !== undefined || responded) return;
      responded = true;
      resolveHeaders(metadata);
    },
    message(bytes) {
      if (outcome !== undefined) return;
      lastActivity = performance.now();
      queue.push(bytes);
      buffered += bytes.length + 5;
      wake();
    },
    finish(error, trailerMetadata) {
      upstreamDone = true;
      settle(error ?? null, trailerMetadata, false);
    },
    get buffered() {
      return buffered;
    },
    get limits() {
      return limits;
    },
  };

  const iterator: AsyncIterator<Uint8Array> = {
    next() {
      if (head < queue.length) return Promise.resolve({ value: take(), done: false });
      if (outcome === null) return Promise.resolve({ value: undefined, done: true });
      if (outcome) return Promise.reject(outcome);
      if (waiter) return Promise.reject(new Error('an UpstreamStream has one consumer: next() called again before the last one settled'));
      return new Promise((resolve, reject) => (waiter = { resolve, reject }));
    },
    // Leaving a `for await` early: nobody reads any more, so the call is cancelled.
    return() {
      cancel();
      return Promise.resolve({ value: undefined, done: true });
    },
  };

  function cancel(): void {
    if (outcome === undefined) fail(statusToGatewayError({ code: Code.CANCELLED, details: 'Call cancelled' }));
  }

  function write(message: Uint8Array): Promise<void> {
    if (outcome) return Promise.reject(outcome);
    if (outcome === null) return Promise.resolve();
    if (ended) return Promise.reject(statusToGatewayError({ code: Code.INTERNAL, details: 'write after end()' }));
    lastActivity = performance.now();
    return new Promise<void>((resolve, reject) => {
      const w = { resolve, reject };
      writers.add(w);
      transport!.write(message).then(
        () => {
          if (writers.delete(w)) resolve();
        },
        (err) => {
          if (writers.delete(w)) reject(err);
        },
      );
    });
  }

  function end(): void {
    if (ended || outcome !== undefined) return;
    ended = true;
    transport?.end();
  }

  const stream: UpstreamStream = {
    headers,
    trailers,
    write,
    end,
    cancel,
    [Symbol.asyncIterator]: () => iterator,
    get bufferedBytes() {
      return buffered + (outcome === undefined ? (transport?.receiving ?? 0) : 0);
    },
  };

  try {
    limits = resolveStreamLimits(request.limits);
  } catch (err) {
    fail(err as GatewayError);
    return stream;
  }
  if (request.signal?.aborted) {
    onAbort();
    return stream;
  }
  try {
    transport = open(sink);
  } catch (err) {
    fail(err instanceof GatewayError ? err : statusToGatewayError({ code: Code.INTERNAL, details: (err as Error).message }));
    return stream;
  }
  if (outcome !== undefined) return stream;
  request.signal?.addEventListener('abort', onAbort, { once: true });
  if (request.deadlineMs > 0) {
    timers.push(setTimeout(() => fail(statusToGatewayError({ code: Code.DEADLINE_EXCEEDED, details: 'Deadline exceeded' })), Math.min(request.deadlineMs, MAX_TIMER_MS)));
  }
  if (limits.maxDurationMs > 0) {
    timers.push(
      setTimeout(
        () => fail(new GatewayError(Code.DEADLINE_EXCEEDED, `stream exceeded its maximum duration of ${limits.maxDurationMs} ms`, { reason: GatewayReason.STREAM_MAX_DURATION, domain: GATEWAY_DOMAIN })),
        limits.maxDurationMs,
      ),
    );
  }
  if (limits.idleTimeoutMs > 0) {
    // One timer, re-armed for what is left when messages moved meanwhile (no timer per message).
    const idleMs = limits.idleTimeoutMs;
    lastActivity = performance.now();
    const check = () => {
      const quiet = performance.now() - lastActivity;
      if (quiet >= idleMs) {
        fail(new GatewayError(Code.DEADLINE_EXCEEDED, `stream idle for ${idleMs} ms`, { reason: GatewayReason.STREAM_IDLE_TIMEOUT, domain: GATEWAY_DOMAIN }));
      } else {
        timers[idleTimer] = setTimeout(check, Math.ceil(idleMs - quiet));
      }
    };
    const idleTimer = timers.push(setTimeout(check, idleMs)) - 1;
  }
  return stream;
}

const EMPTY = Buffer.alloc(0);
