/**
 * The definition format and the gateway config are each declared once (TypeBox): the schemas
 * ajv checks are sound JSON Schema under ajv's strict mode, and every definition and config
 * the tree ships loads against them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { GatewayConfigSchema, loadGatewayConfig } from '../../src/config/gateway-config.js';
import { frontendDefinitionSchema } from '../../src/frontends/definition.js';
import { loadAnyDefinitionFile } from '../../src/frontends/load-any-definition.js';

test('both schemas compile under ajv strict mode (no unknown keywords, no ignored ones)', () => {
  // strictRequired would refuse `then: { required: ['rest'] }` and `oneOf: [{ required: [target] }, …]`,
  // which require properties the enclosing object declares: sound JSON Schema that the check cannot see through. Multi-typed values
  // (`type: [string, integer]`) are the format's on purpose: one error instead of one per type.
  const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
  assert.doesNotThrow(() => ajv.compile(frontendDefinitionSchema));
  assert.doesNotThrow(() => ajv.compile(GatewayConfigSchema));
});

test('the shipped definitions load', () => {
  for (const file of [
    'examples/confluent-schema-registry/frontend.yaml',
    'bench/echo/frontend.yaml',
    'test/cli/fixture-frontend.yaml',
    'test/openapi/fixtures/items.openapi.yaml',
  ]) {
    assert.ok(loadAnyDefinitionFile(file).length > 0, file);
  }
});

test('the shipped gateway configs load', () => {
  for (const file of ['examples/confluent-schema-registry/gateway.yaml', 'bench/echo/gateway.yaml', 'bench/confluent/gateway.yaml', 'bench/confluent/embedded.yaml', 'deploy/docker/gateway.yaml']) {
    assert.ok(loadGatewayConfig(file).config.namespaces.length > 0, file);
  }
});
