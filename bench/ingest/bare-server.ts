/**
 * The baseline of bench/ingest: a bare Fastify endpoint that only parses the same JSON body as
 * Vigil's `POST /api/v1/vitals` and answers 201 with a small JSON object, with no validation,
 * authentication, storage or analysis. Prints `BENCH_READY {"port": n}` on stdout once listening; stops on
 * SIGTERM.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
let counter = 0;
app.post('/api/v1/vitals', (request, reply) => {
  const body = request.body as { device_id?: unknown; timestamp?: unknown; sequence?: unknown };
  counter++;
  void reply.code(201).send({
    id: String(counter),
    device_id: body.device_id,
    timestamp: body.timestamp,
    sequence: body.sequence ?? null,
  });
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(
  `BENCH_READY ${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
);
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
