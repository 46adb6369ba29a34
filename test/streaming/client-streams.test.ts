/**
 * Client and bidi streaming from a definition compiled from YAML, end to end through the normal
 * start path: over a plain HTTP request (a body of JSON values, concatenated or one per line,
 * each one request message mapped by the body mappings; the answers framed as SSE or NDJSON by
 * content negotiation) and over WebSocket on the same route (the upgrade, a GET, reaches the
 * POST route). The backend is a real grpc-js server of conversation.proto. The suite "whose body
 * is still coming" needs the public routes to hand such bodies over unread (fastify-io.ts
 * streamingBodies as a preParsing hook).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import type { RunningGateway } from '../../src/start-gateway.js';
import { hashPassword } from '../../src/security/password-hash.js';
import { REPO_ROOT, startFromConfig, tempDir, writeConfig } from '../operations/support.js';
import { CONVERSATION_PROTO, startConversationServer, type ConversationServer } from './conversation-server.js';
import { waitFor } from '../support/wait-for.js';
import { connect } from './websocket-fixture.js';

const FRONTEND = `name: talk
type: REST
protos: [${CONVERSATION_PROTO}]
rest:
  service: prism.test.v1.ConversationService
  routes:
    - id: chat
      method: POST
      path: /chat
      grpc: Chat
      params:
        - { from: body.text, to: text }
        - { from: body.n, to: seq }
      response: { body: { object: { said: { from: response.text }, n: { from: response.seq } } } }
      stream: { websocket: true }
    - id: collect
      method: POST
      path: /collect
      grpc: Collect
      params:
        - { from: body.text, to: text }
      stream: { produces: [application/x-ndjson, text/event-stream] }
`;

let backend: ConversationServer;
let gateway: RunningGateway;
let dir: ReturnType<typeof tempDir>;

/** The same frontend on a gateway with Basic auth (`talker` may write). */
let guarded: RunningGateway;

before(async () => {
  backend = await startConversationServer();
  dir = tempDir('client-streams');
  const frontend = join(dir.path, 'talk.yaml');
  writeFileSync(frontend, FRONTEND);
  const namespaces = [{ name: 'talk', pattern: { target: backend.address, protos: [join(REPO_ROOT, 'proto', CONVERSATION_PROTO)] }, frontends: [{ file: frontend }] }];
  gateway = await startFromConfig(writeConfig(dir.path, { namespaces }), join(dir.path, 'data'));
  writeFileSync(join(dir.path, 'users.yaml'), JSON.stringify({ users: [{ name: 'talker', password: await hashPassword('talk-secret'), roles: { talk: 'write' } }] }));
  guarded = await startFromConfig(writeConfig(dir.path, { auth: { basic: { usersFile: 'users.yaml' } }, namespaces }, 'guarded.yaml'), join(dir.path, 'data-guarded'));
});
after(async () => {
  await guarded?.close();
  await gateway?.close();
  await backend?.close();
  dir?.remove();
});

async function post(path: string, body: string, accept?: string, contentType = 'application/json') {
  const res = await fetch(gateway.url + path, { method: 'POST', body, headers: { 'content-type': contentType, ...(accept ? { accept } : {}) } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('over a plain HTTP request', () => {
  test('bidi, NDJSON both ways: each line of the body is one message, each answer one line', async () => {
    const out = await post('/chat', '{"text":"a","n":1}\n{"text":"b","n":2}\n', 'application/x-ndjson', 'application/x-ndjson');
    assert.equal(out.status, 200);
    assert.equal(out.type, 'application/x-ndjson');
    assert.equal(out.text, '{"said":"A","n":1}\n{"said":"B","n":2}\n');
  });

  test('bidi, concatenated JSON values (no separator) answered as SSE, the default framing', async () => {
    const out = await post('/chat', '{"text":"x","n":7}{"text":"y { \\"}","n":8}  {"text":"z","n":9}');
    assert.equal(out.status, 200);
    assert.equal(out.type, 'text/event-stream');
    assert.equal(out.text, 'data: {"said":"X","n":7}\n\ndata: {"said":"Y { \\"}","n":8}\n\ndata: {"said":"Z","n":9}\n\nevent: end\ndata: {}\n\n');
  });

  test('client streaming: the single reply is one NDJSON line, or one SSE event before event: end', async () => {
    const ndjson = await post('/collect', '{"text":"one"}\n{"text":"two"}\n{"text":"three"}\n');
    assert.equal(ndjson.status, 200);
    assert.equal(ndjson.text, '{"count":3,"joined":"one two three"}\n');
    const sse = await post('/collect', '{"text":"solo"}', 'text/event-stream');
    assert.equal(sse.text, 'data: {"count":1,"joined":"solo"}\n\nevent: end\ndata: {}\n\n');
  });

  test('an empty body is a stream of no messages', async () => {
    const out = await post('/collect', '');
    assert.equal(out.status, 200);
    // Proto JSON omits the zero count.
    assert.equal(out.text, '{}\n');
  });

  test('a malformed value before the backend answered is an ordinary 400 through the error mapping; nothing half-sent is answered', async () => {
    const out = await post('/collect', '{"text":"fine"}\n{"text": nope}\n');
    assert.equal(out.status, 400);
    const body = JSON.parse(out.text) as { code: number; message: string; details: { reason: string }[] };
    assert.equal(body.code, 3);
    assert.equal(body.details[0]!.reason, 'MALFORMED_BODY');
    assert.match(body.message, /malformed JSON message/);
  });

  test('a value the body mappings cannot bind is a 400 as well (BINDING_TYPE)', async () => {
    const out = await post('/chat', '{"text":"a","n":"not a number"}', 'application/x-ndjson');
    assert.equal(out.status, 400);
    assert.equal((JSON.parse(out.text) as { details: { reason: string }[] }).details[0]!.reason, 'BINDING_TYPE');
  });

  test('a backend error after answers is in-stream: the answers, then the error line', async () => {
    const out = await post('/chat', '{"text":"ok","n":1}\n{"text":"fail","n":2}\n{"text":"late","n":3}\n', 'application/x-ndjson');
    assert.equal(out.status, 200);
    const lines = out.text.trim().split('\n');
    assert.equal(lines[0], '{"said":"OK","n":1}');
    assert.equal(lines.length, 2);
    const error = JSON.parse(lines[1]!) as { error: { code: number; message: string } };
    assert.equal(error.error.code, 3);
    assert.equal(error.error.message, 'line 2 asked to fail');
  });

  test('a body type the frontend does not consume is 415', async () => {
    const out = await post('/chat', 'a,b', 'application/x-ndjson', 'text/csv');
    assert.equal(out.status, 415);
  });
});

/**
 * A bidi request whose body is written a piece at a time (chunked): `converse` writes the first
 * piece, waits for what it expects, and so on; resolves with the whole answer once it ends.
 */
function chunkedChat(pieces: { write: string; thenSee: (answer: string) => boolean }[], last: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(gateway.url + '/chat', { method: 'POST', headers: { 'content-type': 'application/x-ndjson', accept: 'application/x-ndjson' } });
    req.on('error', reject);
    let answer = '';
    req.on('response', (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (answer += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: answer }));
    });
    void (async () => {
      for (const piece of pieces) {
        req.write(piece.write);
        await waitFor(() => piece.thenSee(answer), { what: `an answer after ${piece.write.trim()}` });
      }
      req.end(last);
    })().catch(reject);
  });
}

