/**
 * Checks shared by the OpenAPI suites: the structural rules of OpenAPI 3.1 a generated
 * document must keep, every schema compiled with ajv's JSON Schema 2020-12 build inside the
 * document (so `#/components/...` references resolve as they do for OpenAPI tools), and the
 * maintained OpenAPI validator when it is installed.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { OpenAPIV3_1, OpenApiDocument as LooseDocument, OpenApiOperation, OpenApiParameter } from '../../src/frontends/openapi-export.js';

/** The exporter's documents are openapi-types documents; the checks walk them as plain JSON. */
type OpenApiDocument = OpenAPIV3_1.Document | LooseDocument;
import { decodePointerSegment, encodePointerSegment } from '../../src/frontends/openapi-export.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface OperationEntry {
  path: string;
  method: string;
  operation: OpenApiOperation;
  pointer: string;
}

export function operationsOf(document: OpenApiDocument): OperationEntry[] {
  const doc = document as LooseDocument;
  const out: OperationEntry[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) out.push({ path, method, operation, pointer: `/paths/${encodePointerSegment(path)}/${method}` });
    }
  }
  return out;
}

/** Resolves a local reference (`#/a/b`) in the document; undefined when it does not resolve. */
export function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let current: unknown = doc;
  for (const segment of ref.slice(1).split('/').slice(1).map(decodePointerSegment)) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Every `$ref` in the document with where it is. */
export function referencesOf(value: unknown, at = ''): { at: string; ref: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => referencesOf(v, `${at}/${i}`));
  if (value === null || typeof value !== 'object') return [];
  const out: { at: string; ref: string }[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key === 'const' || key === 'enum' || key === 'default' || key === 'examples') continue;
    if (key === '$ref' && typeof v === 'string') out.push({ at, ref: v });
    else out.push(...referencesOf(v, `${at}/${encodePointerSegment(key)}`));
  }
  return out;
}

/**
 * Where every schema of the document is: parameters, bodies, responses (with the per-message
 * `x-itemSchema` of streaming media types), components.
 */
export function schemaPointers(document: OpenApiDocument): string[] {
  const doc = document as LooseDocument;
  const out: string[] = [];
  const content = (base: string, media: Record<string, { schema?: unknown; 'x-itemSchema'?: unknown }> | undefined) => {
    for (const [type, entry] of Object.entries(media ?? {})) {
      if (entry.schema !== undefined) out.push(`${base}/content/${encodePointerSegment(type)}/schema`);
      if (entry['x-itemSchema'] !== undefined) out.push(`${base}/content/${encodePointerSegment(type)}/x-itemSchema`);
    }
  };
  for (const { operation, pointer } of operationsOf(doc)) {
    (operation.parameters ?? []).forEach((p, i) => {
      if (p.schema !== undefined) out.push(`${pointer}/parameters/${i}/schema`);
    });
    if (operation.requestBody) content(`${pointer}/requestBody`, operation.requestBody.content);
    for (const [status, response] of Object.entries(operation.responses)) {
      if ('$ref' in response) continue;
      content(`${pointer}/responses/${status}`, response.content);
    }
  }
  for (const name of Object.keys(doc.components?.schemas ?? {})) out.push(`/components/schemas/${encodePointerSegment(name)}`);
  for (const [name, response] of Object.entries(doc.components?.responses ?? {})) content(`/components/responses/${encodePointerSegment(name)}`, response.content);
  return out;
}

/**
 * The OpenAPI 3.1 rules a generated document must keep that a JSON Schema of the format cannot
 * all express: unique operationIds, every template parameter declared as a required path
 * parameter and no other, unique parameters, a description on every response, every
 * reference resolvable. Returns the broken rules, one sentence each.
 */
