/**
 * Secret fields of backend configs (DESIGN.md §8, "Backends"). A secret is written as a
 * reference, `{ env: NAME }` or `{ file: PATH }`, and resolved only when a slot is bound: the
 * stored config, the admin API's answers, log lines and errors hold the reference, never the
 * value. A plain value is accepted (with a warning at load) and never echoed: every answer shows
 * it as `***`, or, for a connection URL, the URL with its credentials redacted.
 *
 * A field is secret when its schema says `secret: true` (an annotation keyword the backend
 * config validator declares); `secretPaths` finds them, nested objects included.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Type, type SchemaOptions, type TSchema } from '@sinclair/typebox';
import { REDACTED, redactUrl } from '../observability/redact-url.js';

/** `{ env: NAME }`: the value of an environment variable of the gateway's process. */
const EnvReference = Type.Object({ env: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }) }, { additionalProperties: false });
/** `{ file: PATH }`: a file's content (one trailing newline dropped), relative to the config file. */
const FileReference = Type.Object({ file: Type.String({ minLength: 1 }) }, { additionalProperties: false });

/**
 * A secret field: a plain string (accepted with a warning), `{ env }` or `{ file }`.
 * `url: true` marks a connection string, whose plain form is shown with redactUrl rather than
 * hidden whole (the host and database stay readable).
 */
export function Secret(options: SchemaOptions & { url?: boolean } = {}): TSchema {
  const { url, ...rest } = options;
  return Type.Union([Type.String({ minLength: 1 }), EnvReference, FileReference], { ...rest, secret: url ? 'url' : true });
}

export type SecretKind = true | 'url';

/** Where a config's secrets live: key paths inside `config`, and what kind each is. */
export interface SecretPath {
  readonly path: readonly string[];
  readonly kind: SecretKind;
}

/** The secret fields of a config schema (walks nested objects). */
export function secretPaths(schema: TSchema): SecretPath[] {
  const found: SecretPath[] = [];
  const walk = (node: Record<string, unknown>, path: string[]) => {
    if (node.secret === true || node.secret === 'url') {
      found.push({ path, kind: node.secret as SecretKind });
      return;
    }
    const properties = node.properties as Record<string, Record<string, unknown>> | undefined;
    for (const [key, child] of Object.entries(properties ?? {})) walk(child, [...path, key]);
  };
  walk(schema as unknown as Record<string, unknown>, []);
  return found;
}

type Json = Record<string, unknown>;

function valueAt(config: Json, path: readonly string[]): unknown {
  let at: unknown = config;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Json)[key];
  }
  return at;
}

/** A copy of `config` with `update` applied to the value at each of `paths` that is present. */
function mapSecrets(config: Json, paths: readonly SecretPath[], update: (value: unknown, secret: SecretPath) => unknown): Json {
  const copy = structuredClone(config);
  for (const secret of paths) {
    const parent = valueAt(copy, secret.path.slice(0, -1));
    const key = secret.path[secret.path.length - 1]!;
    if (typeof parent !== 'object' || parent === null || !(key in parent)) continue;
    (parent as Json)[key] = update((parent as Json)[key], secret);
  }
  return copy;
}

/** The dotted names of the secret fields of `config` written as plain values (to warn about). */
export function plainSecrets(config: Json, paths: readonly SecretPath[]): string[] {
  return paths
    .filter((secret) => {
      const value = valueAt(config, secret.path);
      // A URL without credentials in it is no secret.
      return typeof value === 'string' && (secret.kind !== 'url' || redactUrl(value) !== value);
    })
    .map((secret) => secret.path.join('.'));
}

/**
 * The config as it may be shown (admin answers, logs, errors): references as written, plain
 * secrets as `***` (a URL with its credentials as `***`).
 */
export function redactSecrets(config: Json, paths: readonly SecretPath[]): Json {
  return mapSecrets(config, paths, (value, secret) => {
    if (typeof value !== 'string') return value;
    return secret.kind === 'url' ? redactUrl(value) : REDACTED;
  });
}

/** A secret reference that cannot be resolved; the message names the field and the reference only. */
export class SecretResolutionError extends Error {
  override readonly name = 'SecretResolutionError';
}

/**
 * The config with every secret reference replaced by its value, for the slot implementation
 * only: never stored, logged or answered.
 * @throws SecretResolutionError naming the field and the variable or file (never a value).
 */
export function resolveSecrets(config: Json, paths: readonly SecretPath[], baseDir: string, env: NodeJS.ProcessEnv = process.env): Json {
  return mapSecrets(config, paths, (value, secret) => {
    if (typeof value !== 'object' || value === null) return value;
    const field = secret.path.join('.');
    if ('env' in value) {
      const name = String((value as { env: unknown }).env);
      const resolved = env[name];
      if (resolved === undefined) throw new SecretResolutionError(`config.${field} names the environment variable ${name}, which is not set`);
      return resolved;
    }
    if ('file' in value) {
      const path = String((value as { file: unknown }).file);
      const file = isAbsolute(path) ? path : resolve(baseDir, path);
      try {
        return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        throw new SecretResolutionError(`config.${field} names the file ${file}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    return value;
  });
}
