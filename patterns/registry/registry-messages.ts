/**
 * TypeScript shapes of the messages of `prism.patterns.registry.v1.Registry`, as the
 * server's handlers receive them (snake_case, defaults filled, proto3 `optional` fields
 * absent when unset) and return them.
 */

export interface SchemaReferenceMessage {
  name: string;
  subject: string;
  version: number;
}
/**
 * google.protobuf.Value / ListValue as handlers see them: the set member named by `kind`
 * (oneofs). protobufjs bundles its own struct.proto, whose field names are camelCase.
 */
export interface ValueMessage {
  kind?: string;
  nullValue?: number | string;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: { fields?: Record<string, ValueMessage> };
  listValue?: ListValueMessage;
}
export interface ListValueMessage {
  values?: ValueMessage[];
}
export interface MetadataMessage {
  tags: Record<string, ListValueMessage>;
  properties: Record<string, string>;
  sensitive: string[];
}
export interface RuleMessage {
  /** Absent (not empty) when the request had none. */
  name?: string;
  doc: string;
  kind: string;
  mode: string;
  type?: string;
  tags: string[];
  params: Record<string, string>;
  expr: string;
  on_success: string;
  on_failure: string;
  disabled?: boolean;
}
export interface RuleSetMessage {
  migration_rules: RuleMessage[];
  domain_rules: RuleMessage[];
}
/** Message fields arrive as null when unset; answers leave them out. */
export interface ContractFields {
  metadata?: MetadataMessage | null;
  rule_set?: RuleSetMessage | null;
}
export interface ConfigFieldsMessage {
  alias?: string;
  validate_fields?: boolean;
  validate_rules?: boolean;
  compatibility_group?: string;
  default_metadata?: MetadataMessage;
  override_metadata?: MetadataMessage;
  default_rule_set?: RuleSetMessage;
  override_rule_set?: RuleSetMessage;
}
export interface SchemaTagsMessage {
  schema_entity: { entity_path: string; entity_type: string } | null;
  tags: string[];
}
export interface SubjectVersionMessage {
  subject: string;
  version: number;
}
export interface SchemaMessage extends ContractFields {
  subject: string;
  version: number;
  id: number;
  schema_type: string;
  references: SchemaReferenceMessage[];
  schema: string;
}

