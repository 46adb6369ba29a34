/**
 * The segment trie with every template form: case tables (what matches, what binds, which route
 * wins), then fast-check properties: any path a template generates matches it and binds back
 * to the values it was made from; percent-encoded slashes never cross segments; static beats
 * parameter beats wildcard.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parsePathTemplate } from '../../src/routing/path-template.js';
import { SegmentTrie } from '../../src/routing/segment-trie.js';

const RUNS = 300;

function trieOf(routes: readonly string[], options: { maxParamLength?: number } = {}): SegmentTrie<string> {
  const trie = new SegmentTrie<string>({ maxParamLength: options.maxParamLength ?? 8192 });
  for (const route of routes) {
    const [method, path] = route.includes(' ') ? route.split(' ') : ['GET', route];
    const template = parsePathTemplate(path, (_code, _pointer, message) => assert.fail(`${route}: ${message}`));
    trie.add(method, template!.segments, undefined, route);
  }
  return trie;
}

function lookup(trie: SegmentTrie<string>, path: string, method = 'GET') {
  const found = trie.find(method, path, undefined);
  return found && { route: found.value, params: found.params };
}

describe('case tables', () => {
  const routes = [
    '/v1/kv',
    '/v1/kv/{key=**}',
    '/v1/{name=shelves/*/books/*}',
    '/v1/{name=projects/*}:cancel',
    '/v1/{name}:cancel',
    '/v1/{book.name}',
    '/v1/things:batchGet',
    '/files/static',
    '/files/{name}.json',
    '/files/{id}',
    '/files/{id}/meta',
    '/files/{path=**}:download',
    '/files/**',
    '/api/v{major}.{minor}/x',
    '/any/*/y',
    '/rest/{rest=a/**}',
  ];
  const trie = trieOf(routes);
  const cases: [path: string, route: string | undefined, params?: Record<string, string>][] = [
    // `**`: zero or more segments, as the last segment only.
    ['/v1/kv', '/v1/kv', {}],
    ['/v1/kv/', '/v1/kv/{key=**}', { key: '' }],
    ['/v1/kv/a', '/v1/kv/{key=**}', { key: 'a' }],
    ['/v1/kv/a/b/c', '/v1/kv/{key=**}', { key: 'a/b/c' }],
    ['/v1/kv/a//b/', '/v1/kv/{key=**}', { key: 'a//b/' }],
    // A multi-segment value decodes each segment except RFC 6570 reserved characters.
    ['/v1/kv/a%2Fb/%3A%40/%20%C3%A9%25', '/v1/kv/{key=**}', { key: 'a%2Fb/%3A%40/ é%' }],
    // Variable bindings over literal and wildcard segments.
    ['/v1/shelves/s1/books/b1', '/v1/{name=shelves/*/books/*}', { name: 'shelves/s1/books/b1' }],
    ['/v1/shelves/s%2F1/books/b%20c', '/v1/{name=shelves/*/books/*}', { name: 'shelves/s%2F1/books/b c' }],
    ['/v1/shelves/s1/books', undefined],
    ['/v1/shelves//books/b', undefined],
    // Custom verbs: after a multi-segment variable the verb ends the whole path.
    ['/v1/projects/p1:cancel', '/v1/{name=projects/*}:cancel', { name: 'projects/p1' }],
    ['/v1/p1:cancel', '/v1/{name}:cancel', { name: 'p1' }],
    ['/v1/a:b:cancel', '/v1/{name}:cancel', { name: 'a:b' }],
    ['/v1/p1%3Acancel', '/v1/{book.name}', { 'book.name': 'p1:cancel' }],
    ['/v1/:cancel', '/v1/{book.name}', { 'book.name': ':cancel' }],
    ['/v1/p1', '/v1/{book.name}', { 'book.name': 'p1' }],
    ['/v1/things:batchGet', '/v1/things:batchGet', {}],
    // Static beats literal text around a parameter beats a parameter beats `**`.
    ['/files/static', '/files/static', {}],
    ['/files/a.b.json', '/files/{name}.json', { name: 'a.b' }],
    ['/files/.json', '/files/{id}', { id: '.json' }],
    ['/files/a%2Ejson', '/files/{id}', { id: 'a.json' }],
    ['/files/a', '/files/{id}', { id: 'a' }],
    ['/files/a/meta', '/files/{id}/meta', { id: 'a' }],
    ['/files/a/b:download', '/files/{path=**}:download', { path: 'a/b' }],
    ['/files/a/b', '/files/**', {}],
    ['/files', '/files/**', {}],
    ['/files/a.json/meta', '/files/{id}/meta', { id: 'a.json' }],
    ['/api/v1.2/x', '/api/v{major}.{minor}/x', { major: '1', minor: '2' }],
    ['/api/v1.2.3/x', '/api/v{major}.{minor}/x', { major: '1', minor: '2.3' }],
    ['/api/v.2/x', undefined],
    ['/api/v1./x', undefined],
    ['/any/thing/y', '/any/*/y', {}],
    ['/any//y', undefined],
    ['/rest/a', '/rest/{rest=a/**}', { rest: 'a' }],
    ['/rest/a/', '/rest/{rest=a/**}', { rest: 'a/' }],
    ['/rest/a/b%2Fc', '/rest/{rest=a/**}', { rest: 'a/b%2Fc' }],
    ['/rest/b', undefined],
    // Malformed escapes name nothing, in any kind of segment.
    ['/v1/kv/a/%ZZ', undefined],
    ['/files/%E0%A4%A.json', undefined],
    ['/v1/projects/%C3:cancel', undefined],
  ];
  for (const [path, route, params] of cases) {
    test(`${path} → ${route ?? 'no route'}`, () => {
      assert.deepEqual(lookup(trie, path), route === undefined ? undefined : { route, params });
    });
  }

  test('a value longer than maxParamLength does not match, in any kind of segment', () => {
    const small = trieOf(['/a/{x}.json', '/b/{p=**}', '/c/{name=x/*}:go', '/d/{id}'], { maxParamLength: 4 });
    assert.deepEqual(lookup(small, '/a/abcd.json'), { route: '/a/{x}.json', params: { x: 'abcd' } });
    assert.equal(lookup(small, '/a/abcde.json'), undefined);
    assert.deepEqual(lookup(small, '/b/ab/c'), { route: '/b/{p=**}', params: { p: 'ab/c' } });
    assert.equal(lookup(small, '/b/ab/cd'), undefined);
    assert.deepEqual(lookup(small, '/c/x/abcd:go'), { route: '/c/{name=x/*}:go', params: { name: 'x/abcd' } });
    assert.equal(lookup(small, '/c/x/abcde:go'), undefined);
    assert.equal(lookup(small, '/d/abcde'), undefined);
  });

  test('hosts: a tail bound to a host serves it; the unbound one serves the others', () => {
    const trie = new SegmentTrie<string>({ maxParamLength: 100 });
    const segments = (t: string) => parsePathTemplate(t, () => assert.fail(t))!.segments;
    trie.add('GET', segments('/f/{name}.json'), 'a.example', 'a');
    trie.add('GET', segments('/f/{file}.json'), undefined, 'any');
    trie.add('GET', segments('/k/{key=**}'), 'b.example', 'b');
    assert.deepEqual(trie.find('GET', '/f/x.json', 'a.example'), { value: 'a', params: { name: 'x' } });
    assert.deepEqual(trie.find('GET', '/f/x.json', 'c.example'), { value: 'any', params: { file: 'x' } });
    assert.deepEqual(trie.find('GET', '/k/x/y', 'b.example'), { value: 'b', params: { key: 'x/y' } });
    assert.equal(trie.find('GET', '/k/x/y', 'c.example'), undefined);
  });

  test('the same shape twice at one host is refused; a trailing slash after ** or a verb adds nothing', () => {
    const trie = new SegmentTrie<string>({ maxParamLength: 100 });
    const segments = (t: string) => parsePathTemplate(t, () => assert.fail(t))!.segments;
    trie.add('GET', segments('/f/{name}.json'), undefined, 'one');
    assert.throws(() => trie.add('GET', segments('/f/{other}.json'), undefined, 'two'), /GET \/f\/\{other\}\.json is added twice/);
    trie.add('GET', segments('/k/{key=**}'), undefined, 'k');
    trie.add('GET', [...segments('/k/{key=**}'), { text: '' }], undefined, 'k');
    trie.add('GET', segments('/v/{n=a/*}:go'), undefined, 'v');
    trie.add('GET', [...segments('/v/{n=a/*}:go'), { text: '' }], undefined, 'v');
    assert.deepEqual(trie.find('GET', '/k/x/', undefined), { value: 'k', params: { key: 'x/' } });
    assert.deepEqual(trie.find('GET', '/v/a/b:go', undefined), { value: 'v', params: { n: 'a/b' } });
  });

  test('many verbs at one node: each path finds its own, in the order tails are tried among the others there', () => {
    const verbs = Array.from({ length: 300 }, (_, i) => `/v1/{name}:verb${i}`);
    const trie = trieOf([...verbs, '/v1/a{id}', '/v1/{file}.json', '/v1/{x}:a:b', '/v1/{name=p/*}:verb7', '/v1/{id}']);
    for (let i = 0; i < 300; i += 37) assert.deepEqual(lookup(trie, `/v1/n${i}:verb${i}`), { route: `/v1/{name}:verb${i}`, params: { name: `n${i}` } });
    // The verb tail has more literal text than `a{id}`, so it is tried first; without a known verb, `a{id}` takes the path.
    assert.deepEqual(lookup(trie, '/v1/ax:verb3'), { route: '/v1/{name}:verb3', params: { name: 'ax' } });
    assert.deepEqual(lookup(trie, '/v1/ax:nope'), { route: '/v1/a{id}', params: { id: 'x:nope' } });
    assert.deepEqual(lookup(trie, '/v1/q:a:b'), { route: '/v1/{x}:a:b', params: { x: 'q' } });
    assert.deepEqual(lookup(trie, '/v1/q.json'), { route: '/v1/{file}.json', params: { file: 'q' } });
    assert.deepEqual(lookup(trie, '/v1/p/q:verb7'), { route: '/v1/{name=p/*}:verb7', params: { name: 'p/q' } });
    assert.deepEqual(lookup(trie, '/v1/q:verb300'), { route: '/v1/{id}', params: { id: 'q:verb300' } });
    assert.deepEqual(lookup(trie, '/v1/q%3Averb3'), { route: '/v1/{id}', params: { id: 'q:verb3' } });
  });

  test('thousands of static siblings under many parents: each found as written or percent-encoded, prefixes and near names not', () => {
    const routes: string[] = [];
    for (let i = 0; i < 3000; i++) routes.push(`/p${i % 30}/k${i}`, `/p${i % 30}/k${i}/é${i}`);
    const trie = trieOf(routes);
    for (let i = 0; i < 3000; i += 7) {
      assert.equal(lookup(trie, `/p${i % 30}/k${i}`)?.route, `/p${i % 30}/k${i}`);
      assert.equal(lookup(trie, `/p${i % 30}/k${i}/%C3%A9${i}`)?.route, `/p${i % 30}/k${i}/é${i}`);
      assert.equal(lookup(trie, `/p${(i + 1) % 30}/k${i}`), undefined);
      assert.equal(lookup(trie, `/p${i % 30}/k${i}x`), undefined);
      assert.equal(lookup(trie, `/p${i % 30}/k`), undefined);
    }
  });

  test('templates of one shape with different names bind their own names', () => {
    const trie = trieOf(['/a/{x}', '/b/{y}', '/c/{x}.json', '/d/{y}.json', '/e/{p=**}', '/f/{q=**}']);
    assert.deepEqual(lookup(trie, '/b/1'), { route: '/b/{y}', params: { y: '1' } });
    assert.deepEqual(lookup(trie, '/a/1'), { route: '/a/{x}', params: { x: '1' } });
    assert.deepEqual(lookup(trie, '/d/1.json'), { route: '/d/{y}.json', params: { y: '1' } });
    assert.deepEqual(lookup(trie, '/f/1/2'), { route: '/f/{q=**}', params: { q: '1/2' } });
  });

  test('matching tails runs no regular expression, however long the path', () => {
    const trie = trieOf(['/f/{name}.json', '/f/v{a}.{b}', '/k/{key=**}', '/c/{name=p/*}:go', '/m/{id}:archive'], { maxParamLength: 1_000_000 });
    const originalExec = RegExp.prototype.exec;
    let execs = 0;
    RegExp.prototype.exec = function (this: RegExp, input: string) {
      execs++;
      return originalExec.call(this, input);
    };
    // Compared by equality (not deepEqual) so a failure does not print megabytes.
    const results: boolean[] = [];
    try {
      for (const n of [10, 1000, 100_000]) {
        results.push(lookup(trie, `/f/${'a.'.repeat(n)}json`)?.params.name === 'a.'.repeat(n - 1) + 'a');
        results.push(lookup(trie, `/f/v${'1'.repeat(n)}`) === undefined);
        results.push(lookup(trie, `/k/${'a/'.repeat(n)}`)?.params.key === 'a/'.repeat(n));
        results.push(lookup(trie, `/c/p/${':'.repeat(n)}:go`)?.params.name === `p/${':'.repeat(n)}`);
        results.push(lookup(trie, `/m/${':archive'.repeat(n)}`)?.params.id === ':archive'.repeat(n - 1));
      }
    } finally {
      RegExp.prototype.exec = originalExec;
    }
    assert.deepEqual(results, Array(15).fill(true));
    assert.equal(execs, 0);
  });
});

