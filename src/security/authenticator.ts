/**
 * Who is calling, and may they? Basic credentials (users file, scrypt hashes) and bearer
 * tokens (JWT checked with jose against a JWKS URL or file: signature, issuer, audience,
 * expiry with clock skew) both yield a principal with a role per namespace. Roles are ordered
 * read < write < admin. Credentials and tokens are never logged.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { parse } from 'yaml';
import { Code, GatewayError, GatewayReason } from '../core/gateway-error.js';
import { parsePasswordHash, verifyPassword } from './password-hash.js';

export type Role = 'read' | 'write' | 'admin';
const RANK: Record<Role, number> = { read: 1, write: 2, admin: 3 };
export const ROLES = Object.keys(RANK) as Role[];

export interface Principal {
  readonly name: string;
  /** Namespace (or `*`) → role. */
  readonly roles: Readonly<Record<string, Role>>;
}

export interface AuthConfig {
  /** Realm announced in WWW-Authenticate. */
  realm?: string;
  basic?: { usersFile: string };
  bearer?: {
    jwksUrl?: string;
    jwksFile?: string;
    issuer?: string;
    audience?: string;
    clockToleranceSec?: number;
    /** Claim with the roles: a list of `role` or `namespace:role` strings (default `roles`). */
    rolesClaim?: string;
    /** How long a fetched JWKS is trusted (default 10 minutes). */
    jwksCacheMaxAgeMs?: number;
    /** A token with an unknown key id refetches the JWKS at most this often (default 30 s). */
    jwksCooldownMs?: number;
    /** A JWKS fetch gives up after this long; its tokens get 401 (default 5 s). */
    jwksTimeoutMs?: number;
  };
}

export interface Authenticator {
  /**
   * The principal behind a request's Authorization header.
   * @throws GatewayError UNAUTHENTICATED (missing or bad credentials).
   */
  authenticate(authorization: string | undefined): Promise<Principal>;
  /** @throws GatewayError PERMISSION_DENIED when the principal's role in `namespace` is below `role`. */
  authorize(principal: Principal, namespace: string, role: Role): void;
  /** The WWW-Authenticate challenge for 401 answers. */
  readonly challenge: string;
}

interface UserEntry {
  hash: ReturnType<typeof parsePasswordHash>;
  roles: Record<string, Role>;
}

/** @throws Error naming the file and entry that is wrong (at start, never per request). */
export function createAuthenticator(config: AuthConfig, baseDir: string): Authenticator {
  const realm = config.realm ?? 'prism';
  const users = config.basic ? loadUsers(resolve(baseDir, config.basic.usersFile)) : undefined;
  let keys: JWTVerifyGetKey | undefined;
  const bearer = config.bearer;
  if (bearer) {
    if (bearer.jwksUrl) {
      keys = createRemoteJWKSet(new URL(bearer.jwksUrl), {
        cacheMaxAge: bearer.jwksCacheMaxAgeMs ?? 10 * 60_000,
        cooldownDuration: bearer.jwksCooldownMs ?? 30_000,
        timeoutDuration: bearer.jwksTimeoutMs ?? 5_000,
      });
    }
    else if (bearer.jwksFile) keys = createLocalJWKSet(JSON.parse(readFileSync(resolve(baseDir, bearer.jwksFile), 'utf8')));
    else throw new Error('auth.bearer needs jwksUrl or jwksFile');
  }
  const schemes = [users ? `Basic realm="${realm}"` : '', keys ? `Bearer realm="${realm}"` : ''].filter(Boolean);
  const unauthenticated = (message: string) =>
    new GatewayError(Code.UNAUTHENTICATED, message, { reason: GatewayReason.UNAUTHENTICATED, httpStatus: 401 });

  return {
    challenge: schemes.join(', '),
    async authenticate(authorization) {
      if (!authorization) throw unauthenticated('credentials are required');
      const space = authorization.indexOf(' ');
      const scheme = authorization.slice(0, space).toLowerCase();
      const value = authorization.slice(space + 1).trim();
      if (scheme === 'basic' && users) {
        const decoded = Buffer.from(value, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        const name = decoded.slice(0, colon);
        const user = colon > 0 ? users.get(name) : undefined;
        // Unknown users cost a hash too, so timing does not tell which names exist.
        const ok = await verifyPassword(decoded.slice(colon + 1), user?.hash ?? DUMMY_HASH);
        if (!user || !ok) throw unauthenticated('invalid credentials');
        return { name, roles: user.roles };
      }
      if (scheme === 'bearer' && keys && bearer) {
        try {
          const { payload } = await jwtVerify(value, keys, { issuer: bearer.issuer, audience: bearer.audience, clockTolerance: bearer.clockToleranceSec ?? 30 });
          return { name: String(payload.sub ?? ''), roles: rolesFromClaim(payload[bearer.rolesClaim ?? 'roles']) };
        } catch {
          throw unauthenticated('invalid token');
        }
      }
      throw unauthenticated('unsupported authentication scheme');
    },
    authorize(principal, namespace, role) {
      const held = principal.roles[namespace] ?? principal.roles['*'];
      if (!held || RANK[held] < RANK[role]) {
        throw new GatewayError(Code.PERMISSION_DENIED, `role '${role}' is required`, { reason: GatewayReason.FORBIDDEN, httpStatus: 403, metadata: { role, namespace } });
      }
    },
  };
}

const DUMMY_HASH = parsePasswordHash('scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');

function loadUsers(file: string): Map<string, UserEntry> {
  const doc = parse(readFileSync(file, 'utf8')) as { users?: { name?: unknown; password?: unknown; roles?: unknown }[] };
  const users = new Map<string, UserEntry>();
  for (const [i, u] of (doc?.users ?? []).entries()) {
    const where = `${file}: users[${i}]`;
    if (typeof u.name !== 'string' || u.name === '' || u.name.includes(':')) throw new Error(`${where}: 'name' must be a non-empty string without ':'`);
    if (typeof u.password !== 'string') throw new Error(`${where}: 'password' must be a scrypt hash`);
    let hash;
    try {
      hash = parsePasswordHash(u.password);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`);
    }
    users.set(u.name, { hash, roles: rolesFromMap(u.roles, where) });
  }
  return users;
}

function rolesFromMap(value: unknown, where: string): Record<string, Role> {
  if (typeof value === 'string' && value in RANK) return { '*': value as Role };
  const out: Record<string, Role> = {};
  if (value && typeof value === 'object') {
    for (const [ns, role] of Object.entries(value)) {
      if (typeof role !== 'string' || !(role in RANK)) throw new Error(`${where}: role '${String(role)}' of '${ns}' must be read, write or admin`);
      out[ns] = role as Role;
    }
    return out;
  }
  throw new Error(`${where}: 'roles' must be a role or a map of namespace to role`);
}

/** `["admin"]`, `["orders:write"]` or `{orders: write}` → namespace → highest role. */
function rolesFromClaim(claim: unknown): Record<string, Role> {
  const out: Record<string, Role> = {};
  const grant = (ns: string, role: string) => {
    if (role in RANK && (!out[ns] || RANK[out[ns]] < RANK[role as Role])) out[ns] = role as Role;
  };
  if (Array.isArray(claim)) {
    for (const item of claim) {
      if (typeof item !== 'string') continue;
      const colon = item.lastIndexOf(':');
      if (colon === -1) grant('*', item);
      else grant(item.slice(0, colon), item.slice(colon + 1));
    }
  } else if (typeof claim === 'string') grant('*', claim);
  else if (claim && typeof claim === 'object') for (const [ns, role] of Object.entries(claim)) if (typeof role === 'string') grant(ns, role);
  return out;
}
