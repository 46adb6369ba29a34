/**
 * A real grpc-js server for the client- and bidi-streaming fixture
 * (proto/prism/test/v1/conversation.proto) on a loopback socket. It records what each call
 * received, and when, so a test can tell that a message reached the backend before the client
 * finished sending.
 */
import * as grpc from '@grpc/grpc-js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';

export const CONVERSATION_PROTO = 'prism/test/v1/conversation.proto';
export const CONVERSATION_SERVICE = 'prism.test.v1.ConversationService';

interface Line {
  text: string;
  seq: number;
}

export interface ConversationServer {
  readonly address: string;
  /** Lines received, per method, in arrival order. */
  readonly received: { method: 'Chat' | 'Collect'; line: Line }[];
  /** Calls that ended by the client's cancellation. */
  cancelled: number;
  close(): Promise<void>;
}

export async function startConversationServer(): Promise<ConversationServer> {
  const service = loadProtoRoot([CONVERSATION_PROTO]).lookupService(CONVERSATION_SERVICE);
  const server = new grpc.Server();
  const state: ConversationServer = {
    address: '',
    received: [],
    cancelled: 0,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
  server.addService(createServiceDefinition(service), {
    Chat(call: grpc.ServerDuplexStream<Line, Line>) {
      let ended = false;
      call.on('cancelled', () => {
        if (!ended) state.cancelled++;
        ended = true;
      });
      call.on('data', (line: Line) => {
        if (ended) return;
        state.received.push({ method: 'Chat', line });
        if (line.text === 'fail') {
          ended = true;
          call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: `line ${line.seq} asked to fail` });
          return;
        }
        call.write({ text: line.text.toUpperCase(), seq: line.seq });
      });
      call.on('end', () => {
        if (ended) return;
        ended = true;
        call.end();
      });
    },
    Collect(call: grpc.ServerReadableStream<Line, unknown>, cb: grpc.sendUnaryData<unknown>) {
      const lines: Line[] = [];
      call.on('cancelled', () => state.cancelled++);
      call.on('data', (line: Line) => {
        state.received.push({ method: 'Collect', line });
        lines.push(line);
      });
      call.on('end', () => cb(null, { count: lines.length, joined: lines.map((l) => l.text).join(' ') }));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return Object.assign(state, { address: `127.0.0.1:${port}` });
}
