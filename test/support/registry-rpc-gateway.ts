/**
 * A real gateway for the RPC client tests: started from a config file (written to a temporary
 * folder) with the embedded registry pattern on SQLite, the Confluent frontend bound to the
 * namespace, and `grpcWeb: true`, so gRPC-Web and Connect are served at
 * `/prism.patterns.registry.v1.Registry/{Method}` on the public listener (DESIGN.md §8).
 * Auth (basic, from a users file) and CORS are switched on when asked.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { CorsConfig } from '../../src/config/gateway-config.js';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { hashPassword } from '../../src/security/password-hash.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';
import { tempDir } from './temp-dir.js';

const CONFLUENT_FRONTEND = resolve(import.meta.dirname, '../../examples/confluent-schema-registry/frontend.yaml');

/** A basic-auth user: its password and its roles (`read`, or per namespace `{ default: 'write' }`). */
export interface RpcUser {
  readonly password: string;
  readonly roles: string | Record<string, string>;
}

export interface RegistryRpcGatewayOptions {
  /** Users of basic auth; auth is off when absent. */
  readonly users?: Record<string, RpcUser>;
  /** `http.cors` of the config; CORS is off when absent. */
  readonly cors?: CorsConfig;
}

export interface RegistryRpcGateway {
  /** `http://127.0.0.1:port`: the base URL for connect-es transports. */
  readonly url: string;
  readonly gateway: RunningGateway;
  close(): Promise<void>;
}

/** `Basic …` for `name:password`. */
export const basicAuth = (name: string, password: string): string => `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;

/**
 * Writes the config and starts the gateway on an ephemeral loopback port.
 *
 * @throws whatever loading the config or starting the gateway throws (the folder is removed).
 */
export async function startRegistryRpcGateway(options: RegistryRpcGatewayOptions = {}): Promise<RegistryRpcGateway> {
  const dir = tempDir('rpc-gateway');
  try {
    const config: Record<string, unknown> = {
      http: { host: '127.0.0.1', port: 0, ...(options.cors ? { cors: options.cors } : {}) },
      backends: [{ name: 'store', type: 'SQLITE', config: { path: 'registry.db' } }],
      namespaces: [
        {
          name: 'default',
          grpcWeb: true,
          pattern: { embedded: 'patterns/registry', slots: { storage: 'store' } },
          frontends: [{ file: CONFLUENT_FRONTEND }],
        },
      ],
    };
    if (options.users) {
      const users = await Promise.all(Object.entries(options.users).map(async ([name, u]) => ({ name, password: await hashPassword(u.password), roles: u.roles })));
      writeFileSync(join(dir.path, 'users.yaml'), stringify({ users }));
      config.auth = { realm: 'prism-rpc-test', basic: { usersFile: 'users.yaml' } };
    }
    const file = join(dir.path, 'gateway.yaml');
    writeFileSync(file, stringify(config));
    const gateway = await startGateway(loadGatewayConfig(file), { host: '127.0.0.1', port: 0, dataDir: join(dir.path, 'data'), logger: false });
    return {
      url: gateway.url,
      gateway,
      close: async () => {
        try {
          await gateway.close();
        } finally {
          dir.remove();
        }
      },
    };
  } catch (err) {
    dir.remove();
    throw err;
  }
}
