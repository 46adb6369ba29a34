/**
 * One plaintext HTTP/2 client connection (RFC 9113) on a net.Socket (TCP or a Unix-domain
 * socket), as much as gRPC calls need: unary streams opened with one HEADERS frame and a
 * body (`open`), streaming calls whose request side stays open and whose receive window the
 * caller grants as it reads (`openStream`), replies as header blocks and data, RST_STREAM
 * both ways, SETTINGS, PING, GOAWAY, and flow control in both directions. Frames queued
 * during one turn of the event loop leave in one write (flushed from setImmediate, after
 * every request read in that turn has been handled). It knows nothing of gRPC.
 *
 * The server is not trusted. Every rule of RFC 9113 and RFC 7541 that protects a client is
 * checked, and a breach is a connection error (§5.4.1): GOAWAY with the matching code, the
 * socket closed, open streams failed. Everything a server can make this side hold is
 * bounded: a frame (16 KiB, the SETTINGS_MAX_FRAME_SIZE this side keeps), a header block
 * (four times the advertised SETTINGS_MAX_HEADER_LIST_SIZE, frame headers included, and a
 * bounded number of CONTINUATION frames, so an endless run of them ends), a decoded header
 * list (SETTINGS_MAX_HEADER_LIST_SIZE, a stream error), the HPACK table (the advertised 4096
 * bytes), the receive windows, and the control frames it makes this side answer (PING and
 * SETTINGS acknowledgements): 1000 per turn of the event loop, 64 KiB while it does not read. Writes honour `socket.write`'s back-pressure: no new stream and no
 * DATA go out while the socket waits for 'drain'.
 *
 * Liveness (gRPC proposal A8, connect-node's Http2SessionManager): a connection counts as
 * connecting until the server's SETTINGS arrive, within `connectTimeoutMs`; a PING goes out
 * when nothing has been received for `keepaliveIntervalMs` while streams are open (or
 * always, with `keepaliveWhileIdle`) and an unanswered one ends the connection after
 * `keepaliveTimeoutMs`; a connection that sat silent and idle is verified with a PING before
 * new streams go out on it (they wait, and move to a new connection if it is dead); a
 * connection idle for `idleTimeoutMs` closes with GOAWAY NO_ERROR. One timer per connection
 * does all of it; calls add no timers here.
 */
import net from 'node:net';
import { HpackDecoder, HpackEncoder, HpackError, type HeaderList } from './hpack.js';

/** What a stream's owner hears. Exactly one of onEnd, onReset, onFailed ends a stream. */
export interface StreamHandler {
  onHeaders(fields: HeaderList, endStream: boolean): void;
  onData(chunk: Buffer): void;
  /** END_STREAM after data (without trailers). */
  onEnd(): void;
  /**
   * The stream was reset with `code`: by the server, or by this side with ENHANCE_YOUR_CALM
   * when a reply's header list was larger than SETTINGS_MAX_HEADER_LIST_SIZE.
   */
  onReset(code: number): void;
  /**
   * The connection failed or went away. `unprocessed`: the server never saw the stream
   * (GOAWAY below it, or refused before it went out), so sending it again is safe.
   */
  onFailed(error: Error, unprocessed: boolean): void;
  /**
   * Streaming calls (`openStream`): what `send` queued has all gone out as DATA within the
   * windows, so the owner may send more.
   */
  onSendable?(): void;
}

/**
 * A stream whose request side stays open (streaming calls), from `openStream`. Its receive
 * window is the owner's to grant: nothing is handed back to the server until `grant`, so a
 * consumer that stops reading stops the server's sends.
 */
export interface H2Stream {
  /**
   * Queues `data` after what is waiting (`end`: END_STREAM after it; later sends are
   * dropped). true when everything went out at once; otherwise `onSendable` follows once it
   * has (the server's window or the socket held it back).
   */
  send(data: Buffer, end: boolean): boolean;
  /** Hands the server `bytes` more of this stream's receive window (WINDOW_UPDATE). */
  grant(bytes: number): void;
  /** What the server may still send on this stream before the next grant. */
  readonly window: number;
  /** RST_STREAM CANCEL (or drops the stream if it has not gone out yet); the handler hears nothing more. */
  cancel(): void;
}

export const FRAME = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;
export const SETTING = { HEADER_TABLE_SIZE: 1, ENABLE_PUSH: 2, MAX_CONCURRENT_STREAMS: 3, INITIAL_WINDOW_SIZE: 4, MAX_FRAME_SIZE: 5, MAX_HEADER_LIST_SIZE: 6 } as const;
/** Error codes of RST_STREAM and GOAWAY (RFC 9113 §7). */
export const RST = {
  NO_ERROR: 0,
  PROTOCOL_ERROR: 1,
  INTERNAL_ERROR: 2,
  FLOW_CONTROL_ERROR: 3,
  SETTINGS_TIMEOUT: 4,
  STREAM_CLOSED: 5,
  FRAME_SIZE_ERROR: 6,
  REFUSED_STREAM: 7,
  CANCEL: 8,
  COMPRESSION_ERROR: 9,
  CONNECT_ERROR: 10,
  ENHANCE_YOUR_CALM: 11,
  INADEQUATE_SECURITY: 12,
  HTTP_1_1_REQUIRED: 13,
} as const;
const CODE_NAMES = Object.fromEntries(Object.entries(RST).map(([name, code]) => [code, name])) as Record<number, string>;

/**
 * A connection error (RFC 9113 §5.4.1) found in what the server sent: the connection ends
 * with GOAWAY carrying `code`.
 */
