import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../../composition.js';
import { babyReadingsRoutes } from '../baby-readings.routes.js';

/**
 * Seed 002's own paths, for clients written against it: `POST /health/upload`,
 * `GET /health/history`, `/health/stats`, `/health/timeseries`, `/health/{record_id}`. The same
 * handlers, schemas and scoping as `/api/v1/readings` (records carry `patient_id` where the seed
 * had `user_id`; `audio_url` is Vigil's `/api/v1/readings/{id}/audio`). Registered under the
 * `/health` prefix, so Vigil's `GET /health` liveness probe (ops.routes.ts) is untouched.
 */
export async function compatHealthRoutes(
  app: FastifyInstance,
  options: { readings: Services['babyReadings'] },
): Promise<void> {
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