export interface RegisterSchemaRequest extends ContractFields {
  schema_tags_to_add?: SchemaTagsMessage[];
  schema_tags_to_remove?: SchemaTagsMessage[];
  propagate_schema_tags?: boolean;
  subject: string;
  schema: string;
  schema_type: string;
  references: SchemaReferenceMessage[];
  normalize: boolean;
  id?: number;
  version?: number;
}
export interface RegisterSchemaResponse extends ContractFields {
  id: number;
  version: number;
  /** Set (with the fields below) only when the registry changed what was submitted. */
  schema?: string;
  schema_type?: string;
  references?: SchemaReferenceMessage[];
}
export interface LookupSchemaRequest extends ContractFields {
  subject: string;
  schema: string;
  schema_type: string;
  references: SchemaReferenceMessage[];
  normalize: boolean;
  deleted: boolean;
  format?: string;
}
export interface TagSchemaVersionRequest extends ContractFields {
  subject: string;
  version: string;
  new_version?: number;
  tags_to_add?: SchemaTagsMessage[];
  tags_to_remove?: SchemaTagsMessage[];
  rules_to_merge?: RuleSetMessage | null;
  rules_to_remove?: string[];
}
export interface GetLatestWithMetadataRequest {
  subject: string;
  key: string[];
  value: string[];
  deleted: boolean;
  format: string;
}
export type LookupSchemaResponse = SchemaMessage;
export interface GetSchemaVersionRequest {
  subject: string;
  version: string;
  deleted: boolean;
  /** "serialized": PROTOBUF as a base64 FileDescriptorProto. */
  format: string;
  find_tags?: string[];
}
export type GetSchemaVersionResponse = SchemaMessage & { schema_tags?: SchemaTagsMessage[] };
export interface ListSchemaVersionsRequest {
  subject: string;
  deleted: boolean;
  deleted_only: boolean;
  offset: number;
  limit: number;
}
export interface ListSchemaVersionsResponse {
  versions: number[];
}
export interface ListSubjectsRequest {
  subject_prefix: string;
  deleted: boolean;
  deleted_only: boolean;
  offset: number;
  limit: number;
}
export interface ListSubjectsResponse {
  subjects: string[];
}
export interface DeleteSchemaVersionRequest {
  subject: string;
  version: string;
  permanent: boolean;
}
export interface DeleteSchemaVersionResponse {
  version: number;
}
export interface DeleteSubjectRequest {
  subject: string;
  permanent: boolean;
}
export interface DeleteSubjectResponse {
  versions: number[];
}
export interface ListReferencedByRequest {
  subject: string;
  version: string;
  offset: number;
  limit: number;
}
export interface ListReferencedByResponse {
  ids: number[];
}
export interface GetSchemaRequest {
  id: number;
  subject: string;
  fetch_max_id: boolean;
  /** "serialized": PROTOBUF as a base64 FileDescriptorProto. */
  format: string;
  find_tags?: string[];
}
export interface GetSchemaResponse extends ContractFields {
  schema_type: string;
  schema: string;
  references: SchemaReferenceMessage[];
  max_id: number;
  schema_tags?: SchemaTagsMessage[];
}
export interface ListSchemaSubjectsRequest {
  id: number;
  subject: string;
  deleted: boolean;
  offset: number;
  limit: number;
}
export interface ListSchemaSubjectsResponse {
  subjects: string[];
}
export interface ListSchemaSubjectVersionsRequest {
  id: number;
  subject: string;
  deleted: boolean;
  offset: number;
  limit: number;
}
export interface ListSchemaSubjectVersionsResponse {
  subject_versions: SubjectVersionMessage[];
}
export interface ListSchemasRequest {
  subject_prefix: string;
  deleted: boolean;
  latest_only: boolean;
  offset: number;
  limit: number;
  /** Only versions with a rule of this type; empty: all. */
  rule_type?: string;
}
export interface ListSchemasResponse {
  schemas: SchemaMessage[];
}
export type GetSchemaTypesRequest = Record<string, never>;
export interface GetSchemaTypesResponse {
  schema_types: string[];
}
export interface ListContextsRequest {
  offset: number;
  limit: number;
}
export interface ListContextsResponse {
  contexts: string[];
}
export interface CheckCompatibilityRequest extends ContractFields {
  subject: string;
  version: string;
  schema: string;
  schema_type: string;
  references: SchemaReferenceMessage[];
  normalize: boolean;
  verbose: boolean;
}
export interface CheckCompatibilityResponse {
  is_compatible: boolean;
  messages: string[];
}
export interface GetConfigRequest {
  subject: string;
  default_to_global: boolean;
}
export interface GetConfigResponse {
  compatibility_level: string;
  normalize?: boolean;
  fields?: ConfigFieldsMessage;
}
export interface UpdateConfigRequest {
  subject: string;
  /** Absent: keep the stored level; empty: remove it. */
  compatibility?: string;
  normalize?: boolean;
  /** These four: absent keeps, empty removes; the booleans as "true"/"false". */
  alias?: string;
  validate_fields?: string;
  validate_rules?: string;
  compatibility_group?: string;
  /** Unset (null) keeps; a JSON null removes; an object sets. */
  default_metadata?: ValueMessage | null;
  override_metadata?: ValueMessage | null;
  default_rule_set?: ValueMessage | null;
  override_rule_set?: ValueMessage | null;
}
export interface UpdateConfigResponse {
  compatibility: string;
  normalize?: boolean;
  fields?: ConfigFieldsMessage;
}
export interface DeleteConfigRequest {
  subject: string;
}
export interface DeleteConfigResponse {
  compatibility_level: string;
  normalize?: boolean;
  fields?: ConfigFieldsMessage;
}
export interface GetModeRequest {
  subject: string;
  default_to_global: boolean;
}
export interface GetModeResponse {
  mode: string;
}
export interface UpdateModeRequest {
  subject: string;
  /** Absent: INVALID_MODE; empty: remove the mode at that scope. */
  mode?: string;
  force: boolean;
}
export interface UpdateModeResponse {
  mode: string;
}
export interface DeleteModeRequest {
  subject: string;
}
export interface DeleteModeResponse {
  mode: string;
}

/**
 * What the transport knows about a call. `deadline` (a Date or epoch milliseconds; Infinity
 * or absent for none) is the caller's gRPC deadline: a write that could not commit before it
 * is not committed at all, so a caller that saw DEADLINE_EXCEEDED never has a stored write.
 */
export interface CallContext {
  readonly deadline?: Date | number;
}

