/**
 * The OpenAPI frontend example in one command: starts the to-do gRPC service of examples/todo/,
 * then Prism Gateway with examples/openapi-frontend/gateway.yaml (whose frontend is the OpenAPI
 * document todo.openapi.yaml) in front of it, and stops both on Ctrl-C (or SIGTERM).
 *
 *   npx tsx examples/openapi-frontend/run.ts [--port 8091] [--todo-listen 127.0.0.1:50062] [--log-level info]
 *
 * Prints `openapi example ready: <url>` once both serve (examples/todo/run-todo-stack.ts).
 */
import { join } from 'node:path';
import { runTodoStack } from '../todo/run-todo-stack.js';

await runTodoStack(join(import.meta.dirname, 'gateway.yaml'), 'openapi');
