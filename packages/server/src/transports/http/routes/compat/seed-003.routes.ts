import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import {
  Ecg12BatchBodySchema,
  Ecg12ClassifyBodySchema,
  Ecg12HistoryDeletedSchema,
  Ecg12HistoryQuerySchema,
  Ecg12StatsSchema,
  errorResponses,
  Seed003BatchSchema,
  Seed003HealthSchema,
  Seed003HistorySchema,
  Seed003PredictionSchema,
} from '@vigil/protocol';
import type { Ecg12Service } from '../../../../services/ecg12.service.js';
import type { HealthService } from '../../../../services/health.service.js';
import {
  ECG12_BATCH_BODY_LIMIT,
  ECG12_BODY_LIMIT,
  checkedByService,
  ecg12Caller,
  ecg12CallerHook,
} from '../ecg12.routes.js';
import { batchPatient, inBody, inQuery, setAuditPatient } from '../../plugins/audit.plugin.js';

/**
 * Seed 003 (the FastAPI ECG service) compatibility: its paths and response shapes, answered by
 * the same 12-lead service as /api/v1/ecg. Differences: a token is required unless
 * ECG12_ANONYMOUS=true (the seed's /forward and /history were public); GET /history shows the
 * caller's own records (admin: all; an anonymous caller the anonymous records only) instead of
 * everyone's; errors use Vigil's catalogue.
 */
export function seed003Routes(
  app: FastifyInstance,
  options: { ecg12: Ecg12Service; health: HealthService; anonymous: boolean },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { ecg12 } = options;
  const security = [{ bearerAuth: [] }];
  const caller = ecg12CallerHook(app, options.anonymous);
  const tags = ['seed-003'];

  r.get(
    '/health',
    {
      config: { audit: false },
      schema: {
        tags,
        summary: 'Seed 003 health: the database answers and the classifier is loaded',
        response: { 200: Seed003HealthSchema, ...errorResponses(503) },
      },
    },
    async () => {
      await options.health.ready();
      return {
        status: 'healthy' as const,
        model_loaded: true,
        model_version: ecg12.modelVersion,
      };
    },
  );

  r.post(
    '/forward',
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
        tags,
        summary: 'Seed 003: classify one 12-lead ECG (= POST /api/v1/ecg/classify)',
        security,
        body: Ecg12ClassifyBodySchema,
        response: { 200: Seed003PredictionSchema, ...errorResponses(400, 401, 404, 422) },
      },
    },
    async (request) => {
      const p = await ecg12.classify(ecg12Caller(request), request.body);
      return {
        class_index: p.class_index,
        class_name: p.class_name,
        class_description: p.class_description,
      };
    },
  );

  r.post(
    '/forward/batch',
    {
      config: { audit: { action: 'ecg12.classify', resourceType: 'ecg12' } },
      bodyLimit: ECG12_BATCH_BODY_LIMIT,
      onRequest: caller,
      schema: {
        tags,
        summary: 'Seed 003: classify a batch (= POST /api/v1/ecg/classify/batch)',
        security,
        body: Ecg12BatchBodySchema,
        response: { 200: Seed003BatchSchema, ...errorResponses(400, 401, 404, 413, 422) },
      },
    },
    async (request) => {
      setAuditPatient(request, batchPatient(request.body.samples));
      const batch = await ecg12.classifyBatch(ecg12Caller(request), request.body.samples);
      return {
        predictions: batch.results.map(({ prediction: p }) => ({
          class_index: p.class_index,
          class_name: p.class_name,
          class_description: p.class_description,
        })),
      };
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
      // Public in the seed: with ECG12_ANONYMOUS a caller without a token reads the anonymous
      // requests only (the service's rule); without it, 401.
      onRequest: caller,
      schema: {
        tags,
        summary:
          'Seed 003: classification history (= GET /api/v1/ecg/history; without a token with ECG12_ANONYMOUS=true: the anonymous requests only)',
        security,
        querystring: Ecg12HistoryQuerySchema,
        response: { 200: Seed003HistorySchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const page = await ecg12.history(ecg12Caller(request), request.query);
      // The seed's created_at is an ISO date-time; epoch ms read as one is 1970 (pandas: ns).
      return {
        total: page.total,
        records: page.records.map((r) => ({
          ...r,
          created_at: new Date(r.created_at).toISOString(),
        })),
      };
    },
  );

  r.delete(
    '/history',
    {
      config: { audit: { action: 'ecg12.delete_all', resourceType: 'ecg12' } },
      onRequest: [app.authenticate, app.requireRole('admin')],
      schema: {
        tags,
        summary: 'Seed 003: delete the history (admin)',
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
        tags,
        summary: 'Seed 003: request statistics (admin)',
        security,
        response: { 200: Ecg12StatsSchema, ...errorResponses(401, 403) },
      },
    },
    () => ecg12.stats(),
  );
  done();
}
