/**
 * Definition errors: broken definitions (YAML text) and the exact problems each produces —
 * file, route id, JSON pointer, line and message — found by the loader (shape) or the
 * compiler (meaning), every problem of a file in one pass.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DefinitionError, type DefinitionProblem } from '../../src/frontends/definition-error.js';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';

const HEAD = `name: broken
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
`;
/** One route, written on line 7 of the file. */
const route = (r: string) => `${HEAD}    - ${r}\n`;

type Problem = Pick<DefinitionProblem, 'file' | 'route' | 'pointer' | 'line' | 'message'>;

/** A problem of test.yaml; `route` and `line` only when given. */
const at = (pointer: string, message: string, where: { route?: string; line?: number } = {}): Problem => ({
  file: 'test.yaml',
  ...(where.route === undefined ? {} : { route: where.route }),
  pointer,
  ...(where.line === undefined ? {} : { line: where.line }),
  message,
});
const inRoute = (id: string, line: number, pointer: string, message: string) => at(pointer, message, { route: id, line });

/** Loads and compiles; returns the problems (empty when the definition is fine). */
function problemsOf(text: string): Problem[] {
  try {
    const loaded = parseDefinitions(text, 'test.yaml', process.cwd());
    compileRouteTable(loaded.map((l) => ({ loaded: l })));
    return [];
  } catch (err) {
    if (!(err instanceof DefinitionError)) throw err;
    return err.problems.map((p) => ({
      file: p.file,
      ...(p.route === undefined ? {} : { route: p.route }),
      pointer: p.pointer,
      ...(p.line === undefined ? {} : { line: p.line }),
      message: p.message,
    }));
  }
}

interface Row {
  name: string;
  yaml: string;
  problems: Problem[];
  todo?: string;
}

const ALLOWED_METHODS = 'must be one of "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"';

