import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { VitalsQueryService } from '../../../services/vitals-query.service.js';
import { currentUser } from '../plugins/auth.plugin.js';
import {
  errorResponses,
  PredictionSchema,
  PredictionsPageSchema,
  PredictionsQuerySchema,
  DeviceParamsSchema,
} from '@vigil/protocol';

export function predictionsRoutes(
  app: FastifyInstance,
  options: { vitalsQuery: VitalsQueryService },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { vitalsQuery } = options;
  const security = [{ bearerAuth: [] }];
  r.addHook('onRequest', app.authenticate);

  r.get(
    '/:device_id',
    {
      schema: {
        tags: ['predictions'],
        summary: 'Risk predictions of a device, newest first, with cursor pagination',
        security,
        params: DeviceParamsSchema,
        querystring: PredictionsQuerySchema,
        response: { 200: PredictionsPageSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) =>
      vitalsQuery.predictions(currentUser(request), request.params.device_id, request.query),
  );

  r.get(
    '/:device_id/latest',
    {
      schema: {
        tags: ['predictions'],
        summary: 'The latest risk prediction of a device, with its reasons',
        security,
        params: DeviceParamsSchema,
        response: { 200: PredictionSchema, ...errorResponses(401, 404) },
      },
    },
    (request) => vitalsQuery.latestPrediction(currentUser(request), request.params.device_id),
  );
  done();
}
