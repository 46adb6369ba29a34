/**
 * TypeScript shapes of the messages of `prism.patterns.registry.v1.DekRegistry` as its
 * handlers receive them (snake_case, defaults filled, proto3 `optional` fields absent when
 * unset, unset message fields null) and return them.
 */

export interface KekMessage {
  name: string;
  kms_type: string;
  kms_key_id: string;
  kms_props: Record<string, string>;
  doc: string;
  shared: boolean;
  ts: number;
  deleted: boolean;
}

export interface DekMessage {
  kek_name: string;
  subject: string;
  version: number;
  algorithm: string;
  encrypted_key_material: string;
  key_material: string;
  ts: number;
  deleted: boolean;
}

/** The fields of the KEK to create (its `ts` is the registry's), and one option. */
export interface CreateKekRequest extends Omit<KekMessage, 'ts'> {
  test_sharing: boolean;
}
export interface GetKekRequest {
  name: string;
  deleted: boolean;
}
export interface ListKeksRequest {
  subject_prefix: string[];
  deleted: boolean;
  offset: number;
  limit: number;
}
/**
 * google.protobuf.Struct as protobufjs hands it over: its bundled struct.proto names the
 * Value fields in camelCase, whatever `keepCase` says.
 */
export interface StructMessage {
  fields: Record<string, { nullValue?: unknown; numberValue?: number; stringValue?: string; boolValue?: boolean; structValue?: unknown; listValue?: unknown }>;
}
export interface UpdateKekRequest {
  name: string;
  kms_props: StructMessage | null;
  doc?: string;
  shared?: boolean;
  test_sharing: boolean;
}
export interface DeleteKekRequest {
  name: string;
  permanent: boolean;
}
export interface UndeleteKekRequest {
  name: string;
}
export interface TestKekRequest {
  name: string;
}
export interface CreateDekRequest {
  kek_name: string;
  subject: string;
  version?: number;
  algorithm: string;
  encrypted_key_material: string;
  deleted: boolean;
  rewrap: boolean;
}
export interface GetDekRequest {
  kek_name: string;
  subject: string;
  version: string;
  algorithm: string;
  deleted: boolean;
}
export interface ListDekSubjectsRequest {
  kek_name: string;
  deleted: boolean;
  offset: number;
  limit: number;
}
export interface ListDekVersionsRequest {
  kek_name: string;
  subject: string;
  algorithm: string;
  deleted: boolean;
  offset: number;
  limit: number;
}
export interface DeleteDekRequest {
  kek_name: string;
  subject: string;
  version: string;
  algorithm: string;
  permanent: boolean;
}
export interface UndeleteDekRequest {
  kek_name: string;
  subject: string;
  version: string;
  algorithm: string;
}
type Empty = Record<string, never>;

/** One method per unary RPC of the service. */
export interface DekRegistryApi {
  CreateKek(request: CreateKekRequest): Promise<KekMessage>;
  GetKek(request: GetKekRequest): Promise<KekMessage>;
  ListKeks(request: ListKeksRequest): Promise<{ names: string[] }>;
  UpdateKek(request: UpdateKekRequest): Promise<KekMessage>;
  DeleteKek(request: DeleteKekRequest): Promise<Empty>;
  UndeleteKek(request: UndeleteKekRequest): Promise<Empty>;
  TestKek(request: TestKekRequest): Promise<KekMessage>;
  CreateDek(request: CreateDekRequest): Promise<DekMessage>;
  GetDek(request: GetDekRequest): Promise<DekMessage>;
  ListDekSubjects(request: ListDekSubjectsRequest): Promise<{ subjects: string[] }>;
  ListDekVersions(request: ListDekVersionsRequest): Promise<{ versions: number[] }>;
  DeleteDek(request: DeleteDekRequest): Promise<Empty>;
  UndeleteDek(request: UndeleteDekRequest): Promise<Empty>;
}
