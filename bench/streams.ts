/**
 * Scenario `streams`: GET /v1/streams/{count} → gwpeer.v1.ItemService/ListItems (server
 * streaming) on the Go gRPC server of the grpc-gateway peer, through Prism Gateway (`serve`,
 * SSE and NDJSON by Accept) and through Go grpc-gateway (NDJSON, `{"result": Item}` a line).
 *
 * - Messages per second through one stream: 200,000 items with 64-byte names, downloaded by
 *   curl; the systems alternate round by round (order rotated), medians and paired ratios.
 * - Time to the first body byte of a one-item stream (a fresh connection each time).
 * - Memory per idle open stream: 1,000 streams held open (one item, then the backend waits an
 *   hour), the RSS growth of a fresh gateway process divided by 1,000.
 * - Disconnect → backend cancellation: the peer's Go server does not report when it sees a
 *   cancellation, so this is not measured (see STREAMS_CANCEL_NOTE).
 */
import { join } from 'node:path';
import { cpuTimeUs } from './lib/alternate.js';
import { PORTS, type BenchContext } from './lib/context.js';
import { sleep } from './lib/processes.js';
import { fmtInt, fmtPct, fmtUs, median, pairedRatio, summarize, type PairedRatio, type Summary } from './lib/stats.js';
import { curlDownload, holdStreams, readStream, rssBytes, timeToFirstByte } from './lib/stream-client.js';

export const STREAM_COUNT = 200_000;
export const STREAM_SIZE = 64;
export const IDLE_STREAMS = 1_000;
const TTFB_SAMPLES = 40;

export const PRISM_SSE = 'prism serve, SSE';
export const PRISM_NDJSON = 'prism serve, NDJSON';
export const GO_NDJSON = 'go grpc-gateway, NDJSON';

export const STREAMS_CANCEL_NOTE =
  "not measured: the peer's Go server (../shared/peers/grpc-gateway/server) does not report when it sees a cancellation (ListItems only stops at its next failed Send, silently)";

export interface ThroughputRuns {
  readonly messagesPerSecond: number[];
  readonly summary: Summary;
  /** CPU time of the gateway process per message, µs. */
  readonly cpuUsPerMessage: number[];
  readonly cpu: Summary;
  readonly bytes: number;
}

export interface StreamsResult {
  readonly count: number;
  readonly size: number;
  readonly throughput: Record<string, ThroughputRuns>;
  readonly ratios: Record<string, PairedRatio>;
  /** Time to the first body byte, µs: every sample of every round. */
  readonly ttfbUs: Record<string, Summary>;
  readonly idleStreams: number;
  /** RSS growth per open idle stream, bytes, one value per round. */
  readonly idleBytesPerStream: Record<string, { runs: number[]; summary: Summary }>;
  readonly cancellation: string;
}

interface System {
  readonly name: string;
  readonly port: number;
  readonly accept: string;
  readonly pid: number;
}

const streamUrl = (port: number, count: number, size: number, intervalMs = 0) => `http://127.0.0.1:${port}/v1/streams/${count}?size=${size}&interval_ms=${intervalMs}`;

