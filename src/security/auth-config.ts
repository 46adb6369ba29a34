/**
 * The `auth:` section of the gateway config, declared once: the TypeBox schema the config
 * loader checks and the types the authenticator reads (`Static<>` of the same schema).
 */
import { Type, type Static } from '@sinclair/typebox';

/** Roles, ordered: each includes the ones before it. */
export type Role = 'read' | 'write' | 'admin';

const count = (minimum: number, description: string) => Type.Optional(Type.Integer({ minimum, description }));

export const BasicAuthLimitsSchema = Type.Object(
  {
    cacheEntries: count(0, 'Verified credentials remembered (LRU).'),
    cacheTtlMs: count(0, 'How long a verified credential is trusted without scrypt.'),
    failureBurst: count(1, 'Failed attempts one address may make in a row...'),
    failureRefillMs: count(1, '...and then one more every this long.'),
    trackedAddresses: count(1, 'Addresses whose failures are tracked.'),
    concurrentVerifications: count(1, 'scrypt verifications running at once.'),
    verificationsPerAddress: count(1, 'Distinct credentials one address may have being verified (running or waiting).'),
    queuedVerifications: count(1, 'Attempts waiting in all.'),
  },
  { additionalProperties: false, description: 'Tune the credential cache and the failed-attempt limiter (BASIC_AUTH_DEFAULTS).' },
);
/** The limits of basic auth; each has a default (BASIC_AUTH_DEFAULTS). */
export type BasicAuthLimits = Required<Static<typeof BasicAuthLimitsSchema>>;

export const AuthConfigSchema = Type.Object(
  {
    realm: Type.Optional(Type.String({ description: 'Realm announced in WWW-Authenticate.' })),
    basic: Type.Optional(
      Type.Object({ usersFile: Type.String(), limits: Type.Optional(BasicAuthLimitsSchema) }, { additionalProperties: false }),
    ),
    bearer: Type.Optional(
      Type.Object(
        {
          jwksUrl: Type.Optional(Type.String()),
          jwksFile: Type.Optional(Type.String()),
          issuer: Type.Optional(Type.String()),
          audience: Type.Optional(Type.String()),
          clockToleranceSec: Type.Optional(Type.Integer({ minimum: 0 })),
          rolesClaim: Type.Optional(Type.String({ description: 'Claim with the roles: a list of `role` or `namespace:role` strings (default `roles`).' })),
          jwksCacheMaxAgeMs: Type.Optional(Type.Integer({ minimum: 100, description: 'How long a fetched JWKS is trusted (default 10 minutes).' })),
          jwksCooldownMs: Type.Optional(Type.Integer({ minimum: 100, description: 'A token with an unknown key id refetches the JWKS at most this often (default 30 s).' })),
          jwksTimeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: 'A JWKS fetch gives up after this long; its tokens get 401 (default 5 s).' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'Authentication and roles; off when absent.' },
);
/** Authentication: basic (users file, scrypt) and/or bearer (JWT against a JWKS). */
export type AuthConfig = Static<typeof AuthConfigSchema>;
