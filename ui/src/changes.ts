/**
 * The "recent changes" feed: the registry's change feed (`GET /prism/v1/events`, SSE) read with
 * fetch rather than EventSource, because EventSource cannot send an Authorization header. A
 * dropped stream resumes after the last sequence seen (Last-Event-ID). A registry without the
 * feed (404, or an answer that is not an event stream) is polled instead: its subject list,
 * every POLL_MS, reporting subjects that appeared or went away.
 */
import { ApiError, type Api } from './api';

export interface Change {
  readonly sequence?: string;
  readonly kind: string;
  readonly subject?: string;
  readonly version?: number;
  readonly id?: number;
  readonly schemaType?: string;
  readonly time: string;
}

export type FeedState = 'connecting' | 'live' | 'polling' | 'failed';

export interface FeedListener {
  change(change: Change): void;
  state(state: FeedState, detail?: string): void;
}

export const POLL_MS = 10_000;
const RETRY_MS = 2_000;

/** Follows the registry's changes until the returned function is called. */
export function followChanges(api: Api, listener: FeedListener): () => void {
  const abort = new AbortController();
  let stopped = false;
  let lastId: string | undefined;
  let retryMs = RETRY_MS;

  const stream = async (): Promise<'retry' | 'poll' | 'stop'> => {
    listener.state('connecting');
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastId !== undefined) headers['last-event-id'] = lastId;
    let response: Response;
    try {
      response = await api.fetch(`/prism/v1/events${lastId === undefined ? '?after=latest' : ''}`, { headers, signal: abort.signal });
    } catch {
      return stopped ? 'stop' : 'retry';
    }
    if (response.status === 404 || response.status === 405 || (response.ok && !response.headers.get('content-type')?.startsWith('text/event-stream'))) {
      void response.body?.cancel();
      return 'poll';
    }
    if (!response.ok || !response.body) {
      const text = await response.text().catch(() => '');
      let message = `HTTP ${response.status}`;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // not JSON: the status says it
      }
      listener.state('failed', message);
      // 410: the changes after our last sequence are gone; start again from now.
      if (response.status === 410) lastId = undefined;
      return response.status === 401 || response.status === 403 ? 'stop' : 'retry';
    }
    listener.state('live');
    retryMs = RETRY_MS;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        // Events end with a blank line (any of the three line endings, SSE §9.2.5).
        let end: RegExpExecArray | null;
        while ((end = /\r\n\r\n|\n\n|\r\r/.exec(buffer)) !== null) {
          const block = buffer.slice(0, end.index);
          buffer = buffer.slice(end.index + end[0].length);
          const event = parseEvent(block);
          if (event.retry !== undefined) retryMs = event.retry;
          if (event.id !== undefined) lastId = event.id;
          if (event.event === 'shutdown' || event.event === 'end') return 'retry';
          if (event.event === 'error') {
            listener.state('failed', errorMessage(event.data));
            return 'retry';
          }
          if (event.data === undefined) continue;
          try {
            listener.change(JSON.parse(event.data) as Change);
          } catch {
            // A line that is not a change: nothing to show.
          }
        }
      }
    } catch {
      // The connection dropped: resume from the last id.
    }
    return stopped ? 'stop' : 'retry';
  };

  const poll = async () => {
    // 'polling' is told once the first list is in: changes are reported from then on.
    let known: Set<string> | undefined;
    while (!stopped) {
      try {
        const subjects = new Set(await api.get<string[]>('/subjects'));
        const time = new Date().toISOString();
        if (known) {
          for (const s of subjects) if (!known.has(s)) listener.change({ kind: 'SUBJECT_APPEARED', subject: s, time });
          for (const s of known) if (!subjects.has(s)) listener.change({ kind: 'SUBJECT_GONE', subject: s, time });
        }
        known = subjects;
        listener.state('polling');
      } catch (err) {
        listener.state('failed', err instanceof ApiError ? err.message : String(err));
      }
      await sleep(POLL_MS, abort.signal);
    }
  };

  void (async () => {
    while (!stopped) {
      const next = await stream();
      if (next === 'stop' || stopped) return;
      if (next === 'poll') return poll();
      await sleep(retryMs, abort.signal);
    }
  })();

  return () => {
    stopped = true;
    abort.abort();
  };
}

interface SseEvent {
  event?: string;
  data?: string;
  id?: string;
  retry?: number;
}

/** One event's lines (SSE: `field: value`; comment lines start with a colon). */
export function parseEvent(block: string): SseEvent {
  const event: SseEvent = {};
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') event.data = event.data === undefined ? value : `${event.data}\n${value}`;
    else if (field === 'event') event.event = value;
    else if (field === 'id') event.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) event.retry = Number(value);
  }
  return event;
}

function errorMessage(data: string | undefined): string {
  try {
    return (JSON.parse(data ?? '') as { message?: string }).message ?? data ?? 'the change feed failed';
  } catch {
    return data ?? 'the change feed failed';
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
