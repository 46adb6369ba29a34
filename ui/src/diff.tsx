/**
 * The difference between two versions of a subject, unified or side by side. Avro and JSON
 * Schema documents are compared after sorting object keys at every level (optional), so a
 * change of key order is not reported as a change: a structural comparison where it helps.
 */
import { diffLines } from 'diff';
import { useContext, useState } from 'preact/hooks';
import { seg, type SchemaVersion } from './api';
import { ErrorBox, Loading, SubjectCrumbs } from './components';
import { canonicalJson, prettySchema } from './highlight';
import { useLoad } from './load';
import { href, type Route } from './route';
import { Session } from './session';
import { subjectVersions } from './subject';

interface Line {
  readonly kind: 'same' | 'added' | 'removed';
  readonly text: string;
}

export function DiffScreen({ subject, route }: { subject: string; route: Route }) {
  const { api } = useContext(Session);
  const [layout, setLayout] = useState<'unified' | 'split'>(() => (matchMedia('(max-width: 700px)').matches ? 'unified' : 'split'));
  const [structural, setStructural] = useState(true);
  const s = seg(subject);
  const versions = useLoad(() => subjectVersions(api, subject), [api, subject]);
  const all = versions.data?.all ?? [];
  const a = route.query.get('a') ?? String(all.at(-2) ?? all.at(-1) ?? '');
  const b = route.query.get('b') ?? String(all.at(-1) ?? '');
  const pair = useLoad(async () => {
    if (!a || !b) return undefined;
    return Promise.all([api.get<SchemaVersion>(`/subjects/${s}/versions/${seg(a)}?deleted=true`), api.get<SchemaVersion>(`/subjects/${s}/versions/${seg(b)}?deleted=true`)]);
  }, [api, subject, a, b]);

  const pick = (which: 'a' | 'b', value: string) => location.replace(href('subjects', subject, 'diff', { a: which === 'a' ? value : a, b: which === 'b' ? value : b }));
  const text = (v: SchemaVersion) => {
    const type = v.schemaType ?? 'AVRO';
    return (structural && type !== 'PROTOBUF' ? canonicalJson(v.schema) : undefined) ?? prettySchema(v.schema, type);
  };
  const lines: Line[] = [];
  if (pair.data) {
    for (const part of diffLines(text(pair.data[0]), text(pair.data[1]))) {
      const kind = part.added ? 'added' : part.removed ? 'removed' : 'same';
      for (const line of part.value.replace(/\n$/, '').split('\n')) lines.push({ kind, text: line });
    }
  }
  const changed = lines.filter((l) => l.kind !== 'same').length;
  return (
    <section aria-labelledby="diff-title">
      <SubjectCrumbs subject={subject} />
      <h1 id="diff-title">Compare versions</h1>
      <ErrorBox error={versions.error} />
      <form class="toolbar" onSubmit={(e) => e.preventDefault()}>
        <VersionSelect label="From" name="a" value={a} versions={all} onPick={pick} />
        <VersionSelect label="To" name="b" value={b} versions={all} onPick={pick} />
        <label class="check">
          <input type="checkbox" checked={layout === 'split'} onChange={(e) => setLayout(e.currentTarget.checked ? 'split' : 'unified')} /> side by side
        </label>
        <label class="check">
          <input type="checkbox" checked={structural} onChange={(e) => setStructural(e.currentTarget.checked)} /> ignore key order (Avro, JSON)
        </label>
      </form>
      <ErrorBox error={pair.error} />
      <Loading when={pair.loading && !pair.data} />
      {pair.data && (
        <>
          <p class="counts" data-testid="diff-summary">
            {changed === 0 ? 'No differences.' : summary(lines.filter((l) => l.kind === 'added').length, lines.filter((l) => l.kind === 'removed').length)}
          </p>
          {layout === 'unified' ? <Unified lines={lines} /> : <Split lines={lines} />}
        </>
      )}
    </section>
  );
}

/** One side of the comparison: a choice among the subject's versions. */
function VersionSelect(props: { label: string; name: 'a' | 'b'; value: string; versions: readonly number[]; onPick(which: 'a' | 'b', value: string): void }) {
  return (
    <label>
      {props.label}{' '}
      <select name={props.name} value={props.value} onChange={(e) => props.onPick(props.name, e.currentTarget.value)}>
        {props.versions.map((v) => (
          <option key={v} value={v}>
            v{v}
          </option>
        ))}
      </select>
    </label>
  );
}

const summary = (added: number, removed: number) => `${added} line${added === 1 ? '' : 's'} added, ${removed} removed.`;

const SIGN = { same: ' ', added: '+', removed: '-' } as const;

function Unified({ lines }: { lines: Line[] }) {
  return (
    <pre class="diff unified" tabIndex={0} aria-label="Unified diff">
      {lines.map((l, i) => (
        <div key={i} class={`d-${l.kind}`}>
          <span class="sign" aria-hidden="true">
            {SIGN[l.kind]}
          </span>
          {l.kind !== 'same' && <span class="sr-only">{l.kind === 'added' ? 'added: ' : 'removed: '}</span>}
          {l.text || ' '}
        </div>
      ))}
    </pre>
  );
}

/** Removed lines on the left, added on the right, a run of each paired row by row. */
function Split({ lines }: { lines: Line[] }) {
  const rows: [Line | undefined, Line | undefined][] = [];
  for (let i = 0; i < lines.length; ) {
    if (lines[i].kind === 'same') {
      rows.push([lines[i], lines[i]]);
      i++;
      continue;
    }
    const removed: Line[] = [];
    const added: Line[] = [];
    while (i < lines.length && lines[i].kind === 'removed') removed.push(lines[i++]);
    while (i < lines.length && lines[i].kind === 'added') added.push(lines[i++]);
    for (let k = 0; k < Math.max(removed.length, added.length); k++) rows.push([removed[k], added[k]]);
  }
  return (
    <div class="diff split" tabIndex={0} role="table" aria-label="Side-by-side diff">
      {rows.map(([left, right], i) => (
        <div key={i} class="row" role="row">
          <pre role="cell" class={left ? `d-${left.kind}` : 'd-none'}>{left?.text || ' '}</pre>
          <pre role="cell" class={right ? `d-${right.kind}` : 'd-none'}>{right?.text || ' '}</pre>
        </div>
      ))}
    </div>
  );
}
