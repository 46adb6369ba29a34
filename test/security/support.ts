/**
 * Shared pieces of the security suites: the Confluent stack (embedded registry, SQLite) with
 * auth switched on — a users file with scrypt hashes made by hashPassword, and a JWKS file
 * with a fresh ES256 key — plus token signing, log capture, test certificates made with
 * openssl, and an HTTPS request that presents (or not) a client certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { stringify } from 'yaml';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { hashPassword } from '../../src/security/password-hash.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const CONFLUENT_FRONTEND = join(REPO_ROOT, 'examples/confluent-schema-registry/frontend.yaml');
export const ISSUER = 'https://issuer.prism.test';
export const AUDIENCE = 'prism-gateway';
export const REALM = 'prism-test';

export const USERS = {
  reader: { password: 'reader-secret-Q1', roles: 'read' },
  writer: { password: 'writer-secret-W2', roles: { default: 'write' } },
  admin: { password: 'admin-secret-A3', roles: 'admin' },
  elsewhere: { password: 'elsewhere-secret-E4', roles: { other: 'admin' } },
} as const;
export type UserName = keyof typeof USERS;

export const basic = (name: string, password: string) => `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
export const as = (name: UserName) => basic(name, USERS[name].password);

export interface SecureStack {
  readonly gateway: RunningGateway;
  readonly url: string;
  readonly adminUrl: string;
  /** Signs a token with the key of the JWKS file (or another key with `foreignKey`). */
  token(claims: JWTPayload, options?: { issuer?: string; audience?: string; expiresAt?: number; foreignKey?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export async function startSecureStack(options: { logger?: object; config?: Record<string, unknown> } = {}): Promise<SecureStack> {
  const dir = mkdtempSync(join(tmpdir(), 'prism-sec-'));
  const users = await Promise.all(Object.entries(USERS).map(async ([name, u]) => ({ name, password: await hashPassword(u.password), roles: u.roles })));
  writeFileSync(join(dir, 'users.yaml'), stringify({ users }));
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const foreign = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }));
  writeFileSync(
    join(dir, 'gateway.yaml'),
    stringify({
      ...(options.config ?? {}),
      auth: { realm: REALM, basic: { usersFile: 'users.yaml' }, bearer: { jwksFile: 'jwks.json', issuer: ISSUER, audience: AUDIENCE, clockToleranceSec: 5 } },
      backends: [{ name: 'store', type: 'SQLITE', config: { path: 'registry.db' } }],
      namespaces: [{ name: 'default', pattern: { embedded: 'patterns/registry', slots: { storage: 'store' } }, frontends: [{ file: CONFLUENT_FRONTEND }] }],
    }),
  );
  const gateway = await startGateway(loadGatewayConfig(join(dir, 'gateway.yaml')), { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), logger: (options.logger ?? false) as false });
  return {
    gateway,
    url: gateway.url,
    adminUrl: gateway.adminUrl!,
    token: async (claims, o = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
        .setIssuer(o.issuer ?? ISSUER)
        .setAudience(o.audience ?? AUDIENCE)
        .setIssuedAt(now - 60)
        .setExpirationTime(o.expiresAt ?? now + 300)
        .sign(o.foreignKey ? foreign.privateKey : privateKey);
    },
    close: async () => {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A pino destination that keeps every line written to it. */
export function captureLog(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
  json(): unknown;
}

export async function call(url: string, init: { method?: string; body?: unknown; authorization?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.authorization) headers.authorization = init.authorization;
  if (init.body !== undefined) headers['content-type'] = 'application/vnd.schemaregistry.v1+json';
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) as unknown };
}

export const schema = (name: string) => JSON.stringify({ type: 'record', name, fields: [{ name: 'f', type: 'int' }] });

/**
 * Test certificates, made with openssl in `dir`: a CA (`ca.crt`), a server certificate for
 * 127.0.0.1/localhost and a client certificate (`CN=client`) signed by it, and a self-signed
 * `rogue` certificate, i.e. one from another CA. Each as `<name>.crt` + `<name>.key`.
 */
export function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=prism test CA');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [name, ext] of [['server', ['-extfile', 'server.ext']], ['client', []]] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', ...ext);
  }
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rogue.key', '-out', 'rogue.crt', '-days', '1', '-subj', '/CN=rogue');
}

/** `{cert, key}` of one of makeCertificates' pairs, for node:https or grpc-js. */
export function keyPair(dir: string, name: 'server' | 'client' | 'rogue'): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(join(dir, `${name}.crt`)), key: readFileSync(join(dir, `${name}.key`)) };
}

/**
 * One HTTPS request with the given TLS options (`ca` to trust the server, `cert` + `key` to
 * present a client certificate). Rejects when the TLS handshake or the connection fails, and
 * after 10 s without an answer (a hang is a failure).
 */
export function httpsCall(
  url: string,
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer },
  init: { method?: string; authorization?: string; body?: string; contentType?: string } = {},
): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((done, fail) => {
    const headers: Record<string, string> = {};
    if (init.authorization) headers.authorization = init.authorization;
    if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
    // agent: false, so each call makes its own handshake (no session reused across identities).
    const req = httpsRequest(url, { ...tls, method: init.method ?? 'GET', headers, agent: false, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, text, headers: res.headers }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.end(init.body);
  });
}
