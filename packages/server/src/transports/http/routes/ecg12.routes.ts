import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  ECG12_MAX_BATCH,
  Ecg12BatchBodySchema,
  Ecg12BatchResultSchema,
  Ecg12ClassificationSchema,
  Ecg12ClassifyBodySchema,
  Ecg12HistoryDeletedSchema,
  Ecg12HistoryPageSchema,
  Ecg12HistoryQuerySchema,
  Ecg12PatientHistoryQuerySchema,
  Ecg12StatsSchema,
  Ecg12StoredClassificationSchema,
  IdParamsSchema,
  errorResponses,
} from '@vigil/protocol';
import { DomainError } from '../../../errors/catalogue.js';
import { unsupportedMediaTypeMessage } from '../error-handler.js';
import { multipartReadError } from '../multipart-errors.js';
import type { Ecg12Caller, Ecg12Service } from '../../../services/ecg12.service.js';
import {
  batchPatient,
  inBody,
  inParams,
  inQuery,
  setAuditPatient,
} from '../plugins/audit.plugin.js';

/**
 * One standard 12-lead JSON body is ~0.6 MB (10 s, 5000 × 12 numbers); the longest record
 * accepted (60 s at 1000 Hz, 60,000 rows) is ~7 MB at 10 characters a number. A batch carries up
 * to 100 bodies.
 */
export const ECG12_BODY_LIMIT = 16 * 1024 * 1024;
export const ECG12_BATCH_BODY_LIMIT = 128 * 1024 * 1024;
/** Largest uploaded record file (a 60 s, 12-lead, 1000 Hz int16 record is 1.4 MB). */
const ECG12_FILE_LIMIT = 8 * 1024 * 1024;

/**
 * Validator of the single-ECG bodies: none at the route, the service checks the body (the same
 * protocol schema, then the matrix) so that a refused request is stored in the history too; the
 * route's schema still documents the body in the OpenAPI document.
 */
export const checkedByService = () => (value: unknown) => ({ value });

export interface Ecg12RouteOptions {
  ecg12: Ecg12Service;
  /** ECG12_ANONYMOUS: callers without a token may classify (recorded as anonymous). */
  anonymous: boolean;
}

/**
 * onRequest hook of the classification routes: a token, when given, must be valid; without one
 * the caller is anonymous if ECG12_ANONYMOUS allows it, else 401.
 */
export function ecg12CallerHook(app: FastifyInstance, anonymous: boolean) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (anonymous && (header === undefined || header === '')) return;
    await app.authenticate(request);
  };
}

export function ecg12Caller(request: FastifyRequest): Ecg12Caller {
  return request.user === null ? null : { id: request.user.id, role: request.user.role };
}

const ecg12Description =
  'Body: `age` (years), `sex` (0 female, 1 male), `height` (cm), `weight` (kg), `heart_axis` ' +
  '(ALAD ARAD AXL AXR LAD MID RAD SAG NO_DATA), `ecg_signal` [n][12] in mV, leads I II III ' +
  'aVR aVL aVF V1–V6, 5–60 s (the standard 10 s is [5000][12] at 500 Hz); optional ' +
  '`sampling_rate_hz` (250–1000, default 500; rows = seconds × rate) ' +
  'and `patient_id` (a patient the caller may see). Answers the PTB-XL superclass (class_index ' +
  '0 N normal, 1 S STTC, 2 M MI, 3 C conduction disturbance, 4 H hypertrophy) with ' +
  'probabilities, measurements and the criteria that fired. Every request is stored in the history.';

