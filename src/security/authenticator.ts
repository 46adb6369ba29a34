/**
 * Who is calling, and may they? Basic credentials (users file, scrypt hashes) and bearer
 * tokens (JWT checked with jose against a JWKS URL or file: signature, issuer, audience,
 * expiry with clock skew) both yield a principal with a role per namespace. Roles are ordered
 * read < write < admin. Credentials and tokens are never logged.
 *
 * Basic auth is built so that scrypt's cost (tens of ms of CPU, on purpose) is paid rarely
 * and never on the event loop: verified credentials are cached briefly (credential-cache.ts),
 * identical attempts already being verified wait for that verification instead of starting
 * another, failed attempts are limited per client address (failure-limiter.ts), verifications
 * run on the libuv pool a few at a time and in turn per address (verification-gate.ts), and the
 * users file is followed on disk and on SIGHUP (users-file.ts), which also clears the cache.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { Code, GatewayError, GatewayReason } from '../core/gateway-error.js';
import type { AuthConfig, BasicAuthLimits, Role } from './auth-config.js';
import { createCredentialCache, CREDENTIAL_CACHE_DEFAULTS } from './credential-cache.js';
import { createFailureLimiter, FAILURE_LIMITER_DEFAULTS } from './failure-limiter.js';
import { addressKey } from './network-address.js';
import { parsePasswordHash, verifyPassword } from './password-hash.js';
import { openUsersFile, type UsersFileLog } from './users-file.js';
import { createVerificationGate, VERIFICATION_GATE_DEFAULTS } from './verification-gate.js';

// The config's auth section and its limits are declared (schema and type) in auth-config.ts.
export type { AuthConfig, BasicAuthLimits, Role } from './auth-config.js';

const RANK: Record<Role, number> = { read: 1, write: 2, admin: 3 };
export const ROLES = Object.keys(RANK) as Role[];

export interface Principal {
  readonly name: string;
  /** Namespace (or `*`) → role. */
  readonly roles: Readonly<Record<string, Role>>;
}

export interface Authenticator {
  /**
   * The principal behind a request's Authorization header. `clientAddress` (the peer's IP)
   * is what failed basic attempts are counted by; without it they share one bucket.
   * @throws GatewayError UNAUTHENTICATED (missing or bad credentials);
   *   RESOURCE_EXHAUSTED with reason AUTH_RATE_LIMITED and metadata `retryAfterSeconds`
   *   (too many failed attempts from this address, or too many verifications waiting).
   */
  authenticate(authorization: string | undefined, clientAddress?: string): Promise<Principal>;
  /** @throws GatewayError PERMISSION_DENIED when the principal's role in `namespace` is below `role`. */
  authorize(principal: Principal, namespace: string, role: Role): void;
  /** The WWW-Authenticate challenge for 401 answers. */
  readonly challenge: string;
  /** Stops following the users file. */
  close?(): void;
}

export const BASIC_AUTH_DEFAULTS: Readonly<BasicAuthLimits> = {
  cacheEntries: CREDENTIAL_CACHE_DEFAULTS.maxEntries,
  cacheTtlMs: CREDENTIAL_CACHE_DEFAULTS.ttlMs,
  failureBurst: FAILURE_LIMITER_DEFAULTS.burst,
  failureRefillMs: FAILURE_LIMITER_DEFAULTS.refillMs,
  trackedAddresses: FAILURE_LIMITER_DEFAULTS.maxAddresses,
  concurrentVerifications: VERIFICATION_GATE_DEFAULTS.concurrency,
  verificationsPerAddress: VERIFICATION_GATE_DEFAULTS.perAddress,
  queuedVerifications: VERIFICATION_GATE_DEFAULTS.maxQueued,
};

export interface AuthenticatorOptions {
  /** Where users-file reloads are logged (the gateway's logger). */
  log?: UsersFileLog;
  limits?: Partial<BasicAuthLimits>;
  /** Follow the users file on disk (default true; SIGHUP reloads either way). */
  watchUsersFile?: boolean;
  /** Called as each verification starts, scrypt or token signature (tests count them). */
  onVerify?: () => void;
  /** The clock of the cache and the limiter (tests). */
  now?: () => number;
}