// ---- Properties ----

/** HttpRule clients percent-encode everything but unreserved characters; stricter here: all but letters and digits. */
const encodeStrict = (value: string) => Array.from(new TextEncoder().encode(value), (b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0'))).join('');

/** Characters of single-segment values: reserved ones included ('/' too: it travels as %2F). */
const singleChar = fc.constantFrom('a', 'b', 'Z', '0', '9', '-', '.', '_', '~', '/', ':', '%', ' ', '?', '#', '@', '+', 'é', '日', '😀');
/** Multi-segment values keep reserved escapes, so only unreserved and other characters round-trip. */
const multiChar = fc.constantFrom('a', 'b', 'Z', '0', '9', '-', '.', '_', '~', '%', ' ', 'é', '日', '😀');
const singleValue = fc.string({ unit: singleChar, minLength: 1, maxLength: 8 });
const multiSegment = fc.string({ unit: multiChar, minLength: 1, maxLength: 6 });
const literal = fc.constantFrom('a', 'users', 'v1', 'x-y', 'books');
/** Text inside a mixed segment: never only letters and digits, so a strictly encoded value never contains it. */
const separator = fc.constantFrom('.', '-', '~', '.json', ':archive', '_v');

interface Generated {
  template: string;
  path: string;
  params: Record<string, string>;
}

/** One template element with a path that fills it and the values it binds; `name` is unique per template. */
function element(name: string, last: boolean): fc.Arbitrary<Generated> {
  const plain: fc.Arbitrary<Generated>[] = [
    literal.map((l) => ({ template: `/${l}`, path: `/${l}`, params: {} })),
    singleValue.map((v) => ({ template: `/{${name}}`, path: `/${encodeStrict(v)}`, params: { [name]: v } })),
    singleValue.map((v) => ({ template: '/*', path: `/${encodeStrict(v)}`, params: {} })),
    fc.tuple(fc.option(literal, { nil: undefined }), singleValue, separator, fc.option(singleValue, { nil: undefined })).map(([prefix, a, sep, b]) => ({
      template: `/${prefix ?? ''}{${name}}${sep}${b === undefined ? '' : `{${name}_2}`}`,
      path: `/${prefix ?? ''}${encodeStrict(a)}${sep}${b === undefined ? '' : encodeStrict(b)}`,
      params: b === undefined ? { [name]: a } : { [name]: a, [`${name}_2`]: b },
    })),
    fc.array(fc.oneof(literal.map((l) => ({ pattern: l, value: l })), multiSegment.map((v) => ({ pattern: '*', value: v }))), { minLength: 1, maxLength: 3 }).map((parts) => {
      const value = parts.map((p) => p.value).join('/');
      // One segment is decoded fully, several keep reserved escapes: the values hold none.
      return { template: `/{${name}=${parts.map((p) => p.pattern).join('/')}}`, path: '/' + parts.map((p) => (p.pattern === '*' ? encodeStrict(p.value) : p.value)).join('/'), params: { [name]: value } };
    }),
  ];
  if (!last) return fc.oneof(...plain);
  const rest: fc.Arbitrary<Generated>[] = [
    fc.array(multiSegment, { maxLength: 3 }).map((segments) => ({ template: `/{${name}=**}`, path: segments.length === 0 ? '' : '/' + segments.map(encodeStrict).join('/'), params: { [name]: segments.join('/') } })),
    fc.array(multiSegment, { maxLength: 3 }).map((segments) => ({ template: '/**', path: segments.length === 0 ? '' : '/' + segments.map(encodeStrict).join('/'), params: {} })),
  ];
  return fc.oneof(...plain, ...rest);
}

const generatedRoute: fc.Arbitrary<Generated> = fc
  .tuple(literal, fc.integer({ min: 0, max: 3 }), fc.option(fc.constantFrom('cancel', 'batchGet', 'x.y'), { nil: undefined }), fc.boolean())
  .chain(([head, count, verb, dotted]) => {
    const names = Array.from({ length: count + 1 }, (_, i) => (dotted && i === 0 ? 'book.name' : `p${i}`));
    return fc.tuple(...names.map((n, i) => element(n, i === count))).map((elements) => {
      const template = `/${head}` + elements.map((e) => e.template).join('');
      let path = `/${head}` + elements.map((e) => e.path).join('');
      const params = Object.assign({}, ...elements.map((e) => e.params)) as Record<string, string>;
      // A verb after a segment that is only a literal joins the literal; after `**` with no
      // segment it would join the head instead: leave those without one.
      const last = elements.at(-1)!;
      const emptyRest = /\*\*\}?$/.test(last.template) && last.path === '';
      if (verb !== undefined && /[}*]$/.test(last.template) && !emptyRest) {
        return { template: `${template}:${verb}`, path: `${path}:${verb}`, params };
      }
      path ||= '/';
      return { template, path, params };
    });
  });

