/**
 * Reads and writes of a gRPC method, for the role a caller needs (DESIGN.md §8): a method is a
 * read if and only if its proto declares `option idempotency_level = NO_SIDE_EFFECTS;`
 * (google/protobuf/descriptor.proto, MethodOptions.IdempotencyLevel); everything else, the
 * `IDEMPOTENT` level included, is a write. A namespace may override the role per method in the
 * config (`methodRoles`). Decided once when a listener starts, never per call.
 */
import type protobuf from 'protobufjs';
import type { Role } from '../security/authenticator.js';

export type MethodKind = 'read' | 'write';

/** `package.Service/Method` → the role a caller needs, as a namespace's config overrides it. */
export type MethodRoleOverrides = Readonly<Record<string, Role>>;

/** What the proto says about a method: `read` for NO_SIDE_EFFECTS, else `write`. */
export function methodKind(method: protobuf.Method): MethodKind {
  // protobufjs keeps the option as written (the enum value's name); a numeric value is the
  // enum number, NO_SIDE_EFFECTS = 1.
  const level: unknown = method.options?.['idempotency_level'];
  return level === 'NO_SIDE_EFFECTS' || level === 1 ? 'read' : 'write';
}

/** `package.Service/Method` (no leading slash), the key of `methodRoles`. */
export function methodKey(method: protobuf.Method): string {
  const service = method.parent as protobuf.Service;
  return `${service.fullName.replace(/^\./, '')}/${method.name}`;
}

/** The role a call to `method` needs in a namespace with these overrides. */
export function requiredRole(method: protobuf.Method, overrides: MethodRoleOverrides = {}): Role {
  return overrides[methodKey(method)] ?? methodKind(method);
}

/**
 * The override keys that name no method of the namespace's services: a typo there would
 * silently leave the proto's role in force, so callers refuse to start with them.
 */
export function unknownOverrideKeys(overrides: MethodRoleOverrides, methods: Iterable<protobuf.Method>): string[] {
  const known = new Set<string>();
  for (const method of methods) known.add(methodKey(method));
  return Object.keys(overrides).filter((key) => !known.has(key));
}
