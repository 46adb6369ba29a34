import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';
import { Session } from './session';

export interface Loaded<T> {
  readonly data?: T;
  readonly error?: ApiError;
  readonly loading: boolean;
  reload(): void;
}

/**
 * Runs `load` when `deps` change (and on reload), keeping the last answer while the next one
 * comes. A 401 tells the session, which asks for credentials.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const session = useContext(Session);
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => current && setState({ data, loading: false }),
      (err: unknown) => {
        if (!current) return;
        const error = err instanceof ApiError ? err : new ApiError(0, String(err));
        if (error.status === 401) session.unauthorized(error.message);
        setState({ error, loading: false });
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, tick, session.api]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
