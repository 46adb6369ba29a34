/** One version of a subject's schema: pretty-printed and highlighted, with copy and a raw link. */
import { useContext } from 'preact/hooks';
import { seg, type SchemaVersion } from './api';
import { CodeBlock, ErrorBox, Loading } from './components';
import { prettySchema } from './highlight';
import { useLoad } from './load';
import { href } from './route';
import { Session } from './session';
import { References, subjectVersions } from './subject';

export function SchemaScreen({ subject, version }: { subject: string; version: string }) {
  const { api, changes } = useContext(Session);
  const s = seg(subject);
  const loaded = useLoad(async () => {
    const [schema, versions] = await Promise.all([api.get<SchemaVersion>(`/subjects/${s}/versions/${seg(version)}?deleted=true`), subjectVersions(api, subject)]);
    return { schema, versions };
  }, [api, subject, version, changes]);
  const data = loaded.data;
  const schema = data?.schema;
  const type = schema?.schemaType ?? 'AVRO';
  const previous = data && schema ? data.versions.all.filter((v) => v < schema.version).at(-1) : undefined;
  return (
    <section aria-labelledby="schema-title">
      <p class="crumbs">
        <a href={href()}>Subjects</a> / <a href={href('subjects', subject)}>{subject}</a> /
      </p>
      <h1 id="schema-title">
        <span class="name">{subject}</span> v{schema?.version ?? version}
        {schema && data?.versions.deleted.has(schema.version) && <span class="tag deleted">soft-deleted</span>}
      </h1>
      <ErrorBox error={loaded.error} />
      <Loading when={loaded.loading && !data} />
      {schema && (
        <>
          <dl class="facts">
            <dt>Schema id</dt>
            <dd data-testid="schema-id">{schema.id}</dd>
            <dt>Type</dt>
            <dd data-testid="schema-type">{type}</dd>
            <dt>References</dt>
            <dd>{schema.references?.length ? <References refs={schema.references} /> : <span class="muted">none</span>}</dd>
          </dl>
          <p class="actions">
            <a href={api.url(`/subjects/${s}/versions/${schema.version}/schema`)} target="_blank" rel="noopener noreferrer">
              Raw schema
            </a>
            {previous !== undefined && <a href={href('subjects', subject, 'diff', { a: previous, b: schema.version })}>Diff with v{previous}</a>}
            <a href={href('subjects', subject, 'compatibility')}>Check compatibility</a>
          </p>
          <CodeBlock text={prettySchema(schema.schema, type)} schemaType={type} label={`${type} schema of ${subject} version ${schema.version}`} />
        </>
      )}
    </section>
  );
}
