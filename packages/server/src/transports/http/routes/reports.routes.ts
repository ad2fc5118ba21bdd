import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import {
  CreateReportSchema,
  NoContentSchema,
  PatientParamsSchema,
  ReportParamsSchema,
  ReportSchema,
  ReportsPageSchema,
  ReportsQuerySchema,
  UpdateReportSchema,
  errorResponses,
} from '@vigil/protocol';
import { Type } from 'typebox';
import type { ReportsService } from '../../../services/reports.service.js';
import { inParams, inQuery } from '../plugins/audit.plugin.js';
import { currentUser } from '../plugins/auth.plugin.js';

const tags = ['reports'];
const security = [{ bearerAuth: [] }];

/** `/api/v1/reports`: read, list, edit, finalise, delete and render clinical reports. */
export function reportsRoutes(
  app: FastifyInstance,
  options: { reports: ReportsService },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { reports } = options;
  r.addHook('onRequest', app.authenticate);

  r.get(
    '/',
    {
      config: {
        audit: {
          action: 'report.list',
          resourceType: 'report',
          patient: inQuery('patient_id', 'patient'),
        },
      },
      schema: {
        tags,
        summary:
          "Reports you may see, newest first (admin all, doctor their patients', patient own); `patient_id` narrows to one patient",
        security,
        querystring: ReportsQuerySchema,
        response: { 200: ReportsPageSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => reports.list(currentUser(request), request.query),
  );

  r.get(
    '/:id',
    {
      config: {
        audit: {
          action: 'report.read',
          resourceType: 'report',
          resource: inParams('id', 'report'),
        },
      },
      schema: {
        tags,
        summary: 'One report with its content (the patient, their doctor, an admin; others 404)',
        security,
        params: ReportParamsSchema,
        response: { 200: ReportSchema, ...errorResponses(401, 404) },
      },
    },
    (request) => reports.get(currentUser(request), request.params.id),
  );

  r.put(
    '/:id',
    {
      config: {
        audit: {
          action: 'report.update',
          resourceType: 'report',
          resource: inParams('id', 'report'),
        },
      },
      schema: {
        tags,
        summary:
          'Edit a draft (title, notes), finalise it (status final), or add an addendum to a final report',
        security,
        params: ReportParamsSchema,
        body: UpdateReportSchema,
        response: { 200: ReportSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    (request) => reports.update(currentUser(request), request.params.id, request.body),
  );

  r.delete(
    '/:id',
    {
      config: {
        audit: {
          action: 'report.delete',
          resourceType: 'report',
          resource: inParams('id', 'report'),
        },
      },
      schema: {
        tags,
        summary: 'Delete a draft report (a final one is kept: 409 REPORT_FINAL)',
        security,
        params: ReportParamsSchema,
        response: { 204: NoContentSchema, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await reports.remove(currentUser(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/:id/pdf',
    {
      config: {
        audit: { action: 'report.pdf', resourceType: 'report', resource: inParams('id', 'report') },
      },
      schema: {
        tags,
        summary: 'The report as a PDF (application/pdf)',
        security,
        params: ReportParamsSchema,
        response: {
          200: Type.Unknown({ description: 'application/pdf document' }),
          ...errorResponses(401, 404),
        },
      },
    },
    async (request, reply) => {
      const pdf = await reports.pdf(currentUser(request), request.params.id);
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${pdf.filename}"`)
        .send(pdf.bytes);
    },
  );
  done();
}

/** `/api/v1/patients/{id}/reports`: build a report of a patient over a period. */
export function patientReportsRoutes(
  app: FastifyInstance,
  options: { reports: ReportsService },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post(
    '/:id/reports',
    {
      onRequest: app.authenticate,
      config: {
        audit: {
          action: 'report.create',
          resourceType: 'report',
          patient: inParams('id', 'patient'),
        },
      },
      schema: {
        tags,
        summary:
          "Build a report of the patient over [period_start, period_end) from stored data (the patient's doctor or an admin)",
        security,
        params: PatientParamsSchema,
        body: CreateReportSchema,
        response: { 201: ReportSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const report = await options.reports.create(
        currentUser(request),
        request.params.id,
        request.body,
      );
      return reply.status(201).send(report);
    },
  );
  done();
}
