/**
 * Binding and stopping a pattern's gRPC server (the registry's, the keyvalue's): the parts of a
 * pattern server that do not depend on what it serves.
 */
import * as grpc from '@grpc/grpc-js';

/**
 * grpc-js words a failed bind as "No address added out of total 1 resolved errors: [listen
 * EADDRINUSE: …]"; the operating system's reason inside the brackets is what helps.
 */
function bindFailure(message: string): string {
  return /errors: \[(.+)\]\s*$/s.exec(message)?.[1] ?? message;
}

/**
 * Binds `server` to `listen` (`host:port`, port 0 for an ephemeral one, or `unix:/path`);
 * resolves with the bound address.
 * @throws Error "cannot listen on …" with the operating system's reason; the server is shut down.
 */
export async function bindPatternServer(server: grpc.Server, listen: string, credentials: grpc.ServerCredentials | undefined): Promise<string> {
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(listen, credentials ?? grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (!err) return resolve(bound);
      server.forceShutdown();
      reject(new Error(`cannot listen on ${listen}: ${bindFailure(err.message)}`));
    });
  });
  // A Unix socket's address is the path asked for; grpc-js reports no port for it.
  if (listen.startsWith('unix:')) return listen;
  return `${listen.slice(0, listen.lastIndexOf(':'))}:${port}`;
}

/** Lets in-flight calls finish for up to `graceMs`, then cuts what is left. */
export function shutdownPatternServer(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
