/**
 * Before anything is measured: every arm of the rpc scenario must answer the same GetItem call
 * with the same Item (each answer decoded from its own wire format with the peer's proto), and
 * the same NOT_FOUND in its own protocol's terms. A scenario whose arms answer differently
 * would compare different work, so any difference fails it.
 */
import { callDirect } from './direct-grpc.js';
import { CONNECT, DIRECT, GRPC_WEB, httpArms, ITEM_ID, MISSING_ID, REST, REST_POST, type HttpArm } from './http-arms.js';
import { decodeBinary, decodeJson, parseGrpcWebBody, type EchoTypes, type PlainMessage } from './wire.js';

export interface AnswerCheck {
  /** The Item every arm answered. */
  readonly item: PlainMessage;
  /** Per arm: what it sent back on the wire (content type, sizes), for the report. */
  readonly wire: Record<string, string>;
  /** Per arm: how it said NOT_FOUND. */
  readonly notFound: Record<string, string>;
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly grpcStatusHeader?: string;
  readonly body: Buffer;
}

async function send(baseUrl: string, arm: HttpArm): Promise<Answer> {
  const res = await fetch(baseUrl + arm.path, { method: arm.method, headers: arm.headers, body: arm.body === undefined ? undefined : new Uint8Array(arm.body) });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', grpcStatusHeader: res.headers.get('grpc-status') ?? undefined, body: Buffer.from(await res.arrayBuffer()) };
}

const parseJson = (arm: string, a: Answer): unknown => {
  try {
    return JSON.parse(a.body.toString('utf8'));
  } catch {
    throw new Error(`${arm} answered ${a.status} ${a.contentType} with a body that is not JSON: ${a.body.toString('utf8').slice(0, 200)}`);
  }
};

/** gRPC-Web's status: in the headers of a trailers-only answer, else in the trailer frame. */
function grpcWebStatus(a: Answer): { status: string | undefined; messages: Buffer[] } {
  const body = parseGrpcWebBody(a.body);
  return { status: a.grpcStatusHeader ?? body.trailers['grpc-status'], messages: body.messages };
}

/**
 * @throws Error naming the arm whose answer differs, with what it sent.
 */
export async function checkAnswers(baseUrl: string, directTarget: string, types: EchoTypes): Promise<AnswerCheck> {
  const items = new Map<string, PlainMessage>();
  const wire: Record<string, string> = {};
  for (const arm of httpArms(types, ITEM_ID)) {
    const a = await send(baseUrl, arm);
    if (a.status !== 200) throw new Error(`${arm.name}: ${arm.method} ${arm.path} answered ${a.status} ${a.contentType}: ${a.body.toString('utf8').slice(0, 300)}`);
    if (arm.name === GRPC_WEB) {
      if (!a.contentType.startsWith('application/grpc-web')) throw new Error(`${arm.name} answered content-type '${a.contentType}', expected application/grpc-web+proto`);
      const { status, messages } = grpcWebStatus(a);
      if (status !== '0' || messages.length !== 1) throw new Error(`${arm.name} answered grpc-status ${status} with ${messages.length} messages, expected 0 with one`);
      items.set(arm.name, decodeBinary(types.item, messages[0]));
      wire[arm.name] = `${a.contentType}, ${a.body.length} B body (${messages[0].length} B message + trailer frame)`;
    } else {
      if (!a.contentType.startsWith('application/json')) throw new Error(`${arm.name} answered content-type '${a.contentType}', expected application/json`);
      items.set(arm.name, decodeJson(types.item, parseJson(arm.name, a)));
      wire[arm.name] = `${a.contentType}, ${a.body.length} B body`;
    }
  }
  const request = types.getItemRequest.encode(types.getItemRequest.fromObject({ id: ITEM_ID })).finish();
  const direct = await callDirect(directTarget, request);
  if (direct.code !== 0 || !direct.bytes) throw new Error(`${DIRECT}: GetItem answered gRPC status ${direct.code} ${direct.details ?? ''}`);
  items.set(DIRECT, decodeBinary(types.item, direct.bytes));
  wire[DIRECT] = `application/grpc (HTTP/2), ${direct.bytes.length} B message`;

  const expected = items.get(DIRECT)!;
  for (const [arm, item] of items) {
    if (JSON.stringify(item) !== JSON.stringify(expected)) throw new Error(`${arm} answered ${JSON.stringify(item)}, direct gRPC answered ${JSON.stringify(expected)}`);
  }

  const notFound: Record<string, string> = {};
  for (const arm of httpArms(types, MISSING_ID)) {
    const a = await send(baseUrl, arm);
    if (arm.name === REST || arm.name === REST_POST) {
      if (a.status !== 404) throw new Error(`${arm.name}: id '${MISSING_ID}' answered ${a.status}, expected 404`);
      notFound[arm.name] = `HTTP ${a.status}`;
    } else if (arm.name === GRPC_WEB) {
      const { status } = grpcWebStatus(a);
      if (a.status !== 200 || status !== '5') throw new Error(`${GRPC_WEB}: id '${MISSING_ID}' answered HTTP ${a.status} with grpc-status ${status}, expected 200 with grpc-status 5 (NOT_FOUND)`);
      notFound[arm.name] = `HTTP 200, grpc-status 5${a.grpcStatusHeader !== undefined ? ' (trailers-only)' : ' (trailer frame)'}`;
    } else if (arm.name === CONNECT) {
      const code = (parseJson(arm.name, a) as { code?: unknown }).code;
      if (a.status !== 404 || code !== 'not_found') throw new Error(`${CONNECT}: id '${MISSING_ID}' answered ${a.status} with code ${String(code)}, expected 404 with "not_found"`);
      notFound[arm.name] = `HTTP 404, {"code":"not_found"}`;
    }
  }
  const missing = await callDirect(directTarget, types.getItemRequest.encode(types.getItemRequest.fromObject({ id: MISSING_ID })).finish());
  if (missing.code !== 5) throw new Error(`${DIRECT}: id '${MISSING_ID}' answered gRPC status ${missing.code}, expected 5 (NOT_FOUND)`);
  notFound[DIRECT] = 'gRPC status 5';
  return { item: expected, wire, notFound };
}
