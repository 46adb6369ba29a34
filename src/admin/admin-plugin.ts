/**
 * The admin API as a fastify plugin: the framework-free admin routes (admin-api.ts), written
 * with `{name}` templates as definitions are and converted once for fastify's router; the
 * admin role guard; one audit line per change. Every error, including a refused credential and
 * an unexpected failure, leaves through renderError in the unified body shape.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Code, GatewayError, gatewayError, GatewayReason } from '../core/gateway-error.js';
import type { HttpReply } from '../core/http-types.js';
import { renderError } from '../core/render-error.js';
import type { Authenticator } from '../security/authenticator.js';
import { pathOf, requestInput, sendReply } from '../routing/fastify-io.js';
import type { AdminRoute } from './admin-api.js';

export interface AdminApiPluginOptions {
  readonly routes: readonly AdminRoute[];
  /** When set, every admin request needs the admin role (in every namespace: `*`). */
  readonly auth?: Authenticator;
  /** Paths served without credentials even with `auth` (/healthz always; `admin.openProbes` adds /readyz and /metrics). */
  readonly openPaths?: readonly string[];
}

/**
 * `/admin/frontends/{name}` → `/admin/frontends/:name`. Admin templates hold whole-segment
 * parameters only.
 * @throws Error for a template with anything else in braces (a bug in the route list).
 */
export function toFastifyPath(template: string): string {
  return template.replace(/\{([^}]*)\}/g, (_whole, name: string) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`admin route template ${template}: '{${name}}' is not a plain parameter`);
    return `:${name}`;
  });
}

export const adminApiPlugin: FastifyPluginAsync<AdminApiPluginOptions> = async (app, options) => {
  const open = new Set(['/healthz', ...(options.openPaths ?? [])]);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setNotFoundHandler((request, reply) => {
    const failure = gatewayError(Code.NOT_FOUND, GatewayReason.ROUTE_NOT_FOUND, `no admin route for ${request.method} ${pathOf(request.url)}`, { method: request.method, path: pathOf(request.url) });
    return sendReply(reply, renderError(failure));
  });
  app.setErrorHandler((error: { statusCode?: number; code?: string }, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendReply(reply, renderError(gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.PAYLOAD_TOO_LARGE, 'request body is too large')));
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendReply(reply, renderError(gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, 'malformed request')));
    }
    return sendReply(reply, unhandled(request, error));
  });

  for (const route of options.routes) {
    const guarded = options.auth !== undefined && !open.has(route.path);
    app.route({
      method: route.method,
      url: toFastifyPath(route.path),
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          let principal = 'anonymous';
          if (guarded) {
            const checked = await checkAdmin(options.auth!, request.headers.authorization, request.ip);
            if ('denied' in checked) {
              if (route.method !== 'GET') request.log.warn({ audit: { principal: null, client: request.ip, action: `${route.method} ${request.url}`, status: checked.denied.status } }, 'admin change refused');
              return sendReply(reply, checked.denied);
            }
            principal = checked.principal;
          }
          const answer = await route.handle(requestInput(request), request.params as Record<string, string>);
          // The audit trail: who changed what (the log line's time says when), and the outcome.
          if (route.method !== 'GET') request.log.info({ audit: { principal, client: request.ip, action: `${route.method} ${request.url}`, status: answer.status } }, 'admin change');
          return sendReply(reply, answer);
        } catch (err) {
          return sendReply(reply, unhandled(request, err));
        }
      },
    });
  }
};

function unhandled(request: FastifyRequest, err: unknown): HttpReply {
  request.log.error({ err }, 'admin request failed');
  return renderError(new GatewayError(Code.INTERNAL, 'internal error', { reason: GatewayReason.INTERNAL, cause: err }));
}

/** The admin listener's guard: admin role everywhere (the principal's name), or a 401/403/429 reply. */
async function checkAdmin(auth: Authenticator, authorization: string | undefined, clientAddress: string): Promise<{ principal: string } | { denied: HttpReply }> {
  try {
    const principal = await auth.authenticate(authorization, clientAddress);
    auth.authorize(principal, '*', 'admin');
    return { principal: principal.name };
  } catch (err) {
    const error = err instanceof GatewayError ? err : new GatewayError(Code.INTERNAL, 'internal error', { reason: GatewayReason.INTERNAL, cause: err });
    const denied = renderError(error);
    if (denied.status === 401) denied.headers['www-authenticate'] = auth.challenge;
    return { denied };
  }
}
