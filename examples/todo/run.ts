/**
 * The to-do example in one command: starts the to-do gRPC service, then Prism Gateway with
 * examples/todo/gateway.yaml in front of it, and stops both on Ctrl-C (or SIGTERM).
 *
 *   npx tsx examples/todo/run.ts [--port 8090] [--todo-listen 127.0.0.1:50061] [--log-level info]
 *
 * Prints `todo example ready: <url>` once both serve (run-todo-stack.ts).
 */
import { join } from 'node:path';
import { runTodoStack } from './run-todo-stack.js';

await runTodoStack(join(import.meta.dirname, 'gateway.yaml'), 'todo');
