/**
 * GraphQL definitions refused at load, every problem in one pass with its code, JSON pointer
 * and line, as REST definitions are: a case table of one broken field each, then a file with
 * several problems at once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DefinitionError } from '../../src/frontends/definition-error.js';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';

const HEAD = `name: g
type: GRAPHQL
protos: [prism/test/v1/everything.proto]
graphql:
  service: prism.test.v1.EverythingService
`;

function problemsOf(text: string) {
  try {
    compileRouteTable(parseDefinitions(text, 'g.yaml', process.cwd()).map((loaded) => ({ loaded })));
  } catch (err) {
    if (err instanceof DefinitionError) return err.problems;
    throw err;
  }
  return [];
}

interface Case {
  readonly name: string;
  readonly body: string;
  readonly code: string;
  readonly pointer: string;
  readonly message: RegExp;
}

const CASES: Case[] = [
  { name: 'an unknown method', body: '  query: { a: { grpc: Ech0 } }\n', code: 'UNKNOWN_METHOD', pointer: '/graphql/query/a/grpc', message: /unknown method 'Ech0'.*it has Echo/ },
  { name: 'an unknown service', body: '  query: { a: { grpc: prism.test.v1.Nope/Echo } }\n', code: 'UNKNOWN_SERVICE', pointer: '/graphql/query/a/grpc', message: /unknown gRPC service 'prism.test.v1.Nope'/ },
  { name: 'a subscription on a unary method', body: '  query: { a: { grpc: Echo } }\n  subscription: { s: { grpc: Echo } }\n', code: 'UNSUPPORTED', pointer: '/graphql/subscription/s/grpc', message: /is unary; a Subscription field needs a server-streaming method/ },
  { name: 'a query on a server-streaming method', body: '  query: { a: { grpc: Stream } }\n', code: 'UNSUPPORTED', pointer: '/graphql/query/a/grpc', message: /server-streaming; only Subscription fields/ },
  { name: 'an argument feeding an unknown field', body: '  query: { a: { grpc: Echo, args: { x: { to: no_such } } } }\n', code: 'UNKNOWN_FIELD', pointer: '/graphql/query/a/args/x/to', message: /unknown field 'no_such'/ },
  { name: 'an argument whose name is no field', body: '  query: { a: { grpc: Echo, args: { nope: {} } } }\n', code: 'UNKNOWN_FIELD', pointer: '/graphql/query/a/args/nope', message: /unknown field 'nope'/ },
  { name: 'an argument type that does not fit its field', body: '  query: { a: { grpc: Echo, args: { x: { to: r_int32, type: Int } } } }\n', code: 'TYPE_MISMATCH', pointer: '/graphql/query/a/args/x/type', message: /field is repeated; the argument must be a list/ },
  { name: 'a scalar argument for a message field', body: '  query: { a: { grpc: Echo, args: { x: { to: nested, type: String } } } }\n', code: 'TYPE_MISMATCH', pointer: '/graphql/query/a/args/x/type', message: /a message field takes an input object/ },
  { name: 'an argument type that names no type', body: '  query: { a: { grpc: Echo, args: { x: { to: f_string, type: Strin } } } }\n', code: 'GRAPHQL_SCHEMA', pointer: '/graphql/query/a/args/x/type', message: /unknown type 'Strin'/ },
  { name: 'an argument type that does not parse', body: '  query: { a: { grpc: Echo, args: { x: { to: f_string, type: "[String" } } } }\n', code: 'GRAPHQL_SCHEMA', pointer: '/graphql/query/a/args/x/type', message: /is not a GraphQL type/ },
  { name: 'a constant that does not fit its field', body: '  query: { a: { grpc: Echo, constants: { f_int32: abc } } }\n', code: 'TYPE_MISMATCH', pointer: '/graphql/query/a/constants/f_int32', message: /f_int32/ },
  { name: 'a result reading an unknown field', body: '  query: { a: { grpc: Echo, result: { from: response.nope } } }\n', code: 'UNKNOWN_FIELD', pointer: '/graphql/query/a/result/from', message: /nope/ },
  { name: 'a result template reading error', body: '  query: { a: { grpc: Echo, result: { from: error.message } } }\n', code: 'TEMPLATE', pointer: '/graphql/query/a/result/from', message: /error/ },
  { name: 'fields added to a type the schema does not have', body: '  query: { a: { grpc: Echo } }\n  types: { Nope: { fields: { x: { grpc: Echo } } } }\n', code: 'GRAPHQL_SCHEMA', pointer: '/graphql/types/Nope', message: /no object type Nope \(it has .*Everything/ },
  { name: 'a field added over one the type has', body: '  query: { a: { grpc: Echo } }\n  types: { Everything: { fields: { fString: { grpc: Echo } } } }\n', code: 'GRAPHQL_SCHEMA', pointer: '/graphql/types/Everything/fields/fString', message: /already has a field 'fString'/ },
  { name: 'a parent value the parent does not have', body: '  query: { a: { grpc: Echo } }\n  types: { Everything: { fields: { more: { grpc: Echo, parent: { f_string: nope } } } } }\n', code: 'UNKNOWN_FIELD', pointer: '/graphql/types/Everything/fields/more/parent/f_string', message: /type Everything has no field 'nope'/ },
  { name: 'parent on a root field', body: '  query: { a: { grpc: Echo, parent: { f_string: x } } }\n', code: 'UNSUPPORTED', pointer: '/graphql/query/a/parent', message: /no parent object/ },
  { name: 'one result type declared twice', body: '  query:\n    a: { grpc: Echo, result: { object: { x: { from: response.fString } } }, resultType: R }\n    b: { grpc: Echo, result: { object: { y: { from: response.fString } } }, resultType: R }\n', code: 'GRAPHQL_SCHEMA', pointer: '/graphql/query/b/resultType', message: /result type R is declared by two fields/ },
  { name: 'no query field', body: '  mutation: { m: { grpc: Echo } }\n', code: 'GRAPHQL_SCHEMA', pointer: '/graphql', message: /at least one query field/ },
  { name: 'a field name GraphQL refuses', body: '  query: { "1a": { grpc: Echo } }\n', code: 'GRAPHQL_SCHEMA', pointer: '/graphql/query/1a', message: /'1a' is not a GraphQL field name/ },
  { name: 'a GRAPHQL frontend without its config', body: '', code: 'SCHEMA', pointer: '', message: /missing required property 'graphql'/ },
  { name: 'an unknown error code in a mapping', body: '  errors: [{ match: { code: NOPE } }]\n  query: { a: { grpc: Echo } }\n', code: 'INVALID_VALUE', pointer: '/graphql/errors/0/match/code', message: /unknown gRPC code 'NOPE'/ },
];

describe('GraphQL definition problems', () => {
  for (const c of CASES) {
    test(`${c.code}: ${c.name}`, () => {
      const text = c.body === '' ? HEAD.replace(/graphql:\n.*\n$/, '') : HEAD + c.body;
      const problems = problemsOf(text);
      const found = problems.find((p) => p.code === c.code && p.pointer === c.pointer);
      assert.ok(found, `expected ${c.code} at ${c.pointer}, got:\n${problems.map((p) => `${p.code} ${p.pointer} ${p.message}`).join('\n')}`);
      assert.match(found.message, c.message);
      if (c.pointer !== '') assert.ok(found.line !== undefined && found.line > 0, 'the problem has its line');
    });
  }

  test('every problem of a file in one pass', () => {
    const problems = problemsOf(
      HEAD +
        '  query:\n    a: { grpc: Ech0 }\n    b: { grpc: Echo, args: { x: { to: nope } } }\n  subscription:\n    s: { grpc: Describe }\n',
    );
    assert.deepEqual(
      problems.map((p) => [p.code, p.pointer, p.line]),
      [
        ['UNKNOWN_METHOD', '/graphql/query/a/grpc', 7],
        ['UNKNOWN_FIELD', '/graphql/query/b/args/x/to', 8],
        ['UNSUPPORTED', '/graphql/subscription/s/grpc', 10],
      ],
    );
  });

  test('a GraphQL endpoint on a path a REST route takes is a conflict', () => {
    const rest = `name: r\ntype: REST\nprotos: [prism/test/v1/everything.proto]\nrest:\n  service: prism.test.v1.EverythingService\n  routes:\n    - { id: g, method: POST, path: /graphql, grpc: Echo }\n`;
    const graphql = HEAD + '  query: { a: { grpc: Echo } }\n';
    let problems: DefinitionError['problems'] = [];
    try {
      compileRouteTable([...parseDefinitions(rest, 'r.yaml', process.cwd()), ...parseDefinitions(graphql, 'g.yaml', process.cwd())].map((loaded) => ({ loaded })));
    } catch (err) {
      problems = (err as DefinitionError).problems;
    }
    assert.equal(problems.length, 1);
    assert.equal(problems[0].code, 'ROUTE_CONFLICT');
    assert.equal(problems[0].file, 'g.yaml');
    assert.match(problems[0].message, /takes POST \/graphql, which route 'g' of frontend 'r' matches/);
  });
});
