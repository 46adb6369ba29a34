/**
 * parsePathTemplate reports every problem of a template into the sink it is given (the compiler
 * adds the route's pointer), and parses whole-segment templates, HttpRule templates (wildcards,
 * variable bindings, verbs, field-path names) and mixed segments into the trie's segments, with
 * a shape that is the same exactly when two templates match the same paths.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatSegments, parsePathTemplate, type PathSegment } from '../../src/routing/path-template.js';

function problemsOf(template: string): string[] {
  const problems: string[] = [];
  const parsed = parsePathTemplate(template, (code, pointer, message) => void problems.push(`${code} ${pointer || '/'} ${message}`));
  assert.equal(parsed === undefined, problems.length > 0, 'a template is returned exactly when nothing was reported');
  return problems;
}

function parse(template: string) {
  const parsed = parsePathTemplate(template, (_code, _pointer, message) => assert.fail(`${template}: ${message}`));
  assert.ok(parsed);
  return parsed;
}

test('a whole-segment template parses into segments, parameters and its shape', () => {
  assert.deepEqual(parsePathTemplate('/subjects/{subject}/versions/{version}/', () => assert.fail('no problem expected')), {
    template: '/subjects/{subject}/versions/{version}/',
    params: ['subject', 'version'],
    segments: [{ text: 'subjects' }, { param: 'subject' }, { text: 'versions' }, { param: 'version' }, { text: '' }],
    shape: '/subjects/{}/versions/{}/',
  });
});

describe('HttpRule and mixed templates', () => {
  const cases: { template: string; segments: PathSegment[]; params: string[]; shape: string }[] = [
    { template: '/v1/kv/{key=**}', params: ['key'], shape: '/v1/kv/**', segments: [{ text: 'v1' }, { text: 'kv' }, { wildcard: '**', variable: 'key' }] },
    {
      template: '/v1/{name=shelves/*/books/*}',
      params: ['name'],
      shape: '/v1/shelves/{}/books/{}',
      segments: [{ text: 'v1' }, { text: 'shelves', variable: 'name' }, { wildcard: '*', variable: 'name' }, { text: 'books', variable: 'name' }, { wildcard: '*', variable: 'name' }],
    },
    { template: '/v1/{name=*}', params: ['name'], shape: '/v1/{}', segments: [{ text: 'v1' }, { param: 'name' }] },
    { template: '/v1/*/x/**', params: [], shape: '/v1/{}/x/**', segments: [{ text: 'v1' }, { wildcard: '*' }, { text: 'x' }, { wildcard: '**' }] },
    { template: '/v1/{book.name}', params: ['book.name'], shape: '/v1/{}', segments: [{ text: 'v1' }, { param: 'book.name' }] },
    // A verb after a one-segment parameter is literal text at the end of that segment.
    { template: '/v1/{name}:cancel', params: ['name'], shape: '/v1/{}:cancel', segments: [{ text: 'v1' }, { parts: [{ param: 'name' }, { text: ':cancel' }] }] },
    { template: '/v1/{name=*}:cancel', params: ['name'], shape: '/v1/{}:cancel', segments: [{ text: 'v1' }, { parts: [{ param: 'name' }, { text: ':cancel' }] }] },
    // After a variable over several segments, or a wildcard, it ends the whole path.
    {
      template: '/v1/{name=projects/*}:cancel',
      params: ['name'],
      shape: '/v1/projects/{}:cancel',
      segments: [{ text: 'v1' }, { text: 'projects', variable: 'name' }, { wildcard: '*', variable: 'name' }, { verb: 'cancel' }],
    },
    { template: '/files/{path=**}:download', params: ['path'], shape: '/files/**:download', segments: [{ text: 'files' }, { wildcard: '**', variable: 'path' }, { verb: 'download' }] },
    { template: '/v1/things:batchGet', params: [], shape: '/v1/things:batchGet', segments: [{ text: 'v1' }, { text: 'things:batchGet' }] },
    { template: '/items/{id}:archive/log', params: ['id'], shape: '/items/{}:archive/log', segments: [{ text: 'items' }, { parts: [{ param: 'id' }, { text: ':archive' }] }, { text: 'log' }] },
    { template: '/files/{name}.json', params: ['name'], shape: '/files/{}.json', segments: [{ text: 'files' }, { parts: [{ param: 'name' }, { text: '.json' }] }] },
    {
      template: '/api/v{major}.{minor}/x',
      params: ['major', 'minor'],
      shape: '/api/v{}.{}/x',
      segments: [{ text: 'api' }, { parts: [{ text: 'v' }, { param: 'major' }, { text: '.' }, { param: 'minor' }] }, { text: 'x' }],
    },
  ];
  for (const c of cases) {
    test(c.template, () => {
      const parsed = parse(c.template);
      assert.deepEqual(parsed.segments, c.segments);
      assert.deepEqual(parsed.params, c.params);
      assert.equal(parsed.shape, c.shape);
      // Written back, the segments parse to themselves.
      assert.deepEqual(parse(formatSegments(parsed.segments)).segments, parsed.segments);
    });
  }

  test('templates that match the same paths have the same shape, whatever their names and bindings', () => {
    const same = [
      ['/a/{x}/b', '/a/{y=*}/b', '/a/*/b'],
      ['/v1/{name=shelves/*}', '/v1/shelves/{shelf}', '/v1/shelves/*'],
      ['/kv/{key=**}', '/kv/**'],
      ['/v1/{name}:cancel', '/v1/{other=*}:cancel'],
    ];
    for (const group of same) assert.equal(new Set(group.map((t) => parse(t).shape)).size, 1, group.join(' '));
    const different = ['/a/{x}', '/a/**', '/a/{x}.json', '/a/{x}:cancel', '/a/x', '/a/{x}/'];
    assert.equal(new Set(different.map((t) => parse(t).shape)).size, different.length);
  });
});

