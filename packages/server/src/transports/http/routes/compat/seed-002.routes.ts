import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  errorResponses,
  Seed002ChartDaysQuerySchema,
  Seed002CryChartQuerySchema,
  Seed002CryChartSchema,
  Seed002HealthDistributionSchema,
  Seed002HourlyHeatmapSchema,
  Seed002RouterCheckSchema,
  Seed002TemperatureChartQuerySchema,
  Seed002TemperatureChartSchema,
  Seed002WsParamsSchema,
  WsQuerySchema,
} from '@vigil/protocol';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../../composition.js';
import type { RealtimeHub } from '../../../../realtime/realtime-hub.js';
import { clientOf } from '../../../ws/ws.routes.js';
import { currentUser } from '../../plugins/auth.plugin.js';
import { inQuery } from '../../plugins/audit.plugin.js';
import { babyReadingsRoutes } from '../baby-readings.routes.js';

/**
 * Seed 002's own paths, for clients written against it: `POST /health/upload`,
 * `GET /health/history`, `/health/stats`, `/health/timeseries`, `/health/{record_id}`,
 * `/health/test/endpoint`, and its four charts `/health/charts/…`. The same
 * handlers, schemas and scoping as `/api/v1/readings` (records carry `patient_id` where the seed
 * had `user_id`; `audio_url` is Vigil's `/api/v1/readings/{id}/audio`). Registered under the
 * `/health` prefix, so Vigil's `GET /health` liveness probe (ops.routes.ts) is untouched.
 */
export async function compatHealthRoutes(
  app: FastifyInstance,
  options: { readings: Services['babyReadings'] },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // Before `/:id` is matched: a public check, as the seed's (its clients probe it unsigned).
  r.get(
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
  const charts = options.readings;
  // Audited and scoped as /health/stats: a patient's own readings, a doctor's patients', any (admin).
  const chartAudit = {
    action: 'reading.read',
    resourceType: 'reading',
    patient: inQuery('patient_id', 'patient'),
  } as const;
  const chartSchema = { tags: ['seed-002 compatibility'], security: [{ bearerAuth: [] }] };
  r.get(
    '/charts/temperature-humidity',
    {
      config: { audit: chartAudit },
      onRequest: [app.authenticate],
      schema: {
        ...chartSchema,
        summary: "Seed 002's line chart: mean temperature and humidity per bucket, oldest first",
        querystring: Seed002TemperatureChartQuerySchema,
        response: { 200: Seed002TemperatureChartSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => charts.temperatureHumidityChart(currentUser(request), request.query),
  );
  r.get(
    '/charts/cry-frequency',
    {
      config: { audit: chartAudit },
      onRequest: [app.authenticate],
      schema: {
        ...chartSchema,
        summary: "Seed 002's bar chart: readings with a cry and judged sick per bucket",
        querystring: Seed002CryChartQuerySchema,
        response: { 200: Seed002CryChartSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => charts.cryFrequencyChart(currentUser(request), request.query),
  );
  r.get(
    '/charts/health-distribution',
    {
      config: { audit: chartAudit },
      onRequest: [app.authenticate],
      schema: {
        ...chartSchema,
        summary: "Seed 002's pie chart: normal, crying, fever and critical readings",
        querystring: Seed002ChartDaysQuerySchema,
        response: { 200: Seed002HealthDistributionSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => charts.healthDistributionChart(currentUser(request), request.query),
  );
  r.get(
    '/charts/hourly-heatmap',
    {
      config: { audit: chartAudit },
      onRequest: [app.authenticate],
      schema: {
        ...chartSchema,
        summary: "Seed 002's heatmap: readings with a cry by weekday and hour (UTC)",
        querystring: Seed002ChartDaysQuerySchema,
        response: { 200: Seed002HourlyHeatmapSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => charts.hourlyHeatmapChart(currentUser(request), request.query),
  );
  await babyReadingsRoutes(app, {
    readings: options.readings,
    tags: ['seed-002 compatibility'],
    paths: {
      upload: '/upload',
      list: '/history',
      stats: '/stats',
      timeseries: '/timeseries',
      latest: null,
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
