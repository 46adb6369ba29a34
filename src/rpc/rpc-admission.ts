/**
 * What every gRPC-Web and Connect call goes through before anything reaches a backend, with
 * the same rules as the REST routes and the gRPC passthrough: authenticate (when auth is on),
 * pick the namespace (`x-prism-namespace` among those serving the path), check the method's
 * role in it, and turn the request headers into the metadata the backend receives.
 * Authentication comes first, so a caller without credentials learns nothing about which
 * namespaces exist.
 */
import { Code, GatewayError, gatewayError, GatewayReason } from '../core/gateway-error.js';
import { headerValue, REQUEST_ID } from '../core/http-input-values.js';
import type { HttpInput } from '../core/http-types.js';
import type { Authenticator, Principal } from '../security/authenticator.js';
import { NAMESPACE_HEADER, type RpcCandidates, type RpcMethod } from './rpc-index.js';

export interface Admitted {
  readonly method: RpcMethod;
  readonly principal?: string;
  /** The request headers forwarded as metadata (x-request-id is the gateway's id). */
  readonly metadata: Record<string, string>;
}

/** What an admission learned before it failed, for the log line. */
export interface AdmissionProgress {
  principal?: string;
  method?: RpcMethod;
}

/**
 * Admits a call to one of `candidates` (the namespaces serving its path).
 * @throws GatewayError UNAUTHENTICATED, RESOURCE_EXHAUSTED (AUTH_RATE_LIMITED), NOT_FOUND (the
 *   namespace asked for does not serve the path), FAILED_PRECONDITION (several serve it and
 *   none was asked for), PERMISSION_DENIED.
 */
export function admitRpc(candidates: RpcCandidates, input: HttpInput, requestId: string, auth: Authenticator | undefined, progress: AdmissionProgress = {}): Admitted | Promise<Admitted> {
  // Without auth there is nothing to wait for: answered at once, so the call pays no promise
  // and no extra turn of the microtask queue for it (callers await only a Promise).
  if (!auth) return admitted(candidates, input, requestId, undefined, undefined, progress);
  return auth.authenticate(headerValue(input.headers['authorization']), input.clientAddress).then((principal) => admitted(candidates, input, requestId, auth, principal, progress));
}

function admitted(candidates: RpcCandidates, input: HttpInput, requestId: string, auth: Authenticator | undefined, principal: Principal | undefined, progress: AdmissionProgress): Admitted {
  progress.principal = principal?.name;
  const method = pick(candidates, headerValue(input.headers[NAMESPACE_HEADER]));
  progress.method = method;
  if (auth && principal) auth.authorize(principal, method.namespace, method.role);
  // With auth on, the gateway is the party the credentials were meant for: passing them on
  // would hand a client's password or token to the backend (and whatever it logs).
  return { method, principal: principal?.name, metadata: forwardedMetadata(input.headers, auth !== undefined, requestId) };
}

function pick(candidates: RpcCandidates, wanted: string | undefined): RpcMethod {
  if (wanted !== undefined) {
    const chosen = candidates.get(wanted);
    // The client-chosen name is only echoed in the message, never used as a label.
    if (!chosen) throw new GatewayError(Code.NOT_FOUND, `namespace '${wanted}' does not serve this method here`);
    return chosen;
  }
  if (candidates.size === 1) return candidates.values().next().value!;
  throw new GatewayError(
    Code.FAILED_PRECONDITION,
    `several namespaces serve this method; choose one with the '${NAMESPACE_HEADER}' header (${[...candidates.keys()].join(', ')})`,
  );
}

/**
 * Request headers that are HTTP's, CORS's or the protocols' own, not the caller's metadata
 * (gRPC-Web's PROTOCOL-WEB.md and the Connect spec name theirs; the rest are hop-by-hop or
 * browser headers a backend has no use for).
 */
const NOT_METADATA = new Set([
  'host',
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'origin',
  'referer',
  'cookie',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'user-agent',
  'cache-control',
  'pragma',
  'priority',
  'dnt',
  'x-grpc-web',
  'x-user-agent',
  'grpc-timeout',
  'grpc-encoding',
  'grpc-accept-encoding',
  NAMESPACE_HEADER,
  REQUEST_ID,
]);
const NOT_METADATA_PREFIXES = ['accept', 'connect-', 'access-control-', 'sec-', 'proxy-', ':'];
/** gRPC metadata keys and text values (PROTOCOL-HTTP2.md); anything else is not forwarded. */
const METADATA_KEY = /^[0-9a-z_.-]+$/;
const METADATA_VALUE = /^[\x20-\x7e]*$/;

/**
 * The caller's headers as gRPC metadata. Unlike a REST route's declared `forwardHeaders`, which
 * refuse a value metadata cannot carry, these are every header the caller sent, so one that
 * cannot be carried (non-ASCII, or a `-bin` key whose encoding a browser client does not
 * guarantee) is left out rather than failing the call.
 */
export function forwardedMetadata(headers: HttpInput['headers'], stripAuthorization: boolean, requestId: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    if (NOT_METADATA.has(name) || name.endsWith('-bin') || hasNotMetadataPrefix(name)) continue;
    if (stripAuthorization && name === 'authorization') continue;
    const value = headerValue(headers[name]);
    if (value === undefined || !METADATA_KEY.test(name) || !METADATA_VALUE.test(value)) continue;
    out[name] = value;
  }
  out[REQUEST_ID] = requestId;
  return out;
}

/** A plain loop, not `some` with a closure: it runs for every header of every call. */
function hasNotMetadataPrefix(name: string): boolean {
  for (const prefix of NOT_METADATA_PREFIXES) if (name.startsWith(prefix)) return true;
  return false;
}

/**
 * A timeout the client asked for, in ms; undefined when it asked for none.
 * `grpc-timeout` (gRPC: 1-8 digits and a unit H M S m u n) or `connect-timeout-ms` (Connect: 1-10 digits).
 * @throws GatewayError INVALID_ARGUMENT for a malformed value.
 */
export function clientTimeoutMs(headers: HttpInput['headers']): number | undefined {
  const grpc = headerValue(headers['grpc-timeout']);
  if (grpc !== undefined) {
    const m = /^(\d{1,8})([HMSmun])$/.exec(grpc.trim());
    if (!m) throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.BAD_REQUEST, `malformed grpc-timeout '${grpc}'`, { header: 'grpc-timeout' });
    const unitMs = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 }[m[2] as 'H'];
    return Number(m[1]) * unitMs;
  }
  const connect = headerValue(headers['connect-timeout-ms']);
  if (connect !== undefined) {
    if (!/^\d{1,10}$/.test(connect.trim())) throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.BAD_REQUEST, `malformed connect-timeout-ms '${connect}'`, { header: 'connect-timeout-ms' });
    return Number(connect);
  }
  return undefined;
}

/**
 * The deadline of a call in ms, 0 for none: a unary call's is the namespace's, shortened by the
 * client's; a stream's is the client's alone (a change feed lives as long as its client wants,
 * as the REST streams do).
 * @throws GatewayError DEADLINE_EXCEEDED when the client's timeout has already run out.
 */
export function callDeadlineMs(method: RpcMethod, clientMs: number | undefined): number {
  if (clientMs !== undefined && clientMs < 1) throw new GatewayError(Code.DEADLINE_EXCEEDED, 'the deadline passed before the call started');
  if (method.kind !== 'unary') return clientMs === undefined ? 0 : Math.ceil(clientMs);
  return clientMs === undefined ? method.deadlineMs : Math.max(1, Math.min(method.deadlineMs, Math.ceil(clientMs)));
}
