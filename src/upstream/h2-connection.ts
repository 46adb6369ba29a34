/**
 * One plaintext HTTP/2 client connection (RFC 9113) on a net.Socket, as much as unary gRPC
 * calls need: streams opened with one HEADERS frame and a body, replies as header blocks and
 * data, RST_STREAM both ways, SETTINGS, PING, GOAWAY, and flow control in both directions.
 * Frames queued during one turn of the event loop leave in one write (flushed from
 * setImmediate, after every request read in that turn has been handled). It knows nothing
 * of gRPC.
 */
import net from 'node:net';
import { HpackDecoder, type HeaderList } from './hpack.js';

/** What a stream's owner hears. Exactly one of onEnd, onReset, onFailed ends a stream. */
export interface StreamHandler {
  onHeaders(fields: HeaderList, endStream: boolean): void;
  onData(chunk: Buffer): void;
  /** END_STREAM after data (without trailers). */
  onEnd(): void;
  /** The server reset the stream with `code`. */
  onReset(code: number): void;
  /**
   * The connection failed or went away. `unprocessed`: the server never saw the stream
   * (GOAWAY below it, or refused before it went out), so sending it again is safe.
   */
  onFailed(error: Error, unprocessed: boolean): void;
}

export const FRAME = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;
const SETTING = { HEADER_TABLE_SIZE: 1, ENABLE_PUSH: 2, MAX_CONCURRENT_STREAMS: 3, INITIAL_WINDOW_SIZE: 4, MAX_FRAME_SIZE: 5 } as const;
export const RST = { NO_ERROR: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2, FLOW_CONTROL_ERROR: 3, REFUSED_STREAM: 7, CANCEL: 8, ENHANCE_YOUR_CALM: 11, INADEQUATE_SECURITY: 12 } as const;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const DEFAULT_WINDOW = 65_535;
const DEFAULT_MAX_FRAME = 16_384;
/** What this side lets the server send before it says more: per stream and per connection. */
const RECEIVE_WINDOW = 16 * 1024 * 1024;
const HEADER_TABLE_SIZE = 4096;
const MAX_STREAM_ID = 2 ** 31 - 1;

interface Stream {
  readonly id: number;
  readonly handler: StreamHandler;
  /** Body not yet sent (flow control), and whether END_STREAM has gone out. */
  pending: Buffer;
  sendWindow: number;
  /** Received and not yet handed back with WINDOW_UPDATE. */
  unacknowledged: number;
}

export interface H2ConnectionOptions {
  readonly host: string;
  readonly port: number;
  /** A Unix-domain socket path; when set, host and port are not used. */
  readonly path?: string;
  readonly connectTimeoutMs: number;
  /** Called once when the connection closes or starts draining (it takes no new streams). */
  readonly onGone: () => void;
}

export class H2Connection {
  readonly #socket: net.Socket;
  readonly #options: H2ConnectionOptions;
  readonly #decoder = new HpackDecoder(HEADER_TABLE_SIZE);
  readonly #streams = new Map<number, Stream>();
  #nextId = 1;
  #closed = false;
  #draining = false;
  #connecting = true;
  #connectTimer: NodeJS.Timeout | undefined;
  // Peer settings. Until the server's first SETTINGS arrive, one stream at a time: a burst
  // past a limit not yet heard of would only come back refused.
  #maxConcurrent = 1;
  #initialSendWindow = DEFAULT_WINDOW;
  #maxFrame = DEFAULT_MAX_FRAME;
  #settingsSeen = false;
  #connectionSendWindow = DEFAULT_WINDOW;
  #connectionUnacknowledged = 0;
  /** Streams waiting for room under MAX_CONCURRENT_STREAMS. */
  readonly #waiting: { block: Buffer; body: Buffer; handler: StreamHandler; id: (n: number) => void }[] = [];
  // Reading.
  #input: Buffer = Buffer.alloc(0);
  /** A header block split over HEADERS + CONTINUATION. */
  #headerBlock: { stream: number; endStream: boolean; parts: Buffer[] } | undefined;
  // Writing: frames of one event-loop turn leave together.
  #out: Buffer[] = [];
  #flushScheduled = false;

