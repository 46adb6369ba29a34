/**
 * Decides whether a JSON value is a loadable JSON Schema, the way Confluent's provider does
 * before it stores anything: the text must be JSON, the root an object or a boolean, and the
 * document must satisfy its draft's meta-schema (everit rejects e.g. `"type":"foo"` or a
 * negative `minLength` at load time, which Confluent reports as 42201 "Invalid schema").
 */
import { Ajv } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { InvalidSchemaError } from '../schema-format.js';

type MetaValidator = { validateSchema(schema: unknown): boolean | Promise<unknown>; errors?: unknown };

// One validator per draft, built lazily: meta-schema compilation is the expensive part and
// it is the same for every schema the registry ever parses.
const validators = new Map<string, MetaValidator>();

function validatorFor(draft: 'draft-7' | '2019-09' | '2020-12'): MetaValidator {
  let v = validators.get(draft);
  if (v === undefined) {
    const options = { strict: false, validateFormats: false, logger: false as const };
    v = draft === '2019-09' ? new Ajv2019(options) : draft === '2020-12' ? new Ajv2020(options) : new Ajv(options);
    validators.set(draft, v);
  }
  return v;
}

export type Draft = 'draft-4' | 'draft-6' | 'draft-7' | '2019-09' | '2020-12';

/** The draft a document declares with `$schema`; none means draft-7 (Confluent's default). */
export function draftOf(root: unknown): Draft {
  const uri = typeof root === 'object' && root !== null && !Array.isArray(root) ? (root as Record<string, unknown>)['$schema'] : undefined;
  if (typeof uri !== 'string') return 'draft-7';
  if (uri.includes('2020-12')) return '2020-12';
  if (uri.includes('2019-09')) return '2019-09';
  if (uri.includes('draft-04')) return 'draft-4';
  if (uri.includes('draft-06')) return 'draft-6';
  return 'draft-7';
}

function describe(errors: unknown): string {
  if (!Array.isArray(errors) || errors.length === 0) return 'does not match its meta-schema';
  const first = errors[0] as { instancePath?: string; message?: string };
  return `${first.instancePath === '' || first.instancePath === undefined ? '/' : first.instancePath} ${first.message ?? 'is invalid'}`;
}

/**
 * Parses JSON Schema text into its JSON value.
 * @throws InvalidSchemaError when the text is not JSON, the root is neither an object nor a
 *   boolean, or the document violates its draft's meta-schema.
 */
export function parseJsonSchemaText(text: string): unknown {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new InvalidSchemaError(`Invalid schema ${text}, details: ${(err as Error).message}`);
  }
  if (typeof root !== 'boolean' && (typeof root !== 'object' || root === null || Array.isArray(root))) {
    throw new InvalidSchemaError(`Invalid schema ${text}, details: Invalid JSON Schema: root must be an object or a boolean`);
  }
  const draft = draftOf(root);
  // draft-4 spells exclusiveMaximum as a boolean, which the draft-6+ meta-schemas reject; its
  // meta-schema is not bundled with ajv, so draft-4 documents only get the structural checks.
  if (draft !== 'draft-4' && typeof root === 'object') {
    const validator = validatorFor(draft === 'draft-6' ? 'draft-7' : draft);
    const copy = { ...(root as Record<string, unknown>) };
    delete copy['$schema'];
    let ok: boolean;
    try {
      ok = validator.validateSchema(copy) === true;
    } catch (err) {
      throw new InvalidSchemaError(`Invalid schema ${text}, details: ${(err as Error).message}`);
    }
    if (!ok) throw new InvalidSchemaError(`Invalid schema ${text}, details: ${describe(validator.errors)}`);
  }
  return root;
}
