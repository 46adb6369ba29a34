/**
 * TLS material from the config's file paths (relative to the config file): HTTPS options for
 * listeners, with optional client-certificate verification, gRPC server credentials for the
 * passthrough listener, and gRPC channel credentials (TLS, or mTLS with a client certificate)
 * for backends.
 */
import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { TlsConfig } from '../config/gateway-config.js';

const read = (baseDir: string, file: string | undefined) => (file === undefined ? undefined : readFileSync(resolve(baseDir, file)));

/** @throws Error when a listener's TLS names no certificate and key, or a file cannot be read. */
export function httpsOptions(tls: TlsConfig | undefined, baseDir: string): ServerOptions | undefined {
  if (!tls) return undefined;
  if (!tls.certFile || !tls.keyFile) throw new Error('listener tls needs certFile and keyFile');
  return {
    cert: read(baseDir, tls.certFile),
    key: read(baseDir, tls.keyFile),
    ca: read(baseDir, tls.caFile),
    requestCert: tls.clientCertificates !== undefined,
    rejectUnauthorized: tls.clientCertificates === 'require',
  };
}

/**
 * The gRPC listener's TLS. grpc-js either requires a client certificate signed by caFile or
 * asks for none, so `clientCertificates: request` verifies nothing here.
 * @throws Error when it names no certificate and key, or a file cannot be read.
 */
export function grpcServerCredentials(tls: TlsConfig | undefined, baseDir: string): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  if (!tls.certFile || !tls.keyFile) throw new Error('listener tls needs certFile and keyFile');
  const verify = tls.clientCertificates === 'require';
  if (verify && !tls.caFile) throw new Error('listener tls: clientCertificates require needs caFile');
  return grpc.ServerCredentials.createSsl(verify ? read(baseDir, tls.caFile)! : null, [{ cert_chain: read(baseDir, tls.certFile)!, private_key: read(baseDir, tls.keyFile)! }], verify);
}

export function channelCredentials(tls: TlsConfig | undefined, baseDir: string): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  const key = read(baseDir, tls.keyFile);
  const cert = read(baseDir, tls.certFile);
  return grpc.credentials.createSsl(read(baseDir, tls.caFile) ?? null, key ?? null, cert ?? null);
}
