/**
 * GatewayErrors as GraphQL errors (DESIGN.md §8: one renderError road, GraphQL error
 * extensions as its GraphQL form). A failed field is an entry of `errors` with its `path`
 * (graphql-js adds it), its `message` from the frontend's error mapping when one matches (the
 * rendered body's `message`, or the body itself when it is a string), and
 * `extensions: { code, reason, domain, metadata }`: the gRPC code name and the ErrorInfo, plus
 * the other keys of a mapped body (an API's own numeric code, say). Unexpected failures are INTERNAL with a
 * fixed message: no stack or internal text reaches a client.
 */
import { GraphQLError } from 'graphql';
import { codeName, GatewayError } from '../core/gateway-error.js';
import { asGatewayError } from '../core/prepare-call.js';
import type { ErrorMapper } from '../core/render-error.js';

/** The extensions of a gateway error: code name and ErrorInfo (empty parts left out). */
export function errorExtensions(e: GatewayError): Record<string, unknown> {
  return {
    code: codeName(e.code),
    ...(e.reason ? { reason: e.reason } : {}),
    ...(e.domain ? { domain: e.domain } : {}),
    ...(Object.keys(e.metadata).length > 0 ? { metadata: e.metadata } : {}),
  };
}

/**
 * A failure of a field (or of a whole request) as a GraphQLError; `mapError` is the field's
 * (else the frontend's) error mapping, `request` the request message bound so far.
 */
export function toGraphqlError(err: unknown, mapError?: ErrorMapper, request?: unknown): GraphQLError {
  if (err instanceof GraphQLError) return err;
  const e = asGatewayError(err);
  let message = e.code === 13 && !(err instanceof GatewayError) ? 'internal error' : e.message;
  let mapped: Record<string, unknown> = {};
  if (mapError) {
    try {
      const body = mapError(e, request).body;
      if (typeof body === 'string') message = body;
      else if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
        const { message: text, ...rest } = body as Record<string, unknown>;
        if (typeof text === 'string') message = text;
        // The default body (no mapping matched) repeats code and message: nothing to add.
        if (!('details' in rest && 'code' in rest)) mapped = rest;
      }
    } catch {
      // A mapping that cannot render leaves the error's own message.
    }
  }
  return new GraphQLError(message, { originalError: e, extensions: { ...mapped, ...errorExtensions(e) } });
}
