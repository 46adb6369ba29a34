/**
 * Subjects: search by prefix (the registry filters, `subjectPrefix`), soft-deleted ones on a
 * toggle, counts, and pages of PAGE_SIZE. The whole name list is fetched once per search: even
 * 10,000 names are a few hundred KB, and paging them here keeps counts exact on registries that
 * cannot page (`offset`/`limit` are newer than many Confluent deployments).
 */
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ErrorBox, Loading } from './components';
import { useLoad } from './load';
import { href, type Route } from './route';
import { Session } from './session';

export const PAGE_SIZE = 100;

export function SubjectsScreen({ route }: { route: Route }) {
  const { api, changes } = useContext(Session);
  const prefix = route.query.get('prefix') ?? '';
  const showDeleted = route.query.get('deleted') === '1';
  const page = Math.max(1, Number(route.query.get('page')) || 1);
  const [typed, setTyped] = useState(prefix);
  const search = useRef<HTMLInputElement>(null);

  const go = (q: { prefix?: string; deleted?: boolean; page?: number }) => {
    location.replace(href({ prefix: q.prefix ?? prefix, deleted: (q.deleted ?? showDeleted) ? 1 : undefined, page: q.page && q.page > 1 ? q.page : undefined }));
  };
  // Typing searches after a short pause, not on every key.
  useEffect(() => {
    if (typed === prefix) return;
    const timer = setTimeout(() => go({ prefix: typed, page: 1 }), 250);
    return () => clearTimeout(timer);
  }, [typed]);
  // `/` focuses the search box, as on many sites.
  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      if (e.key === '/' && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement)) {
        e.preventDefault();
        search.current?.focus();
      }
    };
    addEventListener('keydown', key);
    return () => removeEventListener('keydown', key);
  }, []);

  const q = prefix ? `subjectPrefix=${encodeURIComponent(prefix)}` : '';
  const list = useLoad(async () => {
    const [active, deleted] = await Promise.all([
      api.get<string[]>(`/subjects${q ? `?${q}` : ''}`),
      showDeleted ? api.get<string[]>(`/subjects?${q ? `${q}&` : ''}deletedOnly=true`) : Promise.resolve([] as string[]),
    ]);
    const live = new Set(active);
    const gone = new Set(deleted.filter((s) => !live.has(s)));
    const all = [...active, ...gone].sort();
    return { all, active: active.length, deleted: gone };
  }, [api, prefix, showDeleted, changes]);

  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.all.length / PAGE_SIZE)) : 1;
  const current = Math.min(page, pages);
  const shown = data ? data.all.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE) : [];

  return (
    <section aria-labelledby="subjects-title">
      <h1 id="subjects-title">Subjects</h1>
      <form class="toolbar" role="search" onSubmit={(e) => (e.preventDefault(), go({ prefix: typed, page: 1 }))}>
        <label>
          Prefix{' '}
          <input ref={search} type="search" name="prefix" value={typed} placeholder="orders-" autoComplete="off" spellcheck={false} onInput={(e) => setTyped(e.currentTarget.value)} />
        </label>
        <label class="check">
          <input type="checkbox" name="deleted" checked={showDeleted} onChange={(e) => go({ deleted: e.currentTarget.checked, page: 1 })} /> show soft-deleted
        </label>
      </form>
      <ErrorBox error={list.error} />
      <Loading when={list.loading && !data} />
      {data && (
        <>
          <p class="counts" data-testid="subject-count">
            {data.active} subject{data.active === 1 ? '' : 's'}
            {prefix ? ` starting with “${prefix}”` : ''}
            {showDeleted ? `, ${data.deleted.size} soft-deleted` : ''}
          </p>
          {data.all.length === 0 ? (
            <p class="muted">No subjects{prefix ? ' with this prefix' : ''}.</p>
          ) : (
            <ul class="subjects">
              {shown.map((s) => (
                <li key={s}>
                  <a href={href('subjects', s)}>{s}</a>
                  {data.deleted.has(s) && <span class="tag deleted">soft-deleted</span>}
                </li>
              ))}
            </ul>
          )}
          {pages > 1 && (
            <nav class="pager" aria-label="Pages">
              <button type="button" disabled={current <= 1} onClick={() => go({ page: current - 1 })}>
                ← Previous
              </button>
              <span data-testid="page-status">
                Page {current} of {pages}
              </span>
              <button type="button" disabled={current >= pages} onClick={() => go({ page: current + 1 })}>
                Next →
              </button>
            </nav>
          )}
        </>
      )}
    </section>
  );
}
