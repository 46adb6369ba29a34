/**
 * Issue 13, item 5, on the gateway's side: a config file with a YAML syntax error near a
 * backend's connection string made the error (which quotes the lines around the mistake)
 * print the password. The config loader now redacts every URL in its messages.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadGatewayConfig } from '../../src/config/gateway-config.js';

const dir = mkdtempSync(join(tmpdir(), 'prism-config-secrets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a YAML error quoting a connection string shows it redacted', () => {
  const file = join(dir, 'gateway.yaml');
  writeFileSync(
    file,
    ['backends:', '  - name: pg', '    type: POSTGRES', '    config: { url: "postgres://prism:s3cret@db:5432/prism?sslpassword=pw2" }', '   broken: [', 'namespaces: []', ''].join('\n'),
  );
  assert.throws(
    () => loadGatewayConfig(file),
    (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /postgres:\/\/prism:\*\*\*@db:5432\/prism\?sslpassword=\*\*\*/, 'the line is still quoted, so the mistake can be found');
      assert.equal(err.message.includes('s3cret'), false);
      assert.equal(err.message.includes('pw2'), false);
      return true;
    },
  );
});