/** The registry's operations, one per RPC, named as the RPCs are. */
export interface RegistryApi {
  RegisterSchema(request: RegisterSchemaRequest, context?: CallContext): Promise<RegisterSchemaResponse>;
  LookupSchema(request: LookupSchemaRequest, context?: CallContext): Promise<LookupSchemaResponse>;
  TagSchemaVersion(request: TagSchemaVersionRequest, context?: CallContext): Promise<RegisterSchemaResponse>;
  GetLatestWithMetadata(request: GetLatestWithMetadataRequest, context?: CallContext): Promise<GetSchemaVersionResponse>;
  GetSchemaVersion(request: GetSchemaVersionRequest, context?: CallContext): Promise<GetSchemaVersionResponse>;
  ListSchemaVersions(request: ListSchemaVersionsRequest, context?: CallContext): Promise<ListSchemaVersionsResponse>;
  ListSubjects(request: ListSubjectsRequest, context?: CallContext): Promise<ListSubjectsResponse>;
  DeleteSchemaVersion(request: DeleteSchemaVersionRequest, context?: CallContext): Promise<DeleteSchemaVersionResponse>;
  DeleteSubject(request: DeleteSubjectRequest, context?: CallContext): Promise<DeleteSubjectResponse>;
  ListReferencedBy(request: ListReferencedByRequest, context?: CallContext): Promise<ListReferencedByResponse>;
  GetSchema(request: GetSchemaRequest, context?: CallContext): Promise<GetSchemaResponse>;
  ListSchemaSubjects(request: ListSchemaSubjectsRequest, context?: CallContext): Promise<ListSchemaSubjectsResponse>;
  ListSchemaSubjectVersions(request: ListSchemaSubjectVersionsRequest, context?: CallContext): Promise<ListSchemaSubjectVersionsResponse>;
  ListSchemas(request: ListSchemasRequest, context?: CallContext): Promise<ListSchemasResponse>;
  GetSchemaTypes(request: GetSchemaTypesRequest, context?: CallContext): Promise<GetSchemaTypesResponse>;
  ListContexts(request: ListContextsRequest, context?: CallContext): Promise<ListContextsResponse>;
  CheckCompatibility(request: CheckCompatibilityRequest, context?: CallContext): Promise<CheckCompatibilityResponse>;
  GetConfig(request: GetConfigRequest, context?: CallContext): Promise<GetConfigResponse>;
  UpdateConfig(request: UpdateConfigRequest, context?: CallContext): Promise<UpdateConfigResponse>;
  DeleteConfig(request: DeleteConfigRequest, context?: CallContext): Promise<DeleteConfigResponse>;
  GetMode(request: GetModeRequest, context?: CallContext): Promise<GetModeResponse>;
  UpdateMode(request: UpdateModeRequest, context?: CallContext): Promise<UpdateModeResponse>;
  DeleteMode(request: DeleteModeRequest, context?: CallContext): Promise<DeleteModeResponse>;
}

export interface WatchChangesRequest {
  subject_prefix: string;
  /** "" = from the oldest retained change; "latest" = only new changes; else a sequence. */
  after: string;
}
/** One change of the feed, as the `Change` message (registry-change.ts says what each kind is). */
export interface ChangeMessage {
  /** uint64, sent as a decimal string. */
  sequence: string;
  kind: string;
  subject: string;
  version?: number;
  id?: number;
  schema_type?: string;
  /** RFC 3339 UTC with milliseconds. */
  time: string;
}

/**
 * The sending side of a server-streaming call, as the transport offers it to a handler:
 * `write` returns false once the transport's buffer is full, and the handler then waits for
 * `drained` before reading more (so a slow reader never makes the registry buffer without
 * bound); `signal` aborts when the caller cancels or the server shuts down.
 */
export interface ChangeStream {
  /**
   * The request is accepted (its `after` parsed and still retained): the response headers go
   * out now, before any change, so a caller with nothing to replay still sees the call open.
   * Errors found before it are the call's status alone (an HTTP error through a gateway).
   */
  accepted(): void;
  write(change: ChangeMessage): boolean;
  /** Resolves when the transport takes more again, or once `signal` has aborted. */
  drained(): Promise<void>;
  readonly signal: AbortSignal;
}

/** The registry's server-streaming operations. */
export interface RegistryStreamingApi {
  /**
   * Streams the change feed until `stream.signal` aborts (then resolves).
   * @throws RegistryError (rejects) INVALID_SEQUENCE for an `after` that is no sequence;
   *   CHANGES_EXPIRED when changes after it are no longer retained; STORE_ERROR.
   */
  WatchChanges(request: WatchChangesRequest, stream: ChangeStream): Promise<void>;
}
