/**
 * Round-trip helpers shared by the gateway suites: one HTTP request in through fastify's
 * `inject`, the gRPC calls the fixture server saw because of it, and the HTTP answer out.
 */
import assert from 'node:assert/strict';
import type { FixtureServer } from '../support/fixture-server.js';
import type { Harness } from '../support/gateway-harness.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

export interface HttpIn {
  method?: Method;
  url: string;
  /** An object or array is sent as JSON with `content-type: application/json`; a string as is. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface UpstreamCall {
  method: string;
  request: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export interface HttpOut {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** The body as text. */
  text: string;
  /** The calls the fixture server received while this request was handled. */
  calls: UpstreamCall[];
}

/** Sends one request and collects what the fixture saw while it was handled. */
export async function exchange(harness: Harness, fixture: FixtureServer, input: HttpIn): Promise<HttpOut> {
  const before = fixture.received.length;
  const headers: Record<string, string> = { ...input.headers };
  let payload: string | undefined;
  if (typeof input.body === 'string') payload = input.body;
  else if (input.body !== undefined) {
    payload = JSON.stringify(input.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  const res = await harness.app.inject({ method: input.method ?? 'GET', url: input.url, payload, headers });
  return {
    status: res.statusCode,
    headers: res.headers,
    text: res.body,
    calls: fixture.received.slice(before).map((c) => ({ method: c.method, request: c.request, metadata: c.metadata })),
  };
}

/** Parses a body that must be JSON, failing the test with the text when it is not. */
export function json(out: HttpOut): unknown {
  try {
    return JSON.parse(out.text);
  } catch {
    assert.fail(`body is not JSON: ${out.text}`);
  }
}

export const GATEWAY_DOMAIN = 'gateway.prism.io';
export const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';

/** grpc-gateway's default error body, with one ErrorInfo detail when a reason is known. */
export function defaultErrorBody(code: number, message: string, reason?: string, metadata: Record<string, string> = {}, domain = GATEWAY_DOMAIN): unknown {
  return { code, message, details: reason === undefined ? [] : [{ '@type': ERROR_INFO, reason, domain, metadata }] };
}

/** A body carrying a stack trace or internal file names must never reach a client. */
export function assertNoInternals(text: string): void {
  // A stack frame names a file with line and column (`/src/x.ts:12:5`); error bodies may echo
  // generated input, which can hold `.js:0` but not a path with both numbers.
  assert.doesNotMatch(text, /\n\s+at |node_modules\/|\/[\w.-]+\.[cm]?[jt]s:\d+:\d+|\b(?:TypeError|RangeError|ReferenceError)\b/);
}

/** Exactly one upstream call, to `method`, carrying exactly `request`. */
export function assertOneCall(out: HttpOut, method: string, request: Record<string, unknown>): UpstreamCall {
  assert.equal(out.calls.length, 1, `expected one upstream call, saw ${JSON.stringify(out.calls.map((c) => c.method))}`);
  const call = out.calls[0];
  assert.equal(call.method, method);
  assert.deepEqual({ ...call.request }, request);
  return call;
}

/** The fixture proto, the fixture service: the head every test definition starts with. */
export function frontendHead(name: string, extra = ''): string {
  return `name: ${name}
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
${extra}`;
}

