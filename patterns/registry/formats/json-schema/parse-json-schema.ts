/**
 * Turns JSON Schema text plus its resolved references into the loaded node graph.
 */
import { InvalidSchemaError, type ResolvedReference } from '../schema-format.js';
import { JsonSchemaLoader, JsonSchemaLoadError, resolveAll, type JsonDocument, type LoaderOptions } from './load-json-schema.js';
import type { SchemaNode } from './schema-node.js';
import { draftOf, parseJsonSchemaText, type Draft } from './validate-json-schema.js';

export interface JsonSchemaModel {
  readonly draft: Draft;
  readonly root: SchemaNode;
}

/**
 * Every reference of the graph by name, the first met depth first winning. The registry
 * shares one `references` list per referenced (subject, version), so a list already walked
 * is skipped: a diamond of references is walked once per schema, not once per path.
 */
function flatten(refs: readonly ResolvedReference[], out: Map<string, ResolvedReference>, walked = new Set<readonly ResolvedReference[]>()): void {
  if (walked.has(refs)) return;
  walked.add(refs);
  for (const ref of refs) {
    if (!out.has(ref.name)) out.set(ref.name, ref);
    flatten(ref.references, out, walked);
  }
}

/**
 * Parses and loads a JSON Schema; every `$ref` must resolve, locally or to a reference
 * (whose `name` is the `$ref` text without its fragment).
 * @throws InvalidSchemaError when the text or a reference is not a valid schema, a `$ref`
 *   cannot be resolved, or (unless `options.lenientPatterns`) a `patternProperties` key is
 *   outside the linear-time engine's syntax.
 */
export function parseJsonSchema(
  text: string,
  references: readonly ResolvedReference[],
  options: LoaderOptions = {},
): { json: unknown; model: JsonSchemaModel } {
  const json = parseJsonSchemaText(text);
  const byName = new Map<string, ResolvedReference>();
  flatten(references, byName);
  const docs: JsonDocument[] = [];
  for (const [name, ref] of byName) {
    let refJson: unknown;
    try {
      refJson = JSON.parse(ref.schema);
    } catch (err) {
      throw new InvalidSchemaError(`Invalid schema ${text}, details: reference "${name}" is not JSON: ${(err as Error).message}`);
    }
    docs.push({ json: refJson, name });
  }
  const draft = draftOf(json);
  try {
    const root = new JsonSchemaLoader(draft, { json, name: null }, docs, options).loadRoot();
    resolveAll(root);
    return { json, model: { draft, root } };
  } catch (err) {
    if (err instanceof JsonSchemaLoadError) throw new InvalidSchemaError(`Invalid schema ${text}, details: ${err.message}`);
    throw err;
  }
}
