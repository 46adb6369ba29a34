/**
 * The SDL of GraphQL frontends, pinned: the fixture definition (every field kind of the
 * fixture proto), the registry example, and two packages whose type names clash. Run with
 * UPDATE_SNAPSHOTS=1 to rewrite the files after an intended change (then read the diff).
 * Also: the schema a client reads by introspection over HTTP is the SDL printed.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { buildClientSchema, buildSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema, printType, type IntrospectionQuery } from 'graphql';
import { loadDefinitionFile, parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { useGateway } from '../support/use-gateway.js';
import { FIXTURE_GRAPHQL } from './fixture-definition.js';

const here = import.meta.dirname;
const REGISTRY = resolve(here, '../../examples/registry-graphql/frontend.yaml');

function sdlOf(loaded: ReturnType<typeof parseDefinitions>): string {
  const table = compileRouteTable(loaded.map((l) => ({ loaded: l })));
  const endpoint = table.graphql?.endpoints[0];
  assert.ok(endpoint, 'a GraphQL endpoint');
  return endpoint.sdl;
}

function matchesSnapshot(name: string, sdl: string): void {
  const file = resolve(here, 'snapshots', name);
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(file)) writeFileSync(file, sdl);
  assert.equal(sdl, readFileSync(file, 'utf8'), `${name} differs from the snapshot (UPDATE_SNAPSHOTS=1 rewrites it)`);
}

describe('GraphQL SDL snapshots', () => {
  test('the fixture definition', () => {
    matchesSnapshot('fixture.graphql', sdlOf(parseDefinitions(FIXTURE_GRAPHQL, 'fixture.yaml', process.cwd())));
  });

  test('the registry example', () => {
    // The types the definition makes (roots, result types) and the change feed's (a contract
    // of DESIGN.md §8); the registry's response messages grow with the registry and are left to
    // the full printout (`graphql-schema`), so this pin moves only when the example does.
    const schema = buildSchema(sdlOf(loadDefinitionFile(REGISTRY)));
    const pinned = ['Query', 'Mutation', 'Subscription', 'Subject', 'Version', 'Change', 'ChangeKind'].map((name) => printType(schema.getType(name)!));
    matchesSnapshot('registry.graphql', pinned.join('\n\n') + '\n');
  });

  test('types of two packages with one name take their full names; the others keep theirs', () => {
    const definition = `name: clash
type: GRAPHQL
protos: [clash/a/v1/item.proto]
graphql:
  service: clash.a.v1.Items
  query:
    item: { grpc: GetItem, args: { input: { to: '*' } } }
`;
    const sdl = sdlOf(parseDefinitions(definition, 'clash.yaml', resolve(here, 'protos')));
    matchesSnapshot('clash.graphql', sdl);
    for (const name of ['type clash_a_v1_Item ', 'type clash_b_v1_Item ', 'enum clash_a_v1_Kind ', 'enum clash_b_v1_Kind ', 'type Only ', 'input OnlyInput ', 'input clash_a_v1_ItemInput ', 'type google_empty_like ']) {
      assert.ok(sdl.includes(name), `${name.trim()} in the SDL`);
    }
    assert.match(sdl, /type google_empty_like {\n(.*\n)*?\s+_empty: Boolean\n}/);
  });
});

describe('introspection', () => {
  const gw = useGateway({ definition: FIXTURE_GRAPHQL.replace('maxDepth: 5', 'maxDepth: 15') });

  test('the schema read by introspection over HTTP is the SDL printed', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ query: getIntrospectionQuery() }) });
    assert.equal(res.statusCode, 200);
    const body = res.json() as { data: IntrospectionQuery; errors?: unknown };
    assert.equal(body.errors, undefined);
    const printed = printSchema(lexicographicSortSchema(buildClientSchema(body.data)));
    assert.equal(printed, readFileSync(resolve(here, 'snapshots', 'fixture.graphql'), 'utf8'));
  });
});