export function structuralProblems(document: OpenApiDocument): string[] {
  const doc = document as LooseDocument;
  const problems: string[] = [];
  if (!/^3\.1\.\d+$/.test(doc.openapi)) problems.push(`openapi is '${doc.openapi}', not 3.1.x`);
  if (typeof doc.info?.title !== 'string' || typeof doc.info?.version !== 'string') problems.push('info needs title and version');
  const ids = new Map<string, string>();
  for (const { path, method, operation, pointer } of operationsOf(doc)) {
    if (!path.startsWith('/')) problems.push(`path '${path}' does not start with '/'`);
    const id = operation.operationId;
    if (typeof id !== 'string') problems.push(`${pointer}: no operationId`);
    else if (ids.has(id)) problems.push(`${pointer}: operationId '${id}' is also used by ${ids.get(id)}`);
    else ids.set(id, pointer);
    const templateParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const parameters = (operation.parameters ?? []) as OpenApiParameter[];
    const keys = new Set<string>();
    for (const p of parameters) {
      const key = `${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`;
      if (keys.has(key)) problems.push(`${pointer}: parameter ${key} is declared twice`);
      keys.add(key);
      if (p.in === 'path' && !templateParams.includes(p.name)) problems.push(`${pointer}: path parameter '${p.name}' is not in the template`);
      if (p.in === 'path' && p.required !== true) problems.push(`${pointer}: path parameter '${p.name}' is not required`);
      if (p.schema === undefined) problems.push(`${pointer}: parameter '${p.name}' has no schema`);
    }
    for (const name of templateParams) if (!keys.has(`path:${name}`)) problems.push(`${pointer}: template parameter {${name}} is not declared`);
    if (Object.keys(operation.responses ?? {}).length === 0) problems.push(`${pointer}: no responses`);
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      if (status !== 'default' && !/^[1-5](\d\d|XX)$/.test(status)) problems.push(`${pointer}: response key '${status}' is not a status`);
      const target = '$ref' in response ? resolvePointer(doc, response.$ref) : response;
      if (!target || typeof (target as { description?: unknown }).description !== 'string') problems.push(`${pointer}/responses/${status}: no description`);
    }
    void method;
  }
  for (const name of Object.keys(doc.components?.schemas ?? {})) {
    if (!/^[a-zA-Z0-9.\-_]+$/.test(name)) problems.push(`component name '${name}' has characters OpenAPI does not allow`);
  }
  for (const { at, ref } of referencesOf(doc)) {
    if (resolvePointer(doc, ref) === undefined) problems.push(`${at}: reference '${ref}' does not resolve`);
  }
  return problems;
}

/**
 * Compiles every schema of the document with ajv (JSON Schema 2020-12) in place: a schema's
 * `#/components/...` references resolve against the document, as in OpenAPI. Returns the
 * validators by pointer, and the schemas that do not compile.
 */
export function compileSchemas(document: OpenApiDocument): { validators: Map<string, ValidateFunction>; failures: string[] } {
  const doc = document as LooseDocument;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // The formats the OpenAPI Format Registry adds for numbers (ajv-formats has the others).
  for (const format of ['int32', 'int64', 'uint64', 'float', 'double']) ajv.addFormat(format, true);
  ajv.addSchema({ $id: 'urn:prism:openapi', ...structuredClone(doc) } as object);
  const validators = new Map<string, ValidateFunction>();
  const failures: string[] = [];
  for (const pointer of schemaPointers(doc)) {
    try {
      validators.set(pointer, ajv.compile({ $ref: `urn:prism:openapi#${pointer.split('/').map(encodeURIComponent).join('/')}` }));
    } catch (err) {
      failures.push(`${pointer}: ${(err as Error).message}`);
    }
  }
  return { validators, failures };
}

type OpenApiValidator = { validate(doc: unknown): Promise<{ valid: boolean; errors?: unknown }> };

/**
 * The maintained OpenAPI 3.1 validator (`@seriousme/openapi-schema-validator`), when it is
 * installed; undefined otherwise (it is not a dependency yet).
 */
export async function loadOpenApiValidator(): Promise<OpenApiValidator | undefined> {
  const name = '@seriousme/openapi-schema-validator';
  try {
    const mod = (await import(name)) as { Validator: new () => OpenApiValidator };
    return new mod.Validator();
  } catch {
    return undefined;
  }
}