  constructor(options: H2ConnectionOptions) {
    this.#options = options;
    const socket = options.path !== undefined ? net.connect({ path: options.path }) : net.connect({ host: options.host, port: options.port, noDelay: true });
    this.#socket = socket;
    socket.on('connect', () => {
      this.#connecting = false;
      clearTimeout(this.#connectTimer);
    });
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new Error('Connection dropped')));
    this.#connectTimer = setTimeout(() => {
      if (this.#connecting) this.#fail(Object.assign(new Error(`connect to ${options.path ?? `${options.host}:${options.port}`} timed out`), { code: 'ETIMEDOUT' }));
    }, options.connectTimeoutMs);
    this.#connectTimer.unref();
    // The preface, then SETTINGS: no push, large windows (one WINDOW_UPDATE raises the connection's).
    this.#queue(PREFACE);
    this.#queue(settingsFrame([[SETTING.ENABLE_PUSH, 0], [SETTING.INITIAL_WINDOW_SIZE, RECEIVE_WINDOW], [SETTING.HEADER_TABLE_SIZE, HEADER_TABLE_SIZE]]));
    this.#queue(windowUpdateFrame(0, RECEIVE_WINDOW - DEFAULT_WINDOW));
    // Idle connections do not keep the process alive; streams ref it.
    socket.unref();
  }

  /** Whether new streams may be opened here. */
  get usable(): boolean {
    return !this.#closed && !this.#draining;
  }

  /**
   * Opens a stream: HEADERS with `block` (a complete HPACK block), then `body` with
   * END_STREAM. `id` receives the stream id once it is assigned (it may wait for room).
   */
  open(block: Buffer, body: Buffer, handler: StreamHandler, id: (n: number) => void): void {
    if (!this.usable) {
      handler.onFailed(new Error('connection is closing'), true);
      return;
    }
    if (this.#streams.size >= this.#maxConcurrent) {
      this.#waiting.push({ block, body, handler, id });
      return;
    }
    this.#start(block, body, handler, id);
  }

  /** Resets a stream this side no longer wants (RST_STREAM CANCEL); its handler hears nothing more. */
  cancel(streamId: number): void {
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    this.#streams.delete(streamId);
    this.#queue(rstFrame(streamId, RST.CANCEL));
    this.#streamClosed();
  }

  /** Drops a queued (not yet started) stream. */
  abandon(handler: StreamHandler): void {
    const at = this.#waiting.findIndex((w) => w.handler === handler);
    if (at >= 0) this.#waiting.splice(at, 1);
  }

  /** Closes at once; open streams fail as unprocessed only if they never went out. */
  close(): void {
    this.#fail(new Error('upstream closed'));
  }

  #start(block: Buffer, body: Buffer, handler: StreamHandler, id: (n: number) => void): void {
    const streamId = this.#nextId;
    this.#nextId += 2;
    if (this.#nextId > MAX_STREAM_ID) this.#drain();
    const stream: Stream = { id: streamId, handler, pending: body, sendWindow: this.#initialSendWindow, unacknowledged: 0 };
    this.#streams.set(streamId, stream);
    if (this.#streams.size === 1) this.#socket.ref();
    id(streamId);
    this.#queueHeaders(streamId, block);
    this.#sendData(stream);
  }

  #queueHeaders(streamId: number, block: Buffer): void {
    // A block larger than a frame continues in CONTINUATION frames, back to back.
    let offset = 0;
    let type: number = FRAME.HEADERS;
    do {
      const part = block.subarray(offset, offset + this.#maxFrame);
      offset += part.length;
      const last = offset >= block.length;
      this.#queue(frameHeader(part.length, type, last ? FLAG.END_HEADERS : 0, streamId), part);
      type = FRAME.CONTINUATION;
    } while (offset < block.length);
  }

  /** Sends as much of the stream's body as the windows allow; END_STREAM with the last byte. */
  #sendData(stream: Stream): void {
    while (true) {
      const size = Math.min(stream.pending.length, this.#maxFrame, stream.sendWindow, this.#connectionSendWindow);
      // An empty body still needs its END_STREAM; otherwise wait for WINDOW_UPDATE.
      if (size <= 0 && stream.pending.length > 0) return;
      const chunk = stream.pending.subarray(0, size);
      stream.pending = stream.pending.subarray(size);
      stream.sendWindow -= size;
      this.#connectionSendWindow -= size;
      const last = stream.pending.length === 0;
      this.#queue(frameHeader(size, FRAME.DATA, last ? FLAG.END_STREAM : 0, stream.id), chunk);
      if (last) {
        stream.pending = DONE;
        return;
      }
    }
  }

  #queue(...buffers: Buffer[]): void {
    if (this.#closed) return;
    this.#out.push(...buffers);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#closed || this.#out.length === 0) return;
    const out = this.#out;
    this.#out = [];
    this.#socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
  }

  #read(chunk: Buffer): void {
    this.#input = this.#input.length === 0 ? chunk : Buffer.concat([this.#input, chunk]);
    let pos = 0;
    const input = this.#input;
    while (!this.#closed && input.length - pos >= 9) {
      const length = input.readUIntBE(pos, 3);
      if (length > DEFAULT_MAX_FRAME) return this.#protocolError(`frame of ${length} bytes above the ${DEFAULT_MAX_FRAME} allowed`);
      if (input.length - pos < 9 + length) break;
      const type = input[pos + 3];
      const flags = input[pos + 4];
      const streamId = input.readUInt32BE(pos + 5) & 0x7fffffff;
      const payload = input.subarray(pos + 9, pos + 9 + length);
      pos += 9 + length;
      try {
        this.#frame(type, flags, streamId, payload);
      } catch (err) {
        return this.#protocolError((err as Error).message);
      }
    }
    this.#input = pos === input.length ? Buffer.alloc(0) : input.subarray(pos);
  }

  #frame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (this.#headerBlock && type !== FRAME.CONTINUATION) throw new Error('a header block was interrupted');
    switch (type) {
      case FRAME.DATA: {
        const data = unpad(payload, flags);
        this.#received(streamId, payload.length);
        const stream = this.#streams.get(streamId);
        if (!stream) return;
        if (data.length > 0) stream.handler.onData(data);
        if (flags & FLAG.END_STREAM && this.#streams.has(streamId)) {
          this.#streams.delete(streamId);
          this.#streamClosed();
          stream.handler.onEnd();
        }
        return;
      }
      case FRAME.HEADERS: {
        let block = unpad(payload, flags);
        if (flags & FLAG.PRIORITY) block = block.subarray(5);
        const endStream = (flags & FLAG.END_STREAM) !== 0;
        if (flags & FLAG.END_HEADERS) this.#headers(streamId, block, endStream);
        else this.#headerBlock = { stream: streamId, endStream, parts: [Buffer.from(block)] };
        return;
      }
      case FRAME.CONTINUATION: {
        const pending = this.#headerBlock;
        if (!pending || pending.stream !== streamId) throw new Error('CONTINUATION without HEADERS');
        pending.parts.push(Buffer.from(payload));
        if (flags & FLAG.END_HEADERS) {
          this.#headerBlock = undefined;
          this.#headers(streamId, Buffer.concat(pending.parts), pending.endStream);
        }
        return;
      }
      case FRAME.RST_STREAM: {
        const stream = this.#streams.get(streamId);
        if (!stream || payload.length !== 4) return;
        this.#streams.delete(streamId);
        this.#streamClosed();
        stream.handler.onReset(payload.readUInt32BE(0));
        return;
      }
      case FRAME.SETTINGS:
        if (streamId !== 0) throw new Error('SETTINGS on a stream');
        if (flags & FLAG.ACK) return;
        this.#settings(payload);
        this.#queue(frameHeader(0, FRAME.SETTINGS, FLAG.ACK, 0));
        return;
      case FRAME.PING:
        if (!(flags & FLAG.ACK)) this.#queue(frameHeader(8, FRAME.PING, FLAG.ACK, 0), Buffer.from(payload));
        return;
      case FRAME.GOAWAY: {
        const lastStream = payload.readUInt32BE(0) & 0x7fffffff;
        this.#drain();
        // Streams above the last one the server will process were never seen: safe to resend.
        for (const [id, stream] of this.#streams) {
          if (id > lastStream) {
            this.#streams.delete(id);
            stream.handler.onFailed(new Error('Stream refused by server (GOAWAY)'), true);
          }
        }
        this.#streamClosed();
        return;
      }
      case FRAME.WINDOW_UPDATE: {
        const increment = payload.readUInt32BE(0) & 0x7fffffff;
        if (streamId === 0) {
          this.#connectionSendWindow += increment;
          for (const stream of this.#streams.values()) if (stream.pending.length > 0) this.#sendData(stream);
        } else {
          const stream = this.#streams.get(streamId);
          if (!stream) return;
          stream.sendWindow += increment;
          if (stream.pending.length > 0) this.#sendData(stream);
        }
        return;
      }
      case FRAME.PUSH_PROMISE:
        throw new Error('PUSH_PROMISE although push is disabled');
      default:
        // PRIORITY and unknown frame types are ignored (§5.5).
        return;
    }
  }

  #headers(streamId: number, block: Buffer, endStream: boolean): void {
    // Every block is decoded, for any stream: the dynamic table must stay in step.
    const fields = this.#decoder.decode(block);
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    if (endStream) {
      this.#streams.delete(streamId);
      this.#streamClosed();
    }
    stream.handler.onHeaders(fields, endStream);
  }

  #settings(payload: Buffer): void {
    if (!this.#settingsSeen) {
      this.#settingsSeen = true;
      this.#maxConcurrent = Infinity;
    }
    for (let at = 0; at + 6 <= payload.length; at += 6) {
      const id = payload.readUInt16BE(at);
      const value = payload.readUInt32BE(at + 2);
      if (id === SETTING.MAX_CONCURRENT_STREAMS) {
        this.#maxConcurrent = value;
      } else if (id === SETTING.INITIAL_WINDOW_SIZE) {
        const delta = value - this.#initialSendWindow;
        this.#initialSendWindow = value;
        for (const stream of this.#streams.values()) stream.sendWindow += delta;
      } else if (id === SETTING.MAX_FRAME_SIZE) {
        this.#maxFrame = value;
      }
    }
    for (const stream of this.#streams.values()) if (stream.pending.length > 0) this.#sendData(stream);
    this.#admitWaiting();
  }

  /** Hands received bytes back to the server once half a window is used. */
  #received(streamId: number, bytes: number): void {
    this.#connectionUnacknowledged += bytes;
    if (this.#connectionUnacknowledged >= RECEIVE_WINDOW / 2) {
      this.#queue(windowUpdateFrame(0, this.#connectionUnacknowledged));
      this.#connectionUnacknowledged = 0;
    }
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    stream.unacknowledged += bytes;
    if (stream.unacknowledged >= RECEIVE_WINDOW / 2) {
      this.#queue(windowUpdateFrame(streamId, stream.unacknowledged));
      stream.unacknowledged = 0;
    }
  }

  #streamClosed(): void {
    this.#admitWaiting();
    if (this.#streams.size === 0) {
      this.#socket.unref();
      if (this.#draining) this.#fail(new Error('connection drained'));
    }
  }

  #admitWaiting(): void {
    while (this.#waiting.length > 0 && this.#streams.size < this.#maxConcurrent && this.usable) {
      const next = this.#waiting.shift()!;
      this.#start(next.block, next.body, next.handler, next.id);
    }
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    this.#options.onGone();
    // Queued streams never went out: they may go on another connection.
    for (const w of this.#waiting.splice(0)) w.handler.onFailed(new Error('connection is closing'), true);
  }

  #protocolError(message: string): void {
    this.#queue(goawayFrame(this.#nextId - 2 > 0 ? this.#nextId - 2 : 0, RST.PROTOCOL_ERROR));
    this.#flush();
    this.#fail(new Error(`HTTP/2 protocol error: ${message}`));
  }

  #fail(error: Error): void {
    if (this.#closed) return;
    this.#drain();
    this.#closed = true;
    clearTimeout(this.#connectTimer);
    this.#socket.destroy();
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    for (const stream of streams) stream.handler.onFailed(error, false);
  }
}

