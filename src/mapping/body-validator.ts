/**
 * Request body validation against a route's JSON Schema (OpenAPI 3.1 uses JSON Schema
 * 2020-12), compiled once with ajv; a body that does not satisfy it never reaches the upstream.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
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
    const found = (validate.errors ?? []).slice(0, 10);
    const errors = found.map(describeSchemaError);
    throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.BODY_INVALID, `request body does not match its schema: ${errors.join('; ')}`, {
      errors: errors.join('; '),
      // The first offending location as a JSON pointer (`/nested/title`), for error templates.
      field: found.length > 0 ? offendingPointer(found[0]) : '',
    });
  };
}

/**
 * Ajv names a missing, extra or badly named property in the error's params, not in its
 * instancePath (which is the object holding it) and, but for `required`, not in its message
 * ("must NOT have additional properties"): the sentence adds it.
 */
function describeSchemaError(e: ErrorObject): string {
  const text = `${e.instancePath || '/'} ${e.message ?? e.keyword}`;
  const property = offendingProperty(e);
  return property === undefined || e.keyword === 'required' ? text : `${text}: '${property}'`;
}

function offendingProperty(e: ErrorObject): string | undefined {
  const params = e.params as Record<string, unknown>;
  const name = params.missingProperty ?? params.additionalProperty ?? params.unevaluatedProperty ?? params.propertyName;
  return typeof name === 'string' ? name : undefined;
}

function offendingPointer(e: ErrorObject): string {
  const property = offendingProperty(e);
  return property === undefined ? e.instancePath || '/' : `${e.instancePath}/${property.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}
