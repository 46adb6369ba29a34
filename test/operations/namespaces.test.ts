/**
 * Two namespaces, each running its own embedded registry with its own storage, both serving the
 * Confluent frontend under their own prefix (/ns/orders, /ns/payments). What is registered under
 * one is invisible under the other, and an unchanged Confluent client pointed at
 * `${url}/ns/orders` registers, encodes and decodes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { RunningGateway } from '../../src/start-gateway.js';
import { CONFLUENT_FRONTEND_FILE, http, runCli, startFromConfig, tempDir, writeConfig } from './support.js';
import { useSuite } from '../support/use-suite.js';

const V1 = 'application/vnd.schemaregistry.v1+json';

const orderSchema = { type: 'record', name: 'Order', namespace: 'com.example.ops', fields: [{ name: 'id', type: 'long' }, { name: 'item', type: 'string' }] };
const paymentSchema = { type: 'record', name: 'Payment', namespace: 'com.example.ops', fields: [{ name: 'amount', type: 'double' }] };

function registryNamespace(name: string) {
  return { name, pattern: { embedded: 'patterns/registry', slots: { storage: 'registry-store' } }, frontends: [{ file: CONFLUENT_FRONTEND_FILE, pathPrefix: `/ns/${name}` }] };
}

async function post(url: string, body: unknown) {
  return http(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': V1 } });
}

// The restart test swaps `suite.gateway` for a gateway on the same config and data; the suite
// closes whichever runs at the end, then removes the folder.
const suite = useSuite(async (scope) => {
  const dir = scope.own(tempDir('namespaces'));
  const dataDir = join(dir.path, 'data');
  const configFile = writeConfig(dir.path, {
    backends: [{ name: 'registry-store', type: 'SQLITE', config: { path: 'registry.db' } }],
    namespaces: [registryNamespace('orders'), registryNamespace('payments')],
  });
  const state = { dataDir, configFile, gateway: await startFromConfig(configFile, dataDir) };
  scope.onClose(() => state.gateway.close());
  return state;
});

describe('two namespaces with separate registries', () => {
  test('both prefixes serve the Confluent root; the unprefixed path does not', async () => {
    for (const ns of ['orders', 'payments']) {
      const root = await http(`${suite.gateway.url}/ns/${ns}/`);
      assert.equal(root.status, 200, `${ns}: ${root.text}`);
      assert.equal(root.text, '{}');
    }
    assert.equal((await http(`${suite.gateway.url}/subjects`)).status, 404);
  });

  test('the admin API lists both namespaces, each with the Confluent frontend', async () => {
    const list = (await http(`${suite.gateway.adminUrl}/admin/namespaces`)).json() as { name: string; frontends: string[] }[];
    assert.deepEqual(
      list.map((n) => ({ name: n.name, frontends: n.frontends })),
      [
        { name: 'orders', frontends: ['confluent-schema-registry'] },
        { name: 'payments', frontends: ['confluent-schema-registry'] },
      ],
    );
  });

  test('a schema registered under one namespace is not seen by the other', async () => {
    const reg = await post(`${suite.gateway.url}/ns/orders/subjects/orders-value/versions`, { schema: JSON.stringify(orderSchema) });
    assert.equal(reg.status, 200, reg.text);
    const { id } = reg.json() as { id: number };
    assert.equal(id, 1);

    assert.equal((await http(`${suite.gateway.url}/ns/orders/subjects`)).text, '["orders-value"]');
    assert.equal((await http(`${suite.gateway.url}/ns/payments/subjects`)).text, '[]');

    const missingSubject = await http(`${suite.gateway.url}/ns/payments/subjects/orders-value/versions`);
    assert.equal(missingSubject.status, 404);
    assert.equal((missingSubject.json() as { error_code: number }).error_code, 40401);

    const missingId = await http(`${suite.gateway.url}/ns/payments/schemas/ids/${id}`);
    assert.equal(missingId.status, 404);
    assert.equal((missingId.json() as { error_code: number }).error_code, 40403);
  });

  test('each namespace has its own id space and its own storage file', async () => {
    const reg = await post(`${suite.gateway.url}/ns/payments/subjects/payments-value/versions`, { schema: JSON.stringify(paymentSchema) });
    assert.equal(reg.status, 200, reg.text);
    assert.deepEqual(reg.json(), { id: 1 }, 'the first schema of payments gets id 1 too');
    const orders1 = (await http(`${suite.gateway.url}/ns/orders/schemas/ids/1`)).json() as { schema: string };
    const payments1 = (await http(`${suite.gateway.url}/ns/payments/schemas/ids/1`)).json() as { schema: string };
    assert.match(orders1.schema, /"Order"/);
    assert.match(payments1.schema, /"Payment"/);
    assert.equal((await http(`${suite.gateway.url}/ns/orders/subjects`)).text, '["orders-value"]');
    assert.ok(existsSync(join(suite.dataDir, 'orders', 'registry.db')), 'orders keeps its data under data/orders');
    assert.ok(existsSync(join(suite.dataDir, 'payments', 'registry.db')), 'payments keeps its data under data/payments');
  });

  test('a config change under one namespace does not change the other', async () => {
    const put = await http(`${suite.gateway.url}/ns/orders/config`, { method: 'PUT', body: JSON.stringify({ compatibility: 'NONE' }), headers: { 'content-type': V1 } });
    assert.equal(put.status, 200, put.text);
    assert.equal((await http(`${suite.gateway.url}/ns/orders/config`)).text, '{"compatibilityLevel":"NONE"}');
    assert.equal((await http(`${suite.gateway.url}/ns/payments/config`)).text, '{"compatibilityLevel":"BACKWARD"}');
  });

  test('a Confluent client pointed at /ns/orders registers, encodes and decodes; payments does not see its subject', async () => {
    const client = new SchemaRegistry({ host: `${suite.gateway.url}/ns/orders`, retry: { retries: 0 } });
    const subject = 'com.example.ops.Order';
    const { id } = await client.register(orderSchema as never);
    assert.equal(id, 1, 'the same schema text already has id 1 in orders');
    const encoded = await client.encode(id, { id: 7, item: 'pen' });
    assert.equal(encoded[0], 0);
    assert.equal(encoded.readInt32BE(1), id);
    const decoded = await new SchemaRegistry({ host: `${suite.gateway.url}/ns/orders`, retry: { retries: 0 } }).decode(encoded);
    assert.deepEqual(JSON.parse(JSON.stringify(decoded)), { id: 7, item: 'pen' });
    assert.equal(await client.getLatestSchemaId(subject), id);

    const ordersSubjects = (await http(`${suite.gateway.url}/ns/orders/subjects`)).json() as string[];
    assert.deepEqual(ordersSubjects.sort(), [subject, 'orders-value'].sort());
    assert.equal((await http(`${suite.gateway.url}/ns/payments/subjects`)).text, '["payments-value"]');

    const paymentsClient = new SchemaRegistry({ host: `${suite.gateway.url}/ns/payments`, retry: { retries: 0 } });
    await assert.rejects(paymentsClient.getLatestSchemaId(subject), (err: Error) => {
      assert.match(err.message, /Subject .* not found|40401/i);
      return true;
    });
  });

  test('after a restart each namespace finds its own data again', async () => {
    await suite.gateway.close();
    suite.gateway = await startFromConfig(suite.configFile, suite.dataDir);
    assert.equal((await http(`${suite.gateway.url}/ns/payments/subjects`)).text, '["payments-value"]');
    const orders = (await http(`${suite.gateway.url}/ns/orders/subjects`)).json() as string[];
    assert.deepEqual(orders.sort(), ['com.example.ops.Order', 'orders-value']);
  });
});

describe('admin changes to a frontend bound to two namespaces', () => {
  // Each test starts its own gateways; the suite closes them, then removes the folder.
  const scratch = useSuite((scope) => ({ dir: scope.own(tempDir('namespaces-admin')), scope }));
  const text = () => readFileSync(CONFLUENT_FRONTEND_FILE, 'utf8');
  const apply = (g: RunningGateway, ns: string) =>
    http(`${g.adminUrl}/admin/frontends/confluent-schema-registry?namespace=${ns}&pathPrefix=/ns/${ns}`, { method: 'PUT', body: text(), headers: { 'content-type': 'application/yaml' } });

  /** A gateway whose two namespaces got the Confluent frontend through the admin API. */
  async function fresh(name: string): Promise<RunningGateway> {
    const file = writeConfig(scratch.dir.path, {
      backends: [{ name: 'registry-store', type: 'MEMSTORE' }],
      namespaces: [{ ...registryNamespace('orders'), frontends: [] }, { ...registryNamespace('payments'), frontends: [] }],
    }, `${name}.yaml`);
    const g = scratch.scope.own(await startFromConfig(file, join(scratch.dir.path, name)));
    for (const ns of ['orders', 'payments']) {
      const put = await apply(g, ns);
      assert.equal(put.status, 200, put.text);
    }
    return g;
  }

  test('re-applying it to one namespace (?namespace=orders) leaves the other namespace serving', async () => {
    const g = await fresh('reapply');
    const put = await apply(g, 'orders');
    assert.equal(put.status, 200, put.text);
    assert.equal((await http(`${g.url}/ns/orders/subjects`)).status, 200);
    const payments = await http(`${g.url}/ns/payments/subjects`);
    assert.equal(payments.status, 200, `payments still serves: ${payments.text}`);
  });

  test('deleting it with ?namespace=payments leaves the orders namespace serving', async () => {
    const g = await fresh('delete');
    const del = await http(`${g.adminUrl}/admin/frontends/confluent-schema-registry?namespace=payments`, { method: 'DELETE' });
    assert.equal(del.status, 200, del.text);
    assert.equal((await http(`${g.url}/ns/payments/subjects`)).status, 404);
    const orders = await http(`${g.url}/ns/orders/subjects`);
    assert.equal(orders.status, 200, `orders still serves: ${orders.text}`);
  });

  test('`prism-gateway frontend delete NAME --namespace payments` deletes that binding only', async () => {
    const g = await fresh('cli-delete');
    const run = await runCli(['frontend', 'delete', 'confluent-schema-registry', '--namespace', 'payments', '--admin', g.adminUrl!]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((JSON.parse(run.stdout) as { namespaces: string[] }).namespaces, ['payments']);
    assert.equal((await http(`${g.url}/ns/payments/subjects`)).status, 404);
    const orders = await http(`${g.url}/ns/orders/subjects`);
    assert.equal(orders.status, 200, `orders still serves: ${orders.text}`);
  });

  test('when the config file mounts it, the admin API refuses to change or delete it in either namespace (409)', async () => {
    const file = writeConfig(scratch.dir.path, { backends: [{ name: 'registry-store', type: 'MEMSTORE' }], namespaces: [registryNamespace('orders'), registryNamespace('payments')] }, 'from-file.yaml');
    const g = scratch.scope.own(await startFromConfig(file, join(scratch.dir.path, 'from-file')));
    assert.equal((await apply(g, 'orders')).status, 409);
    const del = await http(`${g.adminUrl}/admin/frontends/confluent-schema-registry?namespace=payments`, { method: 'DELETE' });
    assert.equal(del.status, 409, del.text);
    for (const ns of ['orders', 'payments']) assert.equal((await http(`${g.url}/ns/${ns}/subjects`)).status, 200);
  });
});