const COMPILER: Row[] = [
  {
    name: 'unknown default service: reported at the service and at every route relying on it',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo }').replace('EverythingService', 'Nope'),
    problems: [
      at('/rest/service', "unknown gRPC service 'prism.test.v1.Nope'", { line: 5 }),
      inRoute('r', 7, '/rest/routes/0/grpc', "cannot resolve 'Echo': the default service is unknown"),
    ],
  },
  {
    name: 'unknown service named in the route',
    yaml: route('{ id: r, method: GET, path: /r, grpc: prism.test.v1.Nope/Echo }'),
    problems: [inRoute('r', 7, '/rest/routes/0/grpc', "unknown gRPC service 'prism.test.v1.Nope'")],
  },
  {
    name: 'a method without a service and no default service',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo }').replace('  service: prism.test.v1.EverythingService\n', ''),
    problems: [inRoute('r', 6, '/rest/routes/0/grpc', "method 'Echo' names no service and the frontend has no default 'service'")],
  },
  {
    name: 'unknown method lists the methods the service has',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echoo }'),
    problems: [inRoute('r', 7, '/rest/routes/0/grpc', "unknown method 'Echoo' in service prism.test.v1.EverythingService (it has Echo, Describe, Fail, Slow, Stream)")],
  },
  {
    name: 'a streaming method needs a stream block',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Stream }'),
    problems: [inRoute('r', 7, '/rest/routes/0/grpc', "method 'Stream' is server-streaming; a route bound to it needs a 'stream' block (framings text/event-stream, application/x-ndjson, or websocket: true)")],
  },
  {
    name: 'unknown field in `to`',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.x, to: f_int33 }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/to', "unknown field 'f_int33' in prism.test.v1.Everything")],
  },
  {
    name: 'unknown field deeper in a `to` path names the nested type',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.x, to: nested.nope }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/to', "unknown field 'nope' in prism.test.v1.Nested")],
  },
  {
    name: 'a `to` path through a repeated field',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.x, to: r_nested.name }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/to', "field 'r_nested' of prism.test.v1.Everything is not a singular message, so 'name' cannot be reached through it")],
  },
  {
    name: 'a path param not in the template',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: path.id, to: f_int32 }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/from', "path parameter 'id' is not in the path template '/r'")],
  },
  {
    name: 'a template param not bound to any field',
    yaml: route("{ id: r, method: GET, path: '/r/{id}', grpc: Echo }"),
    problems: [inRoute('r', 7, '/rest/routes/0/path', 'path parameter {id} is not bound to any field')],
  },
  {
    name: 'a query source feeding a message field',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.n, to: nested }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/from', "query parameter 'n' cannot feed field 'nested' (prism.test.v1.Nested): a text value cannot become a message")],
  },
  {
    name: 'a header source feeding a Struct (a message with no text form)',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: header.x-attrs, to: attrs }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/from', "header 'x-attrs' cannot feed field 'attrs' (google.protobuf.Struct): a text value cannot become a message")],
  },
  {
    name: 'a query source feeding a map field',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.n, to: m_counts }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/from', "query parameter 'n' cannot feed field 'm_counts' (map<string, int32>): a text value cannot feed map field 'm_counts'")],
  },
  {
    name: "a query source bound to the whole message ('*')",
    yaml: route("{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.n, to: '*' }] }"),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/to', "'*' (the whole request message) can only be bound from the body or a constant")],
  },
  {
    name: 'lenient-bool on a field that is not bool',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.n, to: f_int32, coerce: lenient-bool }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/coerce', "query parameter 'n' cannot feed field 'f_int32' (int32): 'lenient-bool' applies to bool fields, not int32")],
  },
  {
    name: 'a default that does not fit its field',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.n, to: f_int32, default: abc }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/default', 'cannot bind query parameter \'n\' to field \'f_int32\' (int32): expected an integer (int32), got "abc"')],
  },
  {
    name: 'a constant that does not fit its field',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ const: 1.5, to: f_int32 }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/const', "cannot bind constant to field 'f_int32' (int32): expected an integer (int32), got 1.5")],
  },
  {
    name: 'an invalid pattern',
    yaml: route("{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.n, to: f_string, pattern: '([' }] }"),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/pattern', 'invalid regular expression: Invalid regular expression: /([/u: Unterminated character class')],
  },
  {
    name: 'a rename onto a field that does not exist',
    yaml: route("{ id: r, method: POST, path: /r, grpc: Echo, params: [{ from: body, to: '*', rename: { a: nope } }] }"),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/to', "rename target 'nope' is not a field of prism.test.v1.Everything")],
  },
  {
    name: 'the same field bound twice from the same source',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.a, to: f_int32 }, { from: query.a, to: f_int32 }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/1/to', "field 'f_int32' is already bound by params[0] from the same source")],
  },
  {
    name: 'a static route cannot bind params',
    yaml: route('{ id: r, method: GET, path: /r, params: [{ from: query.a, to: x }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params', 'a static route (no grpc method) cannot bind params')],
  },
  // Routes against routes.
  {
    name: 'two routes matching the same requests (parameter names differ)',
    yaml: `${HEAD}    - { id: a, method: GET, path: '/r/{x}', grpc: Echo, params: [{ from: path.x, to: f_string }] }
    - { id: b, method: GET, path: '/r/{y}', grpc: Echo, params: [{ from: path.y, to: f_string }] }
`,
    problems: [inRoute('b', 8, '/rest/routes/1/path', "route 'b' (GET /r/{y}) matches the same requests as route 'a' of frontend 'broken'")],
  },
  {
    name: 'two frontends with routes matching the same requests',
    yaml: `${HEAD}    - { id: a, method: GET, path: /r, grpc: Echo }
---
${HEAD.replace('broken', 'other')}    - { id: b, method: GET, path: /r, grpc: Echo }
`,
    problems: [inRoute('b', 15, '/rest/routes/0/path', "route 'b' (GET /r) matches the same requests as route 'a' of frontend 'broken'")],
  },
  {
    name: 'with trailingSlash, /r and /r/ match the same requests',
    yaml: `${HEAD.replace('  routes:', '  trailingSlash: true\n  routes:')}    - { id: a, method: GET, path: /r, grpc: Echo }
    - { id: b, method: GET, path: /r/, grpc: Echo }
`,
    problems: [inRoute('b', 9, '/rest/routes/1/path', "route 'b' (GET /r/) matches the same requests as route 'a' of frontend 'broken'")],
  },
  {
    name: 'duplicate route id',
    yaml: `${HEAD}    - { id: a, method: GET, path: /r, grpc: Echo }
    - { id: a, method: POST, path: /r, grpc: Echo }
`,
    problems: [inRoute('a', 8, '/rest/routes/1/id', "route id 'a' is used twice in this frontend")],
  },
  // Path template syntax.
  {
    name: 'bad template syntax: an unclosed brace',
    yaml: route("{ id: r, method: GET, path: '/r/{id', grpc: Echo }"),
    problems: [inRoute('r', 7, '/rest/routes/0/path', "path '/r/{id' has unbalanced braces: every '{' needs its '}' and variables do not nest")],
  },
  {
    name: 'bad template syntax: two parameters with nothing between them',
    yaml: route("{ id: r, method: GET, path: '/r/{a}{b}', grpc: Echo }"),
    problems: [inRoute('r', 7, '/rest/routes/0/path', "segment '{a}{b}' of '/r/{a}{b}': parameters {a} and {b} need literal text between them")],
  },
  {
    name: 'bad template syntax: a parameter named twice',
    yaml: route("{ id: r, method: GET, path: '/r/{id}/{id}', grpc: Echo, params: [{ from: path.id, to: f_string }] }"),
    problems: [inRoute('r', 7, '/rest/routes/0/path', "path '/r/{id}/{id}' names parameter {id} twice")],
  },
  {
    name: 'bad template syntax: an empty segment',
    yaml: route("{ id: r, method: GET, path: '/r//x', grpc: Echo }"),
    problems: [inRoute('r', 7, '/rest/routes/0/path', "path '/r//x' has an empty segment")],
  },
  // Templates.
  {
    name: 'unknown field in a response template',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, response: { body: { object: { a: { from: response.nope } } } } }'),
    problems: [inRoute('r', 7, '/rest/routes/0/response/body/object/a/from', "unknown field 'nope' in prism.test.v1.Everything")],
  },
  {
    name: 'a template node with two forms',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, response: { body: { from: response.f_int32, const: 1 } } }'),
    problems: [inRoute('r', 7, '/rest/routes/0/response/body', 'a template node needs exactly one of from, const, object, each, format (found from, const)')],
  },
  {
    name: 'each over a field that is not repeated',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, response: { body: { each: response.f_int32 } } }'),
    problems: [inRoute('r', 7, '/rest/routes/0/response/body/each', "'response.f_int32' is not a repeated field (int32)")],
  },
  {
    name: "the 'error' root in a response template",
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, response: { body: { from: error.message } } }'),
    problems: [inRoute('r', 7, '/rest/routes/0/response/body/from', "'error' is only available in error templates")],
  },
  {
    name: "the 'response' root on a static route",
    yaml: route('{ id: r, method: GET, path: /r, response: { body: { from: response.x } } }'),
    problems: [inRoute('r', 7, '/rest/routes/0/response/body/from', "'response' is not available here")],
  },
  {
    name: 'a condition (when) on an unknown request field',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, response: { body: { object: { a: { from: response.f_int32, when: request.nope } } } } }'),
    problems: [inRoute('r', 7, '/rest/routes/0/response/body/object/a/when', "unknown field 'nope' in prism.test.v1.Everything")],
  },
  {
    name: 'a raw response without a body template',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, response: { raw: true } }'),
    problems: [inRoute('r', 7, '/rest/routes/0/response/raw', 'a raw response needs a body template that yields a string (e.g. { from: response.text })')],
  },
  {
    name: 'an unknown gRPC code in a route error mapping',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, errors: [{ match: { code: NOPE } }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/errors/0/match/code', "unknown gRPC code 'NOPE'")],
  },
  {
    name: "the 'request' root in a frontend error mapping (no request type there)",
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo }').replace('  routes:\n', '  errors: [{ body: { from: request.nope } }]\n  routes:\n'),
    problems: [at('/rest/errors/0/body/from', "'request' is not available here", { line: 6 })],
  },
  // Frontend-level settings.
  {
    name: 'defaultRequestType that is not consumed',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo }').replace('  routes:\n', '  defaultRequestType: text/plain\n  routes:\n'),
    problems: [at('/rest/defaultRequestType', "'text/plain' is not one of the consumed types", { line: 6 })],
  },
  {
    name: 'a GRAPHQL subscription bound to a unary method',
    yaml: 'name: g\ntype: GRAPHQL\nprotos: [prism/test/v1/everything.proto]\ngraphql:\n  service: prism.test.v1.EverythingService\n  query: { a: { grpc: Echo } }\n  subscription: { s: { grpc: Echo } }\n',
    problems: [at('/graphql/subscription/s/grpc', "method 'Echo' is unary; a Subscription field needs a server-streaming method (put this field under query or mutation)", { line: 7 })],
  },
  {
    name: 'two different frontends with the same name in one file',
    yaml: `${HEAD}    - { id: a, method: GET, path: /r, grpc: Echo }
---
${HEAD.replace('  routes:', '  basePath: /second\n  routes:')}    - { id: b, method: GET, path: /r, grpc: Echo }
`,
    problems: [at('/name', "frontend name 'broken' is already used by test.yaml (document 1)", { line: 9 })],
  },
];

