import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AlertRulesService } from '../../../services/alert-rules.service.js';
import { currentUser } from '../plugins/auth.plugin.js';
import {
  AlertRulesSchema,
  PatientParamsSchema,
  PutAlertRulesSchema,
  errorResponses,
} from '@vigil/protocol';
import { inParams } from '../plugins/audit.plugin.js';

/** `/api/v1/patients/{id}/alert-rules`: defaults plus a patient's overrides. */
export function alertRulesRoutes(
  app: FastifyInstance,
  options: { alertRules: AlertRulesService },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { alertRules } = options;
  const security = [{ bearerAuth: [] }];
  r.addHook('onRequest', app.authenticate);

  r.get(
    '/:id/alert-rules',
    {
      config: {
        audit: {
          action: 'alert_rules.read',
          resourceType: 'alert_rules',
          resource: inParams('id', 'patient'),
        },
      },
      schema: {
        tags: ['alerts'],
        summary: "The alert rules in force for a patient (defaults and the patient's overrides)",
        security,
        params: PatientParamsSchema,
        response: { 200: AlertRulesSchema, ...errorResponses(401, 404) },
      },
    },
    (request) => alertRules.get(currentUser(request), request.params.id),
  );

  r.put(
    '/:id/alert-rules',
    {
      config: {
        audit: {
          action: 'alert_rules.update',
          resourceType: 'alert_rules',
          resource: inParams('id', 'patient'),
        },
      },
      schema: {
        tags: ['alerts'],
        summary: "Replace a patient's rule overrides (doctor of the patient, or admin)",
        security,
        params: PatientParamsSchema,
        body: PutAlertRulesSchema,
        response: { 200: AlertRulesSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    (request) => alertRules.put(currentUser(request), request.params.id, request.body.rules),
  );
  done();
}
