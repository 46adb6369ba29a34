/**
 * One case per JSON Schema difference type of compatibility-rules.md §3.4 (and per verdict,
 * STRICT and LENIENT): old and new schema side by side. Run at the format level
 * (json-schema-compatibility.test.ts) and through the HTTP API
 * (test/confluent/compatibility-http.test.ts).
 */
import type { JsonDifferenceType } from '../../../../patterns/registry/formats/json-schema/index.js';

export interface Case {
  readonly rule: JsonDifferenceType;
  readonly why: string;
  readonly old: unknown;
  readonly new: unknown;
  /** Verdict under STRICT (the default policy). */
  readonly compatible: boolean;
  /** Verdict under LENIENT when it differs from STRICT. */
  readonly lenient?: boolean;
  readonly path?: string;
}

export const obj = (extra: Record<string, unknown>): Record<string, unknown> => ({ type: 'object', ...extra });
export const str = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ type: 'string', ...extra });
export const numb = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ type: 'number', ...extra });
export const arr = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ type: 'array', ...extra });
export const D2020 = 'https://json-schema.org/draft/2020-12/schema';

function limits(keyword: string, base: (e: Record<string, unknown>) => Record<string, unknown>, prefix: string, upper: boolean, lo: number, hi: number): Case[] {
  // For an upper bound raising is compatible; for a lower bound lowering is.
  return [
    { rule: `${prefix}_ADDED` as JsonDifferenceType, why: `${keyword} added`, old: base({}), new: base({ [keyword]: hi }), compatible: false, path: `#/${keyword}` },
    { rule: `${prefix}_REMOVED` as JsonDifferenceType, why: `${keyword} removed`, old: base({ [keyword]: hi }), new: base({}), compatible: true },
    { rule: `${prefix}_INCREASED` as JsonDifferenceType, why: `${keyword} raised`, old: base({ [keyword]: lo }), new: base({ [keyword]: hi }), compatible: upper },
    { rule: `${prefix}_DECREASED` as JsonDifferenceType, why: `${keyword} lowered`, old: base({ [keyword]: hi }), new: base({ [keyword]: lo }), compatible: !upper },
  ];
}

