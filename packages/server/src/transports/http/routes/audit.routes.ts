import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AuditPageSchema, AuditQuerySchema, errorResponses } from '@vigil/protocol';
import type { FastifyInstance } from 'fastify';
import type { AuditService } from '../../../services/audit.service.js';
import { currentUser } from '../plugins/auth.plugin.js';
import { inQuery } from '../plugins/audit.plugin.js';

/** GET /api/v1/audit: the audit trail, for admins (reading it is itself on record). */
export function auditRoutes(
  app: FastifyInstance,
  options: { audit: Pick<AuditService, 'list'> },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/',
    {
      onRequest: [app.authenticate],
      config: {
        audit: {
          action: 'audit.read',
          resourceType: 'audit_event',
          patient: inQuery('patient_id', 'patient'),
        },
      },
      schema: {
        tags: ['audit'],
        summary: 'Audit events, newest first (admin): who read or changed what, and when',
        description:
          'One event per read or change of patient data, sign-in (successful or not), user or ' +
          'device change and refused request. Device uploads are one event per device per ' +
          'second with `count` packets. Filters combine; page with `cursor`.',
        security: [{ bearerAuth: [] }],
        querystring: AuditQuerySchema,
        response: { 200: AuditPageSchema, ...errorResponses(400, 401, 403) },
      },
    },
    (request) => options.audit.list(currentUser(request), request.query),
  );
  done();
}