/** @throws Error naming the file and entry that is wrong (at start, never per request). */
export function createAuthenticator(config: AuthConfig, baseDir: string, options: AuthenticatorOptions = {}): Authenticator {
  const realm = config.realm ?? 'prism';
  const limits = { ...BASIC_AUTH_DEFAULTS, ...config.basic?.limits, ...options.limits };
  const cache = createCredentialCache<Principal>({ maxEntries: limits.cacheEntries, ttlMs: limits.cacheTtlMs, now: options.now });
  const failures = createFailureLimiter({ burst: limits.failureBurst, refillMs: limits.failureRefillMs, maxAddresses: limits.trackedAddresses, now: options.now });
  const gate = createVerificationGate({ concurrency: limits.concurrentVerifications, perAddress: limits.verificationsPerAddress, maxQueued: limits.queuedVerifications });
  /**
   * Verifications under way, by credential key. A client (or every user behind one proxy) that
   * opens several connections at once sends the same credentials on each: they share one
   * scrypt and take one turn of the address's gate allowance, so only distinct credentials
   * count against it. `addresses` are charged one failure each if the credentials are wrong.
   */
  const inFlight = new Map<string, { readonly addresses: Set<string>; result?: Promise<Principal | undefined> }>();
  const users = config.basic
    ? openUsersFile(resolve(baseDir, config.basic.usersFile), {
        log: options.log,
        watch: options.watchUsersFile,
        // Attempts from now on are verified against the new users, never merged with older ones.
        onChange: () => {
          cache.clear();
          inFlight.clear();
        },
      })
    : undefined;
  /**
   * Verified bearer tokens, by the same keyed digest: a signature check per request would cost
   * more than the call it guards. An entry is trusted until the cache's TTL or the token's own
   * `exp` (with the clock tolerance jose allows), whichever comes first; a key removed from the
   * JWKS stops being trusted within that TTL, sooner than the remote key set's own cache.
   */
  const tokens = createCredentialCache<{ readonly principal: Principal; readonly expiresAtMs: number }>({
    maxEntries: limits.cacheEntries,
    ttlMs: limits.cacheTtlMs,
    now: options.now,
  });
  const now = options.now ?? Date.now;
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
    new GatewayError(Code.UNAUTHENTICATED, message, { reason: GatewayReason.UNAUTHENTICATED });
  const tooMany = (message: string, retryAfterMs: number) =>
    new GatewayError(Code.RESOURCE_EXHAUSTED, message, {
      reason: GatewayReason.AUTH_RATE_LIMITED,
      metadata: { retryAfterSeconds: String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
    });

  /**
   * Hot path of authenticated requests: a cache hit costs one HMAC. A miss is checked against
   * the address's failure budget before any hash runs; then it joins the same credentials'
   * verification if one is under way, or waits its turn at the gate for its own.
   */
  const basic = async (decoded: string, clientAddress: string | undefined): Promise<Principal> => {
    const colon = decoded.indexOf(':');
    // No name: nothing to look up, and nothing a timing difference could reveal.
    if (colon <= 0) throw unauthenticated('invalid credentials');
    const key = cache.key(decoded);
    const cached = cache.get(key);
    if (cached) return cached;
    const address = addressKey(clientAddress);
    const wait = failures.retryAfterMs(address);
    if (wait > 0) throw tooMany('too many failed authentication attempts; retry later', wait);
    let pending = inFlight.get(key);
    if (pending) pending.addresses.add(address);
    else {
      const turn = gate.admit(address);
      if (!turn) throw tooMany('too many authentication attempts in progress; retry later', 1_000);
      pending = { addresses: new Set([address]) };
      inFlight.set(key, pending);
      pending.result = verify(decoded, colon, key, turn, pending);
    }
    const principal = await pending.result;
    if (!principal) throw unauthenticated('invalid credentials');
    return principal;
  };

  /** One scrypt verification, shared by every attempt that joined it; undefined when refused. */
  const verify = async (
    decoded: string,
    colon: number,
    key: string,
    turn: Promise<() => void>,
    pending: { readonly addresses: Set<string> },
  ): Promise<Principal | undefined> => {
    try {
      const release = await turn;
      const generation = users!.generation;
      const name = decoded.slice(0, colon);
      const user = users!.current().get(name);
      let ok: boolean;
      try {
        options.onVerify?.();
        // Unknown users cost the same hash on the same pool, so timing does not tell which
        // names exist; node's scrypt is asynchronous and never runs on the event loop.
        ok = await verifyPassword(decoded.slice(colon + 1), user?.hash ?? DUMMY_HASH);
      } finally {
        release();
      }
      if (!user || !ok) {
        // One failure per address per distinct guess, however many connections carried it.
        for (const address of pending.addresses) failures.fail(address);
        return undefined;
      }
      const principal: Principal = { name, roles: user.roles };
      // A verification that raced a reload answers by the users it started with, once.
      if (users!.generation === generation) cache.set(key, principal);
      return principal;
    } finally {
      // Settled: later attempts read the cache, or verify again. A reload may have replaced the entry.
      if (inFlight.get(key) === pending) inFlight.delete(key);
    }
  };

  return {
    challenge: schemes.join(', '),
    async authenticate(authorization, clientAddress) {
      if (!authorization) throw unauthenticated('credentials are required');
      const space = authorization.indexOf(' ');
      const scheme = authorization.slice(0, space).toLowerCase();
      const value = authorization.slice(space + 1).trim();
      if (scheme === 'basic' && users) return basic(Buffer.from(value, 'base64').toString('utf8'), clientAddress);
      if (scheme === 'bearer' && keys && bearer) {
        const key = tokens.key(value);
        const hit = tokens.get(key);
        if (hit && now() < hit.expiresAtMs) return hit.principal;
        const toleranceSec = bearer.clockToleranceSec ?? 30;
        let payload: JWTPayload;
        try {
          options.onVerify?.();
          ({ payload } = await jwtVerify(value, keys, {
            issuer: bearer.issuer,
            audience: bearer.audience,
            clockTolerance: toleranceSec,
            // One clock for the cache and the claims (tests give one).
            currentDate: options.now && new Date(options.now()),
          }));
        } catch {
          throw unauthenticated('invalid token');
        }
        const principal: Principal = { name: String(payload.sub ?? ''), roles: rolesFromClaim(payload[bearer.rolesClaim ?? 'roles']) };
        const expiresAtMs = typeof payload.exp === 'number' ? (payload.exp + toleranceSec) * 1000 : Infinity;
        tokens.set(key, { principal, expiresAtMs });
        return principal;
      }
      throw unauthenticated('unsupported authentication scheme');
    },
    authorize(principal, namespace, role) {
      const held = principal.roles[namespace] ?? principal.roles['*'];
      if (!held || RANK[held] < RANK[role]) {
        throw new GatewayError(Code.PERMISSION_DENIED, `role '${role}' is required`, { reason: GatewayReason.FORBIDDEN, metadata: { role, namespace } });
      }
    },
    close() {
      users?.close();
    },
  };
}

const DUMMY_HASH = parsePasswordHash('scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');

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