describe('properties', () => {
  test('any path a template generates matches it and binds back to the values it was made from', () => {
    fc.assert(
      fc.property(generatedRoute, ({ template, path, params }) => {
        const trie = trieOf([template, '/zz/{other}', '/zz/**']);
        assert.deepEqual(lookup(trie, path), { route: template, params }, `${template} with ${path}`);
      }),
      { numRuns: RUNS },
    );
  });

  test('percent-encoded slashes never cross segments: one-segment values decode them, multi-segment values keep them', () => {
    const trie = trieOf(['/one/{a}/end', '/mixed/{a}.json', '/multi/{m=**}', '/var/{v=x/*}/end', '/verb/{n=p/*}:go']);
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', '/', 'b'), minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), (pieces) => {
        const slashy = pieces.join('/');
        const encoded = slashy.replaceAll('/', '%2F');
        assert.deepEqual(lookup(trie, `/one/${encoded}/end`), { route: '/one/{a}/end', params: { a: slashy } });
        assert.deepEqual(lookup(trie, `/mixed/${encoded}.json`), { route: '/mixed/{a}.json', params: { a: slashy } });
        assert.deepEqual(lookup(trie, `/multi/${encoded}/${encoded}`), { route: '/multi/{m=**}', params: { m: `${encoded}/${encoded}` } });
        assert.deepEqual(lookup(trie, `/var/x/${encoded}/end`), { route: '/var/{v=x/*}/end', params: { v: `x/${encoded}` } });
        assert.deepEqual(lookup(trie, `/verb/p/${encoded}:go`), { route: '/verb/{n=p/*}:go', params: { n: `p/${encoded}` } });
        // An encoded slash never stands for a separator: these paths have one segment too few.
        assert.equal(lookup(trie, `/one/${encoded}%2Fend`), undefined);
        assert.equal(lookup(trie, `/var/x%2F${encoded}/end`), undefined);
      }),
      { numRuns: RUNS },
    );
  });

  test('whole-segment tables of any mix: the trie picks what a scan of every template picks (static before parameter, segment by segment)', () => {
    const word = fc.constantFrom('a', 'b', 'ab', 'users', 'é', '');
    const shape = fc.array(fc.option(word, { nil: undefined }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(fc.uniqueArray(shape, { minLength: 1, maxLength: 40, selector: (s) => s.map((w) => (w === undefined ? '{}' : w)).join('/') }), fc.array(fc.array(word, { minLength: 1, maxLength: 4 }), { maxLength: 20 }), (shapes, extra) => {
        // An empty literal is only valid last (a trailing slash).
        const valid = shapes.filter((s) => s.every((w, i) => w !== '' || i === s.length - 1));
        const templates = valid.map((s) => '/' + s.map((w, i) => (w === undefined ? `{p${i}}` : w)).join('/'));
        const trie = trieOf(templates);
        const paths = [...valid.map((s) => s.map((w) => w ?? 'x')), ...extra].map((segments) => '/' + segments.map((w) => encodeURIComponent(w)).join('/'));
        for (const path of paths) {
          const segments = path.slice(1).split('/').map(decodeURIComponent);
          let best: { template: string; rank: number[]; params: Record<string, string> } | undefined;
          valid.forEach((s, t) => {
            if (s.length !== segments.length || !s.every((w, i) => (w === undefined ? segments[i] !== '' : w === segments[i]))) return;
            const rank = s.map((w) => (w === undefined ? 1 : 0));
            const params = Object.fromEntries(s.flatMap((w, i) => (w === undefined ? [[`p${i}`, segments[i]]] : [])));
            const better = best === undefined || rank.findIndex((r, i) => r !== best!.rank[i]) !== -1 && rank[rank.findIndex((r, i) => r !== best!.rank[i])] < best.rank[rank.findIndex((r, i) => r !== best!.rank[i])];
            if (better) best = { template: templates[t], rank, params };
          });
          assert.deepEqual(lookup(trie, path), best && { route: best.template, params: best.params }, path);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('static beats literal text around a parameter beats a parameter beats **, with backtracking', () => {
    const trie = trieOf(['/a/static', '/a/static/deep', '/a/{t}.txt', '/a/{p}', '/a/{p}/leaf', '/a/**']);
    fc.assert(
      fc.property(fc.constantFrom('static', 'x.txt', 'x', ''), fc.constantFrom(undefined, 'deep', 'leaf', 'other', 'x/y'), (first, second) => {
        const path = `/a/${first}${second === undefined ? '' : '/' + second}`;
        const found = lookup(trie, path)?.route;
        let expected: string;
        if (second === undefined) expected = first === 'static' ? '/a/static' : first === 'x.txt' ? '/a/{t}.txt' : first === '' ? '/a/**' : '/a/{p}';
        else if (second === 'deep' && first === 'static') expected = '/a/static/deep';
        else if (second === 'leaf' && first !== '') expected = '/a/{p}/leaf';
        else expected = '/a/**';
        assert.equal(found, expected, path);
      }),
      { numRuns: RUNS },
    );
  });
});
