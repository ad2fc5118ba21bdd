import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  errorResponses,
  Seed000LatestQuerySchema,
  Seed000PageQuerySchema,
  Seed000PredictionListSchema,
  Seed000PredictionSchema,
  Seed000VitalsListSchema,
  Seed000VitalsSchema,
} from '@vigil/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Seed000ViewService } from '../../../../services/seed-000-view.service.js';
import { currentUser } from '../../plugins/auth.plugin.js';

/**
 * Which requests on a path Vigil shares with the cardiac-monitor Flutter app (seed 000:
 * `/api/v1/vitals/{id}`, `/{id}/latest`, `/api/v1/predictions/{id}`, `/{id}/latest`) get the
 * app's shape (ISO-8601 times, `{vitals|predictions, total}` pages) instead of Vigil's (epoch ms,
 * `{items, next_cursor}`): a request that pages by `offset` or `skip`, asks for `include_ecg`, or
 * comes from a dart:io client (User-Agent `Dart/…`, what the app's Dio sends on Android and
 * iOS). Vigil's dashboard and API clients send none of these and keep Vigil's shape.
 */
export function isSeed000Request(request: FastifyRequest): boolean {
  const q = request.query as Record<string, unknown> | undefined;
  if (q !== undefined && (q.offset !== undefined || q.skip !== undefined)) return true;
  if (q !== undefined && q.include_ecg !== undefined) return true;
  return /^Dart\//.test(request.headers['user-agent'] ?? '');
}

/** `offset`, or its alias `skip` (0 when neither is sent). */
export function seed000Offset(q: {
  offset?: number | undefined;
  skip?: number | undefined;
}): number {
  return q.offset ?? q.skip ?? 0;
}

/**
 * The cardiac-monitor app's own paths that Vigil does not have: its views across every device
 * the user may see (`api_service.dart` getMyVitalsHistory, getMyPredictionHistory and the
 * `/me/latest` constants of `lib/config/constants.dart`). Registered at `/api/v1`.
 */
export function seed000Routes(
  app: FastifyInstance,
  options: { seed000: Seed000ViewService },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { seed000 } = options;
  const security = [{ bearerAuth: [] }];
  const tags = ['seed-000 compatibility'];
  r.addHook('onRequest', app.authenticate);

  r.get(
    '/vitals/me/history',
    {
      config: { audit: { action: 'vitals.read', resourceType: 'vitals' } },
      schema: {
        tags,
        summary: 'Vitals of all your devices, newest first, by limit and offset',
        security,
        querystring: Seed000PageQuerySchema,
        response: { 200: Seed000VitalsListSchema, ...errorResponses(400, 401) },
      },
    },
    (request) =>
      seed000.vitalsPage(currentUser(request), null, {
        limit: request.query.limit,
        offset: seed000Offset(request.query),
      }),
  );
  r.get(
    '/vitals/me/latest',
    {
      config: { audit: { action: 'vitals.read', resourceType: 'vitals' } },
      schema: {
        tags,
        summary: 'The latest vitals packet of any of your devices',
        security,
        querystring: Seed000LatestQuerySchema,
        response: { 200: Seed000VitalsSchema, ...errorResponses(401, 404) },
      },
    },
    (request) =>
      seed000.latestVitals(currentUser(request), null, request.query.include_ecg === true),
  );
  r.get(
    '/predictions/me/history',
    {
      config: { audit: { action: 'prediction.read', resourceType: 'prediction' } },
      schema: {
        tags,
        summary: 'Predictions of all your devices, newest first, by limit and offset',
        security,
        querystring: Seed000PageQuerySchema,
        response: { 200: Seed000PredictionListSchema, ...errorResponses(400, 401) },
      },
    },
    (request) =>
      seed000.predictionsPage(currentUser(request), null, {
        limit: request.query.limit,
        offset: seed000Offset(request.query),
      }),
  );
  r.get(
    '/predictions/me/latest',
    {
      config: { audit: { action: 'prediction.read', resourceType: 'prediction' } },
      schema: {
        tags,
        summary: 'The latest prediction of any of your devices',
        security,
        response: { 200: Seed000PredictionSchema, ...errorResponses(401, 404) },
      },
    },
    (request) => seed000.latestPrediction(currentUser(request), null),
  );
  done();
}
