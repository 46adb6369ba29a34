/**
 * `GET /prism/v1/whoami`, a Prism extension of the REST frontends (DESIGN.md §8): who the caller
 * is and which role it holds in each namespace, so a page (the schema browser) shows only the
 * actions the caller may take. It is served by the gateway, not by a definition, because only
 * the gateway knows the caller: under every frontend binding's mount (`{pathPrefix}/prism/v1/whoami`),
 * unless the binding's own definition routes that path, which then wins.
 *
 * With auth off nothing is ever refused, so the caller is `anonymous` with `admin` everywhere.
 * With auth on, missing or wrong credentials are a 401 (with the challenge) in the error shape of
 * the frontend mounted there, as any of its routes would answer.
 */
import { GatewayError } from '../core/gateway-error.js';
import { hostOf, headerValue } from '../core/http-input-values.js';
import type { HttpInput, HttpReply } from '../core/http-types.js';
import { renderRoutingError } from '../core/handle-request.js';
import { asGatewayError } from '../core/prepare-call.js';
import type { RouteTable } from '../routing/route-table.js';
import { ROLES, type Authenticator, type Principal, type Role } from '../security/authenticator.js';

export const WHOAMI_PATH = '/prism/v1/whoami';

/** The answer's body. */
export interface Whoami {
  readonly principal: string;
  /** False when auth is off (every caller is `anonymous`). */
  readonly authenticated: boolean;
  /** The namespace of the frontend binding the request came through. */
  readonly namespace?: string;
  /** The caller's role there; absent when it holds none. */
  readonly role?: Role;
  /** Namespace → role, for every namespace the gateway serves where the caller holds one. */
  readonly roles: Readonly<Record<string, Role>>;
}

/**
 * Whether a request is one whoami answers: a GET of `{mount}/prism/v1/whoami` for a frontend
 * binding mounted at `{mount}`, that the binding's definition does not route itself.
 * Hot path: every other request pays one string comparison (the caller's `endsWith`).
 */
export function isWhoamiRequest(table: RouteTable, input: Pick<HttpInput, 'method' | 'path' | 'headers'>): boolean {
  const { method, path } = input;
  if (method !== 'GET' || !path.endsWith(WHOAMI_PATH)) return false;
  const host = hostOf(input.headers);
  const frontend = table.frontendFor(path, host);
  if (!frontend) return false;
  const mount = path.slice(0, -WHOAMI_PATH.length);
  if (mount !== (frontend.mountPath === '/' ? '' : frontend.mountPath)) return false;
  return table.match(method, path, host).route === undefined;
}

/** Answers a whoami request (isWhoamiRequest); never throws. */
export async function answerWhoami(table: RouteTable, input: HttpInput, auth: Authenticator | undefined): Promise<HttpReply> {
  const frontend = table.frontendFor(input.path, hostOf(input.headers));
  const namespaces = [...new Set(table.frontends.map((f) => f.namespace).filter((n): n is string => n !== undefined))].sort();
  let body: Whoami;
  if (!auth) {
    body = { principal: 'anonymous', authenticated: false, namespace: frontend?.namespace, role: 'admin', roles: Object.fromEntries(namespaces.map((n) => [n, 'admin' as Role])) };
  } else {
    let principal: Principal;
    try {
      principal = await auth.authenticate(headerValue(input.headers['authorization']), input.clientAddress);
    } catch (err) {
      const reply = renderRoutingError(table, input, asGatewayError(err));
      if (!(err instanceof GatewayError)) reply.fault = err;
      if (reply.status === 401) reply.headers['www-authenticate'] = auth.challenge;
      return reply;
    }
    const roles: Record<string, Role> = {};
    for (const n of namespaces) {
      const role = roleIn(principal, n);
      if (role) roles[n] = role;
    }
    body = { principal: principal.name, authenticated: true, namespace: frontend?.namespace, role: frontend?.namespace ? roleIn(principal, frontend.namespace) : principal.roles['*'], roles };
  }
  return { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(body), principal: body.authenticated ? body.principal : undefined, frontend: frontend?.name, namespace: frontend?.namespace, pathTemplate: input.path };
}

/** The role a principal holds in a namespace, as the authenticator's authorize reads it. */
function roleIn(principal: Principal, namespace: string): Role | undefined {
  const held = principal.roles[namespace] ?? principal.roles['*'];
  return held && ROLES.includes(held) ? held : undefined;
}