export class H2ProtocolError extends Error {
  override readonly name = 'H2ProtocolError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const DEFAULT_WINDOW = 65_535;
/** SETTINGS_MAX_FRAME_SIZE's default and floor; this side never raises its own (§4.2). */
const MIN_MAX_FRAME = 16_384;
const MAX_MAX_FRAME = 16_777_215;
const MAX_WINDOW = 2 ** 31 - 1;
const HEADER_TABLE_SIZE = 4096;
const MAX_STREAM_ID = 2 ** 31 - 1;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Frames queued in one turn past which new streams and DATA wait for the next write. */
const HIGH_WATER = 1024 * 1024;
/**
 * Bytes of control frames the server provoked (PING and SETTINGS acknowledgements) that may
 * wait while the socket waits for 'drain': a server that floods PINGs and never reads the
 * answers is cut off here instead of growing this process's write buffer.
 */
const MAX_CONTROL_BACKLOG = 64 * 1024;
/**
 * Control frames the server may provoke within one turn of the event loop (nghttp2 allows
 * 1000 unsent ones too): past it the server is flooding, and answering would hold the loop.
 */
const MAX_CONTROL_PER_TURN = 1000;
/** How long a connection that ended with GOAWAY waits for the server to read it before the socket goes. */
const LINGER_MS = 1000;

interface Stream {
  /** 0 until the stream goes out (a streaming call may wait for room). */
  id: number;
  readonly handler: StreamHandler;
  /** Body not yet sent (flow control), and whether END_STREAM has gone out. */
  pending: Buffer;
  sendWindow: number;
  /** Received and not yet handed back with WINDOW_UPDATE: the server may send receiveWindow - this. */
  unacknowledged: number;
  /** Streaming calls: the request side stays open after `pending` drains, until the owner ends it. */
  open: boolean;
  /** Streaming calls: the owner grants the receive window; `window` is what the server may still send. */
  readonly owned: boolean;
  window: number;
  /** Grants made before the stream went out, sent right after its HEADERS. */
  owed: number;
}

interface Waiting {
  readonly block: Buffer;
  readonly body: Buffer;
  readonly handler: StreamHandler;
  readonly id: (n: number) => void;
  /** A streaming call's stream, made when it was opened (sends and grants may come before it goes out). */
  readonly stream?: Stream;
}

/**
 * How a connection is opened and kept. The tunable limits and timers are documented here
 * once; `Http2UpstreamOptions` picks them, and `createHttp2Upstream` resolves the defaults
 * (`H2_DEFAULTS`) and checks the ranges before a connection sees them.
 */
export interface H2ConnectionOptions {
  readonly host: string;
  readonly port: number;
  /** A Unix-domain socket path; when set, host and port are not used. */
  readonly path?: string;
  /**
   * How long establishing the connection may take, TCP and the server's HTTP/2 SETTINGS;
   * past it the connection fails, and its calls fail UNAVAILABLE.
   */
  readonly connectTimeoutMs: number;
  /**
   * A PING goes out when nothing has been received for this long while streams (calls) are
   * open; a connection silent and idle for this long is verified with a PING before its next
   * stream. 0 or Infinity turn keepalive off. `createHttp2Upstream` doubles it for new
   * connections after a GOAWAY "too_many_pings" (gRPC A8).
   */
  readonly keepaliveIntervalMs: number;
  /** An unanswered PING declares the server dead after this long: the connection ends, its calls fail UNAVAILABLE. */
  readonly keepaliveTimeoutMs: number;
  /** PING idle connections too (GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS), instead of verifying them before their next stream. */
  readonly keepaliveWhileIdle: boolean;
  /** A connection without streams for this long closes with GOAWAY NO_ERROR (the next call opens one). 0 or Infinity: never. */
  readonly idleTimeoutMs: number;
  /**
   * SETTINGS_MAX_HEADER_LIST_SIZE, advertised and enforced (RFC 9113 §6.5.2 sizes: name +
   * value + 32 per field): a reply with larger headers or trailers is reset with
   * ENHANCE_YOUR_CALM (its call fails RESOURCE_EXHAUSTED).
   */
  readonly maxHeaderListBytes: number;
  /** HTTP/2 receive window per stream and for the connection, in bytes (the connection's is at least 65,535). */
  readonly receiveWindowBytes: number;
  /**
   * SETTINGS_INITIAL_WINDOW_SIZE when it differs from `receiveWindowBytes` (which then sizes
   * the connection's window only). The streaming calls' connection advertises 0: each stream
   * gets exactly the window its owner grants.
   */
  readonly streamWindowBytes?: number;
  /** Called once when the connection closes or starts draining (it takes no new streams). */
  readonly onGone: () => void;
  /** The server sent GOAWAY ENHANCE_YOUR_CALM "too_many_pings" (gRPC A8: ping less often). */
  readonly onTooManyPings?: () => void;
}

/** The options a user may tune; the rest say where to connect and whom to tell. */
export type H2TunableOption = 'connectTimeoutMs' | 'keepaliveIntervalMs' | 'keepaliveTimeoutMs' | 'keepaliveWhileIdle' | 'idleTimeoutMs' | 'maxHeaderListBytes' | 'receiveWindowBytes';

/** Defaults of the tunable limits and timers (H2ConnectionOptions documents each). */
export const H2_DEFAULTS: Pick<H2ConnectionOptions, H2TunableOption> = Object.freeze({
  connectTimeoutMs: 20_000,
  keepaliveIntervalMs: 30_000,
  // gRPC's default KEEPALIVE_TIMEOUT (A8).
  keepaliveTimeoutMs: 20_000,
  keepaliveWhileIdle: false,
  // Under the 350 s after which common NATs and cloud load balancers drop idle flows silently.
  idleTimeoutMs: 300_000,
  maxHeaderListBytes: 64 * 1024,
  receiveWindowBytes: 16 * 1024 * 1024,
});

export class H2Connection {
  readonly #socket: net.Socket;
  readonly #options: H2ConnectionOptions;
  readonly #decoder = new HpackDecoder(HEADER_TABLE_SIZE);
  readonly #streams = new Map<number, Stream>();
  readonly #maxHeaderList: number;
  /** Compressed header block bytes (frame headers included) accepted before the server is cut off. */
  readonly #maxHeaderBlock: number;
  /** CONTINUATION frames per block: a 16 KiB frame per block-sized share and a few more (nghttp2 allows 8). */
  readonly #maxContinuations: number;
  readonly #receiveWindow: number;
  readonly #connectionReceiveWindow: number;
  /** SETTINGS_INITIAL_WINDOW_SIZE as advertised: the first window of every stream. */
  readonly #streamWindow: number;
  readonly #keepaliveIntervalMs: number;
  readonly #keepaliveTimeoutMs: number;
  readonly #idleTimeoutMs: number;
  #nextId = 1;
  #closed = false;
  #draining = false;
  /** Until the server's SETTINGS arrive. */
  #connecting = true;
  #connectTimer: NodeJS.Timeout | undefined;
  // Peer settings. Until the server's first SETTINGS arrive, one stream at a time: a burst
  // past a limit not yet heard of would only come back refused.
  #maxConcurrent = 1;
  #initialSendWindow = DEFAULT_WINDOW;
  #maxFrame = MIN_MAX_FRAME;
  #settingsSeen = false;
  #connectionSendWindow = DEFAULT_WINDOW;
  #connectionUnacknowledged = 0;
  /** The HPACK table size the server's decoder allows; lowered sizes are announced once (RFC 7541 §4.2). */
  #encoderTableSize = HEADER_TABLE_SIZE;
  #announceTableSize = false;
  /** Streams waiting for room under MAX_CONCURRENT_STREAMS, a verifying PING, or the socket. */
  readonly #waiting: Waiting[] = [];
  // Reading.
  #input: Buffer = EMPTY;
  /** A header block split over HEADERS + CONTINUATION; `size` counts frame headers too. */
  #headerBlock: { stream: number; endStream: boolean; parts: Buffer[]; size: number } | undefined;
  // Window updates owed, sent with the next write (a burst past the window is caught first).
  #grantConnection = false;
  readonly #grantStreams = new Set<Stream>();
  // Writing: frames of one event-loop turn leave together.
  #out: Buffer[] = [];
  #outBytes = 0;
  #flushScheduled = false;
  /** `socket.write` said false: wait for 'drain'. */
  #needDrain = false;
  /** The preface has been written (before it, a GOAWAY would only confuse the server). */
  #written = false;
  /** A stream or DATA held back by back-pressure, to resume after the next write. */
  #blocked = false;
  #controlBacklog = 0;
  #controlThisTurn = 0;
  // Liveness.
  #tickTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  /** The outstanding PING's payload. */
  #ping: Buffer | undefined;
  #pings = 0;
  /** Something arrived since the last tick. */
  #heard = false;
  #silentSince = Date.now();
  #idleSince = Date.now();
  /** Silent and idle for a keepalive interval: the next stream waits for a PING's answer. */
  #stale = false;
  #verifying = false;

