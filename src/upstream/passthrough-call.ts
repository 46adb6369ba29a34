/**
 * One proxied call of the gRPC passthrough, for each of the four call kinds: nothing is sent
 * upstream before the call is admitted (authenticated, namespace picked, role checked), client
 * messages wait unread until then, and the call is recorded exactly once with its final code.
 */
import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { peerAddress } from '../security/network-address.js';
import { methodPath } from '../grpc/service-definition.js';

/** A call admission turned away: the status it ends with. */
export type Refusal = { readonly refused: grpc.StatusObject; readonly namespace?: string; readonly principal?: string };

/** The outcome of admission: where the call goes, or the status it ends with. */
export type Admission = Refusal | { readonly client: grpc.Client; readonly namespace: string; readonly principal?: string; readonly metadata: grpc.Metadata };

/** What admission learns of every call it lets in, for the record. */
interface Admitted {
  readonly namespace?: string;
  readonly principal?: string;
}

/** Logs and counts one call; `finish` acts on its first invocation only. */
export interface CallRecord {
  finish(code: number, namespace?: string, principal?: string): void;
}

/** What every kind of grpc-js server call offers (grpc-js does not export its common type). */
export interface IncomingCall {
  readonly metadata: grpc.Metadata;
  getPeer(): string;
  getDeadline(): grpc.Deadline;
  on(event: 'cancelled', listener: () => void): unknown;
}
/** Admits a call from `peer` (the caller's address, without its port). */
type Admit<A extends Admitted = Proxied> = (call: IncomingCall, peer: string) => Promise<Refusal | A>;
/** Starts the record of a call from `peer`. */
type Record = (peer: string) => CallRecord;
type Proxied = Exclude<Admission, Refusal>;

/** Opaque bytes both ways: the passthrough never decodes a message. */
export const identity = (b: Buffer): Buffer => b;

/** Internal failure of admission itself (a bug): the call fails without details. */
const INTERNAL: grpc.StatusObject = { code: grpc.status.INTERNAL, details: 'Internal Server Error', metadata: new grpc.Metadata() };

function callOptions(call: { getDeadline(): grpc.Deadline }): grpc.CallOptions {
  const deadline = call.getDeadline();
  return deadline === Infinity ? {} : { deadline };
}

/** A call's namespace and principal as admission learns them, its upstream once started. */
interface CallState {
  namespace: string | undefined;
  principal: string | undefined;
  cancelled: boolean;
  upstream: grpc.Call | undefined;
  /** Records the call with its final code (the first time only). */
  finish(code: number): void;
}

/**
 * Admits a call and records it once: on its status, or on the client's cancellation
 * (DEADLINE_EXCEEDED when its deadline passed). A refused call, or one whose admission failed,
 * ends through `refuse`; an admitted one goes to `proceed`, unless the client already gave up.
 * Hot path: the peer's address is worked out here once and given to both admission (the
 * failed-attempt limit) and the record (the log line).
 */
function admitThen<A extends Admitted>(call: IncomingCall, admit: Admit<A>, record: Record, refuse: (status: grpc.StatusObject) => void, proceed: (admitted: A, state: CallState) => void): void {
  const peer = peerAddress(call.getPeer());
  const rec = record(peer);
  const state: CallState = {
    namespace: undefined,
    principal: undefined,
    cancelled: false,
    upstream: undefined,
    finish: (code) => rec.finish(code, state.namespace, state.principal),
  };
  call.on('cancelled', () => {
    state.cancelled = true;
    state.upstream?.cancel();
    const deadline = call.getDeadline();
    const expired = deadline !== Infinity && new Date(deadline).getTime() <= Date.now();
    state.finish(expired ? grpc.status.DEADLINE_EXCEEDED : grpc.status.CANCELLED);
  });
  admit(call, peer).then(
    (a) => {
      state.namespace = a.namespace;
      state.principal = a.principal;
      if (state.cancelled) return;
      if (isRefusal(a)) {
        // A refused call's messages are never read; grpc-js discards them with the stream.
        state.finish(a.refused.code);
        refuse(a.refused);
      } else proceed(a, state);
    },
    () => {
      state.finish(INTERNAL.code);
      refuse(INTERNAL);
    },
  );
}

function isRefusal(a: Refusal | Admitted): a is Refusal {
  return 'refused' in a;
}

/**
 * Relays the backend's single answer (unary and client-streaming calls) with its response
 * headers and trailers, and records it. grpc-js hands over the message before it reports the
 * status that carries the trailers, so the answer goes out on the status; `onAnswer` is what
 * make*Request calls back with.
 */
