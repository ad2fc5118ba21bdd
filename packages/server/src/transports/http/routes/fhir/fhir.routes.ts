import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  FhirBundleSchema,
  FhirCapabilityStatementSchema,
  FhirReadParamsSchema,
  FhirResourceSchema,
  FhirSearchQuerySchema,
  fhirErrorResponses,
} from '@vigil/protocol';
import { DomainError } from '../../../../errors/catalogue.js';
import type { RawQuery } from '../../../../services/fhir/fhir-search.js';
import { FHIR_TYPES, type FhirService } from '../../../../services/fhir/fhir.service.js';
import type { AuditRefKind } from '../../../../services/audit.service.js';
import { inParams, inQuery } from '../../plugins/audit.plugin.js';
import { currentUser } from '../../plugins/auth.plugin.js';
import { assertPathParamsWithinLimit } from '../../path-param-limit.js';
import { FHIR_JSON, fhirErrorHandler } from './fhir-outcome.js';

function urlsOf(request: FastifyRequest, prefix: string) {
  const origin = `${request.protocol}://${request.host}`;
  return { base: `${origin}${prefix}`, self: `${origin}${request.url}` };
}

/**
 * What a FHIR read's id names, for the audit trail's patient lookup (Observation ids are
 * `<kind>-<row id>` of the table the kind is read from).
 */
const READ_REF: Record<(typeof FHIR_TYPES)[number], AuditRefKind | undefined> = {
  Patient: 'patient',
  Practitioner: 'user',
  Device: 'device_row',
  Observation: 'fhir_observation',
  DiagnosticReport: 'ecg12',
  AuditEvent: 'audit_event',
};

/**
 * The FHIR R4 API under /fhir/R4: the CapabilityStatement, and read and search of
 * each resource type. Read-only, JSON only. Its errors are OperationOutcomes (fhir-outcome.ts).
 */
export function fhirRoutes(
  app: FastifyInstance,
  options: { fhir: FhirService; prefix: string },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { fhir, prefix } = options;
  const security = [{ bearerAuth: [] }];
  app.setErrorHandler(fhirErrorHandler);
  const noEndpoint = (request: FastifyRequest): never => {
    throw new DomainError('FHIR_RESOURCE_NOT_FOUND', {
      message: `No FHIR endpoint ${request.method} ${request.url.split('?')[0] ?? ''} (see ${prefix}/metadata)`,
    });
  };
  app.setNotFoundHandler(noEndpoint);
  // A route, not only the 404 handler: with the dashboard served, its page fallback (`GET /*`)
  // matched GET /fhir/R4/Condition first and answered 200 with index.html; this route is more
  // specific, and answers in FHIR's own shape.
  app.get('/*', { schema: { hide: true }, config: { audit: false } }, (request) => {
    assertPathParamsWithinLimit(request.url.split('?')[0] ?? '');
    return noEndpoint(request);
  });
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('content-type', FHIR_JSON);
  });

  r.get(
    '/metadata',
    {
      config: { audit: false },
      schema: {
        tags: ['fhir'],
        produces: ['application/fhir+json'],
        summary: 'FHIR CapabilityStatement: what this server implements (public)',
        response: { 200: FhirCapabilityStatementSchema },
      },
    },
    (request) => fhir.capabilities(urlsOf(request, prefix)),
  );

  for (const type of FHIR_TYPES) {
    // AuditEvent is the admin's alone (403 for everyone else, as GET /api/v1/audit).
    const errors = type === 'AuditEvent' ? [400, 401, 403, 404] : [400, 401, 404];
    r.get(
      `/${type}`,
      {
        onRequest: app.authenticate,
        config: {
          audit: {
            action: 'fhir.search',
            resourceType: `fhir.${type}`,
            // Whose data the search reads: a Patient search's `_id`, or `patient` / `subject`.
            patient:
              type === 'Patient'
                ? inQuery('_id', 'fhir_patient')
                : [inQuery('patient', 'fhir_patient'), inQuery('subject', 'fhir_patient')],
          },
        },
        schema: {
          tags: ['fhir'],
          produces: ['application/fhir+json'],
          summary: `Search ${type} (Bundle searchset; paged by _count and the next link)`,
          security,
          querystring: FhirSearchQuerySchema,
          response: { 200: FhirBundleSchema, ...fhirErrorResponses(...errors) },
        },
      },
      (request) =>
        fhir.search(currentUser(request), type, request.query as RawQuery, urlsOf(request, prefix)),
    );
    r.get(
      `/${type}/:id`,
      {
        onRequest: app.authenticate,
        config: {
          audit: {
            action: 'fhir.read',
            resourceType: `fhir.${type}`,
            ...(READ_REF[type] === undefined ? {} : { resource: inParams('id', READ_REF[type]) }),
          },
        },
        schema: {
          tags: ['fhir'],
          produces: ['application/fhir+json'],
          summary: `Read a ${type}`,
          security,
          params: FhirReadParamsSchema,
          response: { 200: FhirResourceSchema, ...fhirErrorResponses(...errors) },
        },
      },
      (request) => fhir.read(currentUser(request), type, request.params.id),
    );
  }
  done();
}
