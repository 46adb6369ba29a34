/**
 * What the `frontend` command presents to a gateway's admin listener: an Authorization
 * header (basic from `--user`, bearer from `--token`, or their environment variables) and,
 * for `https` admin URLs, the CA to trust and an optional client certificate. Resolved once,
 * before any request, so a usage mistake is reported without touching the network.
 */
import { readFileSync } from 'node:fs';

export interface AdminCredentialInputs {
  user?: string;
  token?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface AdminCredentials {
  /** The Authorization header value, when credentials were given. */
  readonly authorization?: string;
  /** Who the credentials name, for messages (`user 'ops'`, `the token`). */
  readonly who?: string;
  /** TLS options for node:https (`ca`, `cert`, `key`). */
  readonly tls: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

/** A usage mistake in the credential options (exit 2). */
export class AdminCredentialsError extends Error {
  override readonly name = 'AdminCredentialsError';
}

/**
 * Flags win over the environment: `--user` over PRISM_ADMIN_USER, `--token` over
 * PRISM_ADMIN_TOKEN, `--ca-file` over PRISM_ADMIN_CA (and `--cert-file`/`--key-file` over
 * PRISM_ADMIN_CERT/PRISM_ADMIN_KEY). A user without `:PASSWORD` takes PRISM_ADMIN_PASSWORD,
 * so the password need not appear in the process list or shell history.
 * @throws AdminCredentialsError when both a user and a token are given, a user has no
 *   password, TLS files are given for an http URL, or a file cannot be read.
 */
export function resolveAdminCredentials(admin: URL, flags: AdminCredentialInputs, env: NodeJS.ProcessEnv = process.env): AdminCredentials {
  const user = flags.user ?? (flags.token === undefined ? env.PRISM_ADMIN_USER : undefined);
  const token = flags.token ?? (flags.user === undefined ? env.PRISM_ADMIN_TOKEN : undefined);
  if (user !== undefined && token !== undefined) throw new AdminCredentialsError('give either --user or --token, not both');
  let authorization: string | undefined;
  let who: string | undefined;
  if (user !== undefined) {
    const colon = user.indexOf(':');
    const name = colon === -1 ? user : user.slice(0, colon);
    const password = colon === -1 ? env.PRISM_ADMIN_PASSWORD : user.slice(colon + 1);
    if (name === '') throw new AdminCredentialsError('--user needs a user name: --user NAME:PASSWORD, or --user NAME with PRISM_ADMIN_PASSWORD');
    if (password === undefined || password === '') throw new AdminCredentialsError(`no password for user '${name}': --user ${name}:PASSWORD, or set PRISM_ADMIN_PASSWORD`);
    // RFC 7617 §2: user-id ":" password, base64 of its UTF-8 bytes.
    authorization = `Basic ${Buffer.from(`${name}:${password}`, 'utf8').toString('base64')}`;
    who = `user '${name}'`;
  } else if (token !== undefined) {
    if (token.trim() === '') throw new AdminCredentialsError('--token is empty');
    authorization = `Bearer ${token.trim()}`;
    who = 'the token';
  }
  const caFile = flags.caFile ?? env.PRISM_ADMIN_CA;
  const certFile = flags.certFile ?? env.PRISM_ADMIN_CERT;
  const keyFile = flags.keyFile ?? env.PRISM_ADMIN_KEY;
  const https = admin.protocol === 'https:';
  if (!https && (flags.caFile ?? flags.certFile ?? flags.keyFile) !== undefined) {
    throw new AdminCredentialsError(`--ca-file, --cert-file and --key-file apply to https admin URLs, not ${admin.origin}`);
  }
  if ((certFile === undefined) !== (keyFile === undefined)) throw new AdminCredentialsError('a client certificate needs both --cert-file and --key-file');
  const tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  if (https) {
    if (caFile !== undefined) tls.ca = readTlsFile(caFile, 'CA');
    if (certFile !== undefined) tls.cert = readTlsFile(certFile, 'client certificate');
    if (keyFile !== undefined) tls.key = readTlsFile(keyFile, 'client key');
  }
  return { authorization, who, tls };
}

function readTlsFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new AdminCredentialsError(`cannot read the ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

