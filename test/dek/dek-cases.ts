/**
 * The DEK registry's behaviour as one case table: each step is an RPC with its request and
 * either the reply fields it must have or the error (reason, gRPC code, Confluent's message)
 * it must fail with. Steps run in order against one fresh registry, so later steps see what
 * earlier ones did. Shared by the gRPC test of every store (dek-rpc.test.ts).
 */
import { status } from '@grpc/grpc-js';

export interface DekStep {
  readonly name: string;
  readonly call: string;
  readonly request: Record<string, unknown>;
  /** Fields the reply must have (compared exactly; other fields ignored). */
  readonly reply?: Record<string, unknown>;
  readonly error?: { readonly reason: string; readonly code: status; readonly message: string };
}

const local = { kms_type: 'local-kms', kms_key_id: 'id1' };
const notFound = (key: string) => ({ reason: 'KEY_NOT_FOUND', code: status.NOT_FOUND, message: `Key '${key}' not found` });
const invalid = (field: string) => ({ reason: 'INVALID_KEY', code: status.INVALID_ARGUMENT, message: `Invalid or missing value for field '${field}' of key` });
const exists = (key: string) => ({ reason: 'KEY_ALREADY_EXISTS', code: status.ALREADY_EXISTS, message: `Key '${key}' already exists; use a different value` });
const notSoftDeleted = (key: string) => ({
  reason: 'KEY_NOT_SOFT_DELETED',
  code: status.FAILED_PRECONDITION,
  message: `Key '${key}' was not deleted first before being permanently deleted`,
});
const references = (key: string) => ({ reason: 'KEY_REFERENCE_EXISTS', code: status.FAILED_PRECONDITION, message: `One or more references exist to the key '${key}'` });
const dek = (kek: string, subject: string, algorithm: string, version: string) => ({ kek_name: kek, subject, algorithm, version });

