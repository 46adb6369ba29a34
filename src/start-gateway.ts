/**
 * Assembles a running gateway from a config: starts embedded patterns, opens one gRPC channel
 * per namespace, compiles every frontend into one route table and serves it over HTTP.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { LoadedConfig } from './config/gateway-config.js';
import { loadDefinitionFile } from './frontends/load-definition.js';
import { compileRouteTable, type FrontendBinding } from './routing/compile-route-table.js';
import { createHttpServer } from './routing/fastify-adapter.js';
import type { RouteTable } from './routing/route-table.js';
import { createTableHolder } from './routing/table-holder.js';
import { createGrpcUpstream, type Upstream } from './upstream/grpc-upstream.js';
import { loadPatternModule } from './upstream/load-pattern-module.js';
import type { BackendConfig, RunningPattern } from './upstream/pattern-module.js';

export interface GatewayOverrides {
  host?: string;
  port?: number;
  dataDir?: string;
  logger?: FastifyServerOptions['logger'];
}

export interface RunningGateway {
  /** `http://host:port` of the public listener. */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly table: RouteTable;
  readonly patterns: ReadonlyMap<string, RunningPattern>;
  /** Stops accepting, drains in-flight requests, closes channels and patterns. */
  close(): Promise<void>;
}

/** @throws ConfigError, DefinitionError or a start-up failure; anything started is stopped. */
export async function startGateway(loaded: LoadedConfig, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  const { config, baseDir } = loaded;
  // A --data-dir given on the command line is relative to where the command runs; one in the
  // config file to the config file's folder; the default is ./data where the command runs.
  const dataDir = overrides.dataDir !== undefined ? resolve(overrides.dataDir) : config.dataDir !== undefined ? resolve(baseDir, config.dataDir) : resolve('data');
  const backends = new Map((config.backends ?? []).map((b) => [b.name, { name: b.name, type: b.type, config: b.config ?? {} } as BackendConfig]));
  const patterns = new Map<string, RunningPattern>();
  const upstreams: Upstream[] = [];
  const closeAll = async () => {
    for (const u of upstreams) u.close();
    for (const p of patterns.values()) await p.close().catch(() => {});
  };

  try {
    const bindings: FrontendBinding[] = [];
    for (const ns of config.namespaces) {
      let target = ns.pattern.target;
      let protoFiles = (ns.pattern.protos ?? []).map((p) => resolve(baseDir, p));
      if (ns.pattern.embedded) {
        const module = await loadPatternModule(ns.pattern.embedded, baseDir);
        const slots: Record<string, BackendConfig> = {};
        for (const [slot, name] of Object.entries(ns.pattern.slots ?? {})) slots[slot] = backends.get(name)!;
        const nsDataDir = config.namespaces.length > 1 ? resolve(dataDir, ns.name) : dataDir;
        mkdirSync(nsDataDir, { recursive: true });
        const running = await module.startPattern({ listen: ns.pattern.listen ?? '127.0.0.1:0', slots, dataDir: nsDataDir });
        patterns.set(ns.name, running);
        target = running.address;
        protoFiles = [...protoFiles, ...running.protoFiles];
      }
      const upstream = createGrpcUpstream(target!);
      upstreams.push(upstream);
      for (const mount of ns.frontends) {
        for (const definition of loadDefinitionFile(resolve(baseDir, mount.file))) {
          bindings.push({ loaded: definition, upstream, pathPrefix: mount.pathPrefix, protoFiles, deadlineMs: ns.deadlineMs, forwardHeaders: ns.forwardHeaders });
        }
      }
    }
    const table = compileRouteTable(bindings);
    const app = createHttpServer({ tables: createTableHolder(table), bodyLimit: config.bodyLimit, logger: overrides.logger });
    const host = overrides.host ?? config.http?.host ?? '127.0.0.1';
    const port = overrides.port ?? config.http?.port ?? 8080;
    await app.listen({ host, port });
    const address = app.server.address();
    const boundPort = typeof address === 'object' && address ? address.port : port;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
    for (const [name, p] of patterns) app.log.info({ namespace: name, address: p.address }, 'embedded pattern listening (gRPC)');
    app.log.info({ url, routes: table.routes.length }, 'gateway listening (HTTP)');
    return {
      url,
      app,
      table,
      patterns,
      close: async () => {
        await app.close();
        await closeAll();
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
