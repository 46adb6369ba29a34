/**
 * The OpenAPI frontend example in one command: starts the to-do gRPC service of examples/todo/,
 * then Prism Gateway with examples/openapi-frontend/gateway.yaml (whose frontend is the OpenAPI
 * document todo.openapi.yaml) in front of it, and stops both on Ctrl-C (or SIGTERM).
 *
 *   npx tsx examples/openapi-frontend/run.ts [--port 8091] [--todo-listen 127.0.0.1:50062] [--log-level info]
 *
 * Port 0 picks a free port (for either). It prints `openapi example ready: <url>` once both
 * serve. The gateway's data dir is a temporary folder removed at exit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadGatewayConfig, type LoadedConfig } from '../../src/config/gateway-config.js';
import { startGateway } from '../../src/start-gateway.js';
import { startTodoServer } from '../todo/todo-server.js';

const CONFIG = join(import.meta.dirname, 'gateway.yaml');

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'todo-listen': { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
  },
});

const loaded = loadGatewayConfig(CONFIG);
const namespace = loaded.config.namespaces[0];
const todo = await startTodoServer(values['todo-listen'] ?? namespace.pattern.target);
// The config names the service's usual address; point it at the one actually bound.
const config: LoadedConfig = {
  ...loaded,
  config: { ...loaded.config, namespaces: [{ ...namespace, pattern: { ...namespace.pattern, target: todo.address } }] },
};
const dataDir = mkdtempSync(join(tmpdir(), 'prism-openapi-'));
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
process.stdout.write(`todo service on ${todo.address}\nopenapi example ready: ${gateway.url}\n`);

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
