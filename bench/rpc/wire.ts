/**
 * The messages of the rpc scenario on the wire: GetItemRequest and Item from the peer's proto
 * (bench/peer/echo.proto, loaded with protobufjs, so no arm's answer is read by the code that
 * wrote it), gRPC-Web's length-prefixed frames, and a proto3 JSON object read back into the
 * message it claims to be.
 */
import { join } from 'node:path';
import type protobuf from 'protobufjs';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';

export const ECHO_SERVICE = 'gwpeer.v1.ItemService';
export const GET_ITEM_PATH = `/${ECHO_SERVICE}/GetItem`;

export interface EchoTypes {
  readonly getItemRequest: protobuf.Type;
  readonly item: protobuf.Type;
}

export function loadEchoTypes(benchDir: string): EchoTypes {
  const root = loadProtoRoot([join(benchDir, 'peer', 'echo.proto')]);
  return { getItemRequest: root.lookupType('gwpeer.v1.GetItemRequest'), item: root.lookupType('gwpeer.v1.Item') };
}

/** A decoded message as a plain object with every field present (defaults filled), for comparing. */
export type PlainMessage = Record<string, unknown>;

export function decodeBinary(type: protobuf.Type, bytes: Uint8Array): PlainMessage {
  return type.toObject(type.decode(bytes), { defaults: true, longs: String, enums: String, bytes: String });
}

/**
 * Reads proto3 JSON (lowerCamel or original field names) back into `type`.
 * @throws Error when the object has a key that is no field of `type`: protobufjs's fromObject
 * would drop it silently, and a renamed or extra field is exactly what the check must catch.
 */
export function decodeJson(type: protobuf.Type, json: unknown): PlainMessage {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`expected a JSON object for ${type.fullName}, got ${JSON.stringify(json)}`);
  const byJsonName = new Map(type.fieldsArray.flatMap((f) => [[f.name, f.name], [camel(f.name), f.name]] as const));
  const named: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    const field = byJsonName.get(key);
    if (field === undefined) throw new Error(`${type.fullName} has no field '${key}' (JSON ${JSON.stringify(json)})`);
    named[field] = value;
  }
  return type.toObject(type.fromObject(named), { defaults: true, longs: String, enums: String, bytes: String });
}

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** One gRPC(-Web) message frame: flag byte 0 (uncompressed data), 4-byte big-endian length, the message. */
export function dataFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

export interface GrpcWebBody {
  readonly messages: Buffer[];
  /** The trailer frame's (flag 0x80) headers, lower-cased names; empty when there was none. */
  readonly trailers: Record<string, string>;
}

/**
 * Splits a binary gRPC-Web response body into its data frames and the trailer frame.
 * @throws Error on a truncated frame or bytes after the trailer frame.
 */
export function parseGrpcWebBody(body: Buffer): GrpcWebBody {
  const messages: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let at = 0;
  let sawTrailers = false;
  while (at < body.length) {
    if (sawTrailers) throw new Error(`${body.length - at} bytes after the trailer frame`);
    if (body.length - at < 5) throw new Error(`a truncated frame header at byte ${at} of ${body.length}`);
    const flag = body[at];
    const length = body.readUInt32BE(at + 1);
    if (at + 5 + length > body.length) throw new Error(`a frame of ${length} bytes at byte ${at} runs past the body's ${body.length}`);
    const payload = body.subarray(at + 5, at + 5 + length);
    at += 5 + length;
    if ((flag & 0x80) !== 0) {
      sawTrailers = true;
      // The trailer frame is an HTTP/1 header block: "name: value\r\n" lines.
      for (const line of payload.toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
    } else messages.push(Buffer.from(payload));
  }
  return { messages, trailers };
}

/** A Lua string literal holding `bytes` exactly (three-digit decimal escapes, so binary survives). */
export function luaBytes(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) out += '\\' + String(b).padStart(3, '0');
  return out + '"';
}