export async function runStreams(ctx: BenchContext): Promise<StreamsResult> {
  ctx.log('\n== streams: GET /v1/streams/{count} → gwpeer.v1.ItemService/ListItems (server streaming, Go gRPC server) ==');
  await ctx.peer('server', ['-addr', `127.0.0.1:${PORTS.goServer}`], PORTS.goServer);
  const goGateway = await ctx.peer('gateway', ['-addr', `127.0.0.1:${PORTS.goGateway}`, '-backend', `127.0.0.1:${PORTS.goServer}`], PORTS.goGateway);
  const prism = await ctx.node(
    'prism-streams',
    [ctx.dist('src/cli.js'), 'serve', '--config', join(ctx.benchDir, 'streams', 'gateway.yaml'), '--port', String(PORTS.prismStreams), '--data-dir', join(ctx.tmpDir, 'streams-data'), '--log-level', ctx.options.logLevel],
    PORTS.prismStreams,
  );
  const systems: System[] = [
    { name: PRISM_SSE, port: PORTS.prismStreams, accept: 'text/event-stream', pid: prism.child.pid! },
    { name: PRISM_NDJSON, port: PORTS.prismStreams, accept: 'application/x-ndjson', pid: prism.child.pid! },
    { name: GO_NDJSON, port: PORTS.goGateway, accept: 'application/x-ndjson', pid: goGateway.child.pid! },
  ];

  const rounds = ctx.options.pairs;
  const rate = new Map<string, number[]>(systems.map((s) => [s.name, []]));
  const cpu = new Map<string, number[]>(systems.map((s) => [s.name, []]));
  const ttfb = new Map<string, number[]>(systems.map((s) => [s.name, []]));
  const idle = new Map<string, number[]>(systems.map((s) => [s.name, []]));
  // The idle-stream test holds SSE on Prism (the framing with heartbeat timers) against NDJSON on grpc-gateway.
  const idleSystems = systems.filter((s) => s.name !== PRISM_NDJSON);

  // Memory: a fresh gateway process for every measurement, since RSS a process once grew to
  // stays (freed heap is reused, not returned): a second 1,000 streams in the same process
  // would cost next to nothing. Same Go backend for both.
  for (let round = 0; round < rounds; round++) {
    for (const s of idleSystems.map((_, i) => idleSystems[(i + round) % idleSystems.length])) {
      const fresh = s.name === GO_NDJSON
        ? await ctx.peer('gateway', ['-addr', `127.0.0.1:${PORTS.goGatewayStreamsIdle}`, '-backend', `127.0.0.1:${PORTS.goServer}`], PORTS.goGatewayStreamsIdle)
        : await ctx.node('prism-streams-idle', [ctx.dist('src/cli.js'), 'serve', '--config', join(ctx.benchDir, 'streams', 'gateway.yaml'), '--port', String(PORTS.prismStreamsIdle), '--data-dir', join(ctx.tmpDir, 'streams-idle-data'), '--log-level', ctx.options.logLevel], PORTS.prismStreamsIdle);
      const port = s.name === GO_NDJSON ? PORTS.goGatewayStreamsIdle : PORTS.prismStreamsIdle;
      try {
        const perStream = await idleStreamCost({ ...s, port, pid: fresh.child.pid! });
        idle.get(s.name)!.push(perStream);
        ctx.log(`  idle round ${round + 1}/${rounds}  ${s.name.padEnd(24)} ${fmtInt(IDLE_STREAMS)} open streams: ${(perStream / 1024).toFixed(1)} KiB RSS per stream (fresh process)`);
      } finally {
        await fresh.stop();
      }
    }
  }

  // Every system carries the whole stream, or the comparison means nothing; the byte count
  // checks each timed run against it.
  const expectedBytes = new Map<string, number>();
  for (const s of systems) {
    const read = await readStream(streamUrl(s.port, STREAM_COUNT, STREAM_SIZE), s.accept);
    const messages = s.accept === 'text/event-stream' ? read.dataLines - 1 /* event: end */ : read.lines;
    if (read.status !== 200 || messages !== STREAM_COUNT) {
      throw new Error(`${s.name} answered ${read.status} (${read.contentType}) with ${messages} messages, expected ${STREAM_COUNT}; first line ${read.firstLine.slice(0, 200)}, last ${read.lastLine.slice(0, 200)}`);
    }
    expectedBytes.set(s.name, read.bytes);
    ctx.log(`  ${s.name.padEnd(24)} ${fmtInt(messages)} messages, ${(read.bytes / 2 ** 20).toFixed(1)} MiB (${(read.bytes / messages).toFixed(0)} B/message), first line ${read.firstLine.slice(0, 60)}…`);
  }

  // Warm-up: one full stream each (JIT, buffers, the upstream connection).
  for (const s of systems) await curlDownload(streamUrl(s.port, STREAM_COUNT, STREAM_SIZE), s.accept);

  for (let round = 0; round < rounds; round++) {
    const order = systems.map((_, i) => systems[(i + round) % systems.length]);
    for (const s of order) {
      const cpuBefore = cpuTimeUs(s.pid);
      const d = await curlDownload(streamUrl(s.port, STREAM_COUNT, STREAM_SIZE), s.accept);
      const cpuUs = (cpuTimeUs(s.pid) - cpuBefore) / STREAM_COUNT;
      if (d.status !== 200 || d.bytes !== expectedBytes.get(s.name)) throw new Error(`${s.name}: a timed stream answered ${d.status} with ${d.bytes} bytes, expected ${expectedBytes.get(s.name)}`);
      const perSecond = STREAM_COUNT / d.totalSeconds;
      rate.get(s.name)!.push(perSecond);
      cpu.get(s.name)!.push(cpuUs);
      ctx.log(`  streams round ${round + 1}/${rounds}  ${s.name.padEnd(24)} ${fmtInt(perSecond).padStart(9)} msg/s  ${d.totalSeconds.toFixed(2)} s  first byte ${fmtUs(d.firstByteSeconds * 1e6)}  cpu ${cpuUs.toFixed(2)} µs/msg`);
    }
    for (const s of order) {
      const samples: number[] = [];
      for (let i = 0; i < TTFB_SAMPLES; i++) samples.push(await timeToFirstByte(streamUrl(s.port, 1, STREAM_SIZE), s.accept));
      ttfb.get(s.name)!.push(...samples);
      ctx.log(`  ttfb round ${round + 1}/${rounds}  ${s.name.padEnd(24)} median ${fmtUs(median(samples))} of ${TTFB_SAMPLES}`);
    }
  }

  const throughput: Record<string, ThroughputRuns> = {};
  for (const s of systems) {
    const r = rate.get(s.name)!;
    const c = cpu.get(s.name)!;
    throughput[s.name] = { messagesPerSecond: r, summary: summarize(r), cpuUsPerMessage: c, cpu: summarize(c), bytes: expectedBytes.get(s.name)! };
  }
  const inv = (name: string) => cpu.get(name)!.map((us) => 1 / us);
  const ratios: Record<string, PairedRatio> = {
    'prism SSE / grpc-gateway NDJSON': pairedRatio(rate.get(PRISM_SSE)!, rate.get(GO_NDJSON)!),
    'prism NDJSON / grpc-gateway NDJSON': pairedRatio(rate.get(PRISM_NDJSON)!, rate.get(GO_NDJSON)!),
    'messages per CPU-second: prism SSE / grpc-gateway': pairedRatio(inv(PRISM_SSE), inv(GO_NDJSON)),
    'messages per CPU-second: prism NDJSON / grpc-gateway': pairedRatio(inv(PRISM_NDJSON), inv(GO_NDJSON)),
  };
  return {
    count: STREAM_COUNT,
    size: STREAM_SIZE,
    throughput,
    ratios,
    ttfbUs: Object.fromEntries(systems.map((s) => [s.name, summarize(ttfb.get(s.name)!)])),
    idleStreams: IDLE_STREAMS,
    idleBytesPerStream: Object.fromEntries(idleSystems.map((s) => [s.name, { runs: idle.get(s.name)!, summary: summarize(idle.get(s.name)!) }])),
    cancellation: STREAMS_CANCEL_NOTE,
  };
}