const SCHEMA: Row[] = [
  {
    name: 'unknown property (schema)',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, colour: red }'),
    problems: [inRoute('r', 7, '/rest/routes/0', "unknown property 'colour'")],
  },
  {
    name: 'unknown HTTP method (schema)',
    yaml: route('{ id: r, method: FETCH, path: /r, grpc: Echo }'),
    problems: [inRoute('r', 7, '/rest/routes/0/method', ALLOWED_METHODS)],
  },
  {
    name: 'a param without `to` (schema)',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.x }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0', "missing required property 'to'")],
  },
  {
    name: 'a param with both `from` and `const` (schema)',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.x, const: 1, to: f_int32 }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0', "a param needs exactly one of 'from' and 'const'")],
  },
  {
    name: 'an unknown source root (schema)',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: form.x, to: f_int32 }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/from', 'must match pattern "^(path|query)\\.[^.]+(\\.[^.]+)*$|^header\\.[^.]+$|^cookie\\.[!#$%&\'*+\\-.^_`|~0-9A-Za-z]+$|^body(\\..+)?$"')],
  },
  {
    name: 'a cookie name that is not an RFC 6265 token (schema)',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: "cookie.a,b", to: f_int32 }] }'),
    problems: [inRoute('r', 7, '/rest/routes/0/params/0/from', 'must match pattern "^(path|query)\\.[^.]+(\\.[^.]+)*$|^header\\.[^.]+$|^cookie\\.[!#$%&\'*+\\-.^_`|~0-9A-Za-z]+$|^body(\\..+)?$"')],
  },
  {
    name: 'a SameSite=None response cookie that is not secure',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, response: { cookies: [{ name: s, value: { from: response.f_string }, sameSite: None }] } }'),
    problems: [inRoute('r', 7, '/rest/routes/0/response/cookies/0/sameSite', 'a SameSite=None cookie must be secure (browsers refuse it otherwise)')],
  },
  {
    name: 'bad template root in a response (schema): the root is named among the allowed ones',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo, response: { body: { from: reply.x } } }'),
    problems: [inRoute('r', 7, '/rest/routes/0/response/body/from', 'must match pattern "^(response|request|error|item|metadata)(\\.[^.]+)*$"')],
  },
  {
    name: 'a path not starting with / (schema)',
    yaml: route('{ id: r, method: GET, path: r, grpc: Echo }'),
    problems: [inRoute('r', 7, '/rest/routes/0/path', 'must match pattern "^/"')],
  },
  {
    name: 'a missing proto file',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo }').replace('everything.proto', 'nothing.proto'),
    problems: [at('/protos', "cannot load protos prism/test/v1/nothing.proto: ENOENT: no such file or directory, open 'prism/test/v1/nothing.proto'", { line: 3 })],
  },
  {
    name: 'YAML syntax error',
    yaml: route('{ id: r, method: GET, path: /r, grpc: Echo'),
    problems: [at('', 'Flow map in block collection must be sufficiently indented and end with a } at line 8, column 1:', { line: 8 })],
  },
  {
    name: 'a duplicate key in a YAML map',
    yaml: route('{ id: r, id: s, method: GET, path: /r, grpc: Echo }'),
    problems: [at('', 'Map keys must be unique at line 7, column 16:', { line: 7 })],
  },
  {
    name: 'a document that is not an object',
    yaml: '- 1\n- 2\n',
    problems: [at('', 'must be object', { line: 1 })],
  },
];

