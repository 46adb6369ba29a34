/**
 * Reads frontend definitions (YAML or JSON, one frontend per document) and checks their shape
 * against the shipped JSON Schema, keeping source positions so every problem names its line.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { frontendDefinitionSchema, type FrontendDefinition } from './definition.js';
import { DefinitionError, type DefinitionProblem } from './definition-error.js';
import { DiagnosticCode } from './diagnostics.js';
import { expandAnnotatedRoutes } from './from-annotations.js';
import { schemaProblems } from './schema-problems.js';
import { locatePointer } from './source-positions.js';

/** A definition with where it came from, so later problems can point back into the file. */
export interface LoadedDefinition {
  readonly definition: FrontendDefinition;
  readonly file: string;
  /** Position of the document in its file (0-based): a file may hold several. */
  readonly index: number;
  /** Folder relative paths in the definition (protos) resolve against. */
  readonly baseDir: string;
  /** JSON pointer → 1-based line and column. */
  locate(pointer: string): { line: number; column: number } | undefined;
  /** The id of the route a pointer lies in. */
  routeAt(pointer: string): string | undefined;
}

// `verbose` gives each error its schema, by which a failed template union is recognised.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validateShape = ajv.compile(frontendDefinitionSchema);

/**
 * Frontend types that left the `type` enum (DESIGN.md §8), each with what to write instead:
 * these are framings and protocols of REST routes and namespaces now, not kinds of frontend.
 */
const RETIRED_TYPES: Readonly<Record<string, string>> = {
  SSE: 'write type: REST and bind the route to a streaming method; SSE, NDJSON and WebSocket are framings of REST routes',
  WEBSOCKET: 'write type: REST and bind the route to a streaming method; SSE, NDJSON and WebSocket are framings of REST routes',
  GRPC_WEB: "gRPC-Web and Connect are served for a namespace's gRPC interface: set grpcWeb: true on the namespace",
};

/**
 * Loads every definition in `file`.
 * @throws DefinitionError listing every problem of the file (syntax or shape).
 */
export function loadDefinitionFile(file: string): LoadedDefinition[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DefinitionError([{ code: DiagnosticCode.UNREADABLE, file, pointer: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
  return parseDefinitions(text, file);
}

/**
 * Parses definitions from text (YAML or JSON); `file` names them in problems.
 * @throws DefinitionError listing every problem.
 */
export function parseDefinitions(text: string, file: string, baseDir = dirname(resolve(file))): LoadedDefinition[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const problems: DefinitionProblem[] = [];
  const loaded: LoadedDefinition[] = [];
  const docs = Array.isArray(documents) ? documents : [documents];
  for (const [index, doc] of docs.entries()) {
    for (const err of doc.errors) {
      const pos = err.linePos?.[0];
      problems.push({ code: DiagnosticCode.SYNTAX, file, pointer: '', line: pos?.line, column: pos?.col, message: err.message.split('\n')[0] });
    }
    if (doc.errors.length > 0) continue;
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    const located = withPositions(doc, value as FrontendDefinition, file, index, baseDir, lineCounter);
    const retired = retiredType(value);
    if (retired) {
      const pos = located.locate('/type');
      problems.push({ code: DiagnosticCode.RETIRED_TYPE, file, pointer: '/type', line: pos?.line, column: pos?.column, message: retired });
    }
    if (!validateShape(value)) {
      for (const { pointer, message } of schemaProblems(validateShape.errors ?? [])) {
        // The retired type's own problem says more than "must be one of".
        if (retired && pointer === '/type') continue;
        const pos = located.locate(pointer);
        problems.push({ code: DiagnosticCode.SCHEMA, file, pointer, route: located.routeAt(pointer), line: pos?.line, column: pos?.column, message });
      }
      continue;
    }
    if (retired) continue;
    // `rest.fromAnnotations`: the routes of the protos' google.api.http annotations join the
    // ones written here (from-annotations.ts keeps the written routes' indices, so pointers
    // into this file still hold).
    const expansion = expandAnnotatedRoutes(value as FrontendDefinition, baseDir);
    for (const p of expansion.problems) {
      const pos = located.locate(p.pointer);
      problems.push({ code: p.code, file, pointer: p.pointer, line: pos?.line, column: pos?.column, message: p.message });
    }
    if (expansion.problems.length > 0) continue;
    loaded.push(expansion.definition === value ? located : withPositions(doc, expansion.definition, file, index, baseDir, lineCounter));
  }
  if (problems.length > 0) throw new DefinitionError(problems);
  return loaded;
}

/** The RETIRED_TYPE message for a definition whose `type` left the enum. */
function retiredType(value: unknown): string | undefined {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !Object.hasOwn(RETIRED_TYPES, type)) return undefined;
  return `type ${type} is no longer a frontend type: ${RETIRED_TYPES[type]}`;
}

function withPositions(doc: Document, definition: FrontendDefinition, file: string, index: number, baseDir: string, lineCounter: LineCounter): LoadedDefinition {
  return {
    definition,
    file,
    index,
    baseDir,
    locate: (pointer) => locatePointer(doc, lineCounter, pointer),
    routeAt(pointer) {
      const m = /^\/rest\/routes\/(\d+)/.exec(pointer);
      if (!m) return undefined;
      const route = definition.rest?.routes?.[Number(m[1])];
      return typeof route?.id === 'string' ? route.id : `#${m[1]}`;
    },
  };
}
