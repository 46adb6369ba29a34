/**
 * The HTTP limit: fastify answering the same JSON the gateways answer, with no gRPC hop.
 *   PORT, and RAW_SCHEMA_BODY (the body of GET /schemas/ids/{id}).
 */
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 18084);
const schemaBody = process.env.RAW_SCHEMA_BODY ?? '{"schema":"\\"string\\""}';
const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'warn' } });

app.get<{ Params: { id: string } }>('/v1/items/:id', async (request) => {
  const id = request.params.id;
  return { id, name: `item-${id}`, version: 1 };
});
app.get('/schemas/ids/:id', async (_request, reply) => {
  reply.header('content-type', 'application/vnd.schemaregistry.v1+json');
  return reply.send(schemaBody);
});

await app.listen({ host: '127.0.0.1', port });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