/** 12-lead ECG classification and its history (`/api/v1/ecg`). */
export async function ecg12Routes(app: FastifyInstance, options: Ecg12RouteOptions): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { ecg12 } = options;
  const security = [{ bearerAuth: [] }];
  const caller = ecg12CallerHook(app, options.anonymous);
  await app.register(multipart, {
    limits: { fileSize: ECG12_FILE_LIMIT, files: 2, fields: 10 },
  });

  r.post(
    '/classify',
    {
      config: {
        audit: {
          action: 'ecg12.classify',
          resourceType: 'ecg12',
          patient: inBody('patient_id', 'patient'),
        },
      },
      bodyLimit: ECG12_BODY_LIMIT,
      onRequest: caller,
      validatorCompiler: checkedByService,
      schema: {
        tags: ['ecg12'],
        summary: 'Classify a resting 12-lead ECG (5–60 s, standard 10 s)',
        description: ecg12Description,
        security,
        body: Ecg12ClassifyBodySchema,
        response: {
          200: Ecg12ClassificationSchema,
          ...errorResponses(400, 401, 404, 413, 422),
        },
      },
    },
    (request) => ecg12.classify(ecg12Caller(request), request.body),
  );

  r.post(
    '/classify/batch',
    {
      config: { audit: { action: 'ecg12.classify', resourceType: 'ecg12' } },
      bodyLimit: ECG12_BATCH_BODY_LIMIT,
      onRequest: caller,
      schema: {
        tags: ['ecg12'],
        summary: `Classify up to ${ECG12_MAX_BATCH} 12-lead ECGs; one refused sample refuses the batch`,
        security,
        body: Ecg12BatchBodySchema,
        response: { 200: Ecg12BatchResultSchema, ...errorResponses(400, 401, 404, 413, 422) },
      },
    },
    (request) => {
      setAuditPatient(request, batchPatient(request.body.samples));
      return ecg12.classifyBatch(ecg12Caller(request), request.body.samples);
    },
  );

  r.post(
    '/classify/record',
    {
      // The form's patient_id is the event's patient (setAuditPatient: multipart fields are not
      // in request.body).
      config: {
        audit: { action: 'ecg12.classify', resourceType: 'ecg12' },
        bodyMediaTypes: {
          types: ['multipart/form-data'],
          how: 'the .hea header and its .mat or .dat with the form fields',
        },
      },
      onRequest: caller,
      schema: {
        tags: ['ecg12'],
        summary: 'Classify an uploaded WFDB record (multipart: .hea + .mat or .dat)',
        description:
          'multipart/form-data with two files — the `.hea` header and its `.mat` (CinC 2020/2021) ' +
          'or `.dat` (WFDB, e.g. PTB-XL) data — and the fields `height`, `weight`, optional ' +
          '`heart_axis` (default NO_DATA), `age` and `sex` (0/1 or F/M; default: the header comments, required ' +
          'without them), `patient_id`. The record must be 5–60 s at 250–1000 Hz. A refusal names the form ' +
          'field, or the file (`header`, `data`).',
        security,
        consumes: ['multipart/form-data'],
        response: {
          200: Ecg12ClassificationSchema,
          ...errorResponses(400, 401, 404, 413, 415, 422),
        },
      },
    },
    async (request) => {
      if (!request.isMultipart())
        throw new DomainError('UNSUPPORTED_MEDIA_TYPE', {
          field: 'content-type',
          message: unsupportedMediaTypeMessage(request),
        });
      let header: string | undefined;
      let data: Uint8Array | undefined;
      const fields: Record<string, string> = {};
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            const bytes = await part.toBuffer();
            if (part.filename.toLowerCase().endsWith('.hea')) header = bytes.toString('utf8');
            else if (/\.(mat|dat)$/i.test(part.filename)) data = new Uint8Array(bytes);
            else
              throw new DomainError('ECG12_RECORD_INVALID', {
                field: part.fieldname,
                message: `${part.filename}: expected a .hea header and a .mat or .dat data file`,
              });
          } else if (typeof part.value === 'string') {
            fields[part.fieldname] = part.value;
            // Known before the files are checked: a refused upload names its patient too.
            if (part.fieldname === 'patient_id') setAuditPatient(request, part.value);
          }
        }
      } catch (error) {
        throw multipartReadError(error);
      }
      if (header === undefined || data === undefined)
        throw new DomainError('ECG12_RECORD_INVALID', {
          field: header === undefined ? 'header' : 'data',
          message: `the upload needs ${header === undefined ? 'a .hea header' : 'a .mat or .dat data file'}`,
        });
      return ecg12.classifyRecord(ecg12Caller(request), { header, data, fields });
    },
  );

  r.get(
    '/history',
    {
      config: {
        audit: {
          action: 'ecg12.list',
          resourceType: 'ecg12',
          patient: inQuery('patient_id', 'patient'),
        },
      },
      onRequest: caller,
      schema: {
        tags: ['ecg12'],
        summary:
          'Classification history, newest first: your own requests and those about patients you may see (admin: all; without a token with ECG12_ANONYMOUS=true: the anonymous requests only)',
        security,
        querystring: Ecg12HistoryQuerySchema,
        response: { 200: Ecg12HistoryPageSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => ecg12.history(ecg12Caller(request), request.query),
  );

  r.get(
    '/history/:id',
    {
      config: {
        audit: { action: 'ecg12.read', resourceType: 'ecg12', resource: inParams('id', 'ecg12') },
      },
      onRequest: app.authenticate,
      schema: {
        tags: ['ecg12'],
        summary:
          'One classification with its result and, for a patient’s ECG, its 12 leads (404 unless you may see it in the history)',
        security,
        params: IdParamsSchema,
        response: { 200: Ecg12StoredClassificationSchema, ...errorResponses(401, 404) },
      },
    },
    (request) => ecg12.get(ecg12Caller(request) ?? unreachable(), request.params.id),
  );

  r.delete(
    '/history',
    {
      config: { audit: { action: 'ecg12.delete_all', resourceType: 'ecg12' } },
      onRequest: [app.authenticate, app.requireRole('admin')],
      schema: {
        tags: ['ecg12'],
        summary: 'Delete the whole classification history (admin)',
        security,
        response: { 200: Ecg12HistoryDeletedSchema, ...errorResponses(401, 403) },
      },
    },
    () => ecg12.deleteHistory(),
  );

  r.get(
    '/stats',
    {
      config: { audit: { action: 'ecg12.stats', resourceType: 'ecg12' } },
      onRequest: [app.authenticate, app.requireRole('admin')],
      schema: {
        tags: ['ecg12'],
        summary: 'Statistics over every classification request (admin)',
        security,
        response: { 200: Ecg12StatsSchema, ...errorResponses(401, 403) },
      },
    },
    () => ecg12.stats(),
  );
}

/** A patient's 12-lead classifications (`/api/v1/patients/{id}/ecg12`). */
export function ecg12PatientRoutes(
  app: FastifyInstance,
  options: { ecg12: Ecg12Service },
  done: (err?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/:id/ecg12',
    {
      config: {
        audit: { action: 'ecg12.list', resourceType: 'ecg12', patient: inParams('id', 'patient') },
      },
      onRequest: app.authenticate,
      schema: {
        tags: ['ecg12'],
        summary:
          "A patient's 12-lead classifications, newest first (the patient's doctor, an admin, the patient; others 404)",
        security: [{ bearerAuth: [] }],
        params: IdParamsSchema,
        querystring: Ecg12PatientHistoryQuerySchema,
        response: { 200: Ecg12HistoryPageSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) =>
      options.ecg12.history(ecg12Caller(request) ?? unreachable(), {
        ...request.query,
        patient_id: request.params.id,
      }),
  );
  done();
}

function unreachable(): never {
  throw new DomainError('UNAUTHENTICATED');
}