/**
 * On a fresh gateway: warms it with short streams (and 100 held and closed), then opens
 * IDLE_STREAMS one-item streams whose backend then waits an hour, lets the gateway settle,
 * and returns its RSS growth per stream.
 */
async function idleStreamCost(s: System): Promise<number> {
  for (let i = 0; i < 20; i++) await readStream(streamUrl(s.port, 10, STREAM_SIZE), s.accept);
  const warm = await holdStreams(streamUrl(s.port, 2, STREAM_SIZE, 3_600_000), s.accept, 100);
  await warm.close();
  await sleep(1000);
  const before = rssBytes(s.pid);
  const held = await holdStreams(streamUrl(s.port, 2, STREAM_SIZE, 3_600_000), s.accept, IDLE_STREAMS);
  try {
    await sleep(2000);
    return (rssBytes(s.pid) - before) / IDLE_STREAMS;
  } finally {
    await held.close();
  }
}

/** The markdown section of the scenario (appended by report.ts). */
export function renderStreams(r: StreamsResult): string[] {
  const out: string[] = [];
  out.push('', `### Streaming: ListItems through one stream (${fmtInt(r.count)} items, ${r.size}-byte names; curl, one stream at a time)`, '');
  out.push('| system | messages/s (median) | spread (min–max) | MiB per stream | CPU µs/message (median, min–max) | time to first byte (median, min–max) | runs |', '| --- | ---: | --- | ---: | ---: | ---: | ---: |');
  for (const [name, t] of Object.entries(r.throughput)) {
    const f = r.ttfbUs[name];
    out.push(`| ${name} | ${fmtInt(t.summary.median)} | ${fmtInt(t.summary.min)}–${fmtInt(t.summary.max)} (${fmtPct(t.summary.spreadPct)}) | ${(t.bytes / 2 ** 20).toFixed(1)} | ${t.cpu.median.toFixed(2)} (${t.cpu.min.toFixed(2)}–${t.cpu.max.toFixed(2)}) | ${fmtUs(f.median)} (${fmtUs(f.min)}–${fmtUs(f.max)}, n ${f.n}) | ${t.summary.n} |`);
  }
  out.push('', '| ratio | of medians | paired median (range) | goal |', '| --- | ---: | --- | --- |');
  for (const [label, ratio] of Object.entries(r.ratios)) out.push(`| ${label} | ${ratio.ofMedians.toFixed(2)}× | ${ratio.pairedMedian.toFixed(2)}× (${ratio.pairedMin.toFixed(2)}×–${ratio.pairedMax.toFixed(2)}×) | ${label.startsWith('prism') ? '≥ 1.0×' : ''} |`);
  out.push('', `**Memory per open idle stream** (${fmtInt(r.idleStreams)} streams held open, RSS growth of a fresh gateway process / ${fmtInt(r.idleStreams)}, after a warm-up of short streams)`, '');
  out.push('| system | KiB per stream (median) | min–max | rounds |', '| --- | ---: | --- | ---: |');
  for (const [name, m] of Object.entries(r.idleBytesPerStream)) out.push(`| ${name} | ${(m.summary.median / 1024).toFixed(1)} | ${(m.summary.min / 1024).toFixed(1)}–${(m.summary.max / 1024).toFixed(1)} | ${m.summary.n} |`);
  out.push('', `Disconnect → backend cancellation: ${r.cancellation}.`);
  return out;
}
