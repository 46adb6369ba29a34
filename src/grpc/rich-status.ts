/**
 * The gRPC rich error model: a `google.rpc.Status` carried in the `grpc-status-details-bin`
 * trailer, whose details hold a `google.rpc.ErrorInfo` (reason, domain, metadata).
 * Servers (the patterns, the gateway's gRPC passthrough) use `encodeStatusDetails`; clients
 * (the gateway's upstreams, tests) use `decodeErrorInfo`; error mappings read every standard
 * detail through `decodeStatusDetails`. Pure encoding and decoding: turning a
 * status into the gateway's error type is src/upstream/status.ts's job.
 */
import protobuf from 'protobufjs';
import { compileMessageRenderer, defaultJsonOptions } from '../mapping/message-json.js';
import { loadProtoRoot } from './proto-root.js';

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const ERROR_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.ErrorInfo';

export interface ErrorInfo {
  reason: string;
  domain: string;
  metadata: Record<string, string>;
}

let types: { status: protobuf.Type; errorInfo: protobuf.Type } | undefined;
function richTypes() {
  if (!types) {
    const root = loadProtoRoot([]);
    types = { status: root.lookupType('google.rpc.Status'), errorInfo: root.lookupType('google.rpc.ErrorInfo') };
  }
  return types;
}

/** Encodes a `google.rpc.Status` with one ErrorInfo detail, ready for the trailer. */
export function encodeStatusDetails(code: number, message: string, info: ErrorInfo): Buffer {
  const { status, errorInfo } = richTypes();
  const detail = errorInfo.encode(errorInfo.create({ reason: info.reason, domain: info.domain, metadata: info.metadata })).finish();
  const bytes = status.encode(status.create({ code, message, details: [{ type_url: ERROR_INFO_TYPE_URL, value: detail }] })).finish();
  return Buffer.from(bytes);
}

/**
 * Finds the ErrorInfo inside an encoded `google.rpc.Status`. Returns undefined when the bytes
 * are absent, malformed, or carry no ErrorInfo: a peer's bad trailer must never fail a request.
 */
export function decodeErrorInfo(bytes: Uint8Array | undefined): ErrorInfo | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  try {
    const { status, errorInfo } = richTypes();
    const decoded = status.decode(bytes) as unknown as { details?: { type_url: string; value: Uint8Array }[] };
    for (const any of decoded.details ?? []) {
      if (any.type_url.endsWith('/google.rpc.ErrorInfo')) {
        const info = errorInfo.toObject(errorInfo.decode(any.value), { defaults: true }) as ErrorInfo;
        return { reason: info.reason, domain: info.domain, metadata: { ...info.metadata } };
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** A detail of a `google.rpc.Status` in proto3 JSON: `@type` and the message's fields. */
export interface StatusDetailJson {
  readonly '@type': string;
  readonly [field: string]: unknown;
}

/**
 * Every detail inside an encoded `google.rpc.Status`, in order, as proto3 JSON (JSON names,
 * Durations as `"1.5s"`): the standard google.rpc details (error_details.proto: ErrorInfo,
 * RetryInfo, DebugInfo, QuotaFailure, PreconditionFailure, BadRequest, RequestInfo,
 * ResourceInfo, Help, LocalizedMessage) decode into their fields; a detail of any other type
 * stays `{"@type", "value": base64}`. Absent or malformed bytes give an empty list: a peer's
 * bad trailer must never fail a request.
 */
export function decodeStatusDetails(bytes: Uint8Array | undefined): StatusDetailJson[] {
  if (!bytes || bytes.length === 0) return [];
  let decoded: { details?: { type_url: string; value: Uint8Array }[] };
  try {
    decoded = richTypes().status.decode(bytes) as unknown as typeof decoded;
  } catch {
    return [];
  }
  const anyType = richTypes().status.root.lookupType('google.protobuf.Any');
  const renderAny = compileMessageRenderer(anyType, defaultJsonOptions);
  return (decoded.details ?? []).map((any) => {
    try {
      return renderAny(any) as StatusDetailJson;
    } catch {
      return { '@type': any.type_url, value: Buffer.from(any.value ?? []).toString('base64') };
    }
  });
}
