import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PayloadIngest } from '../../../ingest/signal-kind.js';
import type { Seed000ViewService } from '../../../services/seed-000-view.service.js';
import type { VitalsQueryService } from '../../../services/vitals-query.service.js';
import { isSeed000Request, seed000Offset } from './compat/seed-000.routes.js';
import { currentUser } from '../plugins/auth.plugin.js';
import { deviceIngestRoute } from './device-ingest.route.js';
import type { OwnerForwarding } from '../forward-to-owner.js';
import {
  errorResponses,
  DeviceParamsSchema,
  EcgQuerySchema,
  EcgWindowSchema,
  SeriesQuerySchema,
  SeriesSchema,
  StatsQuerySchema,
  VitalsBodySchema,
  VitalsIngestBatchResultSchema,
  VitalsIngestResultSchema,
  VitalsHistoryQuerySchema,
  VitalsPageSchema,
  VitalsRecordSchema,
  VitalsStatsSchema,
  validateVitalsBody,
  Seed000LatestQuerySchema,
  Seed000VitalsListSchema,
  Seed000VitalsSchema,
  type VitalsPacket,
} from '@vigil/protocol';
import { Type } from 'typebox';
import { inParams } from '../plugins/audit.plugin.js';

/** A batch of 600 packets of 10,000 samples is ~50 MB of JSON; 16 MiB covers 10 min at 250 Hz. */
const INGEST_BODY_LIMIT = 16 * 1024 * 1024;

export function vitalsRoutes(
  app: FastifyInstance,
  options: {
    ingest: PayloadIngest<VitalsPacket>;
    /** Several instances: uploads go to the instance that analyses the device. */
    forward?: OwnerForwarding | undefined;
    vitalsQuery: VitalsQueryService;
    seed000: Seed000ViewService;
  },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { ingest, forward, vitalsQuery, seed000 } = options;
  const security = [{ bearerAuth: [] }];

  deviceIngestRoute(app, {
    audit: { action: 'vitals.ingest', resourceType: 'vitals' },
    ingest,
    forward,
    body: VitalsBodySchema,
    validate: validateVitalsBody,
    bodyLimit: INGEST_BODY_LIMIT,
    result: VitalsIngestResultSchema,
    batchResult: VitalsIngestBatchResultSchema,
    tags: ['vitals'],
    summary: 'Upload a packet (or an array of packets) from a device; answered once durable',
    description:
      'Seed-000 body `{device_id, timestamp, ecg_samples, heart_rate_bpm, spo2_percent, ...}`. ' +
      '`timestamp` below 1e11 is epoch seconds, otherwise epoch ms. A retried packet ' +
      '(same device and timestamp) returns its original result. A batch is all-or-nothing. ' +
      "The answer carries the packet's `prediction` (risk_score, risk_label, confidence, ...), " +
      'computed before answering. The cardiac-monitor ESP32 payload (`sample_rate_hz`, ' +
      '`ecg_lead_off`, `window_ms`, `beat_timestamps_ms`, 12-bit ADC counts, 0 = no HR/SpO2 ' +
      'reading) is accepted as sent; a timestamp before 2020 or over a day ahead is stored at ' +
      'the receive time with `timestamp_unsynced: true`.',
  });

  r.get(
    '/:device_id',
    {
      config: {
        audit: {
          action: 'vitals.read',
          resourceType: 'vitals',
          resource: inParams('device_id', 'device'),
        },
      },
      onRequest: [app.authenticate],
      schema: {
        tags: ['vitals'],
        summary: 'Vitals history, newest first, with cursor pagination',
        description:
          'Vigil pages by `cursor` into `{items, next_cursor}`. The cardiac-monitor app (seed 000) ' +
          'pages by `limit` and `offset` (or `skip`) into `{vitals, total}` with ISO-8601 times: ' +
          'sending offset/skip, or a dart:io User-Agent, selects that form.',
        security,
        params: DeviceParamsSchema,
        querystring: VitalsHistoryQuerySchema,
        response: {
          200: Type.Union([VitalsPageSchema, Seed000VitalsListSchema]),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    (request) =>
      isSeed000Request(request)
        ? seed000.vitalsPage(currentUser(request), request.params.device_id, {
            limit: request.query.limit,
            offset: seed000Offset(request.query),
          })
        : vitalsQuery.history(currentUser(request), request.params.device_id, request.query),
  );

  r.get(
    '/:device_id/latest',
    {
      config: {
        audit: {
          action: 'vitals.read',
          resourceType: 'vitals',
          resource: inParams('device_id', 'device'),
        },
      },
      onRequest: [app.authenticate],
      schema: {
        tags: ['vitals'],
        summary: 'The latest vitals packet of a device',
        description:
          "The cardiac-monitor app's form (ISO-8601 times, its field names, `ecg_samples` in the " +
          "device's units with include_ecg=true) for include_ecg or a dart:io User-Agent.",
        security,
        params: DeviceParamsSchema,
        querystring: Seed000LatestQuerySchema,
        response: {
          200: Type.Union([VitalsRecordSchema, Seed000VitalsSchema]),
          ...errorResponses(401, 404),
        },
      },
    },
    (request) =>
      isSeed000Request(request)
        ? seed000.latestVitals(
            currentUser(request),
            request.params.device_id,
            request.query.include_ecg === true,
          )
        : vitalsQuery.latest(currentUser(request), request.params.device_id),
  );

  r.get(
    '/:device_id/ecg',
    {
      config: {
        audit: {
          action: 'ecg.read',
          resourceType: 'ecg',
          resource: inParams('device_id', 'device'),
        },
      },
      onRequest: [app.authenticate],
      schema: {
        tags: ['vitals'],
        summary: 'The ECG waveform between from and to (epoch ms, at most 10 min), decoded to mV',
        security,
        params: DeviceParamsSchema,
        querystring: EcgQuerySchema,
        response: { 200: EcgWindowSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => vitalsQuery.ecg(currentUser(request), request.params.device_id, request.query),
  );

  r.get(
    '/:device_id/series',
    {
      config: {
        audit: {
          action: 'vitals.read',
          resourceType: 'vitals',
          resource: inParams('device_id', 'device'),
        },
      },
      onRequest: [app.authenticate],
      schema: {
        tags: ['vitals'],
        summary: 'Time buckets (1m, 5m, 1h, 1d) with min/avg/max/count of HR, SpO2 and temperature',
        security,
        params: DeviceParamsSchema,
        querystring: SeriesQuerySchema,
        response: { 200: SeriesSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => vitalsQuery.series(currentUser(request), request.params.device_id, request.query),
  );

  r.get(
    '/:device_id/stats',
    {
      config: {
        audit: {
          action: 'vitals.read',
          resourceType: 'vitals',
          resource: inParams('device_id', 'device'),
        },
      },
      onRequest: [app.authenticate],
      schema: {
        tags: ['vitals'],
        summary: 'Totals and min/avg/max of a device over a period (all time by default)',
        security,
        params: DeviceParamsSchema,
        querystring: StatsQuerySchema,
        response: { 200: VitalsStatsSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => vitalsQuery.stats(currentUser(request), request.params.device_id, request.query),
  );
  done();
}
