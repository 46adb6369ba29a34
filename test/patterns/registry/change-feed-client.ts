/**
 * Test helper: a WatchChanges call over a real grpc-js client, each change rendered as the
 * gateway renders messages (proto3 JSON names, message-json), with the call's final status.
 */
import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { loadProtoRoot } from '../../../src/grpc/proto-root.js';
import { compileMessageRenderer } from '../../../src/mapping/message-json.js';
import { registryProtoFile, REGISTRY_SERVICE_NAME } from '../../../patterns/registry/registry-server.js';

export type ChangeJson = Record<string, unknown>;

export interface ChangeWatch {
  /** The next `n` changes (waits for them; rejects after `timeoutMs` or when the call ends first). */
  take(n: number, timeoutMs?: number): Promise<ChangeJson[]>;
  /** How many changes arrived and were not taken yet. */
  pending(): number;
  /** The call's end: its status (OK, or the error with its metadata). */
  readonly ended: Promise<{ code: grpc.status; details: string; metadata?: grpc.Metadata }>;
  /** Stops reading from the socket (flow control then stops the server), and starts again. */
  pause(): void;
  resume(): void;
  cancel(): void;
}

let changeType: protobuf.Type | undefined;
function changeMessageType(): protobuf.Type {
  changeType ??= loadProtoRoot([registryProtoFile]).lookupType('prism.patterns.registry.v1.Change');
  return changeType;
}

/**
 * Starts WatchChanges at `address` with `request` ({subject_prefix, after}); `paused` starts
 * it without reading until `resume`.
 */
export function watchChanges(address: string, request: { subject_prefix?: string; after?: string } = {}, options: { paused?: boolean } = {}): ChangeWatch {
  const root = loadProtoRoot([registryProtoFile]);
  const requestType = root.lookupType('prism.patterns.registry.v1.WatchChangesRequest');
  const type = changeMessageType();
  const render = compileMessageRenderer(type);
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const call = client.makeServerStreamRequest(
    `/${REGISTRY_SERVICE_NAME}/WatchChanges`,
    (value: object) => Buffer.from(requestType.encode(requestType.fromObject(value)).finish()),
    (bytes: Buffer) => render(type.decode(bytes)) as ChangeJson,
    request,
  );
  if (options.paused) call.pause();
  const received: ChangeJson[] = [];
  let notify: (() => void) | undefined;
  let finished = false;
  call.on('data', (change: ChangeJson) => {
    received.push(change);
    notify?.();
  });
  const ended = new Promise<{ code: grpc.status; details: string; metadata?: grpc.Metadata }>((resolve) => {
    call.on('error', () => {});
    call.on('status', (status: grpc.StatusObject) => {
      finished = true;
      notify?.();
      resolve({ code: status.code, details: status.details, metadata: status.metadata });
      client.close();
    });
  });

  return {
    async take(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (finished) throw new Error(`the call ended after ${received.length} of ${n} changes`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`only ${received.length} of ${n} changes within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          notify = () => {
            clearTimeout(timer);
            notify = undefined;
            resolve();
          };
        });
      }
      return received.splice(0, n);
    },
    pending: () => received.length,
    ended,
    pause: () => call.pause(),
    resume: () => call.resume(),
    cancel: () => call.cancel(),
  };
}

/** A change with its `time` checked (RFC 3339 UTC, milliseconds) and replaced by "T". */
export function withoutTime(change: ChangeJson): ChangeJson {
  if (typeof change.time !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(change.time)) {
    throw new Error(`time is not RFC 3339 UTC with milliseconds: ${JSON.stringify(change)}`);
  }
  return { ...change, time: 'T' };
}
