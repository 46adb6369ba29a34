/**
 * Loads parsed JSON Schema JSON into schema nodes the way everit classifies them, which is
 * what Confluent's diff compares (compatibility-rules.md §3.1).
 *
 * Per JSON object the extractors run in everit's order — `$ref` alone, else enum, combiners,
 * not, const, type, then keyword sniffing over the keys nobody consumed — and one result is
 * the node while several become a synthetic `allOf`. That is why `{"type":"integer",
 * "format":"int64"}` is an allOf of a number and a string (`format` is a string keyword), and
 * why a bare `{"maxLength":3}` is the same class as `{"type":"string","maxLength":3}`.
 */
import { spendWork } from '../../work-budget.js';
import { compileSchemaPattern, SchemaPatternError, type SchemaPattern } from './schema-pattern.js';
import type { Draft } from './validate-json-schema.js';
import type {
  ArrayNode, CombinedNode, Criterion, NodeMeta, NumberNode, ObjectNode, RefNode, SchemaNode, StringNode,
} from './schema-node.js';

/** One JSON document of the reference graph: the schema itself or a referenced schema. */
export interface JsonDocument {
  readonly json: unknown;
  /** The reference name (`$ref` text that finds it); null for the schema being parsed. */
  readonly name: string | null;
}

export class JsonSchemaLoadError extends Error {
  override readonly name = 'JsonSchemaLoadError';
}

const NUMBER_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
const STRING_KEYWORDS = ['minLength', 'maxLength', 'pattern', 'format'];

function arrayKeywords(draft: Draft): string[] {
  const k = ['items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems'];
  if (draft !== 'draft-4') k.push('contains');
  if (draft === '2019-09' || draft === '2020-12') k.push('unevaluatedItems', 'maxContains', 'minContains');
  if (draft === '2020-12') k.push('prefixItems');
  return k;
}

function objectKeywords(draft: Draft): string[] {
  const k = ['properties', 'required', 'minProperties', 'maxProperties', 'dependencies', 'patternProperties', 'additionalProperties'];
  if (draft !== 'draft-4') k.push('propertyNames');
  if (draft === '2019-09' || draft === '2020-12') k.push('dependentRequired', 'dependentSchemas', 'unevaluatedProperties');
  return k;
}

const EMPTY_META: NodeMeta = { id: undefined, title: undefined, description: undefined, hasDefault: false, defaultValue: undefined, unprocessed: {} };

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}


function decodePointerSegment(s: string): string {
  return decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~');
}

export interface LoaderOptions {
  /**
   * Accept patterns outside RE2's syntax in the main document too (they then never match),
   * for stored schemas, which were accepted before patterns ran on RE2. Referenced documents
   * are stored schemas, so they are always loaded this way.
   */
  readonly lenientPatterns?: boolean;
}

export class JsonSchemaLoader {
  private readonly cache = new Map<object, SchemaNode>();
  private readonly objectKw: string[];
  private readonly arrayKw: string[];

  constructor(
    private readonly draft: Draft,
    private readonly main: JsonDocument,
    private readonly references: readonly JsonDocument[],
    private readonly options: LoaderOptions = {},
  ) {
    this.objectKw = objectKeywords(draft);
    this.arrayKw = arrayKeywords(draft);
  }

  /** @throws JsonSchemaLoadError for JSON that is not a schema of the draft. */
  loadRoot(): SchemaNode {
    return this.load(this.main.json, this.main, '#');
  }

  load(json: unknown, doc: JsonDocument, where: string): SchemaNode {
    if (typeof json === 'boolean') {
      if (this.draft === 'draft-4') throw new JsonSchemaLoadError(`schema at ${where}: boolean schemas are not supported in draft-4`);
      return { kind: json ? 'true' : 'false', meta: EMPTY_META, source: json };
    }
    if (!isObject(json)) throw new JsonSchemaLoadError(`schema at ${where} must be an object or a boolean`);
    const cached = this.cache.get(json);
    if (cached !== undefined) return cached;
    spendWork();
    const node = this.loadObject(json, doc, where);
    this.cache.set(json, node);
    return node;
  }

  private child(json: Json, key: string, doc: JsonDocument, where: string): SchemaNode | null {
    return Object.hasOwn(json, key) ? this.load(json[key], doc, `${where}/${key}`) : null;
  }

