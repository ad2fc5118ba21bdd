import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  errorResponses,
  IngestBatchResultSchema,
  IngestResultSchema,
  OximetryBodySchema,
  validateOximetryBody,
  type OximetryPacket,
} from '@vigil/protocol';
import type { FastifyInstance } from 'fastify';
import type { PayloadIngest } from '../../../ingest/signal-kind.js';
import { currentDevice } from '../plugins/auth.plugin.js';
import { validatorCompiler } from '../validator.js';

/** Pulse oximeter readings (src/kinds/pulse-oximetry/): the same envelope rules as vitals. */
export function oximetryRoutes(
  app: FastifyInstance,
  options: { ingest: PayloadIngest<OximetryPacket> },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post(
    '/',
    {
      onRequest: [app.authenticateDevice],
      validatorCompiler: (route) =>
        route.httpPart === 'body'
          ? (input: unknown) => {
              const c = validateOximetryBody(input);
              return c.errors === undefined ? { value: c.value } : { error: c.errors as never };
            }
          : validatorCompiler(route),
      schema: {
        tags: ['oximetry'],
        summary: 'Upload a pulse oximeter reading (or an array of them); answered once durable',
        description:
          '`{device_id, timestamp, spo2_percent, pulse_rate_bpm, perfusion_index?}`. `timestamp` ' +
          'below 1e11 is epoch seconds, otherwise epoch ms. A retried reading (same device and ' +
          'timestamp) returns its original result. A batch is all-or-nothing.',
        security: [{ deviceKey: [] }],
        body: OximetryBodySchema,
        response: {
          201: IngestResultSchema,
          200: IngestBatchResultSchema,
          ...errorResponses(400, 401, 403, 404, 413),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const batch = Array.isArray(body);
      const items = await options.ingest.ingest(
        currentDevice(request),
        batch ? body : [body],
        batch,
      );
      if (batch) return reply.status(200).send({ count: items.length, items });
      const [result] = items;
      if (result === undefined) throw new Error('ingest returned no result');
      return reply.status(201).send(result);
    },
  );
  done();
}