  constructor(options: H2ConnectionOptions) {
    this.#options = options;
    // The options arrive resolved and checked (createHttp2Upstream): no defaults here.
    this.#maxHeaderList = options.maxHeaderListBytes;
    // Huffman codes are up to 30 bits a byte, and an attacker's empty CONTINUATION frames
    // still cost 9 bytes each: four times the decoded limit bounds a legitimate block.
    this.#maxHeaderBlock = Math.max(4 * this.#maxHeaderList, 4 * MIN_MAX_FRAME);
    this.#maxContinuations = Math.ceil(this.#maxHeaderBlock / MIN_MAX_FRAME) + 16;
    this.#receiveWindow = options.receiveWindowBytes;
    this.#connectionReceiveWindow = Math.max(DEFAULT_WINDOW, this.#receiveWindow);
    this.#streamWindow = options.streamWindowBytes ?? this.#receiveWindow;
    this.#keepaliveIntervalMs = enabled(options.keepaliveIntervalMs);
    this.#keepaliveTimeoutMs = options.keepaliveTimeoutMs;
    this.#idleTimeoutMs = enabled(options.idleTimeoutMs);

    const socket = options.path !== undefined ? net.connect({ path: options.path }) : net.connect({ host: options.host, port: options.port, noDelay: true });
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('drain', () => this.#drained());
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new Error('Connection dropped')));
    // Connected means the server has spoken HTTP/2 (its SETTINGS), as grpc-js waits for
    // 'remoteSettings': a peer that accepts TCP and never answers fails here.
    this.#connectTimer = setTimeout(() => {
      if (this.#connecting) {
        const where = options.path ?? `${options.host}:${options.port}`;
        this.#fail(Object.assign(new Error(`connect to ${where} timed out (no HTTP/2 SETTINGS within ${options.connectTimeoutMs} ms)`), { code: 'ETIMEDOUT' }));
      }
    }, options.connectTimeoutMs);
    this.#connectTimer.unref();
    const tick = Math.min(this.#keepaliveIntervalMs, this.#idleTimeoutMs);
    if (tick !== Infinity) {
      this.#tickTimer = setInterval(() => this.#tick(), tick);
      this.#tickTimer.unref();
    }
    // The preface, then SETTINGS: no push, our windows and header limits (one WINDOW_UPDATE
    // raises the connection's).
    this.#queue(PREFACE);
    this.#queue(
      settingsFrame([
        [SETTING.ENABLE_PUSH, 0],
        [SETTING.INITIAL_WINDOW_SIZE, this.#streamWindow],
        [SETTING.HEADER_TABLE_SIZE, HEADER_TABLE_SIZE],
        [SETTING.MAX_HEADER_LIST_SIZE, this.#maxHeaderList],
      ]),
    );
    if (this.#connectionReceiveWindow > DEFAULT_WINDOW) this.#queue(windowUpdateFrame(0, this.#connectionReceiveWindow - DEFAULT_WINDOW));
    // Idle connections do not keep the process alive; streams ref it.
    socket.unref();
  }

  /** Whether new streams may be opened here. */
  get usable(): boolean {
    return !this.#closed && !this.#draining;
  }

  /** Bytes held for this connection: unparsed input, a pending header block, frames not yet written. */
  get bufferedBytes(): number {
    return this.#input.length + (this.#headerBlock?.size ?? 0) + this.#outBytes + this.#socket.writableLength;
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
    if (this.#stale) this.#verify();
    // Hot path: one stream straight out, unless something holds streams back.
    if (this.#waiting.length > 0 || this.#verifying || this.#streams.size >= this.#maxConcurrent || !this.#canSend()) {
      if (!this.#canSend()) this.#blocked = true;
      this.#waiting.push({ block, body, handler, id });
      return;
    }
    this.#start(block, body, handler, id);
  }

  /**
   * Opens a stream whose request side stays open (a streaming call): HEADERS with `block`,
   * then whatever the owner sends through the returned H2Stream, whose receive window the
   * owner grants. It may wait for room as `open`'s streams do; a connection that cannot take
   * it fails it through `onFailed` (unprocessed) on a later turn.
   */
  openStream(block: Buffer, handler: StreamHandler): H2Stream {
    const stream: Stream = { id: 0, handler, pending: EMPTY, sendWindow: 0, unacknowledged: 0, open: true, owned: true, window: this.#streamWindow, owed: 0 };
    let cancelled = false;
    const handle: H2Stream = {
      send: (data, end) => {
        if (cancelled || !stream.open) return true;
        if (data.length > 0) stream.pending = stream.pending.length === 0 ? data : Buffer.concat([stream.pending, data]);
        if (end) stream.open = false;
        if (stream.id === 0 || this.#streams.get(stream.id) !== stream) return stream.pending.length === 0 && stream.id !== 0;
        this.#sendData(stream);
        return stream.pending.length === 0;
      },
      grant: (bytes) => {
        if (cancelled || bytes <= 0) return;
        stream.window += bytes;
        if (stream.id === 0) stream.owed += bytes;
        else if (this.#streams.get(stream.id) === stream) this.#queue(windowUpdateFrame(stream.id, bytes));
      },
      get window() {
        return stream.window;
      },
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        if (stream.id === 0) this.#forget(stream);
        else this.cancel(stream.id);
      },
    };
    if (!this.usable) {
      // Reported on a later turn: the owner has its handle by then.
      queueMicrotask(() => {
        if (!cancelled) handler.onFailed(new Error('connection is closing'), true);
      });
      return handle;
    }
    if (this.#stale) this.#verify();
    const waiting: Waiting = { block, body: EMPTY, handler, id: noop, stream };
    if (this.#waiting.length > 0 || this.#verifying || this.#streams.size >= this.#maxConcurrent || !this.#canSend()) {
      if (!this.#canSend()) this.#blocked = true;
      this.#waiting.push(waiting);
    } else {
      this.#startStream(waiting);
    }
    return handle;
  }

  /** A queued streaming call that was cancelled before it went out. */
  #forget(stream: Stream): void {
    const at = this.#waiting.findIndex((w) => w.stream === stream);
    if (at >= 0) this.#waiting.splice(at, 1);
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

  /** Closes at once (GOAWAY NO_ERROR); open streams fail, as unprocessed only if they never went out. */
  close(): void {
    if (this.#closed) return;
    this.#goAway(RST.NO_ERROR, '');
    this.#fail(new Error('upstream closed'), true);
  }

  #start(block: Buffer, body: Buffer, handler: StreamHandler, id: (n: number) => void): void {
    const streamId = this.#nextId;
    this.#nextId += 2;
    if (this.#nextId > MAX_STREAM_ID) this.#drain();
    const stream: Stream = { id: streamId, handler, pending: body, sendWindow: this.#initialSendWindow, unacknowledged: 0, open: false, owned: false, window: 0, owed: 0 };
    this.#streams.set(streamId, stream);
    if (this.#streams.size === 1) this.#socket.ref();
    id(streamId);
    this.#queueHeaders(streamId, block);
    this.#sendData(stream);
  }

  #startStream(w: Waiting): void {
    const stream = w.stream!;
    stream.id = this.#nextId;
    this.#nextId += 2;
    if (this.#nextId > MAX_STREAM_ID) this.#drain();
    stream.sendWindow = this.#initialSendWindow;
    this.#streams.set(stream.id, stream);
    if (this.#streams.size === 1) this.#socket.ref();
    this.#queueHeaders(stream.id, w.block);
    if (stream.owed > 0) {
      this.#queue(windowUpdateFrame(stream.id, stream.owed));
      stream.owed = 0;
    }
    // What was sent while it waited; with nothing to send, END_STREAM still goes if the owner ended.
    if (stream.pending.length > 0 || !stream.open) this.#sendData(stream);
  }

  #queueHeaders(streamId: number, block: Buffer): void {
    if (this.#announceTableSize) {
      this.#announceTableSize = false;
      block = Buffer.concat([HpackEncoder.tableSizeUpdate(this.#encoderTableSize), block]);
    }
    // A block larger than a frame continues in CONTINUATION frames, back to back. #maxFrame
    // is at least 16,384 (SETTINGS are range-checked), so every frame takes a part.
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

  /** Sends as much of the stream's body as the windows and the socket allow; END_STREAM with the last byte. */
  #sendData(stream: Stream): void {
    while (true) {
      if (stream.pending.length > 0 && !this.#canSend()) {
        this.#blocked = true;
        return;
      }
      // A streaming call's open request side with nothing to send: no frame.
      if (stream.pending.length === 0 && (stream.open || stream.pending === DONE)) return;
      const size = Math.min(stream.pending.length, this.#maxFrame, stream.sendWindow, this.#connectionSendWindow);
      // An empty body still needs its END_STREAM; otherwise wait for WINDOW_UPDATE.
      if (size <= 0 && stream.pending.length > 0) return;
      const chunk = stream.pending.subarray(0, size);
      stream.pending = stream.pending.subarray(size);
      stream.sendWindow -= size;
      this.#connectionSendWindow -= size;
      const drained = stream.pending.length === 0;
      const last = drained && !stream.open;
      this.#queue(frameHeader(size, FRAME.DATA, last ? FLAG.END_STREAM : 0, stream.id), chunk);
      if (drained) {
        if (last) stream.pending = DONE;
        if (stream.owned) stream.handler.onSendable?.();
        return;
      }
    }
  }

  /** New streams and DATA go out only while the socket keeps up. */
  #canSend(): boolean {
    return !this.#needDrain && this.#outBytes < HIGH_WATER;
  }

  #queue(...buffers: Buffer[]): void {
    if (this.#closed) return;
    for (const b of buffers) {
      this.#out.push(b);
      this.#outBytes += b.length;
    }
    this.#scheduleFlush();
  }

  /** Queues an answer the server asked for; a server that keeps asking while it does not read is cut off. */
  #queueControl(frame: Buffer): void {
    if (++this.#controlThisTurn > MAX_CONTROL_PER_TURN) {
      throw new H2ProtocolError(RST.ENHANCE_YOUR_CALM, `more than ${MAX_CONTROL_PER_TURN} PING/SETTINGS/RST_STREAM answers owed at once`);
    }
    if (this.#needDrain) {
      this.#controlBacklog += frame.length;
      if (this.#controlBacklog > MAX_CONTROL_BACKLOG) {
        throw new H2ProtocolError(RST.ENHANCE_YOUR_CALM, `more than ${MAX_CONTROL_BACKLOG} bytes of PING/SETTINGS acknowledgements wait for a server that does not read`);
      }
    }
    this.#queue(frame);
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    this.#controlThisTurn = 0;
    if (this.#closed) return;
    this.#queueGrants();
    if (this.#out.length === 0 || this.#needDrain) return;
    const out = this.#out;
    this.#out = [];
    this.#outBytes = 0;
    this.#written = true;
    if (!this.#socket.write(out.length === 1 ? out[0] : Buffer.concat(out))) this.#needDrain = true;
    else if (this.#blocked) this.#resume();
  }

  #drained(): void {
    this.#needDrain = false;
    this.#controlBacklog = 0;
    if (this.#closed) return;
    if (this.#out.length > 0) this.#scheduleFlush();
    if (this.#blocked) this.#resume();
  }

  /** Streams and DATA held back by back-pressure go on. */
  #resume(): void {
    this.#blocked = false;
    this.#admitWaiting();
    for (const stream of this.#streams.values()) if (stream.pending.length > 0) this.#sendData(stream);
  }

  /** The WINDOW_UPDATEs owed, just before a write: what was received this turn is handed back. */
  #queueGrants(): void {
    if (this.#grantConnection) {
      this.#grantConnection = false;
      this.#queue(windowUpdateFrame(0, this.#connectionUnacknowledged));
      this.#connectionUnacknowledged = 0;
    }
    if (this.#grantStreams.size === 0) return;
    for (const stream of this.#grantStreams) {
      if (this.#streams.get(stream.id) !== stream) continue;
      this.#queue(windowUpdateFrame(stream.id, stream.unacknowledged));
      stream.unacknowledged = 0;
    }
    this.#grantStreams.clear();
  }

  #read(chunk: Buffer): void {
    if (this.#closed) return;
    this.#heard = true;
    this.#input = this.#input.length === 0 ? chunk : Buffer.concat([this.#input, chunk]);
    let pos = 0;
    const input = this.#input;
    try {
      while (!this.#closed && input.length - pos >= 9) {
        const length = input.readUIntBE(pos, 3);
        // §4.2: nothing above the SETTINGS_MAX_FRAME_SIZE this side allows (the default).
        if (length > MIN_MAX_FRAME) throw new H2ProtocolError(RST.FRAME_SIZE_ERROR, `frame of ${length} bytes above the ${MIN_MAX_FRAME} allowed`);
        if (input.length - pos < 9 + length) break;
        const type = input[pos + 3];
        const flags = input[pos + 4];
        const streamId = input.readUInt32BE(pos + 5) & 0x7fffffff;
        const payload = input.subarray(pos + 9, pos + 9 + length);
        pos += 9 + length;
        this.#frame(type, flags, streamId, payload);
      }
    } catch (err) {
      this.#input = EMPTY;
      this.#connectionError(err);
      return;
    }
    this.#input = pos === input.length ? EMPTY : input.subarray(pos);
  }

  /** @throws H2ProtocolError or HpackError for what the server may not send. */
  #frame(type: number, flags: number, streamId: number, payload: Buffer): void {
    // §3.4: the server's preface is a SETTINGS frame.
    if (!this.#settingsSeen && type !== FRAME.SETTINGS) throw new H2ProtocolError(RST.PROTOCOL_ERROR, `first frame of type ${type}, not SETTINGS`);
    // §6.10: nothing may come between HEADERS and its CONTINUATION frames.
    if (this.#headerBlock && type !== FRAME.CONTINUATION) throw new H2ProtocolError(RST.PROTOCOL_ERROR, 'a header block was interrupted');
    switch (type) {
      case FRAME.DATA: {
        if (streamId === 0) throw new H2ProtocolError(RST.PROTOCOL_ERROR, 'DATA on stream 0');
        const stream = this.#known(streamId, 'DATA');
        const data = unpad(payload, flags);
        // Padding counts against the windows too (§6.9.1).
        this.#received(stream, payload.length);
        if (!stream) return;
        if (data.length > 0) stream.handler.onData(data);
        if (flags & FLAG.END_STREAM && this.#streams.has(streamId)) {
          this.#closeRemote(stream);
          stream.handler.onEnd();
        }
        return;
      }
      case FRAME.HEADERS: {
        if (streamId === 0) throw new H2ProtocolError(RST.PROTOCOL_ERROR, 'HEADERS on stream 0');
        this.#known(streamId, 'HEADERS');
        let block = unpad(payload, flags);
        if (flags & FLAG.PRIORITY) {
          if (block.length < 5) throw new H2ProtocolError(RST.FRAME_SIZE_ERROR, 'HEADERS too short for its priority fields');
          block = block.subarray(5);
        }
        const endStream = (flags & FLAG.END_STREAM) !== 0;
        if (flags & FLAG.END_HEADERS) this.#headers(streamId, block, endStream);
        else this.#headerBlock = { stream: streamId, endStream, parts: [Buffer.from(block)], size: 9 + payload.length };
        return;
      }
      case FRAME.CONTINUATION: {
        const pending = this.#headerBlock;
        if (!pending || pending.stream !== streamId) throw new H2ProtocolError(RST.PROTOCOL_ERROR, 'CONTINUATION without HEADERS');
        pending.size += 9 + payload.length;
        if (pending.size > this.#maxHeaderBlock) throw new H2ProtocolError(RST.ENHANCE_YOUR_CALM, `header block of more than ${this.#maxHeaderBlock} bytes`);
        if (pending.parts.length > this.#maxContinuations) throw new H2ProtocolError(RST.ENHANCE_YOUR_CALM, `header block in more than ${this.#maxContinuations} CONTINUATION frames`);
        pending.parts.push(Buffer.from(payload));
        if (flags & FLAG.END_HEADERS) {
          this.#headerBlock = undefined;
          this.#headers(streamId, Buffer.concat(pending.parts), pending.endStream);
        }
        return;
      }
      case FRAME.PRIORITY:
        // Deprecated (§5.3.2) and ignored, but still framed as §6.3 says.
        if (streamId === 0) throw new H2ProtocolError(RST.PROTOCOL_ERROR, 'PRIORITY on stream 0');
        if (payload.length !== 5) throw new H2ProtocolError(RST.FRAME_SIZE_ERROR, `PRIORITY of ${payload.length} bytes`);
        return;
      case FRAME.RST_STREAM: {
        if (streamId === 0) throw new H2ProtocolError(RST.PROTOCOL_ERROR, 'RST_STREAM on stream 0');
        if (payload.length !== 4) throw new H2ProtocolError(RST.FRAME_SIZE_ERROR, `RST_STREAM of ${payload.length} bytes`);
        const stream = this.#known(streamId, 'RST_STREAM');
        if (!stream) return;
        this.#streams.delete(streamId);
        this.#streamClosed();
        stream.handler.onReset(payload.readUInt32BE(0));
        return;
      }
      case FRAME.SETTINGS:
        if (streamId !== 0) throw new H2ProtocolError(RST.PROTOCOL_ERROR, 'SETTINGS on a stream');
        if (flags & FLAG.ACK) {
          if (payload.length !== 0) throw new H2ProtocolError(RST.FRAME_SIZE_ERROR, 'SETTINGS ACK with a payload');
          return;
        }
        if (payload.length % 6 !== 0) throw new H2ProtocolError(RST.FRAME_SIZE_ERROR, `SETTINGS of ${payload.length} bytes, not a multiple of 6`);
        this.#settings(payload);
        this.#queueControl(frameHeader(0, FRAME.SETTINGS, FLAG.ACK, 0));
        return;
      case FRAME.PUSH_PROMISE:
        // §8.4: push is disabled by this side's SETTINGS.
        throw new H2ProtocolError(RST.PROTOCOL_ERROR, 'PUSH_PROMISE although push is disabled');
      case FRAME.PING:
        if (streamId !== 0) throw new H2ProtocolError(RST.PROTOCOL_ERROR, 'PING on a stream');
        if (payload.length !== 8) throw new H2ProtocolError(RST.FRAME_SIZE_ERROR, `PING of ${payload.length} bytes`);
        if (flags & FLAG.ACK) this.#pong(payload);
        else this.#queueControl(Buffer.concat([frameHeader(8, FRAME.PING, FLAG.ACK, 0), payload]));
        return;
      case FRAME.GOAWAY: {
        if (streamId !== 0) throw new H2ProtocolError(RST.PROTOCOL_ERROR, 'GOAWAY on a stream');
        if (payload.length < 8) throw new H2ProtocolError(RST.FRAME_SIZE_ERROR, `GOAWAY of ${payload.length} bytes`);
        const lastStream = payload.readUInt32BE(0) & 0x7fffffff;
        const code = payload.readUInt32BE(4);
        if (code === RST.ENHANCE_YOUR_CALM && payload.toString('latin1', 8) === 'too_many_pings') this.#options.onTooManyPings?.();
        this.#drain();
        // Streams above the last one the server will process were never seen: safe to resend.
        for (const [id, stream] of this.#streams) {
          if (id > lastStream) {
            this.#streams.delete(id);
            stream.handler.onFailed(new Error(`Stream refused by server (GOAWAY ${CODE_NAMES[code] ?? code})`), true);
          }
        }
        this.#streamClosed();
        return;
      }
      case FRAME.WINDOW_UPDATE: {
        if (payload.length !== 4) throw new H2ProtocolError(RST.FRAME_SIZE_ERROR, `WINDOW_UPDATE of ${payload.length} bytes`);
        const increment = payload.readUInt32BE(0) & 0x7fffffff;
        if (streamId === 0) {
          if (increment === 0) throw new H2ProtocolError(RST.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0');
          // §6.9.1: a window may not pass 2^31-1.
          if (this.#connectionSendWindow + increment > MAX_WINDOW) throw new H2ProtocolError(RST.FLOW_CONTROL_ERROR, 'connection window above 2^31-1');
          this.#connectionSendWindow += increment;
          for (const stream of this.#streams.values()) {
            if (this.#connectionSendWindow <= 0) break;
            if (stream.pending.length > 0) this.#sendData(stream);
          }
        } else {
          const stream = this.#known(streamId, 'WINDOW_UPDATE');
          // Stream errors (§6.9), ending the connection as §5.4.1 allows: one server, one fate.
          if (increment === 0) throw new H2ProtocolError(RST.PROTOCOL_ERROR, `WINDOW_UPDATE of 0 on stream ${streamId}`);
          if (!stream) return;
          if (stream.sendWindow + increment > MAX_WINDOW) throw new H2ProtocolError(RST.FLOW_CONTROL_ERROR, `stream ${streamId} window above 2^31-1`);
          stream.sendWindow += increment;
          if (stream.pending.length > 0) this.#sendData(stream);
        }
        return;
      }
      default:
        // Unknown frame types are ignored (§5.5).
        return;
    }
  }

  /**
   * The open stream `streamId`, or undefined for one that has closed (its late frames are
   * ignored, §5.1). @throws H2ProtocolError for a stream that was never opened: an idle
   * stream, or a server-initiated (even) one, push being off (§5.1.1).
   */
  #known(streamId: number, type: string): Stream | undefined {
    const stream = this.#streams.get(streamId);
    if (stream) return stream;
    if ((streamId & 1) === 0 || streamId >= this.#nextId) throw new H2ProtocolError(RST.PROTOCOL_ERROR, `${type} on idle stream ${streamId}`);
    return undefined;
  }

  #headers(streamId: number, block: Buffer, endStream: boolean): void {
    // Every block is decoded, for any stream: the dynamic table must stay in step.
    const fields = this.#decoder.decode(block, this.#maxHeaderList);
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    if (fields === undefined) {
      // Larger than the SETTINGS_MAX_HEADER_LIST_SIZE this side advertised: this reply is
      // discarded (§10.5.1), the connection stays.
      this.#streams.delete(streamId);
      this.#queueControl(rstFrame(streamId, RST.ENHANCE_YOUR_CALM));
      this.#streamClosed();
      stream.handler.onReset(RST.ENHANCE_YOUR_CALM);
      return;
    }
    if (endStream) this.#closeRemote(stream);
    stream.handler.onHeaders(fields, endStream);
  }

  /** @throws H2ProtocolError for values out of the ranges of §6.5.2. */
  #settings(payload: Buffer): void {
    if (!this.#settingsSeen) {
      this.#settingsSeen = true;
      this.#connecting = false;
      clearTimeout(this.#connectTimer);
      this.#maxConcurrent = Infinity;
    }
    let initialWindow = this.#initialSendWindow;
    for (let at = 0; at < payload.length; at += 6) {
      const id = payload.readUInt16BE(at);
      const value = payload.readUInt32BE(at + 2);
      switch (id) {
        case SETTING.HEADER_TABLE_SIZE:
          // This side's encoder keeps no entries, but its table size is the one the server
          // last allowed, and a lowered size must be announced (RFC 7541 §4.2).
          if (value < this.#encoderTableSize) {
            this.#encoderTableSize = value;
            this.#announceTableSize = true;
          }
          break;
        case SETTING.ENABLE_PUSH:
          // A server may only send 0 (§6.5.2).
          if (value !== 0) throw new H2ProtocolError(RST.PROTOCOL_ERROR, `SETTINGS_ENABLE_PUSH of ${value} from a server`);
          break;
        case SETTING.MAX_CONCURRENT_STREAMS:
          this.#maxConcurrent = value;
          break;
        case SETTING.INITIAL_WINDOW_SIZE:
          if (value > MAX_WINDOW) throw new H2ProtocolError(RST.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE of ${value} above 2^31-1`);
          initialWindow = value;
          break;
        case SETTING.MAX_FRAME_SIZE:
          if (value < MIN_MAX_FRAME || value > MAX_MAX_FRAME) throw new H2ProtocolError(RST.PROTOCOL_ERROR, `SETTINGS_MAX_FRAME_SIZE of ${value} outside ${MIN_MAX_FRAME}..${MAX_MAX_FRAME}`);
          this.#maxFrame = value;
          break;
        default:
          // SETTINGS_MAX_HEADER_LIST_SIZE is advisory; unknown settings are ignored (§6.5.2).
          break;
      }
    }
    // One pass over the streams per frame, however many times the frame repeats the setting.
    const delta = initialWindow - this.#initialSendWindow;
    if (delta !== 0) {
      this.#initialSendWindow = initialWindow;
      for (const stream of this.#streams.values()) {
        stream.sendWindow += delta;
        if (stream.sendWindow > MAX_WINDOW) throw new H2ProtocolError(RST.FLOW_CONTROL_ERROR, `stream ${stream.id} window above 2^31-1`);
      }
    }
    for (const stream of this.#streams.values()) if (stream.pending.length > 0) this.#sendData(stream);
    this.#admitWaiting();
  }

  /**
   * Counts received DATA against the windows and owes them back once half is used (sent
   * with the next write). @throws H2ProtocolError FLOW_CONTROL_ERROR past a window (§6.9.1).
   */
  #received(stream: Stream | undefined, bytes: number): void {
    if (bytes === 0) return;
    this.#connectionUnacknowledged += bytes;
    if (this.#connectionUnacknowledged > this.#connectionReceiveWindow) {
      throw new H2ProtocolError(RST.FLOW_CONTROL_ERROR, `DATA past the connection window of ${this.#connectionReceiveWindow} bytes`);
    }
    if (!this.#grantConnection && this.#connectionUnacknowledged >= this.#connectionReceiveWindow / 2) {
      this.#grantConnection = true;
      this.#scheduleFlush();
    }
    if (!stream) return;
    if (stream.owned) {
      // The owner grants this window as its consumer reads (openStream).
      stream.window -= bytes;
      if (stream.window < 0) throw new H2ProtocolError(RST.FLOW_CONTROL_ERROR, `DATA past stream ${stream.id}'s window`);
      return;
    }
    stream.unacknowledged += bytes;
    if (stream.unacknowledged > this.#receiveWindow) {
      throw new H2ProtocolError(RST.FLOW_CONTROL_ERROR, `DATA past stream ${stream.id}'s window of ${this.#receiveWindow} bytes`);
    }
    if (stream.unacknowledged >= this.#receiveWindow / 2 && !this.#grantStreams.has(stream)) {
      this.#grantStreams.add(stream);
      this.#scheduleFlush();
    }
  }

  /**
   * The server ended the stream. A request side still open (a streaming call the server
   * answered early) is reset with NO_ERROR (§8.1), so the server frees it.
   */
  #closeRemote(stream: Stream): void {
    this.#streams.delete(stream.id);
    if (stream.owned && stream.pending !== DONE) {
      stream.open = false;
      stream.pending = DONE;
      this.#queue(rstFrame(stream.id, RST.NO_ERROR));
    }
    this.#streamClosed();
  }

  #streamClosed(): void {
    this.#admitWaiting();
    if (this.#streams.size === 0) {
      this.#socket.unref();
      this.#idleSince = Date.now();
      if (this.#draining) this.#fail(new Error('connection drained'));
    }
  }

  #admitWaiting(): void {
    while (this.#waiting.length > 0 && this.#streams.size < this.#maxConcurrent && this.usable && !this.#verifying) {
      if (!this.#canSend()) {
        this.#blocked = true;
        return;
      }
      const next = this.#waiting.shift()!;
      if (next.stream) this.#startStream(next);
      else this.#start(next.block, next.body, next.handler, next.id);
    }
  }

  /** Keepalive and idle housekeeping, once per min(keepalive interval, idle timeout). */
  #tick(): void {
    if (this.#closed) return;
    const now = Date.now();
    if (this.#heard) {
      this.#heard = false;
      this.#silentSince = now;
    }
    const idle = this.#streams.size === 0 && this.#waiting.length === 0;
    if (idle && now - this.#idleSince >= this.#idleTimeoutMs) {
      this.#goAway(RST.NO_ERROR, 'idle');
      this.#fail(new Error('idle connection closed'), true);
      return;
    }
    if (this.#ping || now - this.#silentSince < this.#keepaliveIntervalMs) return;
    if (!idle || this.#options.keepaliveWhileIdle) this.#sendPing();
    else this.#stale = true;
  }

  /** Holds new streams until a PING confirms the (silent, idle) connection still works. */
  #verify(): void {
    this.#stale = false;
    this.#verifying = true;
    if (!this.#ping) this.#sendPing();
  }

  #sendPing(): void {
    const payload = Buffer.alloc(8);
    payload.writeUInt32BE(++this.#pings, 4);
    this.#ping = payload;
    this.#queue(frameHeader(8, FRAME.PING, 0, 0), payload);
    this.#pingTimer = setTimeout(() => {
      this.#goAway(RST.NO_ERROR, 'ping timeout');
      this.#fail(new Error(`no answer to PING within ${this.#keepaliveTimeoutMs} ms: the server is unreachable`));
    }, this.#keepaliveTimeoutMs);
    this.#pingTimer.unref();
  }

  /** A PING ACK: ours is answered (anything else is an unsolicited ACK, ignored). */
  #pong(payload: Buffer): void {
    if (!this.#ping || !payload.equals(this.#ping)) return;
    this.#ping = undefined;
    clearTimeout(this.#pingTimer);
    this.#silentSince = Date.now();
    if (this.#verifying) {
      this.#verifying = false;
      this.#admitWaiting();
    }
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    this.#options.onGone();
    // Queued streams never went out: they may go on another connection.
    for (const w of this.#waiting.splice(0)) w.handler.onFailed(new Error('connection is closing'), true);
  }

  /** Ends the connection for what the server sent: GOAWAY with the error's code, then close. */
  #connectionError(err: unknown): void {
    const error =
      err instanceof H2ProtocolError ? err
      : err instanceof HpackError ? new H2ProtocolError(RST.COMPRESSION_ERROR, err.message)
      : new H2ProtocolError(RST.INTERNAL_ERROR, err instanceof Error ? err.message : String(err));
    this.#goAway(error.code, error.message);
    this.#fail(new Error(`HTTP/2 protocol error (${CODE_NAMES[error.code]}): ${error.message}`), true);
  }

  /**
   * Writes GOAWAY at once, ahead of anything queued (the connection ends right after). The
   * last stream id is 0: the server opened none here (§6.8).
   */
  #goAway(code: number, debug: string): void {
    if (this.#closed || !this.#written) return;
    this.#out = [];
    this.#outBytes = 0;
    this.#socket.write(goawayFrame(0, code, Buffer.from(debug.slice(0, 256), 'latin1')));
  }

  /** `linger`: the socket ends after what was written (a GOAWAY), destroyed if the server does not read it soon. */
  #fail(error: Error, linger = false): void {
    if (this.#closed) return;
    this.#drain();
    this.#closed = true;
    clearTimeout(this.#connectTimer);
    clearInterval(this.#tickTimer);
    clearTimeout(this.#pingTimer);
    this.#out = [];
    this.#outBytes = 0;
    this.#headerBlock = undefined;
    this.#grantStreams.clear();
    if (linger && !this.#socket.destroyed) {
      // Nothing more is read: a flooding server meets a full window instead of being read
      // (and ignored) until the socket goes.
      this.#socket.pause();
      this.#socket.end();
      setTimeout(() => this.#socket.destroy(), LINGER_MS).unref();
    } else {
      this.#socket.destroy();
    }
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    for (const stream of streams) stream.handler.onFailed(error, false);
  }
}

/** A buffer with nothing in it. */
const EMPTY = Buffer.alloc(0);
const noop = () => {};
/** A stream whose body has gone out in full. */
const DONE = Buffer.alloc(0);

/** A timer period: 0, negative, or past what a Node timer holds (2^31-1 ms, else it fires at once) mean never. */
const enabled = (ms: number) => (ms > 0 && ms <= MAX_TIMER_MS ? ms : Infinity);

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

function goawayFrame(lastStreamId: number, code: number, debug: Buffer): Buffer {
  const payload = Buffer.allocUnsafe(8);
  payload.writeUInt32BE(lastStreamId, 0);
  payload.writeUInt32BE(code, 4);
  return Buffer.concat([frameHeader(8 + debug.length, FRAME.GOAWAY, 0, 0), payload, debug]);
}

/**
 * The payload without its padding (PADDED flag: a length byte first, that many bytes last).
 * @throws H2ProtocolError when the padding does not fit in the frame (§6.1, §6.2).
 */
function unpad(payload: Buffer, flags: number): Buffer {
  if (!(flags & FLAG.PADDED)) return payload;
  if (payload.length === 0) throw new H2ProtocolError(RST.FRAME_SIZE_ERROR, 'PADDED frame without a pad length');
  const padding = payload[0];
  if (padding >= payload.length) throw new H2ProtocolError(RST.PROTOCOL_ERROR, 'padding longer than the frame');
  return payload.subarray(1, payload.length - padding);
}