  private meta(json: Json, consumed: Set<string>): NodeMeta {
    const idKey = this.draft === 'draft-4' ? 'id' : '$id';
    for (const k of [idKey, 'title', 'description', 'default']) consumed.add(k);
    const unprocessed: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(json)) if (!consumed.has(k)) unprocessed[k] = v;
    return {
      id: json[idKey],
      title: json['title'],
      description: json['description'],
      hasDefault: Object.hasOwn(json, 'default'),
      defaultValue: json['default'],
      unprocessed,
    };
  }

  private loadObject(json: Json, doc: JsonDocument, where: string): SchemaNode {
    const consumed = new Set<string>();
    const modern = this.draft === '2019-09' || this.draft === '2020-12';
    const members: SchemaNode[] = [];
    if (typeof json['$ref'] === 'string') {
      consumed.add('$ref');
      // Up to draft-7 everit reads only `$ref` from such a node. From 2019-09 on, `$ref` is
      // one keyword among others and Confluent's translation puts the reference and the
      // siblings side by side in a generated allOf.
      const keywordsBesideRef = modern && Object.keys(json).some((k) => !['$ref', '$schema', '$id', '$defs', 'definitions', '$comment', '$anchor', 'title', 'description', 'default'].includes(k));
      if (!keywordsBesideRef) return this.refNode(json, json['$ref'], doc, where, this.meta(json, consumed));
      members.push(this.refNode({ $ref: json['$ref'] }, json['$ref'], doc, where, EMPTY_META));
    }
    this.checkKeywordTypes(json, where);
    const has = (k: string): boolean => Object.hasOwn(json, k) && !consumed.has(k);

    if (has('enum')) {
      consumed.add('enum');
      if (!Array.isArray(json['enum'])) throw new JsonSchemaLoadError(`enum at ${where} must be an array`);
      members.push({ kind: 'enum', values: json['enum'] as unknown[], meta: EMPTY_META, source: { enum: json['enum'] } });
    }
    for (const criterion of ['allOf', 'anyOf', 'oneOf'] as const) {
      if (!has(criterion)) continue;
      consumed.add(criterion);
      const list = json[criterion];
      if (!Array.isArray(list)) throw new JsonSchemaLoadError(`${criterion} at ${where} must be an array`);
      members.push(this.combined(criterion, list.map((s, i) => this.load(s, doc, `${where}/${criterion}/${i}`)), false, { [criterion]: list }));
    }
    if (has('not')) {
      consumed.add('not');
      members.push({ kind: 'not', schema: this.load(json['not'], doc, `${where}/not`), meta: EMPTY_META, source: { not: json['not'] } });
    }
    if (this.draft !== 'draft-4' && has('const')) {
      consumed.add('const');
      members.push({ kind: 'const', value: json['const'], meta: EMPTY_META, source: { const: json['const'] } });
    }
    if (has('type')) {
      consumed.add('type');
      const type = json['type'];
      if (Array.isArray(type)) {
        members.push(this.combined('anyOf', type.map((t) => ({ ...this.forType(String(t), json, doc, where, consumed), source: { type: t, of: json } }) as SchemaNode), false, { type }));
      } else if (typeof type === 'string') {
        members.push(this.forType(type, json, doc, where, consumed));
      } else {
        throw new JsonSchemaLoadError(`type at ${where} must be a string or an array`);
      }
    }
    // Keyword sniffing sees only what the extractors above left over.
    const sniff = (keywords: string[]): boolean => keywords.some(has);
    if (sniff(this.arrayKw)) members.push(this.arrayNode(json, doc, where, consumed));
    if (sniff(this.objectKw)) members.push(this.objectNode(json, doc, where, consumed));
    if (sniff(NUMBER_KEYWORDS)) members.push(this.numberNode(json, false, consumed, where));
    if (sniff(STRING_KEYWORDS)) members.push(this.stringNode(json, consumed));
    if (this.draft !== 'draft-4' && this.draft !== 'draft-6' && sniff(['if', 'then', 'else'])) {
      for (const k of ['if', 'then', 'else']) {
        if (Object.hasOwn(json, k)) this.load(json[k], doc, `${where}/${k}`);
        consumed.add(k);
      }
      members.push({ kind: 'conditional', meta: EMPTY_META, source: { if: json['if'], then: json['then'], else: json['else'] } });
    }

    const meta = this.meta(json, consumed);
    if (members.length === 0) return { kind: 'empty', meta, source: json };
    if (members.length === 1) return { ...members[0]!, meta, source: json } as SchemaNode;
    return { ...this.combined('allOf', members, true, json), meta };
  }

  /**
   * The value-type checks everit makes while loading (`requireInteger`, `requireString`, …),
   * which are what makes Confluent answer 42201 for e.g. `"maxLength": "5"`.
   */
  private checkKeywordTypes(json: Json, where: string): void {
    const modern = this.draft === '2019-09' || this.draft === '2020-12';
    const expect = (key: string, what: string, ok: (v: unknown) => boolean): void => {
      if (!Object.hasOwn(json, key) || ok(json[key])) return;
      const v = json[key];
      const found = v === null ? 'null' : Array.isArray(v) ? 'JSONArray' : typeof v === 'object' ? 'JSONObject' : typeof v;
      throw new JsonSchemaLoadError(`${where}/${key}: expected type: ${what}, found: ${found}`);
    };
    const integer = (v: unknown): boolean => Number.isInteger(v);
    const number = (v: unknown): boolean => typeof v === 'number';
    const string = (v: unknown): boolean => typeof v === 'string';
    const boolean = (v: unknown): boolean => typeof v === 'boolean';
    for (const k of ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties']) expect(k, 'Integer', integer);
    if (modern) for (const k of ['minContains', 'maxContains']) expect(k, 'Integer', integer);
    for (const k of ['minimum', 'maximum', 'multipleOf']) expect(k, 'Number', number);
    for (const k of ['exclusiveMinimum', 'exclusiveMaximum']) expect(k, this.draft === 'draft-4' ? 'Boolean' : 'Number', this.draft === 'draft-4' ? boolean : number);
    for (const k of ['pattern', 'format', 'title', 'description', this.draft === 'draft-4' ? 'id' : '$id']) expect(k, 'String', string);
    expect('uniqueItems', 'Boolean', boolean);
    expect('required', 'JSONArray', (v) => Array.isArray(v) && v.every(string));
    for (const k of ['properties', 'patternProperties', 'dependencies']) expect(k, 'JSONObject', isObject);
    if (modern) for (const k of ['dependentRequired', 'dependentSchemas']) expect(k, 'JSONObject', isObject);
  }

  private combined(criterion: Criterion, subschemas: SchemaNode[], synthetic: boolean, source: unknown): CombinedNode {
    return { kind: 'combined', criterion, subschemas, synthetic, meta: EMPTY_META, source };
  }

  private forType(type: string, json: Json, doc: JsonDocument, where: string, consumed: Set<string>): SchemaNode {
    switch (type) {
      case 'string': return this.stringNode(json, consumed);
      case 'integer': return this.numberNode(json, true, consumed, where);
      case 'number': return this.numberNode(json, false, consumed, where);
      case 'boolean': return { kind: 'boolean', meta: EMPTY_META, source: { type } };
      case 'null': return { kind: 'null', meta: EMPTY_META, source: { type } };
      case 'array': return this.arrayNode(json, doc, where, consumed);
      case 'object': return this.objectNode(json, doc, where, consumed);
      default: throw new JsonSchemaLoadError(`unknown type: [${type}] at ${where}`);
    }
  }

  private stringNode(json: Json, consumed: Set<string>): StringNode {
    for (const k of STRING_KEYWORDS) consumed.add(k);
    return {
      kind: 'string',
      maxLength: num(json['maxLength']),
      minLength: num(json['minLength']),
      pattern: typeof json['pattern'] === 'string' ? json['pattern'] : null,
      meta: EMPTY_META,
      source: { type: 'string', maxLength: json['maxLength'], minLength: json['minLength'], pattern: json['pattern'] },
    };
  }

  private numberNode(json: Json, requiresInteger: boolean, consumed: Set<string>, where: string): NumberNode {
    for (const k of NUMBER_KEYWORDS) consumed.add(k);
    if (json['multipleOf'] === 0) throw new JsonSchemaLoadError(`multipleOf should not be 0 at ${where}`);
    // Draft-4 spells exclusive limits as booleans on maximum/minimum; everit then has no
    // exclusive limit value, so the diff never sees one.
    const exclusive = (k: string): number | null => (this.draft === 'draft-4' ? null : num(json[k]));
    return {
      kind: 'number',
      requiresInteger,
      maximum: num(json['maximum']),
      minimum: num(json['minimum']),
      exclusiveMaximum: exclusive('exclusiveMaximum'),
      exclusiveMinimum: exclusive('exclusiveMinimum'),
      multipleOf: num(json['multipleOf']),
      meta: EMPTY_META,
      source: { type: requiresInteger ? 'integer' : 'number', ...Object.fromEntries(NUMBER_KEYWORDS.map((k) => [k, json[k]])) },
    };
  }

  private objectNode(json: Json, doc: JsonDocument, where: string, consumed: Set<string>): ObjectNode {
    for (const k of this.objectKw) consumed.add(k);
    const properties = new Map<string, SchemaNode>();
    const props = json['properties'];
    if (props !== undefined) {
      if (!isObject(props)) throw new JsonSchemaLoadError(`properties at ${where} must be an object`);
      for (const [name, s] of Object.entries(props)) properties.set(name, this.load(s, doc, `${where}/properties/${name}`));
    }
    const required = new Set<string>(Array.isArray(json['required']) ? (json['required'] as unknown[]).filter((x): x is string => typeof x === 'string') : []);
    const patternProperties: Array<readonly [SchemaPattern | null, SchemaNode]> = [];
    if (isObject(json['patternProperties'])) {
      for (const [re, s] of Object.entries(json['patternProperties'])) patternProperties.push([this.pattern(re, doc, `${where}/patternProperties`), this.load(s, doc, `${where}/patternProperties/${re}`)]);
    }
    const ap = json['additionalProperties'];
    const permitsAdditional = ap !== false;
    const additionalSchema = ap === undefined || typeof ap === 'boolean' ? null : this.load(ap, doc, `${where}/additionalProperties`);

    const propertyDependencies = new Map<string, string[]>();
    const schemaDependencies = new Map<string, SchemaNode>();
    const addDeps = (deps: unknown, key: string, arrays: boolean, schemas: boolean): void => {
      if (!isObject(deps)) return;
      for (const [name, d] of Object.entries(deps)) {
        if (Array.isArray(d) && arrays) propertyDependencies.set(name, d.filter((x): x is string => typeof x === 'string'));
        else if (!Array.isArray(d) && schemas) schemaDependencies.set(name, this.load(d, doc, `${where}/${key}/${name}`));
      }
    };
    addDeps(json['dependencies'], 'dependencies', true, true);
    const modern = this.draft === '2019-09' || this.draft === '2020-12';
    if (modern) {
      addDeps(json['dependentRequired'], 'dependentRequired', true, false);
      addDeps(json['dependentSchemas'], 'dependentSchemas', false, true);
    }
    if (isObject(json['propertyNames']) || typeof json['propertyNames'] === 'boolean') this.load(json['propertyNames'], doc, `${where}/propertyNames`);
    return {
      kind: 'object',
      properties,
      required,
      patternProperties,
      permitsAdditional,
      additionalSchema,
      unevaluated: modern ? this.child(json, 'unevaluatedProperties', doc, where) : null,
      propertyDependencies,
      schemaDependencies,
      maxProperties: num(json['maxProperties']),
      minProperties: num(json['minProperties']),
      meta: EMPTY_META,
      // Tagged so that an object and an array sniffed from one node stay distinct members.
      source: { type: 'object', of: json },
    };
  }

  /**
   * A `patternProperties` key compiled for the linear-time engine (schema-pattern.ts). In a
   * new schema a pattern RE2 cannot run is refused; in a stored one it never matches.
   * @throws JsonSchemaLoadError naming the pattern and its location.
   */
  private pattern(source: string, doc: JsonDocument, where: string): SchemaPattern | null {
    spendWork(1 + (source.length >> 6));
    try {
      return compileSchemaPattern(source);
    } catch (err) {
      if (!(err instanceof SchemaPatternError)) throw err;
      if (doc.name !== null || this.options.lenientPatterns) return null;
      throw new JsonSchemaLoadError(`${where}: ${err.message}`);
    }
  }

  private arrayNode(json: Json, doc: JsonDocument, where: string, consumed: Set<string>): ArrayNode {
    for (const k of this.arrayKw) consumed.add(k);
    const modern = this.draft === '2019-09' || this.draft === '2020-12';
    let allItems: SchemaNode | null = null;
    let itemSchemas: SchemaNode[] | null = null;
    let additional: unknown = json['additionalItems'];
    const tuple = (list: unknown[], key: string): SchemaNode[] => list.map((s, i) => this.load(s, doc, `${where}/${key}/${i}`));
    if (this.draft === '2020-12') {
      // 2020-12 renamed the tuple to prefixItems and made `items` the schema for the rest.
      // Confluent's translation: `items: false` forbids additional items, `items: true` is
      // nothing, a schema is the all-items schema (no prefix) or the additional-items one.
      if (Array.isArray(json['prefixItems'])) itemSchemas = tuple(json['prefixItems'], 'prefixItems');
      const items = json['items'];
      additional = items === false ? false : undefined;
      if (items !== undefined && typeof items !== 'boolean') {
        const schema = this.load(items, doc, `${where}/items`);
        if (itemSchemas === null) allItems = schema;
        else additional = items;
      }
    } else if (Array.isArray(json['items'])) {
      itemSchemas = tuple(json['items'], 'items');
    } else if (json['items'] !== undefined) {
      allItems = this.load(json['items'], doc, `${where}/items`);
    }
    if (json['contains'] !== undefined && this.draft !== 'draft-4') this.load(json['contains'], doc, `${where}/contains`);
    return {
      kind: 'array',
      allItems,
      itemSchemas,
      permitsAdditionalItems: additional !== false,
      additionalItemsSchema: additional === undefined || typeof additional === 'boolean' ? null : this.load(additional, doc, `${where}/additionalItems`),
      unevaluated: modern ? this.child(json, 'unevaluatedItems', doc, where) : null,
      maxItems: num(json['maxItems']),
      minItems: num(json['minItems']),
      uniqueItems: json['uniqueItems'] === true,
      // Confluent's translation keeps the contains limits only with `contains`, and always
      // carries minContains there (json-sKema defaults it to 1).
      maxContains: modern && json['contains'] !== undefined ? num(json['maxContains']) : null,
      minContains: modern && json['contains'] !== undefined ? num(json['minContains']) ?? 1 : null,
      meta: EMPTY_META,
      source: { type: 'array', of: json },
    };
  }

  private refNode(json: Json, ref: string, doc: JsonDocument, where: string, meta: NodeMeta): RefNode {
    let resolved: SchemaNode | undefined;
    let resolving = false;
    const loader = this;
    return {
      kind: 'ref',
      ref,
      meta,
      source: json,
      target(): SchemaNode {
        if (resolved !== undefined) return resolved;
        if (resolving) throw new JsonSchemaLoadError(`$ref "${ref}" at ${where} refers to itself`);
        resolving = true;
        try {
          const { value, doc: targetDoc, pointer } = loader.resolveRef(ref, doc, where);
          resolved = loader.load(value, targetDoc, pointer);
          return resolved;
        } finally {
          resolving = false;
        }
      },
    };
  }

  // Indexes over the references, built on first use: a schema may hold thousands of
  // `$ref`s to thousands of references, and a scan per `$ref` is their product.
  private byName: Map<string, JsonDocument> | undefined;
  private readonly byUrlFromBase = new Map<string, Map<string, JsonDocument>>();
  private byId: Map<string, JsonDocument> | undefined;

  private idOf(d: JsonDocument): string | undefined {
    const id = isObject(d.json) ? d.json[this.draft === 'draft-4' ? 'id' : '$id'] : undefined;
    return typeof id === 'string' ? id : undefined;
  }

  /** The first of `docs` under each key (what a `find` in order would give). */
  private index(docs: readonly JsonDocument[], keyOf: (d: JsonDocument) => string | null): Map<string, JsonDocument> {
    spendWork(1 + docs.length);
    const out = new Map<string, JsonDocument>();
    for (const d of docs) {
      const key = keyOf(d);
      if (key !== null && !out.has(key)) out.set(key, d);
    }
    return out;
  }

  private documentFor(uri: string, doc: JsonDocument): JsonDocument | null {
    if (uri === '') return doc;
    this.byName ??= this.index(this.references, (r) => r.name);
    const exact = this.byName.get(uri);
    if (exact !== undefined) return exact;
    const base = this.idOf(doc) ?? this.idOf(this.main);
    let absolute: string | null = null;
    try {
      absolute = base === undefined ? null : new URL(uri, base).href;
    } catch {
      absolute = null;
    }
    if (base === undefined || absolute === null) return null;
    let byUrl = this.byUrlFromBase.get(base);
    if (byUrl === undefined) {
      byUrl = this.index(this.references, (r) => {
        try {
          return r.name === null ? null : new URL(r.name, base).href;
        } catch {
          return null;
        }
      });
      this.byUrlFromBase.set(base, byUrl);
    }
    const found = byUrl.get(absolute);
    if (found !== undefined) return found;
    this.byId ??= this.index([this.main, ...this.references], (d) => this.idOf(d)?.replace(/#$/, '') ?? null);
    return this.byId.get(absolute) ?? null;
  }

  private resolveRef(ref: string, doc: JsonDocument, where: string): { value: unknown; doc: JsonDocument; pointer: string } {
    const hash = ref.indexOf('#');
    const uri = hash === -1 ? ref : ref.slice(0, hash);
    const fragment = hash === -1 ? '' : ref.slice(hash + 1);
    const target = this.documentFor(uri, doc);
    if (target === null) throw new JsonSchemaLoadError(`$ref "${ref}" at ${where} cannot be resolved: no reference named "${uri}"`);
    if (fragment === '') return { value: target.json, doc: target, pointer: '#' };
    if (fragment.startsWith('/')) {
      let value: unknown = target.json;
      for (const raw of fragment.slice(1).split('/')) {
        const seg = decodePointerSegment(raw);
        if (Array.isArray(value) && /^\d+$/.test(seg)) value = value[Number(seg)];
        else if (isObject(value) && Object.hasOwn(value, seg)) value = value[seg];
        else throw new JsonSchemaLoadError(`$ref "${ref}" at ${where} cannot be resolved: no "${seg}"`);
      }
      return { value, doc: target, pointer: `#${fragment}` };
    }
    const anchor = this.findAnchor(target.json, fragment);
    if (anchor === undefined) throw new JsonSchemaLoadError(`$ref "${ref}" at ${where} cannot be resolved: no anchor "${fragment}"`);
    return { value: anchor, doc: target, pointer: `#${fragment}` };
  }

  /** A subschema declaring `$anchor: name` or (draft-6/7 style) `$id: "#name"`. */
  private findAnchor(json: unknown, name: string, seen = new Set<unknown>()): unknown {
    if (!isObject(json) && !Array.isArray(json)) return undefined;
    if (seen.has(json)) return undefined;
    seen.add(json);
    spendWork();
    if (isObject(json) && (json['$anchor'] === name || json['$id'] === `#${name}` || json['id'] === `#${name}`)) return json;
    for (const v of Object.values(json as object)) {
      const found = this.findAnchor(v, name, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/**
 * Visits every node reachable from `root`, resolving each `$ref`, so that a schema whose
 * references do not resolve fails at parse time, as in Confluent.
 * @throws JsonSchemaLoadError for the first unresolvable `$ref`.
 */
export function resolveAll(root: SchemaNode): void {
  const seen = new Set<SchemaNode>();
  const stack: SchemaNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    switch (n.kind) {
      case 'ref': {
        // A chain of refs must end in a real schema; one that loops never does.
        const chain = new Set<SchemaNode>();
        let current: SchemaNode = n;
        while (current.kind === 'ref') {
          if (chain.has(current)) throw new JsonSchemaLoadError(`$ref "${n.ref}" never reaches a schema (reference cycle)`);
          chain.add(current);
          current = current.target();
        }
        stack.push(current);
        break;
      }
      case 'not': stack.push(n.schema); break;
      case 'combined': stack.push(...n.subschemas); break;
      case 'object':
        stack.push(...n.properties.values(), ...n.patternProperties.map(([, s]) => s), ...n.schemaDependencies.values());
        if (n.additionalSchema !== null) stack.push(n.additionalSchema);
        if (n.unevaluated !== null) stack.push(n.unevaluated);
        break;
      case 'array':
        if (n.allItems !== null) stack.push(n.allItems);
        if (n.itemSchemas !== null) stack.push(...n.itemSchemas);
        if (n.additionalItemsSchema !== null) stack.push(n.additionalItemsSchema);
        if (n.unevaluated !== null) stack.push(n.unevaluated);
        break;
      default: break;
    }
  }
}
