/**
 * The CORS settings that govern gRPC-Web and Connect paths: those of the frontend binding whose
 * mount the path lies under, even when the binding's frontend has a basePath (so the frontend
 * found by path is not the binding's), else the listener's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { attachRpcIndex } from '../../src/rpc/attach-rpc-index.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { compileCorsPolicy, corsPolicyFor } from '../../src/routing/cors.js';

const frontend = `name: api
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  basePath: /api
  service: prism.test.v1.EverythingService
  routes:
    - { id: hello, method: GET, path: /hello, response: { body: { const: { ok: true } } } }
`;

test("an RPC path under a binding whose frontend has a basePath takes the binding's CORS settings", () => {
  const bindingCors = { allowOrigins: ['https://partner.example'] };
  const listenerCors = { allowOrigins: ['https://app.example'] };
  const bindings = parseDefinitions(frontend, 'api.yaml', process.cwd()).map((loaded) => ({ loaded, namespace: 'ns', pathPrefix: '/p', cors: bindingCors }));
  const table = attachRpcIndex(
    compileRouteTable(bindings),
    [{ name: 'ns', grpcWeb: true, protoFiles: ['prism/test/v1/everything.proto'] }],
    [{ namespace: 'ns', pathPrefix: '/p', cors: bindingCors }],
    bindings,
  );
  const binding = compileCorsPolicy(bindingCors);
  const listener = compileCorsPolicy(listenerCors);
  // The REST route and the RPC paths of the binding: its own settings.
  assert.equal(corsPolicyFor(table, listenerCors, '/p/api/hello', undefined), binding);
  assert.equal(corsPolicyFor(table, listenerCors, '/p/prism.test.v1.EverythingService/Echo', undefined), binding);
  // An unknown method at the mount is answered by the RPC handler: the same settings.
  assert.equal(corsPolicyFor(table, listenerCors, '/p/prism.test.v1.EverythingService/Nope', undefined), binding);
  // Outside the binding: the listener's.
  assert.equal(corsPolicyFor(table, listenerCors, '/elsewhere', undefined), listener);
  assert.equal(corsPolicyFor(table, undefined, '/elsewhere', undefined), undefined);
});
