/**
 * One subject: its versions (soft-deleted ones marked), each version's id and type, the latest
 * version's references as links, and its compatibility level and mode, which callers with the
 * role (write for compatibility, admin for mode, as the Confluent frontend's routes require) may
 * change here.
 */
import { useContext, useState } from 'preact/hooks';
import { ApiError, seg, type SchemaVersion } from './api';
import { ErrorBox, Loading } from './components';
import { useLoad } from './load';
import { href } from './route';
import { mayWrite, Session } from './session';

export const LEVELS = ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'];
export const MODES = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'];
/** Versions whose details (id, type) are fetched; older ones are listed by number only. */
const DETAILED = 100;

/** Versions of a subject with soft-deleted ones: all, and which are deleted. */
export async function subjectVersions(api: import('./api').Api, subject: string): Promise<{ all: number[]; deleted: Set<number> }> {
  const s = seg(subject);
  const [all, active] = await Promise.all([
    api.get<number[]>(`/subjects/${s}/versions?deleted=true`),
    // A subject whose versions are all soft-deleted answers 404 here.
    api.get<number[]>(`/subjects/${s}/versions`).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 404) return [] as number[];
      throw err;
    }),
  ]);
  return { all: [...all].sort((a, b) => a - b), deleted: new Set(all.filter((v) => !active.includes(v))) };
}

export function SubjectScreen({ subject }: { subject: string }) {
  const { api, whoami, changes } = useContext(Session);
  const s = seg(subject);
  const versions = useLoad(async () => {
    const { all, deleted } = await subjectVersions(api, subject);
    const details = await Promise.all(all.slice(-DETAILED).map((v) => api.get<SchemaVersion>(`/subjects/${s}/versions/${v}?deleted=true`)));
    return { all, deleted, details: new Map(details.map((d) => [d.version, d])) };
  }, [api, subject, changes]);
  const settings = useLoad(async () => {
    const [subjectConfig, globalConfig, mode] = await Promise.all([
      api.get<{ compatibilityLevel?: string }>(`/config/${s}`).catch(notConfigured),
      api.get<{ compatibilityLevel?: string }>('/config'),
      api.get<{ mode?: string }>(`/mode/${s}?defaultToGlobal=true`).catch(notConfigured),
    ]);
    return { subjectLevel: subjectConfig?.compatibilityLevel, level: subjectConfig?.compatibilityLevel ?? globalConfig.compatibilityLevel, mode: mode?.mode };
  }, [api, subject, changes]);

  const data = versions.data;
  const latest = data ? data.details.get(data.all.at(-1)!) : undefined;
  return (
    <section aria-labelledby="subject-title">
      <p class="crumbs">
        <a href={href()}>Subjects</a> /
      </p>
      <h1 id="subject-title" class="name">
        {subject}
      </h1>
      <ErrorBox error={versions.error} />
      <Loading when={versions.loading && !data} />
      {data && (
        <>
          <p class="actions">
            {data.all.length >= 2 && <a href={href('subjects', subject, 'diff', { a: data.all.at(-2)!, b: data.all.at(-1)! })}>Compare versions</a>}
            <a href={href('subjects', subject, 'compatibility')}>Check compatibility</a>
          </p>
          <table class="versions">
            <caption>
              {data.all.length} version{data.all.length === 1 ? '' : 's'}
              {data.deleted.size > 0 ? `, ${data.deleted.size} soft-deleted` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Schema id</th>
                <th scope="col">Type</th>
                <th scope="col">References</th>
              </tr>
            </thead>
            <tbody>
              {[...data.all].reverse().map((v) => {
                const d = data.details.get(v);
                return (
                  <tr key={v} class={data.deleted.has(v) ? 'deleted' : undefined}>
                    <td>
                      <a href={href('subjects', subject, 'versions', v)}>v{v}</a>
                      {data.deleted.has(v) && <span class="tag deleted">soft-deleted</span>}
                    </td>
                    <td>{d?.id ?? '…'}</td>
                    <td>{d ? (d.schemaType ?? 'AVRO') : '…'}</td>
                    <td>{d?.references?.length ? <References refs={d.references} /> : <span class="muted">none</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {latest && <p class="muted">Latest: version {latest.version}, schema id {latest.id}.</p>}
        </>
      )}
      <Settings subject={subject} loaded={settings} canConfig={mayWrite(whoami, 'write')} canMode={mayWrite(whoami, 'admin')} />
    </section>
  );
}

export function References({ refs }: { refs: readonly { name: string; subject: string; version: number }[] }) {
  return (
    <ul class="refs">
      {refs.map((r) => (
        <li key={r.name}>
          <a href={href('subjects', r.subject, 'versions', r.version)}>
            {r.name} → {r.subject} v{r.version}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** A subject without its own config or mode answers 404: the level is then the global one. */
function notConfigured(err: unknown): undefined {
  if (err instanceof ApiError && err.status === 404) return undefined;
  throw err;
}

function Settings(props: {
  subject: string;
  loaded: ReturnType<typeof useLoad<{ subjectLevel?: string; level?: string; mode?: string }>>;
  canConfig: boolean;
  canMode: boolean;
}) {
  const { api } = useContext(Session);
  const { loaded, subject } = props;
  const [error, setError] = useState<ApiError>();
  const [saved, setSaved] = useState<string>();
  const s = seg(subject);
  const run = async (what: string, action: () => Promise<unknown>) => {
    setError(undefined);
    setSaved(undefined);
    try {
      await action();
      setSaved(what);
      loaded.reload();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    }
  };
  const data = loaded.data;
  return (
    <section class="settings" aria-labelledby="settings-title">
      <h2 id="settings-title">Compatibility and mode</h2>
      <ErrorBox error={loaded.error} />
      {data && (
        <dl>
          <dt>Compatibility</dt>
          <dd data-testid="compat-level">
            {data.level ?? 'unknown'} <span class="muted">{data.subjectLevel ? '(set on this subject)' : '(global default)'}</span>
          </dd>
          <dt>Mode</dt>
          <dd data-testid="mode">{data.mode ?? 'unknown'}</dd>
        </dl>
      )}
      {data && props.canConfig && (
        <form
          class="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            const level = new FormData(e.currentTarget).get('level');
            void run('Compatibility saved', () => api.send('PUT', `/config/${s}`, { compatibility: level }));
          }}
        >
          <label>
            Compatibility{' '}
            <select name="level" key={data.level} defaultValue={data.level}>
              {LEVELS.map((l) => (
                <option key={l}>{l}</option>
              ))}
            </select>
          </label>
          <button type="submit">Save compatibility</button>
          {data.subjectLevel && (
            <button type="button" onClick={() => run('Subject compatibility removed', () => api.send('DELETE', `/config/${s}`))}>
              Use global
            </button>
          )}
        </form>
      )}
      {data && props.canMode && (
        <form
          class="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            const mode = new FormData(e.currentTarget).get('mode');
            void run('Mode saved', () => api.send('PUT', `/mode/${s}`, { mode }));
          }}
        >
          <label>
            Mode{' '}
            <select name="mode" key={data.mode} defaultValue={data.mode}>
              {MODES.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </label>
          <button type="submit">Save mode</button>
        </form>
      )}
      {!props.canConfig && <p class="muted">Changing compatibility needs the write role; mode needs admin.</p>}
      <ErrorBox error={error} />
      {saved && (
        <p class="ok" role="status">
          {saved}.
        </p>
      )}
    </section>
  );
}
