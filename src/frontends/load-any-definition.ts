/**
 * Loads a frontend from either form it can be written in: the definition format (YAML/JSON,
 * load-definition.ts) or an OpenAPI 3.1 document with `x-prism-*` extensions
 * (openapi-import.ts). An OpenAPI document is converted, then checked by the same
 * `parseDefinitions` as any definition; every problem, from either step and from the route
 * compiler later, points back into the OpenAPI file (its line, and a JSON pointer into it).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { FrontendDefinition } from './definition.js';
import { DefinitionError, type DefinitionProblem } from './definition-error.js';
import { loadDefinitionFile, parseDefinitions, type LoadedDefinition } from './load-definition.js';
import { convertOpenApi, isOpenApiDocument } from './openapi-import.js';
import { locatePointer } from './source-positions.js';

/**
 * Loads every frontend in `file`, whichever form it is written in.
 * @throws DefinitionError listing every problem of the file.
 */
export function loadAnyDefinitionFile(file: string): LoadedDefinition[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // The definition loader reports an unreadable file in its own words.
    return loadDefinitionFile(file);
  }
  return parseAnyDefinitions(text, file);
}

/**
 * Parses frontends from text: an OpenAPI document (one YAML/JSON document with an `openapi`
 * member) or definitions.
 * @throws DefinitionError listing every problem.
 */
export function parseAnyDefinitions(text: string, file: string, baseDir = dirname(resolve(file))): LoadedDefinition[] {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const documents = Array.isArray(parsed) ? parsed : [parsed];
  if (documents.length === 1 && documents[0].errors.length === 0) {
    const value = documents[0].toJS() as unknown;
    if (isOpenApiDocument(value)) return [loadOpenApi(value, documents[0], lineCounter, file, baseDir)];
  }
  return parseDefinitions(text, file, baseDir);
}

function loadOpenApi(value: Record<string, unknown>, document: Document, lineCounter: LineCounter, file: string, baseDir: string): LoadedDefinition {
  const locate = (pointer: string) => locatePointer(document, lineCounter, pointer);
  const conversion = convertOpenApi(value, file);
  const located = (p: DefinitionProblem, pointer: string): DefinitionProblem => {
    const pos = locate(pointer);
    return { code: p.code, file, route: p.route, pointer, line: pos?.line, column: pos?.column, message: p.message };
  };
  if (conversion.problems.length > 0) throw new DefinitionError(conversion.problems.map((p) => located(p, p.pointer)));
  let loaded: LoadedDefinition;
  try {
    // The same shape check as every definition, on the converted definition.
    [loaded] = parseDefinitions(JSON.stringify(conversion.definition), file, baseDir);
  } catch (err) {
    if (!(err instanceof DefinitionError)) throw err;
    throw new DefinitionError(err.problems.map((p) => located(p, conversion.sourcePointer(p.pointer))));
  }
  return {
    ...loaded,
    // Compile problems name definition pointers; their lines are the OpenAPI source's.
    locate: (pointer) => locate(conversion.sourcePointer(pointer)),
    routeAt: (pointer) => loaded.routeAt(pointer),
  };
}
