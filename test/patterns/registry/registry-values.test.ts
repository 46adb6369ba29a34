/**
 * The values the registry validates itself: version selectors (Confluent's VersionId),
 * compatibility levels, modes, subject names (confluent-sr-api.md §2, §3.1, §3.7).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCompatibilityLevel } from '../../../patterns/registry/compatibility-level.js';
import { RegistryError } from '../../../patterns/registry/registry-error.js';
import { parseRegistryMode } from '../../../patterns/registry/registry-mode.js';
import { isValidSubject, normalizeSubject } from '../../../patterns/registry/subject-name.js';
import { LATEST, parseVersionSelector } from '../../../patterns/registry/version-selector.js';
import { paginate } from '../../../patterns/registry/paginate.js';
import fc from 'fast-check';

const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof RegistryError ? err.reason : 'other';
  }
  return undefined;
};

const selectors: Array<[string, number | 'INVALID_VERSION']> = [
  ['1', 1],
  [' 42 ', 42],
  ['+3', 3],
  ['007', 7],
  ['2147483647', 2147483647],
  ['latest', LATEST],
  [' LaTeSt ', LATEST],
  ['-1', LATEST],
  ['0', 'INVALID_VERSION'],
  ['-2', 'INVALID_VERSION'],
  ['2147483648', 'INVALID_VERSION'],
  ['1.5', 'INVALID_VERSION'],
  ['1e3', 'INVALID_VERSION'],
  ['0x10', 'INVALID_VERSION'],
  ['', 'INVALID_VERSION'],
  ['earliest', 'INVALID_VERSION'],
];
for (const [text, expected] of selectors) {
  test(`version selector '${text}'`, () => {
    if (expected === 'INVALID_VERSION') assert.equal(reasonOf(() => parseVersionSelector(text)), 'INVALID_VERSION');
    else assert.equal(parseVersionSelector(text), expected);
  });
}

test('compatibility levels are case-insensitive and come back uppercase', () => {
  assert.equal(parseCompatibilityLevel('backward_transitive'), 'BACKWARD_TRANSITIVE');
  assert.equal(parseCompatibilityLevel(' Full '), 'FULL');
  assert.equal(reasonOf(() => parseCompatibilityLevel('SIDEWAYS')), 'INVALID_COMPATIBILITY_LEVEL');
  assert.equal(reasonOf(() => parseCompatibilityLevel('')), 'INVALID_COMPATIBILITY_LEVEL');
});

test('modes are case-insensitive; FORWARD is not a mode here', () => {
  assert.equal(parseRegistryMode('readonly_override'), 'READONLY_OVERRIDE');
  assert.equal(parseRegistryMode('Import'), 'IMPORT');
  assert.equal(reasonOf(() => parseRegistryMode('FORWARD')), 'INVALID_MODE');
});

const subjects: Array<[string, boolean]> = [
  ['orders-value', true],
  ['weird "{:}\'/ name', true],
  ['ünïcödé', true],
  ['', false],
  ['tab\there', false],
  ['\u007f', false],
  ['\u009f', false],
  ['\u00a0', true],
  ['__GLOBAL', false],
  ['__EMPTY', false],
  ['__global', true],
];
for (const [subject, valid] of subjects) {
  test(`subject ${JSON.stringify(subject)} is ${valid ? 'valid' : 'invalid'}`, () => assert.equal(isValidSubject(subject), valid));
}

test('the default-context prefix is stripped', () => {
  assert.equal(normalizeSubject(':.:orders'), 'orders');
  assert.equal(normalizeSubject(':.ctx:orders'), ':.ctx:orders');
  assert.equal(normalizeSubject('orders'), 'orders');
});

test('pagination: offset then limit, limit <= 0 unbounded, negative offset is 0', () => {
  const items = [1, 2, 3, 4, 5];
  assert.deepEqual(paginate(items, 1, 2), [2, 3]);
  assert.deepEqual(paginate(items, 0, 0), items);
  assert.deepEqual(paginate(items, -5, -1), items);
  assert.deepEqual(paginate(items, 9, 1), []);
});

test('version selector (fuzzed): a valid id, latest, or INVALID_VERSION quoting the input', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.integer().map(String), fc.constantFrom('latest', ' -1 ', '2147483647')), (text) => {
      try {
        const value = parseVersionSelector(text);
        assert.ok(value === LATEST || (Number.isInteger(value) && value >= 1 && value <= 2 ** 31 - 1));
      } catch (err) {
        assert.ok(err instanceof RegistryError && err.reason === 'INVALID_VERSION');
        assert.ok(err.message.includes(`'${text}'`));
      }
    }),
    { numRuns: 2000 },
  );
  fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (n) => parseVersionSelector(` ${n} `) === n));
});
