/**
 * Compile-time problems, one shape for all of them: a stable code per kind of problem and a
 * location (file, line, column, JSON pointer, route id). Definition loading, route compilation,
 * error mappings, templates and the gateway config all report into a DiagnosticSink; nothing
 * stops at the first problem, so `validate` and the admin API can say everything at once.
 * The codes are listed in docs/frontend-reference.md and pinned by a test.
 */

/** Stable codes, one per kind of problem. New kinds get new codes; codes are never reused. */
export const DiagnosticCode = {
  /** The file cannot be read. */
  UNREADABLE: 'UNREADABLE',
  /** The file cannot be parsed (YAML/JSON syntax). */
  SYNTAX: 'SYNTAX',
  /** The document does not fit the definition's (or config's) JSON Schema. */
  SCHEMA: 'SCHEMA',
  /** A `type` that left the enum (SSE, WEBSOCKET, GRPC_WEB): the message says what to write. */
  RETIRED_TYPE: 'RETIRED_TYPE',
  /** A name (service, method, message field) that does not exist. */
  UNKNOWN_FIELD: 'UNKNOWN_FIELD',
  UNKNOWN_SERVICE: 'UNKNOWN_SERVICE',
  UNKNOWN_METHOD: 'UNKNOWN_METHOD',
  /** A source that cannot feed its target (a path parameter into a message field, say). */
  TYPE_MISMATCH: 'TYPE_MISMATCH',
  /** Two routes that match the same requests, or two frontends with one name. */
  ROUTE_CONFLICT: 'ROUTE_CONFLICT',
  DUPLICATE_NAME: 'DUPLICATE_NAME',
  /** A path template that does not parse, or a path parameter bound to nothing. */
  PATH_TEMPLATE: 'PATH_TEMPLATE',
  UNBOUND_PATH_PARAM: 'UNBOUND_PATH_PARAM',
  /** A response or error template that does not compile. */
  TEMPLATE: 'TEMPLATE',
  /** Proto files that cannot be loaded. */
  PROTO_LOAD: 'PROTO_LOAD',
  /** A combination the gateway refuses (a streaming method on a plain route, say). */
  UNSUPPORTED: 'UNSUPPORTED',
  /** A value that breaks a rule of its own (an unknown gRPC code, an invalid JSON Schema). */
  INVALID_VALUE: 'INVALID_VALUE',
  /** Config: a reference to something that is not defined (a backend, a frontend file). */
  UNKNOWN_REFERENCE: 'UNKNOWN_REFERENCE',
  /**
   * A REST route on a path gRPC-Web and Connect serve (`{prefix}/{package.Service}/{Method}` of a
   * namespace with `grpcWeb: true`): those paths are reserved.
   */
  RESERVED_PATH: 'RESERVED_PATH',
  /** Config: a listener bound beyond loopback without authentication. */
  EXPOSURE: 'EXPOSURE',
  /**
   * A GraphQL frontend whose schema cannot be built: a name GraphQL refuses or two types with
   * one name, an argument `type` that does not parse or names no type, a field added under
   * `types` to a type the schema does not have or over a field it already has.
   */
  GRAPHQL_SCHEMA: 'GRAPHQL_SCHEMA',
} as const;
export type DiagnosticCode = (typeof DiagnosticCode)[keyof typeof DiagnosticCode];

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly file: string;
  /** JSON pointer inside the document, e.g. `/rest/routes/2/params/0/to`. */
  readonly pointer: string;
  /** The route's id, when the problem lies inside a route. */
  readonly route?: string;
  /** 1-based line and column in the file, when known. */
  readonly line?: number;
  readonly column?: number;
}

/**
 * Where compile steps report: the pointer is relative to what the step was given (the sink a
 * caller hands down adds its own prefix and the file's positions).
 */
export type DiagnosticSink = (code: DiagnosticCode, pointer: string, message: string) => void;

/** `file:line:col: route 'id' at /pointer: message [CODE]` */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line ? `${d.file}:${d.line}:${d.column ?? 1}` : d.file;
  const route = d.route ? ` route '${d.route}'` : '';
  return `${where}:${route} at ${d.pointer || '/'}: ${d.message} [${d.code}]`;
}

/** A sink that prefixes every pointer: how a step hands a part of its document to another. */
export function nestedSink(sink: DiagnosticSink, prefix: string): DiagnosticSink {
  return (code, pointer, message) => sink(code, prefix + pointer, message);
}