/** A stream whose body has gone out in full. */
const DONE = Buffer.alloc(0);

function frameHeader(length: number, type: number, flags: number, streamId: number): Buffer {
  const head = Buffer.allocUnsafe(9);
  head.writeUIntBE(length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId, 5);
  return head;
}

function settingsFrame(settings: [number, number][]): Buffer {
  const payload = Buffer.allocUnsafe(6 * settings.length);
  settings.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, 6 * i);
    payload.writeUInt32BE(value, 6 * i + 2);
  });
  return Buffer.concat([frameHeader(payload.length, FRAME.SETTINGS, 0, 0), payload]);
}

function windowUpdateFrame(streamId: number, increment: number): Buffer {
  const frame = frameHeader(4, FRAME.WINDOW_UPDATE, 0, streamId);
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(increment, 0);
  return Buffer.concat([frame, payload]);
}

function rstFrame(streamId: number, code: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(code, 0);
  return Buffer.concat([frameHeader(4, FRAME.RST_STREAM, 0, streamId), payload]);
}

function goawayFrame(lastStreamId: number, code: number): Buffer {
  const payload = Buffer.allocUnsafe(8);
  payload.writeUInt32BE(lastStreamId, 0);
  payload.writeUInt32BE(code, 4);
  return Buffer.concat([frameHeader(8, FRAME.GOAWAY, 0, 0), payload]);
}

/** The payload without its padding (PADDED flag: a length byte first, that many bytes last). */
function unpad(payload: Buffer, flags: number): Buffer {
  if (!(flags & FLAG.PADDED)) return payload;
  const padding = payload[0];
  if (padding >= payload.length) throw new Error('padding longer than the frame');
  return payload.subarray(1, payload.length - padding);
}
