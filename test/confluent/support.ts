/**
 * The real Confluent-compatible stack for the confluent tests: the gateway config of
 * examples/confluent-schema-registry, the registry pattern in-process over loopback gRPC, a
 * SQLite file in a fresh temporary directory, HTTP on an ephemeral port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';

export const CONFIG_FILE = 'examples/confluent-schema-registry/gateway.yaml';
export const V1_JSON = 'application/vnd.schemaregistry.v1+json';

export interface Stack {
  readonly url: string;
  readonly gateway: RunningGateway;
  readonly dataDir: string;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Reuse this data directory (default: a fresh temporary one). */
  dataDir?: string;
  /** Leave the data directory in place on close (default: remove it). */
  keepData?: boolean;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'prism-confluent-'));
  const gateway = await startGateway(loadGatewayConfig(CONFIG_FILE), { host: '127.0.0.1', port: 0, dataDir, logger: false });
  return {
    url: gateway.url,
    gateway,
    dataDir,
    close: async () => {
      await gateway.close();
      if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  readonly status: number;
  /** The response Content-Type header, exactly as sent (null when absent). */
  readonly type: string | null;
  /** The body text, byte for byte. */
  readonly text: string;
  readonly headers: Headers;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json(): unknown;
}

export interface CallOptions {
  /**
   * A string is sent as is (fetch would label it text/plain, so a Content-Type is always set);
   * a Uint8Array is sent as is with no Content-Type at all unless one is given; anything
   * else is JSON-encoded.
   */
  body?: unknown;
  headers?: Record<string, string>;
}

/** One HTTP request against the stack; a JSON body gets Confluent's v1 Content-Type unless told otherwise. */
export async function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let body: string | Blob | undefined;
  if (options.body instanceof Uint8Array) {
    // A Blob without a type makes fetch send no Content-Type header.
    body = new Blob([new Uint8Array(options.body)]);
  } else if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = V1_JSON;
  }
  const res = await fetch(baseUrl + path, { method, headers, body });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    text,
    headers: res.headers,
    json: () => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    },
  };
}
