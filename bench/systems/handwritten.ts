/**
 * What a user writes instead of a gateway: fastify routes that call gRPC with @grpc/grpc-js and
 * protobufjs (what @grpc/proto-loader does underneath), one client per backend, errors mapped
 * by hand. PORT, ECHO_TARGET (Go ItemService), REGISTRY_TARGET (prism registry).
 */
import * as grpc from '@grpc/grpc-js';
import Fastify from 'fastify';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const googleProtos = dirname(require.resolve('google-proto-files/package.json'));

function loadRoot(file: string): protobuf.Root {
  const root = new protobuf.Root();
  const includes = [join(here, '..', 'peer'), join(here, '..', '..', 'proto'), googleProtos];
  root.resolvePath = (_origin, target) => {
    for (const dir of includes) if (existsSync(join(dir, target))) return join(dir, target);
    return target;
  };
  root.loadSync(file, { keepCase: true });
  root.resolveAll();
  return root;
}

function clientFor(root: protobuf.Root, serviceName: string, target: string) {
  const service = root.lookupService(serviceName);
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const method of service.methodsArray) {
    const req = method.resolvedRequestType!;
    const res = method.resolvedResponseType!;
    definition[method.name] = {
      path: `/${serviceName}/${method.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (v: object) => Buffer.from(req.encode(req.fromObject(v)).finish()),
      requestDeserialize: (b: Buffer) => req.toObject(req.decode(b)),
      responseSerialize: (v: object) => Buffer.from(res.encode(res.fromObject(v)).finish()),
      responseDeserialize: (b: Buffer) => res.toObject(res.decode(b), { defaults: true }),
    };
  }
  const Client = grpc.makeGenericClientConstructor(definition, serviceName);
  return new Client(target, grpc.credentials.createInsecure()) as unknown as Record<string, (req: object, cb: (err: grpc.ServiceError | null, res: any) => void) => void>;
}

const call = <T>(client: Record<string, Function>, method: string, request: object) =>
  new Promise<T>((resolve, reject) => client[method](request, (err: grpc.ServiceError | null, res: T) => (err ? reject(err) : resolve(res))));

const httpStatus = (err: grpc.ServiceError) => (err.code === grpc.status.NOT_FOUND ? 404 : err.code === grpc.status.INVALID_ARGUMENT ? 400 : 500);

const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'warn' } });

if (process.env.ECHO_TARGET) {
  const items = clientFor(loadRoot('echo.proto'), 'gwpeer.v1.ItemService', process.env.ECHO_TARGET);
  app.get<{ Params: { id: string } }>('/v1/items/:id', async (request, reply) => {
    try {
      return await call(items, 'GetItem', { id: request.params.id });
    } catch (err) {
      return reply.code(httpStatus(err as grpc.ServiceError)).send({ message: (err as grpc.ServiceError).details });
    }
  });
}

if (process.env.REGISTRY_TARGET) {
  const registry = clientFor(loadRoot('prism/patterns/registry/v1/registry.proto'), 'prism.patterns.registry.v1.Registry', process.env.REGISTRY_TARGET);
  app.get<{ Params: { id: string } }>('/schemas/ids/:id', async (request, reply) => {
    const id = Number(request.params.id);
    if (!Number.isInteger(id)) return reply.code(404).send({ error_code: 404, message: 'HTTP 404 Not Found' });
    try {
      const res = await call<{ schema: string; schema_type: string; references: unknown[] }>(registry, 'GetSchema', { id });
      reply.header('content-type', 'application/vnd.schemaregistry.v1+json');
      const body: Record<string, unknown> = {};
      if (res.schema_type && res.schema_type !== 'AVRO') body.schemaType = res.schema_type;
      body.schema = res.schema;
      if (res.references.length > 0) body.references = res.references;
      return reply.send(JSON.stringify(body));
    } catch (err) {
      return reply.code(httpStatus(err as grpc.ServiceError)).send({ error_code: 40403, message: (err as grpc.ServiceError).details });
    }
  });
}

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 18083) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
