/**
 * The to-do service's state, in memory: to-dos in creation order, paging by an opaque token,
 * filters, field-mask updates, and an event for every change that watchers hear. It speaks the
 * plain objects of the proto (protobufjs `toObject` with enums as names, 64-bit as strings) and
 * raises TodoError with the ErrorInfo reason the service sends.
 */

export type Priority = 'PRIORITY_UNSPECIFIED' | 'PRIORITY_LOW' | 'PRIORITY_MEDIUM' | 'PRIORITY_HIGH';
export interface Timestamp {
  seconds: string;
  nanos: number;
}

/** A to-do as the proto's plain object (oneof `schedule`: `due_time` or `someday`). */
export interface Todo {
  id: string;
  name: string;
  title: string;
  notes: string;
  priority: Priority;
  done: boolean;
  labels: Record<string, string>;
  due_time?: Timestamp | null;
  someday?: boolean;
  schedule?: 'due_time' | 'someday';
  create_time: Timestamp;
  update_time: Timestamp;
  revision: string;
}

export type EventKind = 'CREATED' | 'UPDATED' | 'DELETED' | 'EXISTING';
export interface TodoEvent {
  kind: EventKind;
  todo: Todo;
  sequence: string;
  time: Timestamp;
}

export interface ListQuery {
  page_size: number;
  page_token: string;
  priority: Priority;
  done?: boolean | null;
  label: string;
  title_contains: string;
}

/** gRPC status codes the store's errors carry. */
export const INVALID_ARGUMENT = 3;
export const NOT_FOUND = 5;

