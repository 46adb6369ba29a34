/**
 * Request body validation against a route's JSON Schema (OpenAPI 3.1 uses JSON Schema
 * 2020-12), compiled once with ajv; a body that does not satisfy it never reaches the upstream.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Code, gatewayError, GatewayReason } from '../core/gateway-error.js';

export type BodyValidator = (body: unknown) => void;

const ajv = new Ajv2020({ allErrors: true, strict: false });

/**
 * @throws Error with ajv's message when the schema itself is invalid (a definition error).
 */
export function compileBodyValidator(schema: Record<string, unknown> | boolean): BodyValidator {
  const validate = ajv.compile(schema);
  return (body) => {
    if (body === undefined) return;
    if (validate(body)) return;
    const errors = (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
    throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.BODY_INVALID, `request body does not match its schema: ${errors.join('; ')}`, { errors: errors.join('; ') }, 400);
  };
}
