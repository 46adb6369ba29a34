/**
 * parsePathTemplate reports every problem of a template into the sink it is given (the compiler
 * adds the route's pointer), and parses whole-segment templates into the trie's segments.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePathTemplate } from '../../src/routing/path-template.js';

function problemsOf(template: string): string[] {
  const problems: string[] = [];
  const parsed = parsePathTemplate(template, (code, pointer, message) => void problems.push(`${code} ${pointer || '/'} ${message}`));
  assert.equal(parsed === undefined, problems.length > 0, 'a template is returned exactly when nothing was reported');
  return problems;
}

test('a whole-segment template parses into segments, parameters and its shape', () => {
  assert.deepEqual(parsePathTemplate('/subjects/{subject}/versions/{version}/', () => assert.fail('no problem expected')), {
    template: '/subjects/{subject}/versions/{version}/',
    params: ['subject', 'version'],
    segments: [{ text: 'subjects' }, { param: 'subject' }, { text: 'versions' }, { param: 'version' }, { text: '' }],
    shape: '/subjects/{}/versions/{}/',
  });
});

test('every problem of a template is reported, each as PATH_TEMPLATE', () => {
  assert.deepEqual(problemsOf('/a//x{y}/{id}/{id}/b*'), [
    "PATH_TEMPLATE / path '/a//x{y}/{id}/{id}/b*' has an empty segment",
    "PATH_TEMPLATE / segment 'x{y}' of '/a//x{y}/{id}/{id}/b*': a parameter must be a whole segment named like {name}",
    "PATH_TEMPLATE / path '/a//x{y}/{id}/{id}/b*' names parameter {id} twice",
    "PATH_TEMPLATE / segment 'b*' of '/a//x{y}/{id}/{id}/b*' contains a character that is not allowed in a path template (*, ?, #)",
  ]);
  assert.deepEqual(problemsOf('r/{id}'), ["PATH_TEMPLATE / path 'r/{id}' must start with '/'"]);
});