export const tuple = (items: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => arr({ items, ...extra });
export const a2020 = (extra: Record<string, unknown>): Record<string, unknown> => ({ $schema: D2020, type: 'array', ...extra });
export const o2020 = (extra: Record<string, unknown>): Record<string, unknown> => ({ $schema: D2020, type: 'object', ...extra });

export const cases: Case[] = [
  // §3.2 step 6: common keywords
  { rule: 'ID_CHANGED', why: '$id differs', old: str({ $id: 'http://x/a.json' }), new: str({ $id: 'http://x/b.json' }), compatible: true },
  { rule: 'TITLE_CHANGED', why: 'title differs', old: str({ title: 'a' }), new: str({ title: 'b' }), compatible: true },
  { rule: 'DESCRIPTION_CHANGED', why: 'description differs', old: str({ description: 'a' }), new: str(), compatible: true },
  { rule: 'DEFAULT_CHANGED', why: 'default differs', old: str({ default: 'a' }), new: str({ default: 'b' }), compatible: true },
  // absent slots
  { rule: 'SCHEMA_ADDED', why: 'array items absent -> present', old: arr(), new: arr({ items: str() }), compatible: false, path: '#/items' },
  { rule: 'SCHEMA_REMOVED', why: 'array items present -> absent', old: arr({ items: str() }), new: arr(), compatible: true },
  // classes
  { rule: 'TYPE_EXTENDED', why: 'integer -> number', old: { type: 'integer' }, new: numb(), compatible: true },
  { rule: 'TYPE_NARROWED', why: 'number -> integer', old: numb(), new: { type: 'integer' }, compatible: false },
  { rule: 'TYPE_CHANGED', why: 'string -> integer', old: str(), new: { type: 'integer' }, compatible: false, path: '#/' },
  // strings
  ...limits('maxLength', str, 'MAX_LENGTH', true, 3, 5),
  ...limits('minLength', str, 'MIN_LENGTH', false, 3, 5),
  { rule: 'PATTERN_ADDED', why: 'pattern added', old: str(), new: str({ pattern: '^a' }), compatible: false },
  { rule: 'PATTERN_CHANGED', why: 'pattern text changed, even if wider', old: str({ pattern: '^ab' }), new: str({ pattern: '^a' }), compatible: false },
  { rule: 'PATTERN_REMOVED', why: 'pattern removed', old: str({ pattern: '^a' }), new: str(), compatible: true },
  // numbers
  ...limits('maximum', numb, 'MAXIMUM', true, 3, 5),
  ...limits('minimum', numb, 'MINIMUM', false, 3, 5),
  ...limits('exclusiveMaximum', numb, 'EXCLUSIVE_MAXIMUM', true, 3, 5),
  ...limits('exclusiveMinimum', numb, 'EXCLUSIVE_MINIMUM', false, 3, 5),
  { rule: 'MULTIPLE_OF_ADDED', why: 'multipleOf added', old: numb(), new: numb({ multipleOf: 2 }), compatible: false },
  { rule: 'MULTIPLE_OF_EXPANDED', why: '2 -> 4', old: numb({ multipleOf: 2 }), new: numb({ multipleOf: 4 }), compatible: false },
  { rule: 'MULTIPLE_OF_CHANGED', why: '3 -> 5', old: numb({ multipleOf: 3 }), new: numb({ multipleOf: 5 }), compatible: false },
  { rule: 'MULTIPLE_OF_REMOVED', why: 'multipleOf removed', old: numb({ multipleOf: 2 }), new: numb(), compatible: true },
  { rule: 'MULTIPLE_OF_REDUCED', why: '4 -> 2', old: numb({ multipleOf: 4 }), new: numb({ multipleOf: 2 }), compatible: true },
  { rule: 'MULTIPLE_OF_REDUCED', why: 'decimal 0.3 -> 0.1 is exact, not floating point', old: numb({ multipleOf: 0.3 }), new: numb({ multipleOf: 0.1 }), compatible: true },
  // required
  { rule: 'REQUIRED_ATTRIBUTE_ADDED', why: 'existing property becomes required', old: obj({ properties: { a: str() } }), new: obj({ properties: { a: str() }, required: ['a'] }), compatible: false, path: '#/required/a' },
  { rule: 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED', why: 'becomes required, has a default', old: obj({ properties: { a: str({ default: 'x' }) } }), new: obj({ properties: { a: str({ default: 'x' }) }, required: ['a'] }), compatible: true },
  { rule: 'REQUIRED_ATTRIBUTE_REMOVED', why: 'no longer required', old: obj({ properties: { a: str() }, required: ['a'] }), new: obj({ properties: { a: str() } }), compatible: true },
  // property counts
  ...limits('maxProperties', obj, 'MAX_PROPERTIES', true, 3, 5),
  ...limits('minProperties', obj, 'MIN_PROPERTIES', false, 3, 5),
  // additionalProperties
  { rule: 'ADDITIONAL_PROPERTIES_ADDED', why: 'false -> absent', old: obj({ additionalProperties: false }), new: obj({}), compatible: true },
  { rule: 'ADDITIONAL_PROPERTIES_REMOVED', why: 'absent -> false', old: obj({}), new: obj({ additionalProperties: false }), compatible: false, lenient: true, path: '#/additionalProperties' },
  { rule: 'ADDITIONAL_PROPERTIES_EXTENDED', why: 'schema -> absent', old: obj({ additionalProperties: str() }), new: obj({}), compatible: true },
  { rule: 'ADDITIONAL_PROPERTIES_NARROWED', why: 'absent -> {} ({} is not true)', old: obj({}), new: obj({ additionalProperties: {} }), compatible: false, lenient: true },
  // dependencies
  { rule: 'DEPENDENCY_ARRAY_ADDED', why: 'array dependency added', old: obj({}), new: obj({ dependencies: { a: ['b'] } }), compatible: false, path: '#/dependencies/a' },
  { rule: 'DEPENDENCY_ARRAY_EXTENDED', why: 'array dependency grows', old: obj({ dependencies: { a: ['b'] } }), new: obj({ dependencies: { a: ['b', 'c'] } }), compatible: false },
  { rule: 'DEPENDENCY_ARRAY_CHANGED', why: 'array dependency replaced', old: obj({ dependencies: { a: ['b'] } }), new: obj({ dependencies: { a: ['c'] } }), compatible: false },
  { rule: 'DEPENDENCY_ARRAY_REMOVED', why: 'array dependency removed', old: obj({ dependencies: { a: ['b'] } }), new: obj({}), compatible: true },
  { rule: 'DEPENDENCY_ARRAY_NARROWED', why: 'array dependency shrinks', old: obj({ dependencies: { a: ['b', 'c'] } }), new: obj({ dependencies: { a: ['b'] } }), compatible: true },
  { rule: 'DEPENDENCY_SCHEMA_ADDED', why: 'schema dependency added', old: obj({}), new: obj({ dependencies: { a: { required: ['b'] } } }), compatible: false },
  { rule: 'DEPENDENCY_SCHEMA_REMOVED', why: 'schema dependency removed', old: obj({ dependencies: { a: { required: ['b'] } } }), new: obj({}), compatible: true },
  // §3.3 properties added
  { rule: 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', why: 'required, no default, open object', old: obj({ properties: {} }), new: obj({ properties: { b: str() }, required: ['b'] }), compatible: false, lenient: false, path: '#/properties/b' },
  { rule: 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL', why: 'required with default, open object', old: obj({}), new: obj({ properties: { b: str({ default: 'x' }) }, required: ['b'] }), compatible: false, lenient: true },
  { rule: 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', why: 'optional property added to an open object fails STRICT', old: obj({}), new: obj({ properties: { b: str() } }), compatible: false, lenient: true },
  { rule: 'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL', why: 'property with {} added to open object', old: obj({}), new: obj({ properties: { b: {} } }), compatible: true },
  { rule: 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', why: 'required, no default, closed object', old: obj({ additionalProperties: false }), new: obj({ properties: { b: str() }, required: ['b'], additionalProperties: false }), compatible: false },
  { rule: 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL', why: 'required with default, closed object', old: obj({ additionalProperties: false }), new: obj({ properties: { b: str({ default: 'x' }) }, required: ['b'], additionalProperties: false }), compatible: true },
  { rule: 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', why: 'optional property added to a closed object', old: obj({ additionalProperties: false }), new: obj({ properties: { b: str() }, additionalProperties: false }), compatible: true },
  { rule: 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', why: 'false -> open while adding: judged by the old closed model', old: obj({ additionalProperties: false }), new: obj({ properties: { b: str() } }), compatible: true },
  // §3.3 properties removed
  { rule: 'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL', why: 'removed, new object open', old: obj({ properties: { a: str() } }), new: obj({}), compatible: true },
  { rule: 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL', why: 'false property removed, closed', old: obj({ properties: { a: false }, additionalProperties: false }), new: obj({ additionalProperties: false }), compatible: true },
  { rule: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', why: 'removed, new object closed', old: obj({ properties: { a: str() }, additionalProperties: false }), new: obj({ additionalProperties: false }), compatible: false, lenient: true },
  { rule: 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', why: 'removed, covered by a pattern', old: obj({ properties: { a_1: str() }, patternProperties: { '^a_': str() } }), new: obj({ patternProperties: { '^a_': str() } }), compatible: true },
  { rule: 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', why: 'removed, additionalProperties schema has another type', old: obj({ properties: { a: str() }, additionalProperties: { type: 'integer' } }), new: obj({ additionalProperties: { type: 'integer' } }), compatible: false, lenient: false },
  { rule: 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', why: 'not covered only by a lenient-compatible sub-difference', old: obj({ properties: { a: obj({}) }, additionalProperties: obj({ additionalProperties: false }) }), new: obj({ additionalProperties: obj({ additionalProperties: false }) }), compatible: false, lenient: true },
  { rule: 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', why: 'added, old additionalProperties schema covers it', old: obj({ additionalProperties: str() }), new: obj({ properties: { b: str() }, additionalProperties: str() }), compatible: true },
  { rule: 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', why: 'added with another type than the covering schema', old: obj({ additionalProperties: str() }), new: obj({ properties: { b: { type: 'integer' } }, additionalProperties: str() }), compatible: false, lenient: false },
  // unevaluatedProperties (2019-09+)
  { rule: 'UNEVALUATED_PROPERTIES_ADDED', why: 'false -> absent', old: o2020({ unevaluatedProperties: false }), new: o2020({}), compatible: true },
  { rule: 'UNEVALUATED_PROPERTIES_EXTENDED', why: 'schema -> absent', old: o2020({ unevaluatedProperties: str() }), new: o2020({}), compatible: true },
  { rule: 'UNEVALUATED_PROPERTIES_REMOVED', why: 'absent -> false', old: o2020({}), new: o2020({ unevaluatedProperties: false }), compatible: false, lenient: true },
  { rule: 'UNEVALUATED_PROPERTIES_NARROWED', why: 'absent -> schema', old: o2020({}), new: o2020({ unevaluatedProperties: str() }), compatible: false, lenient: true },
  // arrays
  ...limits('maxItems', arr, 'MAX_ITEMS', true, 3, 5),
  ...limits('minItems', arr, 'MIN_ITEMS', false, 3, 5),
  ...limits('maxContains', (e) => a2020({ contains: str(), ...e }), 'MAX_CONTAINS', true, 3, 5),
  // Confluent's 2019+ translation always carries minContains with `contains` (default 1), so
  // it is added or removed together with `contains`.
  ...limits('minContains', (e) => a2020({ contains: str(), ...e }), 'MIN_CONTAINS', false, 3, 5).filter((c) => !/_(ADDED|REMOVED)$/.test(c.rule)),
  { rule: 'MIN_CONTAINS_ADDED', why: 'contains added: minContains 1 appears', old: a2020({}), new: a2020({ contains: str() }), compatible: false, path: '#/minContains' },
  { rule: 'MIN_CONTAINS_REMOVED', why: 'contains removed', old: a2020({ contains: str(), minContains: 2 }), new: a2020({}), compatible: true },
  { rule: 'UNIQUE_ITEMS_ADDED', why: 'uniqueItems false -> true', old: arr(), new: arr({ uniqueItems: true }), compatible: false, path: '#/uniqueItems' },
  { rule: 'UNIQUE_ITEMS_REMOVED', why: 'uniqueItems true -> false', old: arr({ uniqueItems: true }), new: arr(), compatible: true },
  { rule: 'ADDITIONAL_ITEMS_ADDED', why: 'false -> absent', old: tuple([str()], { additionalItems: false }), new: tuple([str()]), compatible: true },
  { rule: 'ADDITIONAL_ITEMS_REMOVED', why: 'absent -> false', old: tuple([str()]), new: tuple([str()], { additionalItems: false }), compatible: false },
  { rule: 'ADDITIONAL_ITEMS_EXTENDED', why: 'schema -> absent', old: tuple([str()], { additionalItems: str() }), new: tuple([str()]), compatible: true },
  { rule: 'ADDITIONAL_ITEMS_NARROWED', why: 'absent -> schema', old: tuple([str()]), new: tuple([str()], { additionalItems: str() }), compatible: false },
  { rule: 'UNEVALUATED_ITEMS_ADDED', why: 'false -> absent', old: a2020({ unevaluatedItems: false }), new: a2020({}), compatible: true },
  { rule: 'UNEVALUATED_ITEMS_EXTENDED', why: 'schema -> absent', old: a2020({ unevaluatedItems: str() }), new: a2020({}), compatible: true },
  { rule: 'UNEVALUATED_ITEMS_REMOVED', why: 'absent -> false', old: a2020({}), new: a2020({ unevaluatedItems: false }), compatible: false },
  { rule: 'UNEVALUATED_ITEMS_NARROWED', why: 'absent -> schema', old: a2020({}), new: a2020({ unevaluatedItems: str() }), compatible: false },
  // §3.3 tuples
  { rule: 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL', why: 'tuple grows without additionalItems', old: tuple([str()]), new: tuple([str(), numb()]), compatible: false, path: '#/items/1' },
  { rule: 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL', why: 'tuple grows by {}', old: tuple([str()]), new: tuple([str(), {}]), compatible: true },
  { rule: 'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL', why: 'tuple grows while additionalItems false', old: tuple([str()], { additionalItems: false }), new: tuple([str(), numb()], { additionalItems: false }), compatible: true },
  { rule: 'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL', why: 'tuple shrinks, new open', old: tuple([str(), numb()]), new: tuple([str()]), compatible: true },
  { rule: 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL', why: 'false position removed, closed', old: tuple([str(), false], { additionalItems: false }), new: tuple([str()], { additionalItems: false }), compatible: true },
  { rule: 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL', why: 'tuple shrinks, new closed', old: tuple([str(), numb()], { additionalItems: false }), new: tuple([str()], { additionalItems: false }), compatible: false },
  { rule: 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', why: 'removed position covered by additionalItems', old: tuple([str(), str()], { additionalItems: str() }), new: tuple([str()], { additionalItems: str() }), compatible: true },
  { rule: 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', why: 'removed position has another type', old: tuple([str(), numb()], { additionalItems: str() }), new: tuple([str()], { additionalItems: str() }), compatible: false },
  { rule: 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', why: 'added position covered', old: tuple([str()], { additionalItems: str() }), new: tuple([str(), str()], { additionalItems: str() }), compatible: true },
  { rule: 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', why: 'added position has another type', old: tuple([str()], { additionalItems: str() }), new: tuple([str(), numb()], { additionalItems: str() }), compatible: false },
  // enum / const
  { rule: 'ENUM_ARRAY_EXTENDED', why: 'enum superset', old: { enum: ['a'] }, new: { enum: ['a', 'b'] }, compatible: true, path: '#/enum' },
  { rule: 'ENUM_ARRAY_NARROWED', why: 'enum subset', old: { enum: ['a', 'b'] }, new: { enum: ['a'] }, compatible: false },
  { rule: 'ENUM_ARRAY_CHANGED', why: 'enum replaced', old: { enum: ['a', 'b'] }, new: { enum: ['a', 'c'] }, compatible: false },
  { rule: 'ENUM_ARRAY_CHANGED', why: 'const changed', old: { const: 'a' }, new: { const: 'b' }, compatible: false, path: '#/const' },
  // combined
  { rule: 'COMBINED_TYPE_EXTENDED', why: 'oneOf -> anyOf', old: { oneOf: [str(), numb()] }, new: { anyOf: [str(), numb()] }, compatible: true },
  { rule: 'COMBINED_TYPE_EXTENDED', why: 'allOf -> anyOf', old: { allOf: [str(), { maxLength: 3 }] }, new: { anyOf: [str(), { maxLength: 3 }] }, compatible: true },
  { rule: 'COMBINED_TYPE_CHANGED', why: 'anyOf -> oneOf', old: { anyOf: [str(), numb()] }, new: { oneOf: [str(), numb()] }, compatible: false },
  { rule: 'COMBINED_TYPE_CHANGED', why: 'anyOf -> allOf', old: { anyOf: [str(), numb()] }, new: { allOf: [str(), numb()] }, compatible: false },
  { rule: 'PRODUCT_TYPE_EXTENDED', why: 'allOf gains a member', old: { allOf: [str()] , title: 't' }, new: { allOf: [str(), { maxLength: 3 }], title: 't' }, compatible: false },
  { rule: 'PRODUCT_TYPE_NARROWED', why: 'allOf loses a member', old: { allOf: [str(), { maxLength: 3 }] }, new: { allOf: [str()] }, compatible: true },
  { rule: 'PRODUCT_TYPE_NARROWED', why: 'allOf -> one compatible member', old: { allOf: [str(), { title: 'x' }] }, new: str(), compatible: true },
  { rule: 'SUM_TYPE_EXTENDED', why: 'anyOf gains a member', old: { anyOf: [str()] }, new: { anyOf: [str(), numb()] }, compatible: true },
  { rule: 'SUM_TYPE_EXTENDED', why: 'type array gains a type', old: { type: ['object'] }, new: { type: ['object', 'array'] }, compatible: true, path: '#/' },
  { rule: 'SUM_TYPE_EXTENDED', why: '"string" -> ["string","null"]', old: str(), new: { type: ['string', 'null'] }, compatible: true },
  { rule: 'SUM_TYPE_NARROWED', why: 'anyOf loses a member', old: { anyOf: [str(), numb()] }, new: { anyOf: [str()] }, compatible: false },
  { rule: 'COMBINED_TYPE_SUBSCHEMAS_CHANGED', why: 'no full matching of members', old: { anyOf: [str(), numb()] }, new: { anyOf: [str(), { type: 'boolean' }] }, compatible: false },
  // not
  { rule: 'NOT_TYPE_NARROWED', why: 'not rejects less', old: { not: { type: ['string', 'integer'] } }, new: { not: str() }, compatible: true, path: '#/not' },
  { rule: 'NOT_TYPE_EXTENDED', why: 'not rejects more', old: { not: str() }, new: { not: { type: ['string', 'integer'] } }, compatible: false },
  // §3.5 quirks
  { rule: 'TYPE_CHANGED', why: 'quirk: ["string","null"] -> "string"', old: { type: ['string', 'null'] }, new: str(), compatible: false },
  { rule: 'TYPE_CHANGED', why: 'quirk: const -> enum are different classes', old: { const: 'a' }, new: { enum: ['a'] }, compatible: false },
  { rule: 'TYPE_CHANGED', why: 'quirk: bare enum -> typed enum is a synthetic allOf', old: { enum: ['a'] }, new: str({ enum: ['a'] }), compatible: false },
  { rule: 'TYPE_CHANGED', why: 'quirk: format on an integer adds a string aspect', old: { type: 'integer' }, new: { type: 'integer', format: 'int64' }, compatible: false },
  { rule: 'COMBINED_TYPE_SUBSCHEMAS_CHANGED', why: 'quirk: typed enum narrowed is reported as a subschema change', old: str({ enum: ['a', 'b'] }), new: str({ enum: ['a'] }), compatible: false },
  { rule: 'EXCLUSIVE_MAXIMUM_DECREASED', why: 'quirk: intended rule, no maximum in the new schema', old: numb({ exclusiveMaximum: 5 }), new: numb({ exclusiveMaximum: 3 }), compatible: false, path: '#/exclusiveMaximum' },
];
