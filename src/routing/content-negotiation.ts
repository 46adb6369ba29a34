/**
 * Content negotiation compiled per frontend: which response type to send for an Accept header
 * (server quality × client quality, as JAX-RS/Jersey negotiates) and whether a request's
 * Content-Type is one the frontend consumes. Media-type parameters are ignored for matching.
 */
import type { ProducedType } from '../frontends/definition.js';

export interface Negotiator {
  /** The response type for an Accept header; undefined when nothing produced is acceptable. */
  responseType(accept: string | undefined): string | undefined;
  /** The first produced type: what 406 and 415 bodies go out as. */
  readonly fallbackType: string;
  /** Whether a request body of this Content-Type (undefined: none sent) is accepted. */
  consumes(contentType: string | undefined): boolean;
}

interface AcceptRange {
  type: string;
  subtype: string;
  q: number;
}

const CACHE_LIMIT = 256;

export function compileNegotiator(produces: readonly ProducedType[], consumes: readonly string[], defaultRequestType: string | undefined): Negotiator {
  const produced = produces.map((p) => ({ type: p.type.toLowerCase(), qs: p.quality ?? 1 }));
  const byServerQuality = [...produced].sort((a, b) => b.qs - a.qs);
  const consumed = new Set(consumes.map((c) => c.toLowerCase()));
  const assumedType = (defaultRequestType ?? consumes[0])?.toLowerCase();
  // Accept headers repeat (every client sends the same few), so their answers are cached.
  const cache = new Map<string, string | undefined>();

  function choose(accept: string): string | undefined {
    const ranges = parseAccept(accept);
    let best: string | undefined;
    let bestScore = 0;
    for (const p of produced) {
      const [type, subtype] = p.type.split('/');
      let q = -1;
      let specificity = -1;
      for (const r of ranges) {
        const s = r.type === '*' ? 0 : r.subtype === '*' ? 1 : 2;
        const matches = (r.type === '*' || r.type === type) && (r.subtype === '*' || r.subtype === subtype);
        if (matches && s > specificity) {
          specificity = s;
          q = r.q;
        }
      }
      const score = q * p.qs;
      if (q > 0 && score > bestScore) {
        best = p.type;
        bestScore = score;
      }
    }
    return best;
  }

  return {
    fallbackType: produced[0]?.type ?? 'application/json',
    responseType(accept) {
      if (accept === undefined || accept === '' || accept === '*/*') return byServerQuality[0]?.type;
      if (cache.has(accept)) return cache.get(accept);
      const chosen = choose(accept);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(accept, chosen);
      return chosen;
    },
    consumes(contentType) {
      const type = contentType === undefined || contentType === '' ? assumedType : mediaType(contentType);
      return type !== undefined && consumed.has(type);
    },
  };
}

/** `application/JSON; charset=utf-8` → `application/json`. */
export function mediaType(header: string): string {
  const semi = header.indexOf(';');
  return (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
}

// Parses an Accept header; a bare `*` counts as `*/*` (Java's HttpURLConnection sends it).
export function parseAccept(header: string): AcceptRange[] {
  const out: AcceptRange[] = [];
  for (const part of header.split(',')) {
    const [range, ...params] = part.split(';');
    let value = range.trim().toLowerCase();
    if (value === '') continue;
    if (value === '*') value = '*/*';
    // A wildcard type matches every subtype, as Jersey reads it (`*/anything` is `*/*`).
    if (value.startsWith('*/')) value = '*/*';
    const slash = value.indexOf('/');
    if (slash <= 0 || slash === value.length - 1) continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k.toLowerCase() === 'q') {
        const n = Number(v);
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 1;
      }
    }
    out.push({ type: value.slice(0, slash), subtype: value.slice(slash + 1), q });
  }
  return out;
}

/**
 * The framing a streaming route answers in, negotiated among its framings (the first is the
 * default: no Accept, `*\/*`, or equal preference); undefined when the client accepts none.
 */
export function negotiateFraming<T extends string>(framings: readonly T[], accept: string | undefined): T | undefined {
  if (framings.length === 0) return undefined;
  if (accept === undefined || accept.trim() === '' || accept.trim() === '*/*') return framings[0];
  const ranges = parseAccept(accept);
  let best: T | undefined;
  let bestQ = 0;
  for (const framing of framings) {
    const [type, subtype] = framing.split('/');
    let q = -1;
    let specificity = -1;
    for (const r of ranges) {
      const s = r.type === '*' ? 0 : r.subtype === '*' ? 1 : 2;
      if ((r.type === '*' || r.type === type) && (r.subtype === '*' || r.subtype === subtype) && s > specificity) {
        specificity = s;
        q = r.q;
      }
    }
    if (q > bestQ) {
      best = framing;
      bestQ = q;
    }
  }
  return best;
}