const MANY: Row[] = [
  {
    name: 'three meaning mistakes in one file are reported at once, in file order',
    yaml: `${HEAD}    - { id: one, method: GET, path: /one, grpc: Echoo }
    - { id: two, method: GET, path: /two, grpc: Echo, params: [{ from: query.x, to: f_int33 }] }
    - { id: three, method: GET, path: '/three/{id}', grpc: Echo }
    - { id: fine, method: GET, path: /fine, grpc: Echo }
`,
    problems: [
      inRoute('one', 7, '/rest/routes/0/grpc', "unknown method 'Echoo' in service prism.test.v1.EverythingService (it has Echo, Describe, Fail, Slow, Stream)"),
      inRoute('two', 8, '/rest/routes/1/params/0/to', "unknown field 'f_int33' in prism.test.v1.Everything"),
      inRoute('three', 9, '/rest/routes/2/path', 'path parameter {id} is not bound to any field'),
    ],
  },
  {
    name: 'three shape mistakes in one file are reported at once',
    yaml: `${HEAD}    - { id: one, method: GETT, path: /one, grpc: Echo }
    - { id: two, method: GET, path: two, grpc: Echo }
    - { id: three, method: GET, path: /three, grpc: Echo, extra: 1 }
`,
    problems: [
      inRoute('one', 7, '/rest/routes/0/method', ALLOWED_METHODS),
      inRoute('two', 8, '/rest/routes/1/path', 'must match pattern "^/"'),
      inRoute('three', 9, '/rest/routes/2', "unknown property 'extra'"),
    ],
  },
  {
    name: 'three mistakes in two route and one frontend setting',
    yaml: `${HEAD.replace('  routes:', '  defaultRequestType: text/csv\n  routes:')}    - { id: one, method: GET, path: /one, grpc: Stream }
    - { id: two, method: GET, path: '/two/{a}', grpc: Echo, params: [{ from: path.b, to: f_string }] }
`,
    problems: [
      at('/rest/defaultRequestType', "'text/csv' is not one of the consumed types", { line: 6 }),
      inRoute('one', 8, '/rest/routes/0/grpc', "method 'Stream' is server-streaming; a route bound to it needs a 'stream' block (framings text/event-stream, application/x-ndjson, or websocket: true)"),
      inRoute('two', 9, '/rest/routes/1/params/0/from', "path parameter 'b' is not in the path template '/two/{a}'"),
      inRoute('two', 9, '/rest/routes/1/path', 'path parameter {a} is not bound to any field'),
    ],
  },
];

