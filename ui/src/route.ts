/**
 * Screens are addressed by the URL's fragment (`#/subjects/orders-value/versions/3`), so the
 * gateway serves one page for all of them and every screen can be bookmarked and linked.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** Decoded path segments after `#/`. */
  readonly parts: readonly string[];
  readonly query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const q = text.indexOf('?');
  const path = q === -1 ? text : text.slice(0, q);
  return {
    parts: path === '' ? [] : path.split('/').map((p) => decodeURIComponent(p)),
    query: new URLSearchParams(q === -1 ? '' : text.slice(q + 1)),
  };
}

/** The fragment of a screen: `href('subjects', name, 'versions', 3)`, with an optional query. */
export function href(...parts: (string | number | Record<string, string | number | boolean | undefined>)[]): string {
  let query = '';
  const last = parts.at(-1);
  if (last !== undefined && typeof last === 'object') {
    parts = parts.slice(0, -1);
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(last)) if (v !== undefined && v !== false && v !== '') q.set(k, String(v));
    query = q.size > 0 ? `?${q}` : '';
  }
  return `#/${parts.map((p) => encodeURIComponent(String(p))).join('/')}${query}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}
