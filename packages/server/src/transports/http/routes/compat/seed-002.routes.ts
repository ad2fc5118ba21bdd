import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Seed002RouterCheckSchema, Seed002WsParamsSchema, WsQuerySchema } from '@vigil/protocol';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../../composition.js';
import type { RealtimeHub } from '../../../../realtime/realtime-hub.js';
import { clientOf } from '../../../ws/ws.routes.js';
import { babyReadingsRoutes } from '../baby-readings.routes.js';

/**
 * Seed 002's own paths, for clients written against it: `POST /health/upload`,
 * `GET /health/history`, `/health/stats`, `/health/timeseries`, `/health/{record_id}`,
 * `/health/test/endpoint`. The same
 * handlers, schemas and scoping as `/api/v1/readings` (records carry `patient_id` where the seed
 * had `user_id`; `audio_url` is Vigil's `/api/v1/readings/{id}/audio`). Registered under the
 * `/health` prefix, so Vigil's `GET /health` liveness probe (ops.routes.ts) is untouched.
 */
export async function compatHealthRoutes(
  app: FastifyInstance,
  options: { readings: Services['babyReadings'] },
): Promise<void> {
  // Before `/:id` is matched: a public check, as the seed's (its clients probe it unsigned).
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/test/endpoint',
    {
      config: { audit: false },
      schema: {
        tags: ['seed-002 compatibility'],
        summary: "Seed 002's router check: the health router answers and the cry model is loaded",
        response: { 200: Seed002RouterCheckSchema },
      },
    },
    () => options.readings.routerCheck(),
  );
  await babyReadingsRoutes(app, {
    readings: options.readings,
    tags: ['seed-002 compatibility'],
    paths: {
      upload: '/upload',
      list: '/history',
      stats: '/stats',
      timeseries: '/timeseries',
      one: '/:id',
      audio: null,
    },
  });
}

/**
 * Seed 002's WebSocket, `WS /ws/{user_id}?token=…`: the same live connection as `/api/v1/ws`
 * (its `CRY_DETECTED` messages already have the seed's shape, `event`, `sick_detected`,
 * `timestamp`, `data`). The token decides what the socket receives, exactly as on `/api/v1/ws`;
 * `user_id` is accepted as the seed's clients send it and grants nothing, so no one reaches
 * another user's events by changing it. The token in the URL is redacted from the log.
 */
export function compatWsRoutes(
  app: FastifyInstance,
  options: { hub: RealtimeHub },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/ws/:user_id',
    {
      websocket: true,
      schema: {
        tags: ['seed-002 compatibility'],
        summary: "Seed 002's WebSocket of crying alerts (alias of /api/v1/ws)",
        params: Seed002WsParamsSchema,
        querystring: WsQuerySchema,
      },
    },
    (socket, request) => {
      options.hub.accept(socket, request.query, clientOf(request));
    },
  );
  done();
}
