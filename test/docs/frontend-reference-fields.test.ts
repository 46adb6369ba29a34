/**
 * docs/frontend-reference.md against the definition format: every object of
 * FrontendDefinitionSchema (and of the one TemplateSchema every body, header and SSE template
 * refers to, documented at the path `template`) has a table whose rows are exactly its fields.
 * The tables use the same `<!-- fields: … -->` markers as docs/gateway-config.md.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { FrontendDefinitionSchema, TemplateSchema } from '../../src/frontends/definition.js';
import { defaultJsonOptions } from '../../src/mapping/message-json.js';
import { STREAM_LIMIT_DEFAULTS } from '../../src/upstream/upstream.js';
import { defaultDifferences, documentedObjects, documentedTables, fieldDifferences, schemaObjects } from './schema-fields.js';

const DOC = resolve(import.meta.dirname, '../../docs/frontend-reference.md');

/** The definition's objects by path, the template's under `template`. */
function definitionObjects() {
  const objects = schemaObjects(FrontendDefinitionSchema);
  for (const [path, fields] of schemaObjects(TemplateSchema, 'template')) objects.set(path, fields);
  return objects;
}

const documented = () => documentedObjects(documentedTables(readFileSync(DOC, 'utf8')));

test('every object and field of the frontend definition format is documented, and nothing else', () => {
  const problems = fieldDifferences(definitionObjects(), documented());
  assert.deepEqual(problems, [], `docs/frontend-reference.md and FrontendDefinitionSchema differ:\n  ${problems.join('\n  ')}`);
});

test('the walk reaches routes, params, stream options and the template node', () => {
  const objects = definitionObjects();
  assert.ok(objects.get('rest.routes[].params[]')?.has('mapOptions'));
  assert.ok(objects.get('rest.routes[].stream.sse')?.has('heartbeatMs'));
  assert.ok(objects.get('rest.errors[].match')?.has('reason'));
  assert.ok(objects.get('template')?.has('omitWhen'));
});

test('the documented defaults are the ones the code exports', () => {
  const expected = {
    ...Object.fromEntries(Object.entries(defaultJsonOptions).map(([k, v]) => [`rest.json.${k}`, v])),
    'rest.routes[].stream.maxBufferedBytes': STREAM_LIMIT_DEFAULTS.maxBufferedBytes,
    'rest.routes[].stream.idleTimeoutMs': STREAM_LIMIT_DEFAULTS.idleTimeoutMs,
    'rest.routes[].stream.maxDurationMs': STREAM_LIMIT_DEFAULTS.maxDurationMs,
  };
  assert.deepEqual(defaultDifferences(documented(), expected), []);
});
