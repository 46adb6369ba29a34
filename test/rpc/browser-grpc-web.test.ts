/**
 * connect-es in a real browser: headless Chromium (test/support/browser.ts) loads a page from
 * ANOTHER origin (a small node:http server on its own port) whose script, bundled here with
 * esbuild, uses `@connectrpc/connect-web`'s gRPC-Web and Connect transports (Connect also with
 * `useHttpGet`, whose reads are simple GET requests sent without a preflight) to call the registry
 * through a gateway with `grpcWeb: true` and `http.cors.allowOrigins` naming that page's origin.
 * A unary call (with a registry error and its ErrorInfo, which gRPC-Web carries in response
 * headers the gateway must expose) and a server stream succeed; the same page served from an
 * origin that is not allowed cannot call at all (its preflight is refused, so its write never
 * reaches the registry).
 *
 * The client code is the committed, generated code under test/rpc/gen/ (see
 * connect-es-generated-code.test.ts).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { build } from 'esbuild';
import { Registry } from './gen/prism/patterns/registry/v1/registry_pb.js';
import { launchBrowser } from '../support/browser.js';
import { startRegistryRpcGateway } from '../support/registry-rpc-gateway.js';
import { useSuite } from '../support/use-suite.js';

/**
 * The page's script: `window.rpc` with one function per scenario, each answering plain JSON
 * (what `page.evaluate` can carry back); errors come back as data, not as thrown exceptions,
 * so a failure shows the ConnectError's code and message.
 */
const PAGE_SCRIPT = `
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-web';
import { ErrorInfoSchema } from './gen/google/rpc/error_details_pb.js';
import { ChangeKind, Registry } from './gen/prism/patterns/registry/v1/registry_pb.js';

const transports = {
  'grpc-web': (baseUrl) => createGrpcWebTransport({ baseUrl }),
  connect: (baseUrl) => createConnectTransport({ baseUrl }),
  // Reads as GET requests with no custom headers: simple requests, sent without a preflight.
  'connect-get': (baseUrl) => createConnectTransport({ baseUrl, useHttpGet: true }),
};
const clientFor = (protocol, baseUrl) => createClient(Registry, transports[protocol](baseUrl));

function describeError(err) {
  const e = ConnectError.from(err);
  return { code: Code[e.code], message: e.rawMessage, reasons: e.findDetails(ErrorInfoSchema).map((i) => i.reason) };
}

const schema = (name) => JSON.stringify({ type: 'record', name, fields: [] });

window.rpc = {
  async unary(protocol, baseUrl, subject) {
    try {
      const client = clientFor(protocol, baseUrl);
      const registered = await client.registerSchema({ subject, schema: schema('Page') });
      const read = await client.getSchemaVersion({ subject, version: 'latest' });
      let missing = null;
      try {
        await client.getSchemaVersion({ subject: subject + '-missing', version: '1' });
      } catch (err) {
        missing = describeError(err);
      }
      return { id: registered.id, version: registered.version, readId: read.id, readSubject: read.subject, missing };
    } catch (err) {
      return { error: describeError(err) };
    }
  },
  async read(protocol, baseUrl) {
    try {
      return { subjects: (await clientFor(protocol, baseUrl).listSubjects({})).subjects };
    } catch (err) {
      return { error: describeError(err) };
    }
  },
  async stream(protocol, baseUrl, prefix, count) {
    const controller = new AbortController();
    const seen = [];
    try {
      const client = clientFor(protocol, baseUrl);
      for (let i = 0; i < count; i++) await client.registerSchema({ subject: prefix + i, schema: schema('S' + i) });
      for await (const change of client.watchChanges({ subjectPrefix: prefix }, { signal: controller.signal, timeoutMs: 20000 })) {
        seen.push({ kind: ChangeKind[change.kind], subject: change.subject, sequence: String(change.sequence) });
        if (seen.length === count) break;
      }
      return { seen };
    } catch (err) {
      return { seen, error: describeError(err) };
    } finally {
      controller.abort();
    }
  },
};
window.rpcReady = true;
`;

