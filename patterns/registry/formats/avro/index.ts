/**
 * The AVRO format: validation with avsc, Java `Schema.toString()`-equivalent canonical
 * text, and the reader/writer compatibility check of Apache Avro (compatibility-rules.md §2).
 */
import avro from 'avsc';
import { WorkBudgetExceededError } from '../../work-budget.js';
import { InvalidSchemaError, type CheckRoles, type ParsedSchema, type ParseOptions, type ResolvedReference, type SchemaFormat } from '../schema-format.js';
import { AvroModelError, parseAvroModel, type AvroNames, type AvroNode } from './avro-model.js';
import { AvroCheckError, findAvroIncompatibilities, formatAvroIncompatibility } from './check-avro-reads.js';
import { printAvro } from './print-avro.js';

/** What `checkReads` needs from a parsed Avro schema. */
export interface AvroParsedModel {
  readonly root: AvroNode;
  /** The canonical text with referenced types written out in full instead of by name. */
  readonly inlined: string;
}

/**
 * The canonical text of an AVRO schema with its references resolved inline, or undefined
 * for another format. Confluent matches a request that expands references inline against
 * a version registered with references (confluent-sr-api.md §3.2, second matching path).
 */
export function avroInlinedText(parsed: ParsedSchema): string | undefined {
  return parsed.type === 'AVRO' ? (parsed.model as AvroParsedModel).inlined : undefined;
}

function invalid(text: string, detail: string): InvalidSchemaError {
  return new InvalidSchemaError(`Invalid schema ${text}, details: ${detail}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(text, (err as Error).message);
  }
}

/**
 * Parses the referenced schemas depth first into one avsc registry and one name table, as
 * Confluent parses references into the same Avro parser before the referring schema
 * (confluent-sr-api.md §3.10). A schema referenced twice is parsed once.
 */
function loadReferences(
  refs: readonly ResolvedReference[],
  registry: Record<string, unknown>,
  names: AvroNames,
  seen: Set<string>,
): void {
  for (const ref of refs) {
    const key = `${ref.subject}\u0000${ref.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    loadReferences(ref.references, registry, names, seen);
    const json = parseJson(ref.schema);
    try {
      // A referenced schema is a stored one: its defaults are taken as they are.
      avro.Type.forSchema(withoutDefaults(json) as avro.Schema, { registry: registry as never, noAnonymousTypes: true });
      parseAvroModel(json, names);
    } catch (err) {
      throw new InvalidSchemaError(`Invalid schema ${ref.schema}, details: invalid reference ${ref.name}: ${(err as Error).message}`);
    }
  }
}

/** A copy of schema JSON with every field default left out: avsc then checks names and types only. */
function withoutDefaults(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(withoutDefaults);
  if (json === null || typeof json !== 'object') return json;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === 'fields' && Array.isArray(value)) {
      out.fields = value.map((field: unknown) => {
        if (field === null || typeof field !== 'object') return field;
        const { default: _dropped, ...rest } = field as Record<string, unknown>;
        return withoutDefaults(rest);
      });
    } else {
      out[key] = withoutDefaults(value);
    }
  }
  return out;
}

export const avroFormat: SchemaFormat = {
  type: 'AVRO',
  /**
   * @throws InvalidSchemaError for text that is not JSON, is not a valid Avro schema
   *   (unknown type, bad name, default that does not match its type, …), or whose
   *   references are not valid Avro.
   */
  parse(text: string, references: readonly ResolvedReference[], options: ParseOptions = {}): ParsedSchema {
    const registry: Record<string, unknown> = {};
    const names: AvroNames = new Map();
    loadReferences(references, registry, names, new Set());
    const known = [...names.keys()];
    const json = parseJson(text);
    try {
      // avsc validates names and default values (Confluent validates defaults of new
      // schemas, §3.2); logical types stay unparsed so they are ignored, as in Java.
      const checked = options.validateDefaults === false ? withoutDefaults(json) : json;
      avro.Type.forSchema(checked as avro.Schema, { registry: registry as never, noAnonymousTypes: true });
    } catch (err) {
      throw invalid(text, (err as Error).message);
    }
    let root: AvroNode;
    try {
      root = parseAvroModel(json, names);
    } catch (err) {
      if (err instanceof AvroModelError) throw invalid(text, err.message);
      throw err;
    }
    const model: AvroParsedModel = { root, inlined: printAvro(root) };
    return {
      type: 'AVRO',
      canonical: printAvro(root, { known }),
      normalized: printAvro(root, { known, normalized: true }),
      model,
    };
  },
  checkReads(reader: ParsedSchema, writer: ParsedSchema, roles: CheckRoles): string[] {
    try {
      const found = findAvroIncompatibilities((reader.model as AvroParsedModel).root, (writer.model as AvroParsedModel).root);
      return found.map((item) => formatAvroIncompatibility(item, roles.reader, roles.writer));
    } catch (err) {
      // A used-up budget is not an incompatibility: the registry reports it as such.
      if (err instanceof WorkBudgetExceededError) throw err;
      // Confluent turns an exception of the checker into one incompatibility message.
      const message = err instanceof AvroCheckError ? err.message : String((err as Error)?.message ?? err);
      return [`Unexpected exception during compatibility check: ${message}`];
    }
  },
};
