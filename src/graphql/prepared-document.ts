/**
 * Query documents, parsed, validated and measured once per text and endpoint (an LRU), with
 * their graphql-jit compilations when the frontend says `jit: true`. A request then only
 * looks its text up: clients send the same few documents over and over.
 */
import { LRUCache } from 'lru-cache';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import {
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { measureOperation, type OperationCost } from './query-limits.js';

export interface PreparedDocument {
  readonly document: DocumentNode;
  /** Parse or validation errors: the request is refused before anything runs. */
  readonly errors?: readonly GraphQLError[];
  /** Measured operations, by name ('' for an anonymous one). */
  readonly costs: Map<string, OperationCost>;
  /** JIT-compiled operations, by name. */
  readonly compiled: Map<string, CompiledQuery | ExecutionResult>;
}

export type DocumentCache = LRUCache<string, PreparedDocument>;

/** Distinct documents kept per endpoint. */
const MAX_DOCUMENTS = 1000;
/** Longer documents are refused before parsing. */
export const MAX_DOCUMENT_LENGTH = 100_000;
/** Tokens the parser reads at most (graphql-js stops a hostile document early). */
const MAX_TOKENS = 10_000;

export function createDocumentCache(): DocumentCache {
  return new LRUCache<string, PreparedDocument>({ max: MAX_DOCUMENTS });
}

/** The document for a text (from the cache, or parsed and validated now). Never throws. */
export function prepareDocument(schema: GraphQLSchema, cache: DocumentCache, text: string): PreparedDocument {
  let prepared = cache.get(text);
  if (prepared) return prepared;
  let document: DocumentNode;
  try {
    document = parse(text, { maxTokens: MAX_TOKENS });
  } catch (err) {
    const error = err instanceof GraphQLError ? err : new GraphQLError(String(err));
    // Not cached: a stream of distinct broken documents must not evict the good ones.
    return { document: { kind: Kind.DOCUMENT, definitions: [] }, errors: [withCode(error, 'GRAPHQL_PARSE_FAILED')], costs: new Map(), compiled: new Map() };
  }
  const errors = validate(schema, document, specifiedRules, { maxErrors: 20 });
  prepared = { document, ...(errors.length > 0 ? { errors: errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')) } : {}), costs: new Map(), compiled: new Map() };
  if (errors.length === 0) cache.set(text, prepared);
  return prepared;
}

/** The operation a request names (or the only one), or why there is none. */
export function selectOperation(document: DocumentNode, name: string | undefined): OperationDefinitionNode | string {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (name) return operations.find((o) => o.name?.value === name) ?? `unknown operation named '${name}'`;
  if (operations.length === 1) return operations[0];
  return operations.length === 0 ? 'the document has no operation' : 'the document has several operations: name one with operationName';
}

export function costOf(schema: GraphQLSchema, prepared: PreparedDocument, operation: OperationDefinitionNode): OperationCost {
  const key = operation.name?.value ?? '';
  let cost = prepared.costs.get(key);
  if (!cost) {
    cost = measureOperation(schema, prepared.document, operation);
    prepared.costs.set(key, cost);
  }
  return cost;
}

/** The JIT compilation of an operation (compiled once per document and operation). */
export function jitOf(schema: GraphQLSchema, prepared: PreparedDocument, operation: OperationDefinitionNode): CompiledQuery | ExecutionResult {
  const key = operation.name?.value ?? '';
  let compiled = prepared.compiled.get(key);
  if (!compiled) {
    compiled = compileQuery(schema, prepared.document, operation.name?.value);
    prepared.compiled.set(key, compiled);
  }
  return compiled;
}

export { isCompiledQuery };

function withCode(error: GraphQLError, reason: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { code: 'INVALID_ARGUMENT', reason } });
}
