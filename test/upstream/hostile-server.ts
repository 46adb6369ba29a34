/**
 * A scripted HTTP/2 "server" on a raw TCP socket, for tests that need a peer no real server
 * library would be: it writes whatever frames (or bytes) a script says, and records what the
 * client sent back (its streams, PINGs, RST_STREAM and GOAWAY codes). By default it opens
 * with an empty SETTINGS frame and answers PINGs; everything else is up to the script.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { HpackEncoder } from '../../src/upstream/hpack.js';

export const T = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
export const F = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

/** One frame's bytes. */
export function frame(type: number, flags: number, streamId: number, payload: Buffer | Uint8Array = Buffer.alloc(0), length = payload.length): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId >>> 0, 5);
  return Buffer.concat([head, payload]);
}

export function settings(pairs: [number, number][], streamId = 0): Buffer {
  const payload = Buffer.alloc(6 * pairs.length);
  pairs.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, 6 * i);
    payload.writeUInt32BE(value >>> 0, 6 * i + 2);
  });
  return frame(T.SETTINGS, 0, streamId, payload);
}

export const u32 = (...values: number[]) => {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
};

/** A gRPC reply's three frames: headers, the length-prefixed message, OK trailers. */
export function reply(streamId: number, message: Buffer): Buffer {
  const headers = Buffer.concat([HpackEncoder.indexed(':status', '200'), HpackEncoder.field('content-type', 'application/grpc')]);
  const body = Buffer.concat([Buffer.from([0]), u32(message.length), message]);
  const trailers = HpackEncoder.field('grpc-status', '0');
  return Buffer.concat([frame(T.HEADERS, F.END_HEADERS, streamId, headers), frame(T.DATA, 0, streamId, body), frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, streamId, trailers)]);
}

/** The response headers alone (`:status: 200`, gRPC content type). */
export const responseHeaders = (streamId: number) =>
  frame(T.HEADERS, F.END_HEADERS, streamId, Buffer.concat([HpackEncoder.indexed(':status', '200'), HpackEncoder.field('content-type', 'application/grpc')]));

/** One client connection, as the script sees it. */
export interface Peer {
  readonly socket: net.Socket;
  /** Streams the client opened (HEADERS seen), in order. */
  readonly streams: number[];
  readonly goaways: { code: number; debug: string }[];
  readonly resets: { stream: number; code: number }[];
  /** The client's SETTINGS frames (not ACKs), each as its [id, value] pairs. */
  readonly settings: [number, number][][];
  /** The client's WINDOW_UPDATEs, in order (stream 0 is the connection). */
  readonly windowUpdates: { stream: number; increment: number }[];
  /** PINGs (not ACKs) the client sent. */
  pings: number;
  /** DATA payload bytes the client sent, and the streams it ended (END_STREAM). */
  dataBytes: number;
  /** DATA payload bytes per stream. */
  readonly streamBytes: Map<number, number>;
  readonly ended: number[];
  /** Answer the client's PINGs (default true). */
  answerPings: boolean;
  /** Bytes this side has written. */
  bytesWritten: number;
  closed: boolean;
  /** Writes; false when the socket asks to wait for 'drain'. */
  write(bytes: Buffer): boolean;
  /** Resolves with the id of the client's next (or an already seen, unclaimed) stream. */
  nextStream(): Promise<number>;
  /** Writes `bytes` over and over, honouring back-pressure, until the client closes. */
  flood(bytes: Buffer | (() => Buffer)): Promise<void>;
  end(): void;
}

export interface HostileServer {
  readonly address: string;
  readonly peers: Peer[];
  close(): Promise<void>;
}

/**
 * `script` runs for every connection once it is accepted; `opening` is written first
 * (default: an empty SETTINGS frame; pass an empty buffer for none).
 */
export async function startHostileServer(script: (peer: Peer) => void | Promise<void>, opening: Buffer = settings([])): Promise<HostileServer> {
  const peers: Peer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const peer = track(socket);
    peers.push(peer);
    if (opening.length > 0) peer.write(opening);
    Promise.resolve()
      .then(() => script(peer))
      .catch(() => peer.end());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    peers,
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  };
}

function track(socket: net.Socket): Peer {
  let input = Buffer.alloc(0);
  let prefaceSeen = false;
  let claimed = 0;
  const waiters: (() => void)[] = [];
  // Not events.once: it would reject on the socket's 'error' (a reset is expected here).
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  const peer: Peer = {
    socket,
    streams: [],
    goaways: [],
    resets: [],
    settings: [],
    windowUpdates: [],
    pings: 0,
    dataBytes: 0,
    streamBytes: new Map(),
    ended: [],
    answerPings: true,
    bytesWritten: 0,
    closed: false,
    write(bytes) {
      if (peer.closed || socket.destroyed) return false;
      peer.bytesWritten += bytes.length;
      return socket.write(bytes);
    },
    async nextStream() {
      while (peer.streams.length <= claimed) {
        if (peer.closed) throw new Error('the client closed before opening a stream');
        await new Promise<void>((r) => waiters.push(r));
      }
      return peer.streams[claimed++];
    },
    async flood(bytes) {
      while (!peer.closed) {
        if (!peer.write(typeof bytes === 'function' ? bytes() : bytes)) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
      }
    },
    end() {
      socket.end();
    },
  };
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  socket.on('error', () => {});
  socket.on('close', () => {
    peer.closed = true;
    wake();
  });
  socket.on('data', (chunk: Buffer) => {
    input = Buffer.concat([input, chunk]);
    if (!prefaceSeen) {
      if (input.length < 24) return;
      input = input.subarray(24);
      prefaceSeen = true;
    }
    while (input.length >= 9) {
      const length = input.readUIntBE(0, 3);
      if (input.length < 9 + length) break;
      const type = input[3];
      const flags = input[4];
      const stream = input.readUInt32BE(5) & 0x7fffffff;
      const payload = input.subarray(9, 9 + length);
      input = input.subarray(9 + length);
      if (type === T.HEADERS) {
        peer.streams.push(stream);
        if (flags & F.END_STREAM) peer.ended.push(stream);
        wake();
      } else if (type === T.DATA) {
        peer.dataBytes += length;
        peer.streamBytes.set(stream, (peer.streamBytes.get(stream) ?? 0) + length);
        if (flags & F.END_STREAM) peer.ended.push(stream);
      } else if (type === T.PING && !(flags & F.ACK)) {
        peer.pings++;
        if (peer.answerPings) peer.write(frame(T.PING, F.ACK, 0, Buffer.from(payload)));
      } else if (type === T.GOAWAY) {
        peer.goaways.push({ code: payload.readUInt32BE(4), debug: payload.toString('latin1', 8) });
      } else if (type === T.RST_STREAM) {
        peer.resets.push({ stream, code: payload.readUInt32BE(0) });
      } else if (type === T.SETTINGS && !(flags & F.ACK)) {
        const pairs: [number, number][] = [];
        for (let at = 0; at + 6 <= payload.length; at += 6) pairs.push([payload.readUInt16BE(at), payload.readUInt32BE(at + 2)]);
        peer.settings.push(pairs);
      } else if (type === T.WINDOW_UPDATE) {
        peer.windowUpdates.push({ stream, increment: payload.readUInt32BE(0) & 0x7fffffff });
      }
    }
  });
  return peer;
}
