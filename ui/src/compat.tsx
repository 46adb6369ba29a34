/**
 * Compatibility check: a candidate schema against one version of the subject, or against all
 * of them as the subject's level says (`POST /compatibility/subjects/{s}/versions`), with the
 * registry's verbose messages.
 */
import { useContext, useEffect, useState } from 'preact/hooks';
import { ApiError, seg, type CompatibilityResult, type SchemaVersion } from './api';
import { ErrorBox, Loading, SubjectCrumbs } from './components';
import { prettySchema } from './highlight';
import { useLoad } from './load';
import { Session } from './session';
import { subjectVersions } from './subject';

export function CompatScreen({ subject }: { subject: string }) {
  const { api } = useContext(Session);
  const s = seg(subject);
  const loaded = useLoad(async () => {
    const versions = await subjectVersions(api, subject);
    const active = versions.all.filter((v) => !versions.deleted.has(v));
    const latest = active.length ? await api.get<SchemaVersion>(`/subjects/${s}/versions/latest`) : undefined;
    return { active, latest };
  }, [api, subject]);
  const [candidate, setCandidate] = useState('');
  const [type, setType] = useState('AVRO');
  const [against, setAgainst] = useState('latest');
  const [result, setResult] = useState<CompatibilityResult>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  // Start from the latest schema: a candidate is usually a small edit of it.
  useEffect(() => {
    const latest = loaded.data?.latest;
    if (latest && candidate === '') {
      setType(latest.schemaType ?? 'AVRO');
      setCandidate(prettySchema(latest.schema, latest.schemaType));
    }
  }, [loaded.data]);

  const check = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    const path = against === 'all' ? `/compatibility/subjects/${s}/versions?verbose=true` : `/compatibility/subjects/${s}/versions/${seg(against)}?verbose=true`;
    try {
      setResult(await api.send<CompatibilityResult>('POST', path, { schema: candidate, ...(type === 'AVRO' ? {} : { schemaType: type }), ...(loaded.data?.latest?.references ? { references: loaded.data.latest.references } : {}) }));
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="compat-title">
      <SubjectCrumbs subject={subject} />
      <h1 id="compat-title">Check compatibility</h1>
      <ErrorBox error={loaded.error} />
      <Loading when={loaded.loading && !loaded.data} />
      <form class="compat" onSubmit={check}>
        <label class="block">
          Candidate schema
          <textarea name="candidate" rows={16} spellcheck={false} value={candidate} onInput={(e) => setCandidate(e.currentTarget.value)} />
        </label>
        <div class="toolbar">
          <label>
            Type{' '}
            <select name="type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
              <option>AVRO</option>
              <option>JSON</option>
              <option>PROTOBUF</option>
            </select>
          </label>
          <label>
            Against{' '}
            <select name="against" value={against} onChange={(e) => setAgainst(e.currentTarget.value)}>
              <option value="latest">latest version</option>
              {[...(loaded.data?.active ?? [])].reverse().map((v) => (
                <option key={v} value={String(v)}>
                  version {v}
                </option>
              ))}
              <option value="all">all versions (per the subject's level)</option>
            </select>
          </label>
          <button type="submit" disabled={busy || candidate.trim() === ''}>
            Check
          </button>
        </div>
      </form>
      <ErrorBox error={error} />
      {result && (
        <div class={result.is_compatible ? 'verdict ok' : 'verdict bad'} role="status" data-testid="verdict">
          <strong>{result.is_compatible ? 'Compatible' : 'Not compatible'}</strong>
          {result.messages && result.messages.length > 0 && (
            <ul>
              {result.messages.map((m, i) => (
                <li key={i}>{m}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
