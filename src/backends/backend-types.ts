/**
 * Every backend type the gateway knows, and the checks that use their declarations: a config
 * against its type's schema (at config load and at admin time), the plain secrets to warn about,
 * and a backend as it may be shown (secrets redacted).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { schemaProblems, type SchemaProblem } from '../frontends/schema-problems.js';
import type { BackendInterface } from './backend-interface.js';
import { BACKEND_TYPE_NAMES, type BackendType, type BackendTypeName } from './backend-type.js';
import { KAFKA_BACKEND } from './kafka-backend.js';
import { MEMSTORE_BACKEND } from './memstore-backend.js';
import { NATS_BACKEND } from './nats-backend.js';
import { POSTGRES_BACKEND } from './postgres-backend.js';
import { REDIS_BACKEND } from './redis-backend.js';
import { S3_BACKEND } from './s3-backend.js';
import { plainSecrets, redactSecrets, resolveSecrets, secretPaths, type SecretPath } from './secret-value.js';
import { SQLITE_BACKEND } from './sqlite-backend.js';

export { BACKEND_TYPE_NAMES, type BackendTypeName };

export const BACKEND_TYPES: ReadonlyMap<BackendTypeName, BackendType> = new Map(
  [MEMSTORE_BACKEND, SQLITE_BACKEND, POSTGRES_BACKEND, REDIS_BACKEND, NATS_BACKEND, KAFKA_BACKEND, S3_BACKEND].map((t) => [t.type, t]),
);

// `secret` is an annotation (secret-value.ts), not a rule: declared so strict mode accepts it.
const ajv = new Ajv({ allErrors: true, verbose: true, keywords: ['secret'] });
const compiled = new Map<BackendTypeName, { validate: ValidateFunction; secrets: SecretPath[] }>();
function typeChecks(type: BackendTypeName) {
  let checks = compiled.get(type);
  if (!checks) {
    const schema = BACKEND_TYPES.get(type)!.configSchema;
    checks = { validate: ajv.compile(schema), secrets: secretPaths(schema) };
    compiled.set(type, checks);
  }
  return checks;
}

export function isBackendType(type: string): type is BackendTypeName {
  return (BACKEND_TYPE_NAMES as readonly string[]).includes(type);
}

/** The interfaces a type implements (none for a type the gateway does not know). */
export function interfacesOf(type: string): readonly BackendInterface[] {
  return isBackendType(type) ? BACKEND_TYPES.get(type)!.interfaces : [];
}

/** What a config check finds: shape problems (pointers relative to `config`) and plain secrets. */
export interface BackendConfigCheck {
  readonly problems: readonly SchemaProblem[];
  /** Secret fields written as plain values, as JSON pointers relative to `config`. */
  readonly plainSecrets: readonly string[];
}

/**
 * Checks a backend's config against its type's schema. Problem messages come from the schema
 * and never quote a value.
 */
export function checkBackendConfig(type: BackendTypeName, config: Readonly<Record<string, unknown>>): BackendConfigCheck {
  const { validate, secrets } = typeChecks(type);
  if (!validate(config)) return { problems: schemaProblems(validate.errors ?? []), plainSecrets: [] };
  return { problems: [], plainSecrets: plainSecrets(config as Record<string, unknown>, secrets).map((p) => '/' + p.split('.').join('/')) };
}

/** The warning for a plain secret: names the backend and the field, never the value. */
export function plainSecretWarning(backend: string, pointer: string): string {
  const field = pointer.slice(1).split('/').join('.');
  return `backend '${backend}': config.${field} is a secret written as a plain value; write { env: NAME } or { file: PATH } so it stays out of the config (its value is never shown)`;
}

/** The config as it may be shown in an admin answer, a log line or an error. */
export function redactedConfig(type: string, config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  // A type the gateway does not know has no declared secrets: show nothing of its config.
  if (!isBackendType(type)) return {};
  return redactSecrets(config as Record<string, unknown>, typeChecks(type).secrets);
}

/**
 * The config with its secret references resolved, for a slot implementation only.
 * @throws SecretResolutionError (secret-value.ts) naming the field and the reference.
 */
export function resolvedConfig(type: string, config: Readonly<Record<string, unknown>>, baseDir: string): Record<string, unknown> {
  if (!isBackendType(type)) return { ...config };
  return resolveSecrets(config as Record<string, unknown>, typeChecks(type).secrets, baseDir);
}
