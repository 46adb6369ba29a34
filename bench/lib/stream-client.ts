/**
 * Clients of streaming HTTP responses (SSE, NDJSON) for the streams scenario: a reader that
 * counts what a stream carries, a timed download through curl (so that the client costs the
 * same, little, CPU whichever gateway it reads), the time to the first body byte, and a set of
 * streams held open for the memory they cost. Only ever talks to 127.0.0.1.
 */
import { request, type ClientRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { run } from './processes.js';

export interface StreamRead {
  readonly status: number;
  readonly contentType: string;
  readonly bytes: number;
  /** Non-empty lines (NDJSON: one per message) and SSE `data:` lines. */
  readonly lines: number;
  readonly dataLines: number;
  readonly firstLine: string;
  readonly lastLine: string;
}

/**
 * Reads a whole streaming response and counts its lines.
 * @throws Error when the connection fails.
 */
export function readStream(url: string, accept: string): Promise<StreamRead> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept }, agent: false }, (res) => {
      let bytes = 0;
      let lines = 0;
      let dataLines = 0;
      let firstLine = '';
      let lastLine = '';
      let partial = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        bytes += Buffer.byteLength(chunk);
        const parts = (partial + chunk).split('\n');
        partial = parts.pop()!;
        for (const line of parts) {
          if (line.length === 0) continue;
          lines++;
          if (line.startsWith('data:')) dataLines++;
          if (firstLine === '') firstLine = line;
          lastLine = line;
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), bytes, lines, dataLines, firstLine, lastLine }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface Download {
  readonly status: number;
  readonly bytes: number;
  /** Seconds from the start to the first byte and to the end (curl's own clock). */
  readonly firstByteSeconds: number;
  readonly totalSeconds: number;
}

/**
 * Downloads a response with curl to /dev/null and returns curl's timings.
 * @throws Error when curl fails (connection refused, a cut transfer).
 */
export async function curlDownload(url: string, accept: string): Promise<Download> {
  const out = await run('curl', ['-sS', '--no-buffer', '-o', '/dev/null', '-H', `accept: ${accept}`, '-w', '%{http_code} %{size_download} %{time_starttransfer} %{time_total}', url]);
  const [status, bytes, first, total] = out.trim().split(/\s+/).map(Number);
  return { status, bytes, firstByteSeconds: first, totalSeconds: total };
}

/**
 * Microseconds from sending the request to the first byte of the body (a fresh connection each
 * time, as a browser's first EventSource would open one).
 * @throws Error when the connection fails or the answer is not 200.
 */
export function timeToFirstByte(url: string, accept: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = request(url, { headers: { accept }, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`${url} answered ${res.statusCode}`));
        return;
      }
      res.once('data', () => {
        resolve(Number(process.hrtime.bigint() - start) / 1000);
        req.destroy();
      });
      res.on('error', () => {});
    });
    req.on('error', (err) => {
      // Our own destroy after the first byte is not a failure.
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    req.end();
  });
}

export interface HeldStreams {
  readonly open: number;
  close(): Promise<void>;
}

/**
 * Opens `n` streams (one connection each) and resolves once every one has delivered its first
 * body byte, so each is really open end to end (backend call included).
 * @throws Error when a stream fails or is refused before its first byte.
 */
export async function holdStreams(url: string, accept: string, n: number, timeoutMs = 60_000): Promise<HeldStreams> {
  const requests: ClientRequest[] = [];
  const closed: Promise<void>[] = [];
  const opened = Array.from({ length: n }, () =>
    new Promise<void>((resolve, reject) => {
      const req = request(url, { headers: { accept }, agent: false }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`${url} answered ${res.statusCode}`));
        res.once('data', () => resolve());
        res.on('data', () => {});
        res.on('error', () => {});
      });
      closed.push(new Promise((done) => req.once('close', () => done())));
      req.on('error', (err) => reject(err));
      req.end();
      requests.push(req);
    }),
  );
  const close = async () => {
    for (const req of requests) req.destroy();
    await Promise.all(closed);
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([Promise.all(opened), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`not every one of ${n} streams opened within ${timeoutMs} ms`)), timeoutMs)))]);
  } catch (err) {
    await close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return { open: n, close };
}

/** Resident set size of a process in bytes (VmRSS in /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}
