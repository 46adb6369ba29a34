/**
 * Issue #22, target 7, as an arm of the pinned scenario: the echo gateway with `auth` (a users
 * file for Basic, a JWKS file for Bearer JWTs), loaded once with a Basic header and once with a
 * Bearer token, beside the same gateway without auth. After a client's first request both
 * answer from the credential cache, which is what the target measures.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { BenchContext } from './lib/context.js';

export interface AuthSetup {
  /** Gateway config: the echo config plus `auth`. */
  readonly config: string;
  readonly basicHeader: string;
  readonly bearerHeader: string;
}

/** Writes the users file, the JWKS, and an auth copy of the pinned echo config beside it. */
export async function writeAuthConfig(ctx: BenchContext, echoConfig: string): Promise<AuthSetup> {
  const dir = dirname(echoConfig);
  // The private build's own hash function, so the users file is what `hash-password` writes.
  const { hashPassword } = (await import(pathToFileURL(ctx.dist('src/security/password-hash.js')).href)) as typeof import('../src/security/password-hash.js');
  const password = 'bench-password';
  writeFileSync(join(dir, 'users.yaml'), `users:\n  - name: bench\n    password: ${JSON.stringify(await hashPassword(password))}\n    roles: { '*': read }\n`);
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] }));
  const token = await new SignJWT({ roles: ['read'] }).setProtectedHeader({ alg: 'ES256', kid: 'bench' }).setSubject('bench').setIssuer('prism-bench').setAudience('prism').setIssuedAt().setExpirationTime('2h').sign(privateKey);
  const auth = `\nauth:\n  basic: { usersFile: ${JSON.stringify(join(dir, 'users.yaml'))} }\n  bearer: { jwksFile: ${JSON.stringify(join(dir, 'jwks.json'))}, issuer: prism-bench, audience: prism }\n`;
  const config = join(dir, 'gateway-auth.yaml');
  writeFileSync(config, readFileSync(echoConfig, 'utf8') + auth);
  return { config, basicHeader: `Basic ${Buffer.from(`bench:${password}`).toString('base64')}`, bearerHeader: `Bearer ${token}` };
}

/** wrk Lua that sends one Authorization header on every request. */
export const authLua = (header: string) => `wrk.headers["Authorization"] = ${JSON.stringify(header)}\n`;
