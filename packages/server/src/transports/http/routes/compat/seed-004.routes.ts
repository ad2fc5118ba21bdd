import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  errorResponses,
  IdParamsSchema,
  ReportParamsSchema,
  Seed004AlertSchema,
  Seed004CreateAlertBodySchema,
  Seed004CreateDeviceBodySchema,
  Seed004CreateReportBodySchema,
  Seed004CreateUserBodySchema,
  Seed004DeletedSchema,
  Seed004DeviceSchema,
  Seed004EcgSchema,
  Seed004FileQuerySchema,
  Seed004InsertedSchema,
  Seed004LoginBodySchema,
  Seed004LoginSchema,
  Seed004MessageSchema,
  Seed004ModifiedSchema,
  Seed004PatientQuerySchema,
  Seed004PredictBodySchema,
  Seed004PredictionSchema,
  Seed004RealtimePredictBodySchema,
  Seed004RealtimePredictSchema,
  Seed004RecordListSchema,
  Seed004RecordsQuerySchema,
  Seed004ReportSchema,
  Seed004StreamQuerySchema,
  Seed004StreamSchema,
  Seed004StreamVitalsQuerySchema,
  Seed004UpdateAlertBodySchema,
  Seed004UpdateDeviceBodySchema,
  Seed004UpdateReportBodySchema,
  Seed004UpdateUserBodySchema,
  Seed004UserSchema,
  Seed004VitalsSchema,
} from '@vigil/protocol';
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { Seed004Service } from '../../../../services/seed-004.service.js';
import { inBody, inParams, inQuery, setAuditPatientRef } from '../../plugins/audit.plugin.js';
import { currentUser } from '../../plugins/auth.plugin.js';

export interface Seed004RoutesOptions {
  seed004: Seed004Service;
  /** Sign-in attempts per minute per client IP, as on /api/v1/auth/login. */
  loginRatePerMinute: number;
  /** Largest sign-in body, bytes (AUTH_BODY_LIMIT_KIB). */
  authBodyBytes: number;
}

/**
 * Seed 004's paths (the ECG MI predictor's Flask back end, `back/app.py` and `back/routes/*.py`,
 * as its React front end calls them), registered under `/api`. Every path but sign-in needs
 * Vigil's bearer token and applies Vigil's role rules through the same services as `/api/v1`;
 * the seed's front end sends no token on its ECG, vitals, prediction and stream calls, so it is
 * served as docs/seed-004.md says. Writes answer the seed's `{inserted_id}`, `{modified_count}`,
 * `{deleted_count}` with 200, as the seed did.
 */