/** A refusal with the ErrorInfo reason and metadata the service sends (domain todo.example.com). */
export class TodoError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly metadata: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Fields an update mask may name (the others are the server's). */
const WRITABLE = ['title', 'notes', 'priority', 'done', 'labels', 'due_time', 'someday'] as const;
const MAX_TITLE = 200;
const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

export interface TodoStore {
  /** A new to-do; the same `requestId` again returns the to-do the first call made. */
  create(input: Partial<Todo>, requestId: string): Todo;
  get(id: string): Todo;
  list(query: ListQuery): { todos: Todo[]; next_page_token: string; total_size: number };
  /** Replaces the fields `paths` names (every writable field when empty). */
  update(input: Partial<Todo>, paths: readonly string[]): Todo;
  delete(id: string): void;
  /** Calls `listener` for every change until the returned function is called. */
  watch(listener: (event: TodoEvent) => void): () => void;
  /** The current to-dos as EXISTING events, oldest first. */
  existing(): TodoEvent[];
}

export function createTodoStore(now: () => Date = () => new Date()): TodoStore {
  const todos = new Map<string, Todo>();
  const byRequestId = new Map<string, string>();
  const listeners = new Set<(event: TodoEvent) => void>();
  let lastId = 0;
  let sequence = 0;

  const stamp = (): Timestamp => {
    const ms = now().getTime();
    return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
  };
  const copy = (todo: Todo): Todo => structuredClone(todo);
  const event = (kind: EventKind, todo: Todo): TodoEvent => ({ kind, todo: copy(todo), sequence: String(++sequence), time: stamp() });
  const emit = (kind: EventKind, todo: Todo) => {
    const e = event(kind, todo);
    for (const listener of listeners) listener(e);
  };
  const find = (id: string): Todo => {
    const todo = todos.get(id);
    if (!todo) throw new TodoError(NOT_FOUND, 'TODO_NOT_FOUND', `to-do '${id}' does not exist`, { id });
    return todo;
  };
  const checkTitle = (title: string) => {
    if (title.trim() === '') throw new TodoError(INVALID_ARGUMENT, 'INVALID_TITLE', 'a to-do needs a title', { field: 'title' });
    if (title.length > MAX_TITLE) throw new TodoError(INVALID_ARGUMENT, 'INVALID_TITLE', `a title has at most ${MAX_TITLE} characters`, { field: 'title' });
  };
  /** Copies the oneof `schedule` from `from` (whichever member it set) onto `to`. */
  const setSchedule = (to: Todo, from: Partial<Todo>) => {
    delete to.due_time;
    delete to.someday;
    delete to.schedule;
    if (from.schedule === 'due_time' && from.due_time) Object.assign(to, { due_time: from.due_time, schedule: 'due_time' });
    else if (from.schedule === 'someday') Object.assign(to, { someday: from.someday === true, schedule: 'someday' });
  };

  return {
    create(input, requestId) {
      const earlier = requestId ? byRequestId.get(requestId) : undefined;
      if (earlier !== undefined && todos.has(earlier)) return copy(todos.get(earlier)!);
      checkTitle(input.title ?? '');
      const id = String(++lastId);
      const time = stamp();
      const todo: Todo = {
        id,
        name: `todos/${id}`,
        title: input.title!,
        notes: input.notes ?? '',
        priority: input.priority ?? 'PRIORITY_UNSPECIFIED',
        done: input.done ?? false,
        labels: { ...input.labels },
        create_time: time,
        update_time: time,
        revision: '1',
      };
      setSchedule(todo, input);
      todos.set(id, todo);
      if (requestId) byRequestId.set(requestId, id);
      emit('CREATED', todo);
      return copy(todo);
    },

    get: (id) => copy(find(id)),

    list(query) {
      const size = query.page_size === 0 ? DEFAULT_PAGE : query.page_size;
      if (size < 1 || size > MAX_PAGE) throw new TodoError(INVALID_ARGUMENT, 'INVALID_PAGE_SIZE', `page size must be 1 to ${MAX_PAGE}`, { field: 'page_size' });
      const start = query.page_token === '' ? 0 : pageStart(query.page_token);
      if (start === undefined) throw new TodoError(INVALID_ARGUMENT, 'INVALID_PAGE_TOKEN', 'the page token is not one this server gave', { field: 'page_token' });
      const [labelKey, labelValue] = query.label.split('=', 2);
      const matching = [...todos.values()].filter(
        (t) =>
          (query.priority === 'PRIORITY_UNSPECIFIED' || t.priority === query.priority) &&
          (query.done === undefined || query.done === null || t.done === query.done) &&
          (query.label === '' || (labelKey in t.labels && (labelValue === undefined || t.labels[labelKey] === labelValue))) &&
          (query.title_contains === '' || t.title.toLowerCase().includes(query.title_contains.toLowerCase())),
      );
      const page = matching.slice(start, start + size);
      const next = start + size < matching.length ? Buffer.from(String(start + size)).toString('base64url') : '';
      return { todos: page.map(copy), next_page_token: next, total_size: matching.length };
    },

    update(input, paths) {
      const todo = find(input.id ?? '');
      const fields = paths.length === 0 ? WRITABLE : paths;
      for (const path of fields) {
        if (!(WRITABLE as readonly string[]).includes(path)) {
          throw new TodoError(INVALID_ARGUMENT, 'INVALID_UPDATE_MASK', `'${path}' is not a field an update may change`, { field: 'update_mask', path });
        }
      }
      if (fields.includes('title')) checkTitle(input.title ?? '');
      const next = copy(todo);
      for (const path of fields) {
        if (path === 'due_time' || path === 'someday') continue;
        (next as unknown as Record<string, unknown>)[path] = structuredClone((input as Record<string, unknown>)[path] ?? defaultOf(path));
      }
      if (fields.includes('due_time') || fields.includes('someday')) setSchedule(next, input);
      next.update_time = stamp();
      next.revision = String(Number(todo.revision) + 1);
      todos.set(next.id, next);
      emit('UPDATED', next);
      return copy(next);
    },

    delete(id) {
      const todo = find(id);
      todos.delete(id);
      emit('DELETED', todo);
    },

    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    existing: () => [...todos.values()].map((t) => event('EXISTING', t)),
  };
}

/** The offset a page token stands for; undefined for a token this store never gave out. */
function pageStart(token: string): number | undefined {
  const text = Buffer.from(token, 'base64url').toString();
  // Decoding skips characters outside the alphabet: the token must encode back to itself.
  if (!/^[1-9][0-9]*$/.test(text) || Buffer.from(text).toString('base64url') !== token) return undefined;
  return Number(text);
}

function defaultOf(path: string): unknown {
  if (path === 'labels') return {};
  if (path === 'done') return false;
  if (path === 'priority') return 'PRIORITY_UNSPECIFIED';
  return '';
}