/** The page's script bundled for the browser (connect-web and protobuf-es included). */
async function bundlePageScript(): Promise<string> {
  const result = await build({
    stdin: { contents: PAGE_SCRIPT, resolveDir: import.meta.dirname, sourcefile: 'page.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** A static server for the page and its script: a separate origin from the gateway's. */
async function startPageServer(script: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>rpc</title><script type="module" src="/page.js"></script>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface UnaryResult {
  id?: number;
  version?: number;
  readId?: number;
  readSubject?: string;
  missing?: { code: string; message: string; reasons: string[] } | null;
  error?: { code: string; message: string; reasons: string[] };
}

interface StreamResult {
  seen: { kind: string; subject: string; sequence: string }[];
  error?: { code: string; message: string; reasons: string[] };
}

type PageRpc = {
  unary(protocol: string, baseUrl: string, subject: string): Promise<UnaryResult>;
  read(protocol: string, baseUrl: string): Promise<{ subjects?: string[]; error?: { code: string; message: string } }>;
  stream(protocol: string, baseUrl: string, prefix: string, count: number): Promise<StreamResult>;
};

const PROTOCOLS = ['grpc-web', 'connect', 'connect-get'] as const;

describe('connect-web in headless Chromium, from another origin, through CORS', () => {
  const suite = useSuite(async (scope) => {
    const script = await bundlePageScript();
    const allowed = scope.own(await startPageServer(script));
    const refused = scope.own(await startPageServer(script));
    const gateway = scope.own(await startRegistryRpcGateway({ cors: { allowOrigins: [allowed.origin] } }));
    const browser = scope.own(await launchBrowser());
    return { allowed, refused, gateway, browser };
  });

  /** `METHOD Method` of each request the last page sent to the gateway, as Chromium saw it. */
  let lastWire: string[] = [];

  /** Opens the page from `origin` and runs one of its scenarios (a function of `window.rpc`). */
  async function onPage<K extends keyof PageRpc>(origin: string, scenario: K, ...args: Parameters<PageRpc[K]>): Promise<Awaited<ReturnType<PageRpc[K]>>> {
    assert.notEqual(origin, suite.gateway.url, 'the page and the gateway are different origins');
    const page = await suite.browser.page();
    const wire: string[] = (lastWire = []);
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === suite.gateway.url) wire.push(`${request.method()} ${url.pathname.split('/').pop()}`);
    });
    try {
      const loaded = await page.goto(`${origin}/`);
      assert.equal(loaded?.status(), 200);
      await page.waitForFunction(() => (window as unknown as { rpcReady?: boolean }).rpcReady === true, undefined, { timeout: 10_000 });
      return (await page.evaluate(
        ([name, params]) => {
          const rpc = (window as unknown as { rpc: Record<string, (...a: unknown[]) => Promise<unknown>> }).rpc;
          return rpc[name]!(...params);
        },
        [scenario, args] as [string, unknown[]],
      )) as Awaited<ReturnType<PageRpc[K]>>;
    } finally {
      await page.context().close();
    }
  }

  for (const protocol of PROTOCOLS) {
    test(`${protocol}: a unary call succeeds, and a registry error arrives with its code and ErrorInfo`, { timeout: 90_000 }, async () => {
      const subject = `browser-${protocol}-value`;
      const result = await onPage(suite.allowed.origin, 'unary', protocol, suite.gateway.url, subject);
      assert.equal(result.error, undefined, JSON.stringify(result.error));
      assert.equal(result.version, 1);
      assert.ok((result.id ?? 0) > 0);
      assert.equal(result.readId, result.id);
      assert.equal(result.readSubject, subject);
      assert.deepEqual(result.missing, { code: 'NotFound', message: `Subject '${subject}-missing' not found.`, reasons: ['SUBJECT_NOT_FOUND'] });
      const read = protocol === 'connect-get' ? 'GET' : 'POST';
      assert.deepEqual(lastWire, ['POST RegisterSchema', `${read} GetSchemaVersion`, `${read} GetSchemaVersion`]);
    });

    // connect-es never sends a stream as GET: the 'connect' case covers Connect streaming.
    if (protocol !== 'connect-get') {
      test(`${protocol}: a server stream (the change feed) delivers its messages`, { timeout: 90_000 }, async () => {
        const prefix = `browser-feed-${protocol}-`;
        const result = await onPage(suite.allowed.origin, 'stream', protocol, suite.gateway.url, prefix, 3);
        assert.equal(result.error, undefined, JSON.stringify(result.error));
        assert.deepEqual(
          result.seen.map((c) => [c.kind, c.subject]),
          [0, 1, 2].map((i) => ['SCHEMA_REGISTERED', `${prefix}${i}`]),
        );
        const sequences = result.seen.map((c) => BigInt(c.sequence));
        assert.ok(sequences[0]! < sequences[1]! && sequences[1]! < sequences[2]!, `sequences ${sequences.join(', ')}`);
      });
    }

    test(`${protocol}: a page from an origin not in allowOrigins cannot call; its write never happens`, { timeout: 90_000 }, async () => {
      const subject = `browser-refused-${protocol}-value`;
      const result = await onPage(suite.refused.origin, 'unary', protocol, suite.gateway.url, subject);
      assert.ok(result.error, `the call from ${suite.refused.origin} succeeded: ${JSON.stringify(result)}`);
      assert.equal(result.id, undefined);
      // The browser, not the gateway, stopped it: fetch itself failed (a TypeError, which
      // connect-es reports as Unknown), where any answer the page could read would carry its own code.
      assert.deepEqual([result.error.code, result.error.message], ['Unknown', 'Failed to fetch']);
      // A read too (for connect-get a simple GET, which the browser sends without a preflight
      // but whose answer the page may not read without Access-Control-Allow-Origin).
      const read = await onPage(suite.refused.origin, 'read', protocol, suite.gateway.url);
      assert.deepEqual(read, { error: { code: 'Unknown', message: 'Failed to fetch', reasons: [] } });
      // The preflight was refused, so the request itself was never sent: the subject does not exist.
      const fromNode = createClient(Registry, createConnectTransport({ baseUrl: suite.gateway.url, httpVersion: '1.1' }));
      assert.deepEqual((await fromNode.listSubjects({ subjectPrefix: subject })).subjects, []);
    });
  }
});