test('every problem of a template is reported, each as PATH_TEMPLATE', () => {
  assert.deepEqual(problemsOf('/a//x{y}/{id}/{id}/b*'), [
    "PATH_TEMPLATE / path '/a//x{y}/{id}/{id}/b*' has an empty segment",
    "PATH_TEMPLATE / path '/a//x{y}/{id}/{id}/b*' names parameter {id} twice",
    "PATH_TEMPLATE / segment 'b*' of '/a//x{y}/{id}/{id}/b*' contains a character that is not allowed in a path template (*, ?, #)",
  ]);
  assert.deepEqual(problemsOf('r/{id}'), ["PATH_TEMPLATE / path 'r/{id}' must start with '/'"]);
});

test('HttpRule templates that do not parse say why', () => {
  const cases: [string, string][] = [
    ['/a/{path=**}/b', "'**' in '/a/{path=**}/b' must be the last segment (only a verb may follow it)"],
    ['/a/**/b', "'**' in '/a/**/b' must be the last segment (only a verb may follow it)"],
    ['/a/{x', "path '/a/{x' has unbalanced braces: every '{' needs its '}' and variables do not nest"],
    ['/a/{x={y}}', "path '/a/{x={y}}' has unbalanced braces: every '{' needs its '}' and variables do not nest"],
    ['/a/{1x}', "parameter {1x} of '/a/{1x}' must be named by a field path (letters, digits and '_', parts joined by '.')"],
    ['/a/{x..y}', "parameter {x..y} of '/a/{x..y}' must be named by a field path (letters, digits and '_', parts joined by '.')"],
    ['/a/{}', "parameter {} of '/a/{}' must be named by a field path (letters, digits and '_', parts joined by '.')"],
    ['/a/{x=b//c}', "variable {x=b//c} of '/a/{x=b//c}' has an empty segment"],
    ['/a/{x=b*}', "segment 'b*' of variable {x} in '/a/{x=b*}' must be '*', '**' or literal text"],
    ['/a/v{x=b/*}', "variable {x=b/*} in segment 'v{x=b/*}' of '/a/v{x=b/*}': a variable that spans segments must be a whole segment"],
    ['/a/{x}{y}', "segment '{x}{y}' of '/a/{x}{y}': parameters {x} and {y} need literal text between them"],
    ['/a/{x}.*', "segment '{x}.*' of '/a/{x}.*' contains a character that is not allowed in a path template (*, ?, #)"],
    ['/a/{x}/{y=x}/{x=**}', "path '/a/{x}/{y=x}/{x=**}' names parameter {x} twice"],
  ];
  for (const [template, message] of cases) assert.deepEqual(problemsOf(template), [`PATH_TEMPLATE / ${message}`], template);
});
