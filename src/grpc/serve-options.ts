/**
 * The options every standalone pattern's `serve` command shares (`prism-registry serve`,
 * `prism-keyvalue serve`): the log level, and the listener's TLS under the exposure rule
 * (DESIGN.md §8, "Listeners and exposure"). A pattern's own port is not authenticated, so it
 * binds beyond loopback only with mutual TLS or when told `--insecure`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { isLoopbackHost, listenHost } from '../config/listener-exposure.js';

export const SERVE_LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A start that cannot go on: `message` goes to stderr as it is, the process exits with `code`. */
export class StartError extends Error {
  constructor(
    message: string,
    readonly code: 1 | 2,
  ) {
    super(message);
  }
}

/** The values `serve` reads here, as node:util's parseArgs gives them. */
export type ServeValues = Record<string, string | boolean | undefined>;

/** What a refusal to bind beyond loopback says about the service: who it is and what an outsider could do. */
export interface ExposureRisk {
  /** `the registry`, `the keyvalue service`. */
  readonly service: string;
  /** `change or delete every schema`. */
  readonly outsiderCould: string;
}

export interface ListenerCredentials {
  /** Absent for plaintext. */
  readonly credentials?: grpc.ServerCredentials;
  readonly tls: 'none' | 'tls' | 'mtls';
}

/**
 * `--log-level`, else PRISM_LOG_LEVEL, else info.
 * @throws StartError (exit 2) for a level pino does not know.
 */
export function serveLogLevel(values: ServeValues): string {
  const level = (values['log-level'] as string | undefined) ?? process.env.PRISM_LOG_LEVEL ?? 'info';
  if (!SERVE_LOG_LEVELS.includes(level)) throw new StartError(`--log-level must be one of ${SERVE_LOG_LEVELS.join(', ')}, not '${level}'`, 2);
  return level;
}

/**
 * The listener's credentials from `--listen`, `--tls-cert`, `--tls-key`, `--client-ca` and
 * `--insecure`, under the exposure rule.
 * @throws StartError (exit 2) naming what is wrong and what to write instead.
 */
export function listenerCredentials(values: ServeValues, risk: ExposureRisk): ListenerCredentials {
  const listen = values.listen as string;
  const certFile = values['tls-cert'] as string | undefined;
  const keyFile = values['tls-key'] as string | undefined;
  const caFile = values['client-ca'] as string | undefined;
  if ((certFile === undefined) !== (keyFile === undefined)) throw new StartError('--tls-cert and --tls-key go together', 2);
  if (caFile !== undefined && certFile === undefined) throw new StartError('--client-ca needs --tls-cert and --tls-key (clients are verified during the TLS handshake)', 2);
  const tls = certFile === undefined ? 'none' : caFile === undefined ? 'tls' : 'mtls';
  const host = listenHost(listen);
  // A Unix socket (no host) is reached through the file system, guarded by its permissions.
  if (host !== undefined && !isLoopbackHost(host) && tls !== 'mtls' && values.insecure !== true) {
    throw new StartError(
      `refusing to listen on ${listen}: ${risk.service} does not authenticate callers, so anyone who reaches ${host} could ${risk.outsiderCould}. ` +
        'Give --tls-cert, --tls-key and --client-ca (mutual TLS: only clients with a certificate from that CA get in), ' +
        'listen on 127.0.0.1 behind the gateway, or pass --insecure if the network itself is trusted',
      2,
    );
  }
  if (certFile === undefined || keyFile === undefined) return { tls };
  const read = (option: string, file: string) => {
    try {
      return readFileSync(resolve(file));
    } catch (err) {
      throw new StartError(`${option} ${file}: ${(err as Error).message}`, 2);
    }
  };
  const pair = { cert_chain: read('--tls-cert', certFile), private_key: read('--tls-key', keyFile) };
  const ca = caFile === undefined ? null : read('--client-ca', caFile);
  try {
    // checkClientCertificate: a client without a certificate signed by the CA fails the handshake.
    return { credentials: grpc.ServerCredentials.createSsl(ca, [pair], ca !== null), tls };
  } catch (err) {
    throw new StartError(`cannot use the TLS files: ${(err as Error).message}`, 2);
  }
}

/** How the start line names the listener's TLS: nothing, `, TLS` or `, mutual TLS`. */
export function tlsSuffix(tls: ListenerCredentials['tls']): string {
  return tls === 'none' ? '' : `, ${tls === 'mtls' ? 'mutual TLS' : 'TLS'}`;
}

/**
 * grpc-js writes its own diagnostics to stderr (a failed bind printed "E No address added out of
 * total 1 resolved" before the command's own message). They go to the JSON log at debug level
 * instead: whatever matters is reported by the command in its own words.
 */
export function routeGrpcLogs(log: Logger): void {
  grpc.setLogger({ error: (...args: unknown[]) => log.debug({ source: 'grpc-js' }, args.map(String).join(' ')) });
}