export function seed004Routes(
  app: FastifyInstance,
  options: Seed004RoutesOptions,
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { seed004 } = options;
  const security = [{ bearerAuth: [] }];
  const tags = ['seed-004 compatibility'];
  const authed = { onRequest: [app.authenticate] };
  const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

  // Sign-in: back/auth/routes.py
  r.post(
    '/auth/login',
    {
      bodyLimit: options.authBodyBytes,
      config: {
        rateLimit: { max: options.loginRatePerMinute, timeWindow: 60_000 },
        audit: { action: 'auth.login', resourceType: 'session', signIn: true },
      },
      schema: {
        tags,
        summary: "Sign in (the seed's answer: token, role, email, user_id)",
        body: Seed004LoginBodySchema,
        response: { 200: Seed004LoginSchema, ...errorResponses(400, 401, 429) },
      },
    },
    (request) => seed004.login(request.body.email, request.body.password),
  );
  r.post(
    '/auth/logout',
    {
      bodyLimit: options.authBodyBytes,
      config: { audit: { action: 'auth.logout', resourceType: 'session' } },
      schema: {
        tags,
        summary:
          'Sign out: the client drops its token (Vigil keeps no online status an unauthenticated call could change)',
        response: { 200: Seed004MessageSchema },
      },
    },
    () => ({ message: 'Logged out successfully' }),
  );

  // Users: back/routes/users.py
  r.post(
    '/users',
    {
      ...authed,
      config: { audit: { action: 'user.create', resourceType: 'user' } },
      schema: {
        tags,
        summary: 'Create a user (admin: doctors and admins; doctor: own patients)',
        security,
        body: Seed004CreateUserBodySchema,
        response: { 200: Seed004InsertedSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    (request) => seed004.createUser(currentUser(request), request.body),
  );
  const list = (path: string, role: 'doctor' | 'admin' | 'patient', summary: string) =>
    r.get(
      path,
      {
        ...authed,
        config: { audit: { action: 'user.list', resourceType: 'user' } },
        schema: {
          tags,
          summary,
          security,
          response: { 200: Type.Array(Seed004UserSchema), ...errorResponses(401, 403) },
        },
      },
      (request) => seed004.listUsers(currentUser(request), role),
    );
  list('/users/doctors', 'doctor', 'All doctors (admin)');
  list('/users/admins', 'admin', 'All admins (admin)');
  list('/users/patients', 'patient', 'Your patients (doctor; admin: all)');
  r.get(
    '/users/:id',
    {
      ...authed,
      config: {
        audit: { action: 'user.read', resourceType: 'user', resource: inParams('id', 'user') },
      },
      schema: {
        tags,
        summary: 'A user you may see',
        security,
        params: IdParamsSchema,
        response: { 200: Seed004UserSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => seed004.getUser(currentUser(request), request.params.id),
  );
  r.put(
    '/users/:id',
    {
      ...authed,
      config: {
        audit: { action: 'user.update', resourceType: 'user', resource: inParams('id', 'user') },
      },
      schema: {
        tags,
        summary: 'Update a user you manage',
        security,
        params: IdParamsSchema,
        body: Seed004UpdateUserBodySchema,
        response: { 200: Seed004ModifiedSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    (request) => seed004.updateUser(currentUser(request), request.params.id, request.body),
  );
  r.delete(
    '/users/:id',
    {
      ...authed,
      config: {
        audit: { action: 'user.delete', resourceType: 'user', resource: inParams('id', 'user') },
      },
      schema: {
        tags,
        summary: 'Delete a user you manage',
        security,
        params: IdParamsSchema,
        response: { 200: Seed004DeletedSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    (request) => seed004.deleteUser(currentUser(request), request.params.id),
  );

  // Devices: back/routes/devices.py
  r.post(
    '/devices',
    {
      ...authed,
      config: {
        audit: {
          action: 'device.create',
          resourceType: 'device',
          patient: inBody('patient_id', 'patient'),
        },
      },
      schema: {
        tags,
        summary: 'Register a device (its API key is in the answer, once)',
        security,
        body: Seed004CreateDeviceBodySchema,
        response: { 200: Seed004InsertedSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    (request) => seed004.createDevice(currentUser(request), request.body),
  );
  r.get(
    '/devices/patient/:id',
    {
      ...authed,
      config: {
        audit: {
          action: 'device.list',
          resourceType: 'device',
          patient: inParams('id', 'patient'),
        },
      },
      schema: {
        tags,
        summary: "A patient's devices",
        security,
        params: IdParams,
        response: { 200: Type.Array(Seed004DeviceSchema), ...errorResponses(400, 401) },
      },
    },
    (request) => seed004.devicesOfPatient(currentUser(request), request.params.id),
  );
  r.get(
    '/devices/:id',
    {
      ...authed,
      config: {
        audit: {
          action: 'device.read',
          resourceType: 'device',
          resource: inParams('id', 'device_row'),
        },
      },
      schema: {
        tags,
        summary: 'A device you may see',
        security,
        params: IdParamsSchema,
        response: { 200: Seed004DeviceSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => seed004.getDevice(currentUser(request), request.params.id),
  );
  r.put(
    '/devices/:id',
    {
      ...authed,
      config: {
        audit: {
          action: 'device.update',
          resourceType: 'device',
          resource: inParams('id', 'device_row'),
        },
      },
      schema: {
        tags,
        summary: 'Rename or reassign a device',
        security,
        params: IdParamsSchema,
        body: Seed004UpdateDeviceBodySchema,
        response: { 200: Seed004ModifiedSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    (request) => seed004.updateDevice(currentUser(request), request.params.id, request.body),
  );
  r.delete(
    '/devices/:id',
    {
      ...authed,
      config: {
        audit: {
          action: 'device.retire',
          resourceType: 'device',
          resource: inParams('id', 'device_row'),
        },
      },
      schema: {
        tags,
        summary:
          'Remove a device: retired as by DELETE /api/v1/devices/{id} (its readings stay), gone from these paths (404)',
        security,
        params: IdParamsSchema,
        response: { 200: Seed004DeletedSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    (request) => seed004.deleteDevice(currentUser(request), request.params.id),
  );

  // Alerts: back/routes/alerts.py
  r.post(
    '/alerts',
    {
      ...authed,
      config: {
        audit: {
          action: 'alert.create',
          resourceType: 'alert',
          patient: inBody('patient_id', 'patient'),
        },
      },
      schema: {
        tags,
        summary: "A doctor's manual alert about their patient",
        security,
        body: Seed004CreateAlertBodySchema,
        response: { 200: Seed004InsertedSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    (request) => seed004.createAlert(currentUser(request), request.body),
  );
  r.get(
    '/alerts/patient/:id',
    {
      ...authed,
      config: {
        audit: { action: 'alert.list', resourceType: 'alert', patient: inParams('id', 'patient') },
      },
      schema: {
        tags,
        summary: "A patient's alerts, newest first",
        security,
        params: IdParams,
        response: { 200: Type.Array(Seed004AlertSchema), ...errorResponses(400, 401) },
      },
    },
    (request) => seed004.alertsOfPatient(currentUser(request), request.params.id),
  );
  r.get(
    '/alerts/doctor/:id',
    {
      ...authed,
      config: { audit: { action: 'alert.list', resourceType: 'alert' } },
      schema: {
        tags,
        summary: "The alerts of a doctor's patients (a doctor: their own; an admin: any)",
        security,
        params: IdParams,
        response: { 200: Type.Array(Seed004AlertSchema), ...errorResponses(400, 401) },
      },
    },
    (request) => seed004.alertsOfDoctor(currentUser(request), request.params.id),
  );
  r.get(
    '/alerts/:id',
    {
      ...authed,
      config: {
        audit: { action: 'alert.read', resourceType: 'alert', resource: inParams('id', 'alert') },
      },
      schema: {
        tags,
        summary: 'One alert',
        security,
        params: IdParamsSchema,
        response: { 200: Seed004AlertSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => seed004.getAlert(currentUser(request), request.params.id),
  );
  r.put(
    '/alerts/:id',
    {
      ...authed,
      config: {
        audit: { action: 'alert.update', resourceType: 'alert', resource: inParams('id', 'alert') },
      },
      schema: {
        tags,
        summary:
          'Edit a manual alert (message, severity), acknowledge (seen_by_doctor), mark seen by the patient (seen_by_patient) or resolve any alert',
        security,
        params: IdParamsSchema,
        body: Seed004UpdateAlertBodySchema,
        response: { 200: Seed004ModifiedSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    (request) => seed004.updateAlert(currentUser(request), request.params.id, request.body),
  );
  r.delete(
    '/alerts/:id',
    {
      ...authed,
      config: {
        audit: { action: 'alert.delete', resourceType: 'alert', resource: inParams('id', 'alert') },
      },
      schema: {
        tags,
        summary: "Delete a doctor's manual alert",
        security,
        params: IdParamsSchema,
        response: { 200: Seed004DeletedSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    (request) => seed004.deleteAlert(currentUser(request), request.params.id),
  );

  // Reports: back/routes/reports.py (Vigil's clinical reports, built from stored data)
  const report = (action: string) => ({
    action,
    resourceType: 'report',
    resource: inParams('id', 'report'),
  });
  r.post(
    '/reports',
    {
      ...authed,
      config: {
        audit: {
          action: 'report.create',
          resourceType: 'report',
          patient: inBody('patient_id', 'patient'),
        },
      },
      schema: {
        tags,
        summary:
          'Build a report on a patient (their doctor or an admin) over `period_start`–`period_end`, or the 24 h before `date` (default now)',
        security,
        body: Seed004CreateReportBodySchema,
        response: { 200: Seed004InsertedSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    (request) => seed004.createReport(currentUser(request), request.body),
  );
  r.get(
    '/reports/patient/:id',
    {
      ...authed,
      config: {
        audit: {
          action: 'report.list',
          resourceType: 'report',
          patient: inParams('id', 'patient'),
        },
      },
      schema: {
        tags,
        summary: "A patient's reports, newest first",
        security,
        params: IdParams,
        response: { 200: Type.Array(Seed004ReportSchema), ...errorResponses(400, 401, 404) },
      },
    },
    (request) => seed004.reportsOfPatient(currentUser(request), request.params.id),
  );
  r.get(
    '/reports/doctor/:id',
    {
      ...authed,
      config: { audit: { action: 'report.list', resourceType: 'report' } },
      schema: {
        tags,
        summary: 'The reports a doctor wrote (the doctor themself or an admin)',
        security,
        params: IdParams,
        response: { 200: Type.Array(Seed004ReportSchema), ...errorResponses(400, 401, 404) },
      },
    },
    (request) => seed004.reportsOfDoctor(currentUser(request), request.params.id),
  );
  r.get(
    '/reports/:id',
    {
      ...authed,
      config: { audit: report('report.read') },
      schema: {
        tags,
        summary: 'A report you may see',
        security,
        params: ReportParamsSchema,
        response: { 200: Seed004ReportSchema, ...errorResponses(401, 404) },
      },
    },
    (request) => seed004.getReport(currentUser(request), request.params.id),
  );
  r.put(
    '/reports/:id',
    {
      ...authed,
      config: { audit: report('report.update') },
      schema: {
        tags,
        summary: 'Edit a draft report (`content`, `diagnosis`) or finalise it (`status: final`)',
        security,
        params: ReportParamsSchema,
        body: Seed004UpdateReportBodySchema,
        response: { 200: Seed004ModifiedSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    (request) => seed004.updateReport(currentUser(request), request.params.id, request.body),
  );
  r.delete(
    '/reports/:id',
    {
      ...authed,
      config: { audit: report('report.delete') },
      schema: {
        tags,
        summary: 'Delete a draft report (a final one is kept: 409)',
        security,
        params: ReportParamsSchema,
        response: { 200: Seed004DeletedSchema, ...errorResponses(401, 403, 404, 409) },
      },
    },
    (request) => seed004.deleteReport(currentUser(request), request.params.id),
  );

  // Stored 12-lead ECGs and MI prediction: back/app.py
  r.get(
    '/records',
    {
      ...authed,
      config: { audit: { action: 'ecg12.list', resourceType: 'ecg12' } },
      schema: {
        tags,
        summary: "Stored 12-lead ECGs you may see (patients' classifications), by class",
        security,
        querystring: Seed004RecordsQuerySchema,
        response: { 200: Seed004RecordListSchema, ...errorResponses(400, 401) },
      },
    },
    (request) => seed004.records(currentUser(request), request.query),
  );
  r.get(
    '/ecg',
    {
      ...authed,
      config: {
        audit: { action: 'ecg12.read', resourceType: 'ecg12', resource: inQuery('file', 'ecg12') },
      },
      schema: {
        tags,
        summary: 'A stored ECG as rows {time, lead1 … lead12} (mV)',
        security,
        querystring: Seed004FileQuerySchema,
        response: { 200: Seed004EcgSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => seed004.ecgOf(currentUser(request), request.query.file),
  );
  r.get(
    '/vitals',
    {
      ...authed,
      config: {
        audit: {
          action: 'ecg12.read',
          resourceType: 'ecg12',
          resource: inQuery('patient', 'ecg12'),
        },
      },
      schema: {
        tags,
        summary: "A stored ECG's heart rate and RR intervals (lead II)",
        security,
        querystring: Seed004PatientQuerySchema,
        response: { 200: Seed004VitalsSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => seed004.vitalsOf(currentUser(request), request.query.patient),
  );
  r.post(
    '/predict',
    {
      ...authed,
      config: {
        audit: {
          action: 'ecg12.classify',
          resourceType: 'ecg12',
          resource: inBody('file', 'ecg12'),
        },
      },
      schema: {
        tags,
        summary: 'The 12-lead interpretation of a stored ECG (NORM, MI, STTC, CD, HYP)',
        security,
        body: Seed004PredictBodySchema,
        response: { 200: Seed004PredictionSchema, ...errorResponses(400, 401, 404, 422) },
      },
    },
    (request) => seed004.predictFile(currentUser(request), request.body.file),
  );
  r.post(
    '/realtime/predict',
    {
      ...authed,
      config: { audit: { action: 'ecg12.classify', resourceType: 'ecg12' } },
      schema: {
        tags,
        summary:
          'The 12-lead interpretation of posted samples; fewer than 12 leads: not assessable',
        security,
        body: Seed004RealtimePredictBodySchema,
        response: { 200: Seed004RealtimePredictSchema, ...errorResponses(400, 401, 422) },
      },
    },
    (request) => seed004.realtimePredict(request.body),
  );

  // Multi-lead device streams: back/routes/mongo_stream.py
  r.get(
    '/mongo/stream',
    {
      ...authed,
      config: {
        audit: {
          action: 'ecg.read',
          resourceType: 'ecg',
          // The device the stream is read from (set by the handler) names the patient.
          patient: [inQuery('patient_id', 'patient'), inQuery('device_id', 'device')],
        },
      },
      schema: {
        tags,
        summary:
          'Stored multi-lead packets, oldest first, as rows of 12 values (the newest stream you may see, or device_id / patient_id)',
        security,
        querystring: Seed004StreamQuerySchema,
        response: { 200: Seed004StreamSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) =>
      seed004.stream(currentUser(request), request.query, (deviceId) => {
        setAuditPatientRef(request, { kind: 'device', key: deviceId });
      }),
  );
  r.get(
    '/mongo/vitals',
    {
      ...authed,
      config: {
        audit: {
          action: 'vitals.read',
          resourceType: 'vitals',
          patient: [inQuery('patient_id', 'patient'), inQuery('device_id', 'device')],
        },
      },
      schema: {
        tags,
        summary: 'Heart rate, RR intervals and their SD over `window` stored packets from `start`',
        security,
        querystring: Seed004StreamVitalsQuerySchema,
        response: { 200: Seed004VitalsSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) =>
      seed004.streamVitals(currentUser(request), request.query, (deviceId) => {
        setAuditPatientRef(request, { kind: 'device', key: deviceId });
      }),
  );
  done();
}
