/**
 * Error details in error mappings: a backend's google.rpc.Status (as the upstream layer keeps it,
 * `statusDetails`) with every standard detail, read by templates under `error.details`, rendered
 * by the default body in order, and RetryInfo becoming `Retry-After`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, GatewayError } from '../../src/core/gateway-error.js';
import { renderError } from '../../src/core/render-error.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { compileErrorMapper } from '../../src/mapping/error-mapper.js';
import { defaultJsonOptions } from '../../src/mapping/message-json.js';
import { statusToGatewayError } from '../../src/upstream/status.js';
import type { ErrorMapping } from '../../src/frontends/definition.js';

const root = loadProtoRoot([]);

function any(type: string, fields: Record<string, unknown>) {
  const t = root.lookupType(type);
  return { type_url: `type.googleapis.com/${type}`, value: t.encode(t.fromObject(fields)).finish() };
}

const status = root.lookupType('google.rpc.Status');
const statusBytes = status
  .encode(
    status.fromObject({
      code: Code.INVALID_ARGUMENT,
      message: 'bad subject',
      details: [
        any('google.rpc.ErrorInfo', { reason: 'SUBJECT_INVALID', domain: 'registry.prism.io', metadata: { subject: 'a b' } }),
        any('google.rpc.BadRequest', { field_violations: [{ field: 'subject', description: 'no spaces' }, { field: 'version', description: 'too big', reason: 'RANGE' }] }),
        any('google.rpc.RetryInfo', { retry_delay: { seconds: 2, nanos: 500_000_000 } }),
        any('google.rpc.QuotaFailure', { violations: [{ subject: 'client:1', description: 'daily' }] }),
        any('google.rpc.PreconditionFailure', { violations: [{ type: 'TOS', subject: 'a', description: 'not accepted' }] }),
        any('google.rpc.ResourceInfo', { resource_type: 'subject', resource_name: 'a b', owner: 'x', description: 'd' }),
        any('google.rpc.Help', { links: [{ description: 'docs', url: 'https://example.test/help' }] }),
        any('google.rpc.LocalizedMessage', { locale: 'fr-FR', message: 'mauvais sujet' }),
        { type_url: 'type.googleapis.com/acme.Custom', value: Buffer.from([1, 2, 3]) },
      ],
    }),
  )
  .finish();

const upstreamError = (): GatewayError => statusToGatewayError({ code: Code.INVALID_ARGUMENT, details: 'bad subject', statusDetails: statusBytes });

test('the default body lists every detail in order, ErrorInfo first, unknown types as base64', () => {
  const reply = renderError(upstreamError());
  const body = JSON.parse(reply.body) as { code: number; details: Record<string, unknown>[] };
  assert.equal(body.code, 3);
  assert.deepEqual(
    body.details.map((d) => d['@type']),
    ['ErrorInfo', 'BadRequest', 'RetryInfo', 'QuotaFailure', 'PreconditionFailure', 'ResourceInfo', 'Help', 'LocalizedMessage'].map((t) => `type.googleapis.com/google.rpc.${t}`).concat('type.googleapis.com/acme.Custom'),
  );
  assert.deepEqual(body.details[1], { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'subject', description: 'no spaces' }, { field: 'version', description: 'too big', reason: 'RANGE' }] });
  assert.deepEqual(body.details[2], { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2.500s' });
  assert.deepEqual(body.details[8], { '@type': 'type.googleapis.com/acme.Custom', value: 'AQID' });
  assert.equal(reply.headers['retry-after'], '3', 'RetryInfo 2.5 s, rounded up');
});

const mappings: ErrorMapping[] = [
  {
    match: { code: 'INVALID_ARGUMENT' },
    status: 422,
    body: {
      object: {
        code: { from: 'error.code' },
        message: { from: 'error.message' },
        details: { from: 'error.details.list' },
        violations: { each: 'error.details.badRequest.fieldViolations', item: { object: { path: { from: 'item.field' }, why: { from: 'item.description' } } } },
        retry: { from: 'error.details.retryInfo.retryDelay' },
        quota: { from: 'error.details.quotaFailure.violations' },
        precondition: { from: 'error.details.preconditionFailure.violations' },
        resource: { from: 'error.details.resourceInfo.resourceName' },
        help: { from: 'error.details.help.links' },
        localized: { from: 'error.details.localizedMessage.message' },
        reason: { from: 'error.details.errorInfo.reason' },
      },
    },
    headers: { 'retry-after': { const: '60' } },
  } as ErrorMapping,
];

test('templates read each standard detail by name, the list, and the code number', () => {
  const mapper = compileErrorMapper(mappings, { json: defaultJsonOptions }, undefined, (code, pointer, message) => assert.fail(`${code} ${pointer}: ${message}`));
  const reply = renderError(upstreamError(), { mapError: mapper });
  assert.equal(reply.status, 422);
  assert.equal(reply.headers['retry-after'], '60', "the mapping's own Retry-After wins over RetryInfo");
  const body = JSON.parse(reply.body) as Record<string, unknown>;
  assert.equal(body.code, 3);
  assert.equal(body.message, 'bad subject');
  assert.equal((body.details as unknown[]).length, 9);
  assert.deepEqual(body.violations, [{ path: 'subject', why: 'no spaces' }, { path: 'version', why: 'too big' }]);
  assert.equal(body.retry, '2.500s');
  assert.deepEqual(body.quota, [{ subject: 'client:1', description: 'daily' }]);
  assert.deepEqual(body.precondition, [{ type: 'TOS', subject: 'a', description: 'not accepted' }]);
  assert.equal(body.resource, 'a b');
  assert.deepEqual(body.help, [{ description: 'docs', url: 'https://example.test/help' }]);
  assert.equal(body.localized, 'mauvais sujet');
  assert.equal(body.reason, 'SUBJECT_INVALID');
});

test('an error without status details has the ErrorInfo alone and no Retry-After', () => {
  const mapper = compileErrorMapper(mappings, { json: defaultJsonOptions });
  const reply = renderError(new GatewayError(Code.INVALID_ARGUMENT, 'x', { reason: 'R', domain: 'd' }), { mapError: mapper });
  const body = JSON.parse(reply.body) as Record<string, unknown>;
  assert.deepEqual(body.violations, []);
  assert.equal(body.retry, undefined);
  assert.deepEqual(body.details, [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'R', domain: 'd', metadata: {} }]);
  assert.equal(renderError(new GatewayError(Code.UNAVAILABLE, 'x')).headers['retry-after'], undefined);
});

test('malformed status details never fail the error', () => {
  const e = statusToGatewayError({ code: Code.INTERNAL, details: 'x', statusDetails: Buffer.from([0xff, 0xff, 0xff]) });
  assert.deepEqual(JSON.parse(renderError(e).body), { code: 13, message: 'x', details: [] });
});

const unresolvable: [path: string, message: RegExp][] = [
  ['error.details.fieldViolatons', /'error.details' has no 'fieldViolatons'; it has list, errorInfo, retryInfo/],
  ['error.details.badRequest.field_violations', /has no 'field_violations' \(the JSON name is 'fieldViolations'\)/],
  ['error.nope', /'error' has no 'nope'/],
  ['error.message.text', /'error.message' is a single value: it has no 'text'/],
  ['error.details.list.0', /'error.details.list' is a list/],
];

for (const [path, message] of unresolvable) {
  test(`'${path}' fails validation (UNKNOWN_FIELD) instead of rendering nothing`, () => {
    const problems: string[] = [];
    compileErrorMapper([{ body: { object: { x: { from: path } } } } as ErrorMapping], { json: defaultJsonOptions }, undefined, (code, pointer, text) => problems.push(`${code} ${pointer} ${text}`));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^UNKNOWN_FIELD \/0\/body\/object\/x\/from /);
    assert.match(problems[0], message);
  });
}

test('open paths stay open: any metadata key, any errorInfo metadata key', () => {
  const problems: string[] = [];
  compileErrorMapper([{ body: { object: { a: { from: 'error.metadata.anything' }, b: { from: 'error.details.errorInfo.metadata.k' }, c: { from: 'error.details' } } } } as ErrorMapping], { json: defaultJsonOptions }, undefined, (code, pointer, text) => problems.push(`${code} ${pointer} ${text}`));
  assert.deepEqual(problems, []);
});

test('a definition with a misspelled error path fails to load with file, line and pointer', async () => {
  const { parseDefinitions } = await import('../../src/frontends/load-definition.js');
  const { compileRouteTable } = await import('../../src/routing/compile-route-table.js');
  const { DefinitionError } = await import('../../src/frontends/definition-error.js');
  const yaml = `name: typo
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  errors:
    - match: { code: INVALID_ARGUMENT }
      body:
        object:
          violations: { each: error.details.fieldViolatons }
  routes:
    - { id: echo, method: POST, path: /echo, grpc: Echo, params: [{ from: body, to: '*' }] }
`;
  let error: unknown;
  try {
    compileRouteTable(parseDefinitions(yaml, 'typo.yaml', process.cwd()).map((loaded) => ({ loaded })));
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof DefinitionError, String(error));
  const [problem] = error.problems;
  assert.equal(problem.code, 'UNKNOWN_FIELD');
  assert.equal(problem.file, 'typo.yaml');
  assert.equal(problem.pointer, '/rest/errors/0/body/object/violations/each');
  assert.equal(problem.line, 10);
  assert.match(problem.message, /fieldViolatons/);
});
