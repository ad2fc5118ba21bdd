import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AlertsService } from '../../../services/alerts.service.js';
import { currentUser } from '../plugins/auth.plugin.js';
import {
  AlertIdParamsSchema,
  AlertSchema,
  AlertsPageSchema,
  AlertsQuerySchema,
  errorResponses,
} from '@vigil/protocol';
import { inParams, inQuery } from '../plugins/audit.plugin.js';

export function alertsRoutes(
  app: FastifyInstance,
  options: { alerts: AlertsService },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { alerts } = options;
  const security = [{ bearerAuth: [] }];
  r.addHook('onRequest', app.authenticate);

  r.get(
    '/',
    {
      config: {
        audit: {
          action: 'alert.list',
          resourceType: 'alert',
          patient: inQuery('patient_id', 'patient'),
        },
      },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts you may see (admin all, doctor their patients, patient own), newest first',
        security,
        querystring: AlertsQuerySchema,
        response: { 200: AlertsPageSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => alerts.list(currentUser(request), request.query),
  );

  r.get(
    '/:id',
    {
      config: {
        audit: { action: 'alert.read', resourceType: 'alert', resource: inParams('id', 'alert') },
      },
      schema: {
        tags: ['alerts'],
        summary: 'One alert',
        security,
        params: AlertIdParamsSchema,
        response: { 200: AlertSchema, ...errorResponses(401, 404) },
      },
    },
    (request) => alerts.get(currentUser(request), request.params.id),
  );

  r.post(
    '/:id/ack',
    {
      config: {
        audit: {
          action: 'alert.acknowledge',
          resourceType: 'alert',
          resource: inParams('id', 'alert'),
        },
      },
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge an alert (doctor or admin); idempotent',
        security,
        params: AlertIdParamsSchema,
        response: { 200: AlertSchema, ...errorResponses(401, 403, 404) },
      },
    },
    (request) => alerts.acknowledge(currentUser(request), request.params.id),
  );

  r.post(
    '/:id/resolve',
    {
      config: {
        audit: {
          action: 'alert.resolve',
          resourceType: 'alert',
          resource: inParams('id', 'alert'),
        },
      },
      schema: {
        tags: ['alerts'],
        summary: 'Clear an alert by hand (doctor or admin); it reopens if its condition persists',
        security,
        params: AlertIdParamsSchema,
        response: { 200: AlertSchema, ...errorResponses(401, 403, 404) },
      },
    },
    (request) => alerts.resolve(currentUser(request), request.params.id),
  );
  done();
}
