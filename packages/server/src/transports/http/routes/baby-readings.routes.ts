import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  BABY_AUDIO_LIMITS,
  BabyLatestQuerySchema,
  BabyLatestSchema,
  BabyReadingIdParamsSchema,
  BabyReadingListSchema,
  BabyReadingSchema,
  BabyReadingsQuerySchema,
  BabyStatsQuerySchema,
  BabyStatsSchema,
  BabyTimeseriesQuerySchema,
  BabyTimeseriesSchema,
  BabyUploadHeadersSchema,
  errorResponses,
} from '@vigil/protocol';
import type { Services } from '../../../composition.js';
import { DomainError, validationFailed } from '../../../errors/catalogue.js';
import { currentDevice, currentUser } from '../plugins/auth.plugin.js';
import { inBody, inParams, inQuery, setAuditPatient } from '../plugins/audit.plugin.js';
import { multipartReadError } from '../multipart-errors.js';

type BabyReadings = Services['babyReadings'];
type Uploader = Parameters<BabyReadings['upload']>[0];
type Fields = Parameters<BabyReadings['upload']>[1];
type Audio = Parameters<BabyReadings['upload']>[2];

/** The paths of the readings area (Vigil's, or the seed-002 aliases in compat/seed-002.routes.ts). */
export interface BabyReadingPaths {
  upload: string;
  list: string;
  stats: string;
  timeseries: string;
  /** null: not served under these paths (seed 002 had no such read). */
  latest: string | null;
  one: string;
  /** null: not served under these paths (audio_url always points at Vigil's own path). */
  audio: string | null;
}

export const VIGIL_READING_PATHS: BabyReadingPaths = {
  upload: '/',
  list: '/',
  stats: '/stats',
  timeseries: '/timeseries',
  latest: '/latest',
  one: '/:id',
  audio: '/:id/audio',
};

const UPLOAD_FIELDS = new Set([
  'patient_id',
  'device_id',
  'temperature',
  'humidity',
  'notes',
  'FinalResult',
  'InfantCry',
]);

/** The upload's fields and clip, from a multipart form or a JSON object. */
async function readUpload(
  app: FastifyInstance,
  request: FastifyRequest,
): Promise<{ fields: Fields; audio: Audio }> {
  if (!request.isMultipart()) {
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new DomainError('MALFORMED_REQUEST', { message: 'The body must be a JSON object' });
    return { fields: body, audio: undefined };
  }
  const fields: Record<string, string> = {};
  let audio: Audio;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'audio' || audio !== undefined) {
          part.file.resume();
          throw validationFailed(
            part.fieldname,
            'Only one file, in the field `audio`, is accepted',
          );
        }
        try {
          audio = { bytes: await part.toBuffer(), contentType: part.mimetype };
        } catch (error) {
          if (error instanceof app.multipartErrors.RequestFileTooLargeError)
            throw new DomainError('AUDIO_TOO_LARGE', { field: 'audio' });
          throw error;
        }
      } else if (UPLOAD_FIELDS.has(part.fieldname)) {
        fields[part.fieldname] = String(part.value);
        // Multipart fields are not in request.body, where the audit hook's inBody looks.
        if (part.fieldname === 'patient_id') setAuditPatient(request, String(part.value));
      }
    }
  } catch (error) {
    throw multipartReadError(error);
  }
  return { fields, audio };
}

/**
 * Baby monitor readings (src/kinds/baby-monitor/). The upload takes a user's token
 * (acting for `patient_id`) or a monitor's `X-API-Key`; everything else a user's token, scoped like
 * vitals (admin all, doctor own patients, patient self; others' readings are 404).
 */
