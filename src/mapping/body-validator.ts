/**
 * Request body validation against a route's JSON Schema (OpenAPI 3.1 uses JSON Schema
 * 2020-12), compiled once with ajv; a body that does not satisfy it never reaches the upstream.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Code, gatewayError, GatewayReason } from '../core/gateway-error.js';

export type BodyValidator = (body: unknown) => void;

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
// OpenAPI's numeric formats, checked as JSON Schema cannot say them.
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });

/**
 * @throws Error with ajv's message when the schema itself is invalid (a definition error).
 */
export function compileBodyValidator(schema: Record<string, unknown> | boolean): BodyValidator {
  const validate = ajv.compile(schema);
  return (body) => {
    if (body === undefined) return;
    if (validate(body)) return;
    const errors = (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
    throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.BODY_INVALID, `request body does not match its schema: ${errors.join('; ')}`, { errors: errors.join('; ') });
  };
}
