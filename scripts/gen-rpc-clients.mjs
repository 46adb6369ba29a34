#!/usr/bin/env node
// Generates the connect-es client code the RPC tests use (test/rpc/gen/): the registry
// pattern's service and messages, and google.rpc's error details (ErrorInfo travels in
// Connect and gRPC-Web errors). Run from anywhere: `node scripts/gen-rpc-clients.mjs [base]`;
// `base` (default test/rpc) receives gen/. The code is committed so the tests and their
// browser bundle import plain files; test/rpc/connect-es-generated-code.test.ts regenerates into a
// temporary folder and fails if the committed files differ.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const base = resolve(process.argv[2] ?? join(root, 'test/rpc'));
const buf = join(root, 'node_modules/.bin/buf');
const template = 'test/rpc/buf.gen.yaml';

// Each input is a folder of protos read as a module root; --path picks the files to generate
// (their imports, e.g. google/protobuf/duration.proto, resolve from buf's well-known types).
const inputs = [
  ['proto', 'proto/prism/patterns/registry/v1/registry.proto'],
  ['node_modules/google-proto-files', 'node_modules/google-proto-files/google/rpc/error_details.proto'],
];

rmSync(join(base, 'gen'), { recursive: true, force: true });
for (const [input, path] of inputs) {
  execFileSync(buf, ['generate', input, '--template', template, '--path', path, '--output', base], { cwd: root, stdio: 'inherit' });
}
