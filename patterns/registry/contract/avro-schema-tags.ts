/**
 * Inline schema tags of Avro schemas (confluent-data-contracts.md §3.8): the
 * `"confluent:tags": [...]` property of a record or a field, addressed by a SchemaEntity
 * (`sr_record` with the record's full name, `sr_field` with `<record full name>.<field>`; a
 * leading `.` is ignored). Registrations add and remove them (schemaTagsToAdd /
 * schemaTagsToRemove, propagateSchemaTags) and `findTags` lists them.
 */
import { invalidSchema } from '../registry-error.js';

export const TAGS_PROPERTY = 'confluent:tags';

export interface SchemaEntity {
  readonly entityPath: string;
  readonly entityType: string;
}

export interface SchemaTags {
  readonly schemaEntity: SchemaEntity;
  readonly tags: readonly string[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every record and field of a parsed Avro schema, in schema order, with its entity path. */
function entities(schema: unknown): Array<{ entity: SchemaEntity; node: Json }> {
  const out: Array<{ entity: SchemaEntity; node: Json }> = [];
  const seen = new Set<Json>();
  const walk = (t: unknown, namespace: string): void => {
    if (Array.isArray(t)) return t.forEach((member) => walk(member, namespace));
    if (!isObject(t) || seen.has(t)) return;
    seen.add(t);
    if (t.type === 'array') return walk(t.items, namespace);
    if (t.type === 'map') return walk(t.values, namespace);
    if (t.type !== 'record' && t.type !== 'error') {
      if (isObject(t.type) || Array.isArray(t.type)) walk(t.type, namespace);
      return;
    }
    const name = String(t.name ?? '');
    const ns = typeof t.namespace === 'string' ? t.namespace : namespace;
    const fullName = name.includes('.') || ns === '' ? name : `${ns}.${name}`;
    const innerNamespace = fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : '';
    out.push({ entity: { entityPath: fullName, entityType: 'sr_record' }, node: t });
    for (const field of Array.isArray(t.fields) ? t.fields : []) {
      if (!isObject(field)) continue;
      out.push({ entity: { entityPath: `${fullName}.${String(field.name)}`, entityType: 'sr_field' }, node: field });
      walk(field.type, innerNamespace);
    }
  };
  walk(schema, '');
  return out;
}

const samePath = (a: string, b: string) => a.replace(/^\./, '') === b.replace(/^\./, '');

function tagsOf(node: Json): string[] {
  const tags = node[TAGS_PROPERTY];
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

function setTags(node: Json, tags: readonly string[]): void {
  if (tags.length === 0) delete node[TAGS_PROPERTY];
  else node[TAGS_PROPERTY] = [...tags];
}

/**
 * The schema text with tags added to and removed from the named entities.
 * @throws RegistryError INVALID_SCHEMA when an entity is not in the schema.
 */
export function modifyAvroTags(text: string, add: readonly SchemaTags[], remove: readonly SchemaTags[]): string {
  const schema = JSON.parse(text) as unknown;
  const all = entities(schema);
  const find = (entity: SchemaEntity) => {
    const found = all.find((e) => e.entity.entityType === entity.entityType && samePath(e.entity.entityPath, entity.entityPath));
    if (!found) throw invalidSchema(`Invalid schema tag entity: no ${entity.entityType || 'entity'} '${entity.entityPath}' in the schema`, { entity_path: entity.entityPath });
    return found.node;
  };
  for (const t of remove) {
    const node = find(t.schemaEntity);
    setTags(node, tagsOf(node).filter((tag) => !t.tags.includes(tag)));
  }
  for (const t of add) {
    const node = find(t.schemaEntity);
    setTags(node, [...new Set([...tagsOf(node), ...t.tags])]);
  }
  return JSON.stringify(schema);
}

/** Every tagged entity of a schema text (what propagateSchemaTags copies). */
export function avroTags(text: string): SchemaTags[] {
  return entities(JSON.parse(text) as unknown)
    .map(({ entity, node }) => ({ schemaEntity: entity, tags: tagsOf(node) }))
    .filter((t) => t.tags.length > 0);
}

/** `findTags`: the entities whose tags include any of `wanted` (`*`: every tagged one), in schema order. */
export function findAvroTags(text: string, wanted: readonly string[]): SchemaTags[] {
  const any = wanted.includes('*');
  return avroTags(text).filter((t) => any || t.tags.some((tag) => wanted.includes(tag)));
}

/** The previous version's tags copied onto a new text where its entities still exist. */
export function propagateAvroTags(previous: string, text: string): string {
  const schema = JSON.parse(text) as unknown;
  const all = entities(schema);
  for (const t of avroTags(previous)) {
    const found = all.find((e) => e.entity.entityType === t.schemaEntity.entityType && samePath(e.entity.entityPath, t.schemaEntity.entityPath));
    if (found) setTags(found.node, [...new Set([...tagsOf(found.node), ...t.tags])]);
  }
  return JSON.stringify(schema);
}