function runRows(rows: Row[]) {
  for (const row of rows) {
    test(row.name, row.todo ? { todo: row.todo } : {}, () => {
      assert.deepEqual(problemsOf(row.yaml), row.problems);
    });
  }
}

describe('compiler problems (meaning)', () => runRows(COMPILER));
describe('loader problems (shape and syntax)', () => runRows(SCHEMA));
describe('several problems at once', () => runRows(MANY));

describe('what a DefinitionError says', () => {
  test('the error message lists every problem with file:line:column, route and pointer', () => {
    let error: unknown;
    try {
      compileRouteTable(parseDefinitions(MANY[0].yaml, 'test.yaml', process.cwd()).map((loaded) => ({ loaded })));
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof DefinitionError);
    assert.equal(
      error.message,
      [
        '3 problems in frontend definitions:',
        "  test.yaml:7:49: route 'one' at /rest/routes/0/grpc: unknown method 'Echoo' in service prism.test.v1.EverythingService (it has Echo, Describe, Fail, Slow, Stream) [UNKNOWN_METHOD]",
        "  test.yaml:8:85: route 'two' at /rest/routes/1/params/0/to: unknown field 'f_int33' in prism.test.v1.Everything [UNKNOWN_FIELD]",
        "  test.yaml:9:39: route 'three' at /rest/routes/2/path: path parameter {id} is not bound to any field [UNBOUND_PATH_PARAM]",
      ].join('\n'),
    );
  });

  test('bad template root: among the problems, one at the root names the allowed roots', () => {
    const problems = problemsOf(route('{ id: r, method: GET, path: /r, grpc: Echo, response: { body: { object: { a: { from: reply.x } } } } }'));
    assert.deepEqual(problems[0], inRoute('r', 7, '/rest/routes/0/response/body/object/a/from', 'must match pattern "^(response|request|error|item|metadata)(\\.[^.]+)*$"'));
  });

  test('a sound definition with every construct compiles without problems', () => {
    assert.deepEqual(
      problemsOf(`${HEAD}    - { id: a, method: GET, path: '/r/{x}', grpc: Echo, params: [{ from: path.x, to: f_string }, { from: query.n, to: r_int32 }] }
    - { id: b, method: GET, path: '/r/static', grpc: Echo }
    - { id: c, method: POST, path: '/r/{x}', grpc: Describe, params: [{ from: path.x, to: f_string }, { from: body, to: '*' }], response: { body: { each: response.items, item: { from: item.name } } } }
    - { id: d, method: GET, path: '/r/a:b', response: { body: { const: ok } } }
`),
      [],
    );
  });

  test('a route path ending in a slash compiles', () => {
    assert.deepEqual(problemsOf(route('{ id: r, method: GET, path: /r/, grpc: Echo }')), []);
  });
});