export const DEK_STEPS: readonly DekStep[] = [
  // ---- KEK create (K3): order name, kmsKeyId, kmsType, kmsKeyId format; conflicts -------------
  { name: 'create a KEK', call: 'CreateKek', request: { name: 'k1', ...local }, reply: { name: 'k1', kms_type: 'local-kms', kms_key_id: 'id1', kms_props: {}, doc: '', shared: false, deleted: false } },
  { name: 'the same KEK again conflicts, identical or not', call: 'CreateKek', request: { name: 'k1', ...local }, error: exists('k1') },
  { name: 'a name starting with a digit', call: 'CreateKek', request: { name: '1k', ...local }, error: invalid('name') },
  { name: 'an empty name', call: 'CreateKek', request: { name: '', ...local }, error: invalid('name') },
  { name: 'a name with a dot', call: 'CreateKek', request: { name: 'a.b', ...local }, error: invalid('name') },
  { name: 'name is checked before kmsKeyId', call: 'CreateKek', request: { name: '-x' }, error: invalid('name') },
  { name: 'no kmsKeyId', call: 'CreateKek', request: { name: 'k2', kms_type: 'local-kms' }, error: invalid('kmsKeyId') },
  { name: 'no kmsType', call: 'CreateKek', request: { name: 'k2', kms_key_id: 'x' }, error: invalid('kmsType') },
  { name: 'an AWS key id that is no ARN', call: 'CreateKek', request: { name: 'k2', kms_type: 'aws-kms', kms_key_id: 'x' }, error: invalid('kmsKeyId') },
  { name: 'an Azure key id that is no https URL', call: 'CreateKek', request: { name: 'k2', kms_type: 'azure-kms', kms_key_id: 'vault' }, error: invalid('kmsKeyId') },
  {
    name: 'kmsType is normalised (aws… → aws-kms), props sorted',
    call: 'CreateKek',
    request: { name: 'k2', kms_type: 'AWS', kms_key_id: 'arn:aws:kms:us-east-1:1:key/x', kms_props: { z: '1', a: '2' }, doc: 'd' },
    reply: { name: 'k2', kms_type: 'aws-kms', kms_props: { a: '2', z: '1' }, doc: 'd', shared: false },
  },
  { name: 'an unknown KEK', call: 'GetKek', request: { name: 'nope' }, error: notFound('nope') },
  { name: 'an invalid name on read', call: 'GetKek', request: { name: 'a b' }, error: invalid('name') },

  // ---- DEK create (D2/D3) and reads (D4–D6) -------------------------------------------------
  { name: 'a DEK without material under a non-shared KEK', call: 'CreateDek', request: { kek_name: 'k1', subject: 'w-value' }, error: invalid('encryptedKeyMaterial') },
  {
    name: 'create a DEK: version 1, AES256_GCM by default',
    call: 'CreateDek',
    request: { kek_name: 'k1', subject: 'w-value', encrypted_key_material: 'AAAA' },
    reply: { kek_name: 'k1', subject: 'w-value', version: 1, algorithm: 'AES256_GCM', encrypted_key_material: 'AAAA', key_material: '', deleted: false },
  },
  { name: 'the same DEK again', call: 'CreateDek', request: { kek_name: 'k1', subject: 'w-value', encrypted_key_material: 'AAAA' }, error: exists('w-value') },
  { name: 'version 2', call: 'CreateDek', request: { kek_name: 'k1', subject: 'w-value', version: 2, encrypted_key_material: 'BBBB' }, reply: { version: 2, encrypted_key_material: 'BBBB' } },
  { name: 'another algorithm is another key', call: 'CreateDek', request: { kek_name: 'k1', subject: 'w-value', algorithm: 'AES128_GCM', encrypted_key_material: 'CCCC' }, reply: { version: 1, algorithm: 'AES128_GCM' } },
  { name: 'a DEK under an unknown KEK', call: 'CreateDek', request: { kek_name: 'nokek', subject: 's', encrypted_key_material: 'AAAA' }, error: notFound('nokek') },
  { name: 'a subject with a control character', call: 'CreateDek', request: { kek_name: 'k1', subject: 'a\u0007b', encrypted_key_material: 'AAAA' }, error: invalid('subject') },
  { name: 'an empty subject', call: 'CreateDek', request: { kek_name: 'k1', subject: '', encrypted_key_material: 'AAAA' }, error: invalid('subject') },
  { name: 'the KEK name is checked before the subject', call: 'CreateDek', request: { kek_name: '', subject: '' }, error: invalid('name') },
  { name: 'an unknown algorithm', call: 'CreateDek', request: { kek_name: 'k1', subject: 's', algorithm: 'DES', encrypted_key_material: 'AAAA' }, error: { reason: 'INVALID_ALGORITHM', code: status.INVALID_ARGUMENT, message: "Invalid algorithm 'DES'. Valid values are AES128_GCM, AES256_GCM and AES256_SIV" } },
  { name: 'no version means version 1 (D4)', call: 'GetDek', request: dek('k1', 'w-value', '', ''), reply: { version: 1, encrypted_key_material: 'AAAA' } },
  { name: 'latest is the highest version', call: 'GetDek', request: dek('k1', 'w-value', '', 'latest'), reply: { version: 2 } },
  { name: '-1 is latest', call: 'GetDek', request: dek('k1', 'w-value', '', '-1'), reply: { version: 2 } },
  {
    name: 'a version that is no version',
    call: 'GetDek',
    request: dek('k1', 'w-value', '', 'x'),
    error: { reason: 'INVALID_VERSION', code: status.INVALID_ARGUMENT, message: `The specified version 'x' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"` },
  },
  { name: 'a version that does not exist', call: 'GetDek', request: dek('k1', 'w-value', '', '3'), error: notFound('w-value') },
  { name: 'an algorithm without keys', call: 'GetDek', request: dek('k1', 'w-value', 'AES256_SIV', '1'), error: notFound('w-value') },
  { name: 'the KEK is named when it is missing', call: 'GetDek', request: dek('k9', 'w-value', '', '1'), error: notFound('k9') },
  { name: 'versions of one algorithm', call: 'ListDekVersions', request: { kek_name: 'k1', subject: 'w-value' }, reply: { versions: [1, 2] } },
  { name: 'no versions is an empty list', call: 'ListDekVersions', request: { kek_name: 'k1', subject: 'other', algorithm: 'AES256_SIV' }, reply: { versions: [] } },
  { name: 'subjects under a KEK', call: 'ListDekSubjects', request: { kek_name: 'k1' }, reply: { subjects: ['w-value'] } },
  { name: 'subjects under an unknown KEK', call: 'ListDekSubjects', request: { kek_name: 'k9' }, error: notFound('k9') },

  // ---- Deletes, in Confluent's order (K5, D7, D8) ---------------------------------------------
  { name: 'a KEK with live DEKs cannot be deleted', call: 'DeleteKek', request: { name: 'k1' }, error: references('k1') },
  { name: 'a live DEK version cannot be deleted permanently', call: 'DeleteDek', request: { ...dek('k1', 'w-value', '', '2'), permanent: true }, error: notSoftDeleted('w-value') },
  { name: 'soft-delete version 2', call: 'DeleteDek', request: dek('k1', 'w-value', '', '2'), reply: {} },
  { name: 'soft-deleting it again is a no-op', call: 'DeleteDek', request: dek('k1', 'w-value', '', '2'), reply: {} },
  { name: 'latest skips the deleted version', call: 'GetDek', request: dek('k1', 'w-value', '', 'latest'), reply: { version: 1 } },
  { name: 'deleted=true shows it', call: 'GetDek', request: { ...dek('k1', 'w-value', '', '2'), deleted: true }, reply: { version: 2, deleted: true } },
  { name: 'versions hide it', call: 'ListDekVersions', request: { kek_name: 'k1', subject: 'w-value' }, reply: { versions: [1] } },
  { name: 'versions with deleted=true', call: 'ListDekVersions', request: { kek_name: 'k1', subject: 'w-value', deleted: true }, reply: { versions: [1, 2] } },
  { name: 'permanently delete version 2', call: 'DeleteDek', request: { ...dek('k1', 'w-value', '', '2'), permanent: true }, reply: {} },
  { name: 'it is gone', call: 'GetDek', request: { ...dek('k1', 'w-value', '', '2'), deleted: true }, error: notFound('w-value') },
  { name: 'soft-delete every AES256_GCM version', call: 'DeleteDek', request: dek('k1', 'w-value', '', ''), reply: {} },
  { name: 'the deleted DEK reads as absent', call: 'GetDek', request: dek('k1', 'w-value', '', ''), error: notFound('w-value') },
  { name: 'the AES128_GCM key is still live', call: 'ListDekSubjects', request: { kek_name: 'k1' }, reply: { subjects: ['w-value'] } },
  { name: 'soft-delete the AES128_GCM key', call: 'DeleteDek', request: dek('k1', 'w-value', 'AES128_GCM', ''), reply: {} },
  { name: 'no live subjects', call: 'ListDekSubjects', request: { kek_name: 'k1' }, reply: { subjects: [] } },
  { name: 'deleted subjects with deleted=true', call: 'ListDekSubjects', request: { kek_name: 'k1', deleted: true }, reply: { subjects: ['w-value'] } },
  { name: 'delete a DEK of an unknown subject', call: 'DeleteDek', request: dek('k1', 'nobody', '', ''), error: notFound('nobody') },
  { name: 'a permanent KEK delete with soft-deleted DEKs left', call: 'DeleteKek', request: { name: 'k1', permanent: true }, error: references('k1') },
  { name: 'a KEK whose DEKs are all soft-deleted can be soft-deleted', call: 'DeleteKek', request: { name: 'k1' }, reply: {} },
  { name: 'the deleted KEK reads as absent', call: 'GetKek', request: { name: 'k1' }, error: notFound('k1') },
  { name: 'deleted=true shows the KEK', call: 'GetKek', request: { name: 'k1', deleted: true }, reply: { name: 'k1', deleted: true } },
  { name: 'KEK names hide it', call: 'ListKeks', request: {}, reply: { names: ['k2'] } },
  { name: 'KEK names with deleted=true', call: 'ListKeks', request: { deleted: true }, reply: { names: ['k1', 'k2'] } },
  { name: 'KEKs by DEK subject prefix (deleted DEKs only with deleted=true)', call: 'ListKeks', request: { subject_prefix: ['w-'], deleted: true }, reply: { names: ['k1'] } },
  { name: 'no KEK has a live DEK under w-', call: 'ListKeks', request: { subject_prefix: ['w-'] }, reply: { names: [] } },
  { name: 'DEKs of a deleted KEK cannot be undeleted', call: 'UndeleteDek', request: dek('k1', 'w-value', '', ''), error: { reason: 'KEY_SOFT_DELETED', code: status.FAILED_PRECONDITION, message: "Key 'k1' must be undeleted first" } },
  { name: 'no DEK under a deleted KEK', call: 'CreateDek', request: { kek_name: 'k1', subject: 'x', encrypted_key_material: 'AAAA' }, error: notFound('k1') },
  { name: 'a deleted KEK cannot be updated', call: 'UpdateKek', request: { name: 'k1', doc: 'x' }, error: notFound('k1') },
  { name: 'its DEK list is hidden too', call: 'ListDekSubjects', request: { kek_name: 'k1' }, error: notFound('k1') },
  { name: 'undelete the KEK', call: 'UndeleteKek', request: { name: 'k1' }, reply: {} },
  { name: 'undeleting a live KEK is a no-op', call: 'UndeleteKek', request: { name: 'k1' }, reply: {} },
  { name: 'undelete an unknown KEK', call: 'UndeleteKek', request: { name: 'k9' }, error: notFound('k9') },
  { name: 'undelete version 1', call: 'UndeleteDek', request: dek('k1', 'w-value', '', '1'), reply: {} },
  { name: 'version 1 is back', call: 'GetDek', request: dek('k1', 'w-value', '', ''), reply: { version: 1, deleted: false, encrypted_key_material: 'AAAA' } },
  { name: 'a live KEK cannot be deleted permanently', call: 'DeleteKek', request: { name: 'k2', permanent: true }, error: notSoftDeleted('k2') },
  { name: 'soft then permanent delete of a KEK without DEKs', call: 'DeleteKek', request: { name: 'k2' }, reply: {} },
  { name: 'permanent delete', call: 'DeleteKek', request: { name: 'k2', permanent: true }, reply: {} },
  { name: 'the KEK is gone', call: 'GetKek', request: { name: 'k2', deleted: true }, error: notFound('k2') },
  { name: 'delete an unknown KEK', call: 'DeleteKek', request: { name: 'k2' }, error: notFound('k2') },

  // ---- Update (K4) and re-create over a soft-deleted KEK -----------------------------------
  {
    name: 'update doc and props; type and key id stay',
    call: 'UpdateKek',
    request: { name: 'k1', doc: 'hello', kms_props: { fields: { b: { stringValue: 'x' }, a: { numberValue: 1 } } } },
    reply: { kms_type: 'local-kms', kms_key_id: 'id1', doc: 'hello', kms_props: { a: '1', b: 'x' }, shared: false },
  },
  { name: 'an absent field keeps its value', call: 'UpdateKek', request: { name: 'k1', shared: false }, reply: { doc: 'hello', kms_props: { a: '1', b: 'x' } } },
  { name: 'an empty struct and "" clear', call: 'UpdateKek', request: { name: 'k1', doc: '', kms_props: { fields: {} } }, reply: { doc: '', kms_props: {} } },
  { name: 'create k3', call: 'CreateKek', request: { name: 'k3', ...local, doc: 'three' }, reply: { name: 'k3' } },
  { name: 'soft-delete k3', call: 'DeleteKek', request: { name: 'k3' }, reply: {} },
  { name: 'creating a different k3 over the deleted one conflicts', call: 'CreateKek', request: { name: 'k3', ...local, doc: 'other' }, error: exists('k3') },
  { name: 'creating an equivalent k3 undeletes it', call: 'CreateKek', request: { name: 'k3', ...local, doc: 'three' }, reply: { name: 'k3', doc: 'three', deleted: false } },
  { name: 'test a KEK that is not shared', call: 'TestKek', request: { name: 'k1' }, error: invalid('shared') },

  // ---- Shared KEKs: the registry makes and unwraps the DEK with the local KMS ------------------
  { name: 'a shared local KEK', call: 'CreateKek', request: { name: 'ks', kms_type: 'local-kms', kms_key_id: 'ks', kms_props: { secret: 'shh' }, shared: true, test_sharing: true }, reply: { shared: true } },
  { name: 'test it', call: 'TestKek', request: { name: 'ks' }, reply: { name: 'ks', shared: true } },
  { name: 'a DEK the registry makes (key material shown)', call: 'CreateDek', request: { kek_name: 'ks', subject: 'orders-value' }, reply: { version: 1, subject: 'orders-value' } },
  { name: 'material for an existing DEK under a shared KEK', call: 'CreateDek', request: { kek_name: 'ks', subject: 'orders-value', encrypted_key_material: 'AAAA', rewrap: true }, error: exists('orders-value') },
  { name: 'a shared KEK whose KMS the registry cannot reach', call: 'CreateKek', request: { name: 'kaws', kms_type: 'aws-kms', kms_key_id: 'arn:aws:kms:eu-west-1:1:key/k', shared: true }, reply: { shared: true } },
  { name: 'its DEKs cannot be made', call: 'CreateDek', request: { kek_name: 'kaws', subject: 's' }, error: { reason: 'DEK_GENERATION_FAILED', code: status.INTERNAL, message: 'Could not generate encrypted dek for s: the registry cannot reach the aws-kms KMS' } },
];
