/**
 * A gateway config's problems are Diagnostics, all of them in one pass: a stable code, the
 * JSON pointer, and the line and column in the file. ConfigError carries them (`problems`) and
 * says one line per problem; checkGatewayConfig returns them without throwing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkGatewayConfig, ConfigError, loadGatewayConfig } from '../../src/config/gateway-config.js';
import { DiagnosticCode, type Diagnostic } from '../../src/frontends/diagnostics.js';

const dir = mkdtempSync(join(tmpdir(), 'prism-config-diagnostics-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function write(lines: string[]): string {
  const file = join(dir, `gateway-${n++}.yaml`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

type Seen = [code: string, pointer: string, line: number | undefined, message: string];
const seen = (problems: readonly Diagnostic[]): Seen[] => problems.map((p) => [p.code, p.pointer, p.line, p.message]);

test('every rule broken in a config is reported at once, in file order, each with its code, pointer and line', () => {
  const file = write([
    'admin:',
    '  host: 0.0.0.0',
    '  store: shared',
    'backends:',
    '  - { name: mem, type: MEMSTORE }',
    '  - { name: mem, type: MEMSTORE }',
    'namespaces:',
    '  - name: a',
    '    pattern:',
    '      target: 127.0.0.1:9',
    '      listen: 127.0.0.1:0',
    '      slots: { storage: nowhere }',
    '    frontends: []',
    '  - name: a',
    '    pattern: { embedded: patterns/registry, tls: { certFile: c.pem, keyFile: k.pem } }',
    '    health: { check: tcp, service: x }',
    '    frontends: []',
  ]);
  const check = checkGatewayConfig(file);
  assert.deepEqual(seen(check.problems), [
    [DiagnosticCode.EXPOSURE, '/admin/host', 2, seen(check.problems)[0][3]],
    [DiagnosticCode.UNKNOWN_REFERENCE, '/admin/store', 3, "admin.store names unknown backend 'shared'"],
    [DiagnosticCode.DUPLICATE_NAME, '/backends/1/name', 6, "backend name 'mem' is used twice"],
    [DiagnosticCode.INVALID_VALUE, '/namespaces/0/pattern/listen', 11, "namespace 'a': pattern.listen and pattern.insecure apply to an embedded pattern, not to a target"],
    [DiagnosticCode.UNKNOWN_REFERENCE, '/namespaces/0/pattern/slots/storage', 12, "namespace 'a' binds slot 'storage' to unknown backend 'nowhere'"],
    [DiagnosticCode.DUPLICATE_NAME, '/namespaces/1/name', 14, "namespace name 'a' is used twice"],
    [DiagnosticCode.INVALID_VALUE, '/namespaces/1/pattern/tls', 15, "namespace 'a': pattern.tls applies to a target, not to an embedded pattern"],
    [DiagnosticCode.INVALID_VALUE, '/namespaces/1/health/service', 16, "namespace 'a': health.service applies to check: grpc, not to check: tcp"],
  ]);
  assert.match(check.problems[0].message, /^admin listener: binds 0\.0\.0\.0 beyond loopback without authentication/);
  assert.ok(check.problems.every((p) => p.file === file && typeof p.column === 'number'));
  // The shape is sound, so the config is there for its frontends to be checked too.
  assert.equal(check.loaded?.config.namespaces.length, 2);
});

test('loadGatewayConfig throws a ConfigError with the same problems, one line per problem naming file:line:col', () => {
  const file = write(['grpc: { host: 10.1.2.3 }', 'namespaces:', '  - name: a', '    pattern: { target: 127.0.0.1:9, listen: 127.0.0.1:1 }', '    frontends: []']);
  assert.throws(
    () => loadGatewayConfig(file),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(
        err.problems.map((p) => [p.code, p.pointer]),
        [
          [DiagnosticCode.EXPOSURE, '/grpc/host'],
          [DiagnosticCode.INVALID_VALUE, '/namespaces/0/pattern/listen'],
        ],
      );
      const lines = err.message.split('\n');
      assert.equal(lines[0], `invalid gateway config ${file} (2 problems):`);
      assert.match(lines[1], new RegExp(`^  ${escape(file)}:1:15: at /grpc/host: grpc listener: binds 10\\.1\\.2\\.3 beyond loopback .* \\[EXPOSURE\\]$`));
      assert.match(lines[2], new RegExp(`^  ${escape(file)}:4:\\d+: at /namespaces/0/pattern/listen: namespace 'a': pattern\\.listen .* \\[INVALID_VALUE\\]$`));
      assert.equal(lines.length, 3);
      return true;
    },
  );
});

test('shape problems are SCHEMA diagnostics; an unknown property is placed on its own line', () => {
  const file = write(['http:', '  host: 127.0.0.1', '  prot: 8080', 'namespaces:', '  - name: a', '    pattern: { target: 127.0.0.1:9 }', '    frontends: [{ file: f.yaml, pathPrefix: api }]']);
  const check = checkGatewayConfig(file);
  assert.deepEqual(seen(check.problems), [
    [DiagnosticCode.SCHEMA, '/http', 3, "unknown property 'prot'"],
    [DiagnosticCode.SCHEMA, '/namespaces/0/frontends/0/pathPrefix', 7, 'must match pattern "^/"'],
  ]);
  assert.equal(check.loaded, undefined);
});

test('syntax problems are SYNTAX diagnostics with their line; the message quotes the lines, connection strings redacted', () => {
  const file = write(['backends:', '  - name: pg', '    type: POSTGRES', '    config: { url: "postgres://prism:s3cret@db:5432/prism" }', '   broken: [', 'namespaces: []']);
  const check = checkGatewayConfig(file);
  assert.ok(check.problems.length >= 1);
  assert.ok(check.problems.every((p) => p.code === DiagnosticCode.SYNTAX && typeof p.line === 'number'));
  assert.equal(check.problems[0].line, 5);
  assert.doesNotMatch(check.problems[0].message, /at line/, 'the position is in the location, not repeated in the sentence');
  assert.throws(
    () => loadGatewayConfig(file),
    (err: unknown) => err instanceof ConfigError && err.message.includes('postgres://prism:***@db:5432/prism') && !err.message.includes('s3cret'),
  );
});

test('an unreadable file is one UNREADABLE diagnostic; checkGatewayConfig does not throw', () => {
  const check = checkGatewayConfig(join(dir, 'missing.yaml'));
  assert.deepEqual(
    check.problems.map((p) => [p.code, p.pointer]),
    [[DiagnosticCode.UNREADABLE, '']],
  );
  assert.equal(check.loaded, undefined);
});

test('a sound config has no problems', () => {
  const file = write(['namespaces:', '  - name: a', '    pattern: { target: 127.0.0.1:9 }', '    frontends: []']);
  assert.deepEqual(checkGatewayConfig(file).problems, []);
  assert.equal(loadGatewayConfig(file).config.namespaces[0].name, 'a');
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
