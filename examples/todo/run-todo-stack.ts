/**
 * Starts the to-do gRPC service and a Prism Gateway in front of it from a gateway config whose
 * first namespace targets the service, and stops both on Ctrl-C (or SIGTERM). Shared by the
 * examples that put a frontend in front of the to-do service (examples/todo, examples/openapi-frontend).
 *
 * Options: [--port N] [--todo-listen HOST:PORT] [--log-level L]. Port 0 picks a free port (for
 * either); the gateway is then pointed at wherever the service really listens. It prints
 * `<name> example ready: <url>` once both serve. The gateway's data dir (its admin store) is a
 * temporary folder removed at exit: the example keeps nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadGatewayConfig, type LoadedConfig } from '../../src/config/gateway-config.js';
import { startGateway } from '../../src/start-gateway.js';
import { startTodoServer } from './todo-server.js';

export async function runTodoStack(configFile: string, name: string): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'todo-listen': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
    },
  });

  const loaded = loadGatewayConfig(configFile);
  const namespace = loaded.config.namespaces[0];
  const todo = await startTodoServer(values['todo-listen'] ?? namespace.pattern.target);
  // The config names the service's usual address; point it at the one actually bound.
  const config: LoadedConfig = {
    ...loaded,
    config: { ...loaded.config, namespaces: [{ ...namespace, pattern: { ...namespace.pattern, target: todo.address } }] },
  };
  const dataDir = mkdtempSync(join(tmpdir(), `prism-${name}-`));
  let gateway;
  try {
    gateway = await startGateway(config, {
      port: values.port === undefined ? undefined : Number(values.port),
      dataDir,
      logger: { level: values['log-level'] },
    });
  } catch (err) {
    await todo.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  process.stdout.write(`todo service on ${todo.address}\n${name} example ready: ${gateway.url}\n`);

  const running = gateway;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await running.close();
    await todo.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
