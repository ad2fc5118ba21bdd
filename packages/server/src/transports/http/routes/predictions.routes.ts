import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Seed000ViewService } from '../../../services/seed-000-view.service.js';
import type { VitalsQueryService } from '../../../services/vitals-query.service.js';
import { isSeed000Request, seed000Offset } from './compat/seed-000.routes.js';
import { Type } from 'typebox';
import { currentUser } from '../plugins/auth.plugin.js';
import {
  errorResponses,
  PredictionSchema,
  PredictionsPageSchema,
  PredictionsQuerySchema,
  DeviceParamsSchema,
  Seed000PredictionListSchema,
  Seed000PredictionSchema,
} from '@vigil/protocol';
import { inParams } from '../plugins/audit.plugin.js';

export function predictionsRoutes(
  app: FastifyInstance,
  options: { vitalsQuery: VitalsQueryService; seed000: Seed000ViewService },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { vitalsQuery, seed000 } = options;
  const security = [{ bearerAuth: [] }];
  r.addHook('onRequest', app.authenticate);

  r.get(
    '/:device_id',
    {
      config: {
        audit: {
          action: 'prediction.read',
          resourceType: 'prediction',
          resource: inParams('device_id', 'device'),
        },
      },
      schema: {
        tags: ['predictions'],
        summary: 'Risk predictions of a device, newest first, with cursor pagination',
        security,
        params: DeviceParamsSchema,
        description:
          'offset/skip or a dart:io User-Agent selects the cardiac-monitor app form ' +
          '`{predictions, total}` with ISO-8601 times (see GET /api/v1/vitals/{device_id}).',
        querystring: PredictionsQuerySchema,
        response: {
          200: Type.Union([PredictionsPageSchema, Seed000PredictionListSchema]),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    (request) =>
      isSeed000Request(request)
        ? seed000.predictionsPage(currentUser(request), request.params.device_id, {
            limit: request.query.limit,
            offset: seed000Offset(request.query),
          })
        : vitalsQuery.predictions(currentUser(request), request.params.device_id, request.query),
  );

  r.get(
    '/:device_id/latest',
    {
      config: {
        audit: {
          action: 'prediction.read',
          resourceType: 'prediction',
          resource: inParams('device_id', 'device'),
        },
      },
      schema: {
        tags: ['predictions'],
        summary: 'The latest risk prediction of a device, with its reasons',
        security,
        params: DeviceParamsSchema,
        description: 'A dart:io User-Agent gets the cardiac-monitor app form (ISO-8601 times).',
        response: {
          200: Type.Union([PredictionSchema, Seed000PredictionSchema]),
          ...errorResponses(401, 404),
        },
      },
    },
    (request) =>
      isSeed000Request(request)
        ? seed000.latestPrediction(currentUser(request), request.params.device_id)
        : vitalsQuery.latestPrediction(currentUser(request), request.params.device_id),
  );
  done();
}
