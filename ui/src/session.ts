import { createContext } from 'preact';
import { createApi, type Api, type Whoami } from './api';

/** What every screen needs: the API of the chosen registry, the caller, and what to do on a 401. */
export interface SessionValue {
  readonly api: Api;
  /** Undefined while unknown, or when the registry does not answer /prism/v1/whoami. */
  readonly whoami?: Whoami;
  /** Tells the page the credentials were refused or are missing. */
  unauthorized(message: string): void;
  /** Bumped on every change the feed reports, so screens can refresh. */
  readonly changes: number;
}

export const Session = createContext<SessionValue>({ api: createApi('/'), unauthorized: () => {}, changes: 0 });

/** Whether the caller may change compatibility (write) or mode (admin); unknown callers may try. */
export function mayWrite(whoami: Whoami | undefined, role: 'write' | 'admin'): boolean {
  if (!whoami) return true;
  const rank = { read: 1, write: 2, admin: 3 } as const;
  return whoami.role !== undefined && rank[whoami.role] >= rank[role];
}
