/**
 * The HTTP arms of the rpc scenario, each one fixed request for the same GetItem call: the
 * REST route's GET, a binary gRPC-Web POST, a Connect unary JSON POST, and a REST POST with the
 * message as its JSON body (the control: a REST call that reads a body, as the RPC arms must).
 * The answer check (check-answers.ts) sends exactly the request that wrk then repeats (`wrkLua`).
 */
import { dataFrame, GET_ITEM_PATH, luaBytes, type EchoTypes } from './wire.js';

export const REST = 'REST GET /v1/items/{id}';
export const REST_POST = 'REST POST /v1/get-item (JSON body)';
export const GRPC_WEB = 'gRPC-Web (binary)';
export const CONNECT = 'Connect unary JSON';
export const DIRECT = 'direct gRPC (grpcbench)';

export interface HttpArm {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/** The item every arm asks for, and one the Go server answers NOT_FOUND. */
export const ITEM_ID = '42';
export const MISSING_ID = 'missing';

export function httpArms(types: EchoTypes, id = ITEM_ID): HttpArm[] {
  const request = types.getItemRequest.encode(types.getItemRequest.fromObject({ id })).finish();
  const json = Buffer.from(JSON.stringify(types.getItemRequest.toObject(types.getItemRequest.decode(request))));
  return [
    { name: REST, method: 'GET', path: `/v1/items/${encodeURIComponent(id)}`, headers: {} },
    {
      name: GRPC_WEB,
      method: 'POST',
      path: GET_ITEM_PATH,
      // What connect-es's and grpc-web's browser transports send (minus the user agent).
      headers: { 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1', accept: 'application/grpc-web+proto' },
      body: dataFrame(request),
    },
    {
      name: CONNECT,
      method: 'POST',
      path: GET_ITEM_PATH,
      headers: { 'content-type': 'application/json', 'connect-protocol-version': '1' },
      body: json,
    },
    { name: REST_POST, method: 'POST', path: '/v1/get-item', headers: { 'content-type': 'application/json' }, body: json },
  ];
}

/** wrk's request for the arm: the same method, headers and body on every request. */
export function wrkLua(arm: HttpArm): string {
  const lines = [`-- ${arm.name}: one fixed request, repeated`, `wrk.method = "${arm.method}"`];
  if (arm.body) lines.push(`wrk.body = ${luaBytes(arm.body)}`);
  for (const [name, value] of Object.entries(arm.headers)) lines.push(`wrk.headers["${name}"] = "${value}"`);
  return lines.join('\n') + '\n';
}