export async function babyReadingsRoutes(
  app: FastifyInstance,
  options: { readings: BabyReadings; paths?: BabyReadingPaths; tags?: string[] },
): Promise<void> {
  const { readings } = options;
  const paths = options.paths ?? VIGIL_READING_PATHS;
  const tags = options.tags ?? ['readings'];
  const security = [{ bearerAuth: [] }];
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  await app.register(multipart, {
    limits: {
      fileSize: BABY_AUDIO_LIMITS.maxBytes,
      files: 1,
      fields: 10,
      fieldSize: 16 * 1024,
    },
  });

  r.post(
    paths.upload,
    {
      config: {
        audit: {
          action: 'reading.create',
          resourceType: 'reading',
          patient: inBody('patient_id', 'patient'),
          coalesce: true,
        },
      },
      onRequest: [
        (request) =>
          request.headers['x-api-key'] === undefined
            ? app.authenticate(request)
            : app.authenticateDevice(request),
      ],
      schema: {
        tags,
        summary: 'Record a baby monitor reading (JSON, or multipart with an audio clip)',
        description:
          'Fields `temperature` (°C, -10–50, required), `humidity` (%, 0–100, required), `notes`, ' +
          '`patient_id` (required for a doctor or admin; a patient records for themselves) and, ' +
          'as `multipart/form-data`, an optional `audio` file (WAV, MP3, M4A, OGG, FLAC…; at ' +
          'most 20 MB and 5 min: 413 `AUDIO_TOO_LARGE`/`AUDIO_TOO_LONG`; shorter than 0.032 s: 422 ' +
          '`AUDIO_TOO_SHORT`; undecodable: 415 ' +
          "`UNDECODABLE_AUDIO`). With `X-API-Key` the monitor's patient is used. The clip's cry " +
          "probability (≥ 0.5: crying) is computed by the server; crying at ≥ the patient's " +
          '`infant_sick` threshold (default 38.0 °C) is `sick_detected`. A monitor may add its ' +
          'own verdict as the seed-002 ESP32 names it (`FinalResult`, `InfantCry` in %): it is ' +
          'kept beside the server analysis, which decides when there is a clip (`cry_source`). ' +
          'With an `Idempotency-Key` header, a retry returns the reading stored the first time; the ' +
          'same key for a different upload is 422 `IDEMPOTENCY_KEY_REUSED`. ' +
          'A server shedding load or stopping answers 503 (`SERVER_OVERLOADED` with ' +
          '`Retry-After`, `SERVICE_UNAVAILABLE`): nothing was stored, send it again. ' +
          'Nothing is stored on error.',
        security: [{ bearerAuth: [] }, { deviceKey: [] }],
        headers: BabyUploadHeadersSchema,
        response: {
          201: BabyReadingSchema,
          ...errorResponses(400, 401, 403, 404, 413, 415, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const by: Uploader =
        request.user === null
          ? { kind: 'device', auth: currentDevice(request) }
          : { kind: 'user', user: currentUser(request) };
      const { fields, audio } = await readUpload(app, request);
      const reading = await readings.upload(by, fields, audio, request.headers['idempotency-key']);
      setAuditPatient(request, reading.patient_id);
      return reply.status(201).send(reading);
    },
  );

  r.get(
    paths.list,
    {
      config: {
        audit: {
          action: 'reading.list',
          resourceType: 'reading',
          patient: inQuery('patient_id', 'patient'),
        },
      },
      onRequest: [app.authenticate],
      schema: {
        tags,
        summary: 'Readings, newest first, with filters',
        security,
        querystring: BabyReadingsQuerySchema,
        response: { 200: BabyReadingListSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => readings.list(currentUser(request), request.query),
  );

  r.get(
    paths.stats,
    {
      config: {
        audit: {
          action: 'reading.read',
          resourceType: 'reading',
          patient: inQuery('patient_id', 'patient'),
        },
      },
      onRequest: [app.authenticate],
      schema: {
        tags,
        summary: 'Counts, averages and the latest reading',
        security,
        querystring: BabyStatsQuerySchema,
        response: { 200: BabyStatsSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => readings.stats(currentUser(request), request.query),
  );

  r.get(
    paths.timeseries,
    {
      config: {
        audit: {
          action: 'reading.read',
          resourceType: 'reading',
          patient: inQuery('patient_id', 'patient'),
        },
      },
      onRequest: [app.authenticate],
      schema: {
        tags,
        summary: 'Readings per time bucket (1 hour, 6 hours, 1 day, 1 week), newest first',
        security,
        querystring: BabyTimeseriesQuerySchema,
        response: { 200: BabyTimeseriesSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => readings.timeseries(currentUser(request), request.query),
  );

  const latestPath = paths.latest;
  if (latestPath !== null)
    r.get(
      latestPath,
      {
        config: { audit: { action: 'reading.list', resourceType: 'reading' } },
        onRequest: [app.authenticate],
        schema: {
          tags,
          summary: "Each visible baby's newest reading, however old, newest first",
          description:
            'One reading per patient the caller may see (admin all, doctor own patients, patient ' +
            'self) who has any: the newest by `created_at`. Patients without readings are absent.',
          security,
          querystring: BabyLatestQuerySchema,
          response: { 200: BabyLatestSchema, ...errorResponses(400, 401) },
        },
      },
      (request) => readings.latest(currentUser(request), request.query),
    );

  r.get(
    paths.one,
    {
      config: {
        audit: {
          action: 'reading.read',
          resourceType: 'reading',
          resource: inParams('id', 'reading'),
        },
      },
      onRequest: [app.authenticate],
      schema: {
        tags,
        summary: 'One reading',
        security,
        params: BabyReadingIdParamsSchema,
        response: { 200: BabyReadingSchema, ...errorResponses(401, 404) },
      },
    },
    (request) => readings.get(currentUser(request), request.params.id),
  );

  const audioPath = paths.audio;
  if (audioPath !== null)
    r.get(
      audioPath,
      {
        config: {
          audit: {
            action: 'reading.read_audio',
            resourceType: 'reading',
            resource: inParams('id', 'reading'),
          },
        },
        onRequest: [app.authenticate],
        schema: {
          tags,
          summary: "A reading's audio clip, with its original content type",
          security,
          params: BabyReadingIdParamsSchema,
          response: errorResponses(401, 404),
        },
      },
      async (request, reply) => {
        const clip = await readings.audio(currentUser(request), request.params.id);
        return reply.type(clip.contentType).send(clip.bytes);
      },
    );
}
