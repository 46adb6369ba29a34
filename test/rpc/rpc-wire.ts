/**
 * The wire formats of gRPC-Web and Connect as a test reads and writes them by hand (the suites
 * here speak plain fetch, so what goes over the wire is exactly what the case says).
 */
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';

/** A 5-byte-prefixed frame (gRPC-Web) or envelope (Connect). */
export function frame(payload: Uint8Array, flag = 0): Buffer {
  const out = Buffer.alloc(5 + payload.length);
  out[0] = flag;
  out.writeUInt32BE(payload.length, 1);
  out.set(payload, 5);
  return out;
}

/** Splits a body into its frames; fails the test on a truncated one. */
export function frames(body: Uint8Array): { flag: number; payload: Buffer }[] {
  const buf = Buffer.from(body);
  const out: { flag: number; payload: Buffer }[] = [];
  let at = 0;
  while (at < buf.length) {
    assert.ok(buf.length - at >= 5, `a frame prefix is cut short at ${at}`);
    const length = buf.readUInt32BE(at + 1);
    assert.ok(buf.length - at - 5 >= length, `a frame is cut short at ${at}`);
    out.push({ flag: buf[at], payload: buf.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return out;
}

/** A gRPC-Web answer body: its messages and the trailers of its trailer frame (lower-case names). */
export function grpcWebBody(body: Uint8Array): { messages: Buffer[]; trailers: Record<string, string> | undefined } {
  const all = frames(body);
  const messages = all.filter((f) => f.flag === 0).map((f) => f.payload);
  const last = all.find((f) => f.flag === 0x80);
  if (last) assert.equal(all.at(-1), last, 'the trailer frame comes last');
  return { messages, trailers: last ? parseTrailerBlock(last.payload.toString('latin1')) : undefined };
}

function parseTrailerBlock(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

/** The gRPC status of a gRPC-Web answer: from the trailer frame, or (trailers-only) from the headers. */
export function grpcWebStatus(res: Response, body: Uint8Array): { code: number; message: string; detailsBin?: string } {
  const { trailers } = grpcWebBody(body);
  const get = (name: string) => trailers?.[name] ?? res.headers.get(name) ?? undefined;
  const code = get('grpc-status');
  assert.ok(code !== undefined, 'the answer carries a grpc-status');
  return { code: Number(code), message: decodeURIComponent(get('grpc-message') ?? ''), detailsBin: get('grpc-status-details-bin') };
}

let registry: protobuf.Root | undefined;
/** A registry message type by its short name (`ListSubjectsResponse`). */
export function registryType(name: string): protobuf.Type {
  registry ??= loadProtoRoot(['prism/patterns/registry/v1/registry.proto']);
  return registry.lookupType(`prism.patterns.registry.v1.${name}`);
}

/** Reads a streamed body until `enough` says so (or it ends), then cancels it; fails after `timeoutMs`. */
export async function readStream(res: Response, enough: (bytes: Buffer) => boolean, timeoutMs = 10_000): Promise<Buffer> {
  const reader = res.body!.getReader();
  const chunks: Buffer[] = [];
  const timer = setTimeout(() => void reader.cancel(new Error('timed out')), timeoutMs);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value));
      if (enough(Buffer.concat(chunks))) {
        await reader.cancel();
        break;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks);
}

/** Bytes or text as a fetch body (a Blob without a type: the case sets Content-Type itself). */
export function bodyOf(body: Uint8Array | string): string | Blob {
  return typeof body === 'string' ? body : new Blob([new Uint8Array(body)]);
}
