/**
 * How gRPC-Web and Connect answers leave, framework-free (the public routes plugin binds it to
 * fastify's reply): a whole answer in one `send`, or a stream started with `start` and written
 * with Node's own backpressure (`write` false → wait for `drained()`).
 */

/** A whole answer: status, headers, the body's bytes. */
export interface RpcAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

export interface RpcResponse {
  /** Sends a whole answer (unary calls, and every failure before a stream started). */
  send(answer: RpcAnswer): void;
  /** Sends the status and headers of a stream at once, before any body byte. */
  start(status: number, headers: Record<string, string>): void;
  /** Queues bytes of a started stream; false when the socket's buffer is full. */
  write(chunk: Uint8Array): boolean;
  /** Settles when the socket can take more, or when the client went away. */
  drained(): Promise<void>;
  /** Ends a started stream. Idempotent. */
  end(): void;
  /** The client went away before the answer was complete. */
  readonly gone: boolean;
}
