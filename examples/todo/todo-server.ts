/**
 * The to-do service as a gRPC server (@grpc/grpc-js, with protobufjs reading the proto at run
 * time, as Prism's own patterns do), over the in-memory store. Any gRPC server in any language
 * would do: the gateway only needs its address and its proto.
 *
 *   npx tsx examples/todo/todo-server.ts [--listen 127.0.0.1:50061]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { createHealthService } from '../../src/grpc/health-service.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { encodeStatusDetails, STATUS_DETAILS_KEY } from '../../src/grpc/rich-status.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';
import { createTodoStore, TodoError, type ListQuery, type Todo, type TodoEvent, type TodoStore } from './todo-store.js';

export const TODO_SERVICE = 'todo.v1.TodoService';
export const todoProtoFile = join(import.meta.dirname, 'proto/todo/v1/todo.proto');
/** The ErrorInfo domain of the service's errors. */
const DOMAIN = 'todo.example.com';

export interface RunningTodoServer {
  /** `host:port` it listens on. */
  readonly address: string;
  readonly store: TodoStore;
  close(): Promise<void>;
}

type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;

/** Runs `work` and answers with its result, or with the TodoError it threw as a rich status. */
function unary<Req, Res>(work: (request: Req) => Res): Unary<Req, Res> {
  return (call, callback) => {
    try {
      callback(null, work(call.request));
    } catch (err) {
      callback(statusOf(err));
    }
  };
}

function statusOf(err: unknown): Partial<grpc.StatusObject> {
  if (!(err instanceof TodoError)) return { code: grpc.status.INTERNAL, details: 'internal error' };
  const metadata = new grpc.Metadata();
  metadata.set(STATUS_DETAILS_KEY, encodeStatusDetails(err.code, err.message, { reason: err.reason, domain: DOMAIN, metadata: err.metadata }));
  return { code: err.code, details: err.message, metadata };
}

/**
 * Starts the service (and grpc.health.v1) on `listen` (`host:port`; port 0 picks one).
 * @throws Error when the address cannot be bound.
 */
export async function startTodoServer(listen = '127.0.0.1:50061'): Promise<RunningTodoServer> {
  const root = loadProtoRoot([todoProtoFile]);
  const store = createTodoStore();
  const server = new grpc.Server();
  const watchers = new Set<grpc.ServerWritableStream<unknown, TodoEvent>>();

  server.addService(createServiceDefinition(root.lookupService(TODO_SERVICE)), {
    CreateTodo: unary((r: { todo: Partial<Todo> | null; request_id: string }) => store.create(r.todo ?? {}, r.request_id)),
    GetTodo: unary((r: { id: string }) => store.get(r.id)),
    ListTodos: unary((r: ListQuery) => store.list(r)),
    UpdateTodo: unary((r: { todo: Partial<Todo> | null; update_mask: { paths: string[] } | null }) => store.update(r.todo ?? {}, r.update_mask?.paths ?? [])),
    DeleteTodo: unary((r: { id: string }) => {
      store.delete(r.id);
      return {};
    }),
    WatchTodos(call: grpc.ServerWritableStream<{ include_existing: boolean; priority: string }, TodoEvent>) {
      const wanted = (e: TodoEvent) => call.request.priority === 'PRIORITY_UNSPECIFIED' || e.todo.priority === call.request.priority;
      // The response headers go out first, so a client sees the stream open before any change.
      call.sendMetadata(new grpc.Metadata());
      if (call.request.include_existing) for (const e of store.existing()) if (wanted(e)) call.write(e);
      const stop = store.watch((e) => {
        if (wanted(e)) call.write(e);
      });
      watchers.add(call);
      call.on('cancelled', () => {
        stop();
        watchers.delete(call);
      });
    },
  });
  const health = createHealthService({ '': 'SERVING', [TODO_SERVICE]: 'SERVING' });
  server.addService(health.definition, health.implementation);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(listen, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  const address = `${listen.slice(0, listen.lastIndexOf(':'))}:${port}`;
  return {
    address,
    store,
    close: () =>
      new Promise<void>((resolve) => {
        health.shutdown();
        // Open watches never end on their own: end them so the shutdown can finish.
        for (const call of watchers) call.end();
        server.tryShutdown(() => resolve());
      }),
  };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({ options: { listen: { type: 'string', default: '127.0.0.1:50061' } } });
  const running = await startTodoServer(values.listen);
  console.log(`todo service listening on ${running.address}`);
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