describe('over a plain HTTP request whose body is still coming', () => {
  test('each message reaches the backend, and its answer the client, before the rest of the body is sent', async () => {
    const out = await chunkedChat(
      [
        { write: '{"text":"first","n":1}\n', thenSee: (a) => a.includes('"FIRST"') },
        { write: '{"text":"sec', thenSee: () => backend.received.some((r) => r.line.text === 'first') },
        { write: 'ond","n":2}', thenSee: (a) => a.includes('"SECOND"') },
      ],
      '\n{"text":"third","n":3}\n',
    );
    assert.equal(out.status, 200);
    assert.equal(out.text, '{"said":"FIRST","n":1}\n{"said":"SECOND","n":2}\n{"said":"THIRD","n":3}\n');
  });

  test('a malformed value after the response headers left is an in-stream error line; nothing after it reaches the backend', async () => {
    const out = await chunkedChat([{ write: '{"text":"fine","n":1}\n', thenSee: (a) => a.includes('"FINE"') }], '{"text": oops}\n{"text":"never","n":3}\n');
    assert.equal(out.status, 200);
    const lines = out.text.trim().split('\n');
    assert.equal(lines[0], '{"said":"FINE","n":1}');
    assert.equal(lines.length, 2);
    const error = JSON.parse(lines[1]!) as { error: { code: number; details: { reason: string }[] } };
    assert.equal(error.error.code, 3);
    assert.equal(error.error.details[0]!.reason, 'MALFORMED_BODY');
    assert.ok(!backend.received.some((r) => r.line.text === 'never'));
  });
});

describe('the same bidi route over WebSocket', () => {
  test('each frame is one message, each answer one frame; {"$end":true} half-closes and the socket closes 1000', async () => {
    const socket = connect(gateway.url.replace(/^http/, 'ws') + '/chat');
    await socket.opened;
    socket.ws.send('{"text":"hello","n":1}');
    socket.ws.send('{"text":"again","n":2}');
    socket.ws.send('{"$end":true}');
    const out = await socket.closed;
    assert.deepEqual(out.frames, ['{"said":"HELLO","n":1}', '{"said":"AGAIN","n":2}']);
    assert.equal(out.code, 1000);
  });

  test('a backend error ends the socket with the error frame and close 4003', async () => {
    const socket = connect(gateway.url.replace(/^http/, 'ws') + '/chat');
    await socket.opened;
    socket.ws.send('{"text":"fail","n":5}');
    const out = await socket.closed;
    assert.equal(out.code, 4003);
    assert.equal((JSON.parse(out.frames.at(-1)!) as { error: { message: string } }).error.message, 'line 5 asked to fail');
  });

  test('a route with plain framings only refuses the upgrade in-stream', async () => {
    const out = await connect(gateway.url.replace(/^http/, 'ws') + '/collect').closed;
    assert.equal(out.code, 4012);
  });
});

describe('with auth on', () => {
  test('a stream request without credentials is a 401 with the WWW-Authenticate challenge, as on unary routes', async () => {
    const res = await fetch(guarded.url + '/chat', { method: 'POST', body: '{"text":"a","n":1}', headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    await res.text();
  });

  test('with credentials it streams', async () => {
    const authorization = `Basic ${Buffer.from('talker:talk-secret').toString('base64')}`;
    const res = await fetch(guarded.url + '/chat', { method: 'POST', body: '{"text":"a","n":1}', headers: { 'content-type': 'application/json', accept: 'application/x-ndjson', authorization } });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '{"said":"A","n":1}\n');
  });
});