function relayAnswer(state: CallState, call: { sendMetadata(md: grpc.Metadata): void }, callback: grpc.sendUnaryData<Buffer>) {
  let failure: grpc.ServiceError | null = null;
  let value: Buffer | undefined;
  return {
    onAnswer: ((err, answer) => {
      failure = err;
      value = answer;
    }) as grpc.requestCallback<Buffer>,
    attach(upstream: grpc.ClientUnaryCall | grpc.ClientWritableStream<Buffer>): void {
      state.upstream = upstream;
      upstream.on('metadata', (md: grpc.Metadata) => call.sendMetadata(md));
      upstream.on('status', (s: grpc.StatusObject) => {
        // A failure as grpc-js reported it: an OK status without a message is UNIMPLEMENTED.
        if (failure) {
          state.finish(failure.code);
          callback({ code: failure.code, details: failure.details, metadata: failure.metadata });
        } else {
          state.finish(grpc.status.OK);
          callback(null, value, s.metadata);
        }
      });
    },
  };
}

/**
 * The grpc-js handler proxying `method` (opaque bytes both ways).
 * Never throws: every failure ends the call with a status.
 */
export function proxyCall(method: protobuf.Method, admit: Admit, record: Record): grpc.UntypedHandleCall {
  const path = methodPath(method);
  const { requestStream, responseStream } = method;
  if (!requestStream && !responseStream) {
    return ((call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) =>
      admitThen(call, admit, record, callback, (a, state) => {
        const relay = relayAnswer(state, call, callback);
        relay.attach(a.client.makeUnaryRequest(path, identity, identity, call.request, a.metadata, callOptions(call), relay.onAnswer));
      })) as grpc.handleUnaryCall<Buffer, Buffer>;
  }
  if (!requestStream) {
    return ((call: grpc.ServerWritableStream<Buffer, Buffer>) =>
      admitThen(call, admit, record, (status) => call.emit('error', status), (a, state) => {
        const upstream = a.client.makeServerStreamRequest(path, identity, identity, call.request, a.metadata, callOptions(call));
        state.upstream = upstream;
        pipeResponses(upstream, call, state.finish);
      })) as grpc.handleServerStreamingCall<Buffer, Buffer>;
  }
  if (!responseStream) {
    return ((call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) =>
      admitThen(call, admit, record, callback, (a, state) => {
        const relay = relayAnswer(state, call, callback);
        const upstream = a.client.makeClientStreamRequest(path, identity, identity, a.metadata, callOptions(call), relay.onAnswer);
        relay.attach(upstream);
        pipeRequests(call, upstream);
      })) as grpc.handleClientStreamingCall<Buffer, Buffer>;
  }
  return ((call: grpc.ServerDuplexStream<Buffer, Buffer>) =>
    admitThen(call, admit, record, (status) => call.emit('error', status), (a, state) => {
      const upstream = a.client.makeBidiStreamRequest(path, identity, identity, a.metadata, callOptions(call));
      state.upstream = upstream;
      pipeRequests(call, upstream);
      pipeResponses(upstream, call, state.finish);
    })) as grpc.handleBidiStreamingCall<Buffer, Buffer>;
}

/** Client → backend, pausing the client while the backend's side is full. */
function pipeRequests(call: grpc.ServerReadableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>, upstream: grpc.ClientWritableStream<Buffer> | grpc.ClientDuplexStream<Buffer, Buffer>): void {
  call.on('data', (chunk: Buffer) => {
    if (!upstream.write(chunk)) {
      call.pause();
      upstream.once('drain', () => call.resume());
    }
  });
  call.on('end', () => upstream.end());
}

/** Backend → client, pausing the backend while the client's side is full; the status last. */
function pipeResponses(upstream: grpc.ClientReadableStream<Buffer> | grpc.ClientDuplexStream<Buffer, Buffer>, call: grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>, finish: (code: number) => void): void {
  upstream.on('metadata', (md: grpc.Metadata) => call.sendMetadata(md));
  upstream.on('data', (chunk: Buffer) => {
    if (!call.write(chunk)) {
      upstream.pause();
      call.once('drain', () => upstream.resume());
    }
  });
  upstream.on('error', (err: grpc.ServiceError) => {
    finish(err.code);
    call.emit('error', { code: err.code, details: err.details, metadata: err.metadata });
  });
  upstream.on('status', (s: grpc.StatusObject) => {
    if (s.code !== grpc.status.OK) return;
    // grpc-js reports the status as soon as the last message is queued; messages held back
    // while the client was slow are still in the stream's buffer and go first.
    const end = () => {
      finish(grpc.status.OK);
      call.end(s.metadata);
    };
    if (upstream.readableEnded) end();
    else upstream.once('end', end);
  });
}

/**
 * The grpc-js handler of a bidi method the listener answers itself (server reflection), admitted
 * and recorded like a proxied call: `serve` takes over once the call is admitted and reports its
 * final code through `finish`. Never throws.
 */
export function localBidiCall<A extends Admitted, Call extends grpc.ServerDuplexStream<never, never>>(admit: Admit<A>, record: Record, serve: (call: Call, admitted: A, finish: (code: number) => void) => void): (call: Call) => void {
  return (call) =>
    admitThen(call, admit, record, (status) => call.emit('error', status), (a, state) => {
      try {
        serve(call, a, state.finish);
      } catch {
        state.finish(INTERNAL.code);
        call.emit('error', INTERNAL);
      }
    });
}
