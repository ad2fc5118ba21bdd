import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { HealthService } from '../../../services/health.service.js';
import { errorResponses, HealthResponseSchema, ReadyResponseSchema } from '@vigil/protocol';

export function opsRoutes(
  app: FastifyInstance,
  options: { health: HealthService },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/health',
    {
      config: { loadShedding: false, audit: false },
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process serves requests',
        response: { 200: HealthResponseSchema },
      },
    },
    () => ({ status: 'ok' as const }),
  );
  r.get(
    '/ready',
    {
      config: { loadShedding: false, audit: false },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database answers',
        response: { 200: ReadyResponseSchema, ...errorResponses(503) },
      },
    },
    () => options.health.ready(),
  );
  done();
}
