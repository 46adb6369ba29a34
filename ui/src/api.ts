/**
 * The registry's REST API as the page calls it: Confluent's routes plus Prism's /prism/v1
 * extensions, on the registry the user chose. Credentials travel in an Authorization header the
 * page sets itself, never as browser-managed credentials (`credentials: 'omit'`): a 401 then
 * reaches the page, which asks for them, instead of the browser's own dialog.
 */

export const ACCEPT = 'application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json';

/** A failure as the API put it: its status, and its error_code and message when it sent them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode?: number,
  ) {
    super(message);
  }
}

export interface SchemaReference {
  readonly name: string;
  readonly subject: string;
  readonly version: number;
}

export interface SchemaVersion {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schemaType?: string;
  readonly references?: readonly SchemaReference[];
  readonly schema: string;
}

export interface Whoami {
  readonly principal: string;
  readonly authenticated: boolean;
  readonly namespace?: string;
  readonly role?: 'read' | 'write' | 'admin';
  readonly roles: Record<string, string>;
}

export interface CompatibilityResult {
  readonly is_compatible: boolean;
  readonly messages?: readonly string[];
}

export interface Api {
  readonly base: string;
  readonly authorization?: string;
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** The URL of a path on this registry (for raw links). */
  url(path: string): string;
  /** A raw fetch with this API's headers (the change feed reads the body as it comes). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** `base`: the registry's root URL, absolute or relative to the page. */
export function createApi(base: string, authorization?: string): Api {
  const root = new URL(base.endsWith('/') ? base : `${base}/`, location.href).href.replace(/\/$/, '');
  const url = (path: string) => root + path;
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    accept: ACCEPT,
    ...(authorization ? { authorization } : {}),
    ...extra,
  });
  const raw = (path: string, init: RequestInit = {}) =>
    fetch(url(path), { ...init, credentials: 'omit', cache: 'no-store', headers: { ...headers(), ...(init.headers as Record<string, string> | undefined) } });
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await raw(path, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' } }),
      });
    } catch (err) {
      // A refused connection, or a CORS refusal from another registry: the browser says no more.
      throw new ApiError(0, `cannot reach ${root} (${(err as Error).message}); another registry must allow this page's origin (CORS)`);
    }
    const text = await response.text();
    let value: unknown;
    try {
      value = text === '' ? undefined : JSON.parse(text);
    } catch {
      value = text;
    }
    if (!response.ok) throw apiError(response.status, value, text);
    return value as T;
  };
  return {
    base: root,
    authorization,
    get: (path) => call('GET', path),
    send: (method, path, body) => call(method, path, body),
    url,
    fetch: raw,
  };
}

/** The API's own words: Confluent's {error_code, message}, else whatever it said. */
function apiError(status: number, value: unknown, text: string): ApiError {
  if (value && typeof value === 'object') {
    const v = value as { error_code?: unknown; message?: unknown; code?: unknown };
    const message = typeof v.message === 'string' ? v.message : text;
    const code = typeof v.error_code === 'number' ? v.error_code : typeof v.code === 'number' ? v.code : undefined;
    return new ApiError(status, message, code);
  }
  return new ApiError(status, text.trim() === '' ? `HTTP ${status}` : text.trim().slice(0, 500));
}

/** A path segment: subjects may hold any character. */
export const seg = (value: string | number) => encodeURIComponent(String(value));

/** The Authorization header of basic credentials (UTF-8 names and passwords). */
export function basicAuthorization(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}
