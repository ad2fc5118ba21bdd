import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceWithKey } from '../../src/services/devices.service.js';
import { E07509_HEA, E07509_MAT, e07509Body, multipart } from '../ecg12/ecg12-fixture.js';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  TEST_PASSWORD,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { silentWav8Bit } from '../helpers/pcm-wav.js';
import { sendAudited, type AuditCaller } from './audited-request.js';

/**
 * The audit trail: every read or change of patient data, every sign-in (failed ones too)
 * and every refused request writes exactly one event naming who, from where, what, which
 * patient and how it ended. Runs on SQLite, and on PostgreSQL with DATABASE_URL.
 */
let t: TestApp;
let w: World;

interface World {
  admin: TestUser;
  docA: TestUser;
  docB: TestUser;
  patA: TestUser;
  patB: TestUser;
  devA: DeviceWithKey;
  alertId: string;
  readingId: string;
  ecg12Id: string;
  sessionId: string;
  reportId: string;
  /** Patient A's stored packet (its Observations are `<kind>-<id>`). */
  vitalsId: string;
}

const send = (options: InjectOptions, as: AuditCaller) => sendAudited(t, options, as);

async function buildWorld(): Promise<World> {
  const admin = await createAdmin(t);
  const docA = await createDoctor(t, admin, 'Doctor A');
  const docB = await createDoctor(t, admin, 'Doctor B');
  const patA = await createPatient(t, docA, 'Patient A');
  const patB = await createPatient(t, docB, 'Patient B');
  const devA = await registerDevice(t, patA);
  await t.container.services.devices.markSeen(devA.id);
  await t.container.services.alertRules.put(admin.actor, patA.user.id, [
    { kind: 'spo2_low', enabled: true, threshold: 91, duration_s: 0, severity: 'critical' },
  ]);
  const packet = await t.app.inject({
    method: 'POST',
    url: '/api/v1/vitals',
    headers: { 'x-api-key': devA.api_key },
    payload: {
      device_id: devA.device_id,
      timestamp: t.clock.now() - 60_000,
      ecg_samples: [0.1, 0.2, 0.1],
      heart_rate_bpm: 70,
      spo2_percent: 85,
    },
  });
  if (packet.statusCode !== 201) throw new Error(packet.body);
  const alerts = await t.container.services.alerts.list(admin.actor, {
    patient_id: patA.user.id,
    limit: 10,
  });
  const alertId = alerts.items[0]?.id;
  const reading = await t.app.inject({
    method: 'POST',
    url: '/api/v1/readings',
    headers: patA.headers,
    payload: { temperature: 37, humidity: 50 },
  });
  const ecg12 = await t.app.inject({
    method: 'POST',
    url: '/api/v1/ecg/classify',
    headers: docA.headers,
    payload: e07509Body({ patient_id: patA.user.id }),
  });
  const session = await t.app.inject({
    method: 'POST',
    url: '/api/v1/rppg/sessions',
    headers: docA.headers,
    payload: { patient_id: patA.user.id },
  });
  if (alertId === undefined || reading.statusCode !== 201 || ecg12.statusCode !== 200)
    throw new Error('world set-up failed');
  if (session.statusCode !== 201) throw new Error(session.body);
  const now = t.clock.now();
  const report = await t.app.inject({
    method: 'POST',
    url: `/api/v1/patients/${patA.user.id}/reports`,
    headers: docA.headers,
    payload: { period_start: now - 3_600_000, period_end: now },
  });
  if (report.statusCode !== 201) throw new Error(report.body);
  return {
    admin,
    docA,
    docB,
    patA,
    patB,
    devA,
    alertId,
    readingId: reading.json<{ id: string }>().id,
    ecg12Id: ecg12.json<{ id: string }>().id,
    sessionId: session.json<{ session_id: string }>().session_id,
    reportId: report.json<{ id: string }>().id,
    vitalsId: (await t.container.repositories.vitals.latest(devA.device_id))?.id ?? '',
  };
}

interface Row {
  name: string;
  request: () => InjectOptions;
  action: string;
  /** Whose data it is: patient A for every row (null when the route cannot name one). */
  patient: 'patA' | null;
  /** Who succeeds, and who is refused (with the status they get). */
  allowed: () => TestUser;
  denied: () => TestUser | 'anon';
  deniedStatus: number;
}

const dev = () => w.devA.device_id;

const silentWav = (seconds: number): Buffer => silentWav8Bit(seconds, 8000);
const patA = () => w.patA.user.id;
const docA = () => w.docA;
const docB = () => w.docB;

/** One row per patient-data route of the OpenAPI document (reads and changes). */
const rows: Row[] = [
  ...['', '/latest', '/series?interval=1h', '/stats'].map((suffix): Row => ({
    name: `GET /vitals/{device}${suffix}`,
    request: () => ({ url: `/api/v1/vitals/${dev()}${suffix}` }),
    action: 'vitals.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  })),
  {
    name: 'GET /vitals/{device}/ecg',
    request: () => ({ url: `/api/v1/vitals/${dev()}/ecg?from=0&to=600000` }),
    action: 'ecg.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  ...['', '/latest'].map((suffix): Row => ({
    name: `GET /predictions/{device}${suffix}`,
    request: () => ({ url: `/api/v1/predictions/${dev()}${suffix}` }),
    action: 'prediction.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  })),
  ...(['vitals', 'predictions'] as const).flatMap((kind) =>
    ['history', 'latest'].map((which): Row => ({
      name: `GET /${kind}/me/${which}`,
      request: () => ({ url: `/api/v1/${kind}/me/${which}` }),
      action: kind === 'vitals' ? 'vitals.read' : 'prediction.read',
      patient: 'patA',
      allowed: () => w.patA,
      denied: () => 'anon',
      deniedStatus: 401,
    })),
  ),
  {
    name: 'GET /alerts?patient_id',
    request: () => ({ url: `/api/v1/alerts?patient_id=${patA()}` }),
    action: 'alert.list',
    patient: 'patA',
    allowed: docA,
    denied: () => 'anon',
    deniedStatus: 401,
  },
  {
    name: 'GET /alerts/{id}',
    request: () => ({ url: `/api/v1/alerts/${w.alertId}` }),
    action: 'alert.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  ...(['ack', 'resolve'] as const).map((verb): Row => ({
    name: `POST /alerts/{id}/${verb}`,
    request: () => ({ method: 'POST', url: `/api/v1/alerts/${w.alertId}/${verb}` }),
    action: verb === 'ack' ? 'alert.acknowledge' : 'alert.resolve',
    patient: 'patA',
    allowed: docA,
    denied: () => w.patA,
    deniedStatus: 403,
  })),
  {
    name: 'GET /patients/{id}/alert-rules',
    request: () => ({ url: `/api/v1/patients/${patA()}/alert-rules` }),
    action: 'alert_rules.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'PUT /patients/{id}/alert-rules',
    request: () => ({
      method: 'PUT',
      url: `/api/v1/patients/${patA()}/alert-rules`,
      payload: { rules: [] },
    }),
    action: 'alert_rules.update',
    patient: 'patA',
    allowed: docA,
    denied: () => w.patA,
    deniedStatus: 403,
  },
  ...(['/api/v1/ecg/classify', '/api/v1/forward'] as const).map((url): Row => ({
    name: `POST ${url} {patient_id}`,
    request: () => ({ method: 'POST', url, payload: e07509Body({ patient_id: patA() }) }),
    action: 'ecg12.classify',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  })),
  ...(['/api/v1/ecg/history', '/api/v1/history'] as const).map((url): Row => ({
    name: `GET ${url}?patient_id`,
    request: () => ({ url: `${url}?patient_id=${patA()}` }),
    action: 'ecg12.list',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  })),
  {
    name: 'GET /ecg/history/{id}',
    request: () => ({ url: `/api/v1/ecg/history/${w.ecg12Id}` }),
    action: 'ecg12.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'GET /patients/{id}/ecg12',
    request: () => ({ url: `/api/v1/patients/${patA()}/ecg12` }),
    action: 'ecg12.list',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  // Multipart uploads: the form's patient_id is the event's patient (the handler reads the form).
  {
    name: 'POST /ecg/classify/record (multipart .hea + .mat, patient_id field)',
    request: () => {
      const form = multipart(
        [
          { field: 'header', filename: 'E07509.hea', content: E07509_HEA },
          { field: 'data', filename: 'E07509.mat', content: E07509_MAT },
        ],
        { height: '175', weight: '80', patient_id: patA() },
      );
      return {
        method: 'POST',
        url: '/api/v1/ecg/classify/record',
        headers: form.headers,
        payload: form.payload,
      };
    },
    action: 'ecg12.classify',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  ...(['/api/v1/readings', '/health/upload'] as const).map((url): Row => ({
    name: `POST ${url} (multipart with an audio clip, patient_id field)`,
    request: () => {
      const form = multipart([{ field: 'audio', filename: 'quiet.wav', content: silentWav(1) }], {
        temperature: '37',
        humidity: '50',
        patient_id: patA(),
      });
      return { method: 'POST', url, headers: form.headers, payload: form.payload };
    },
    action: 'reading.create',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  })),
  {
    name: 'POST /readings {patient_id}',
    request: () => ({
      method: 'POST',
      url: '/api/v1/readings',
      payload: { temperature: 37, humidity: 50, patient_id: patA() },
    }),
    action: 'reading.create',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  ...(['/api/v1/readings', '/api/v1/readings/stats', '/api/v1/readings/timeseries'] as const).map(
    (url): Row => ({
      name: `GET ${url}?patient_id`,
      request: () => ({ url: `${url}?patient_id=${patA()}` }),
      action: url === '/api/v1/readings' ? 'reading.list' : 'reading.read',
      patient: 'patA',
      allowed: docA,
      denied: docB,
      deniedStatus: 404,
    }),
  ),
  ...(['/api/v1/readings/{id}', '/api/v1/readings/{id}/audio', '/health/{id}'] as const).map(
    (path): Row => ({
      name: `GET ${path}`,
      request: () => ({ url: path.replace('{id}', w.readingId) }),
      action: path.endsWith('audio') ? 'reading.read_audio' : 'reading.read',
      patient: 'patA',
      // The reading has no clip: its audio is a 404 for everyone, still on record as denied.
      allowed: docA,
      denied: docB,
      deniedStatus: 404,
    }),
  ),
  ...(['status', 'bpm'] as const).map((what): Row => ({
    name: `GET /rppg/sessions/{id}/${what}`,
    request: () => ({ url: `/api/v1/rppg/sessions/${w.sessionId}/${what}` }),
    action: 'rppg_session.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  })),
  {
    name: 'POST /rppg/sessions {patient_id}',
    request: () => ({
      method: 'POST',
      url: '/api/v1/rppg/sessions',
      payload: { patient_id: patA() },
    }),
    action: 'rppg_session.create',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'GET /patients/{id}/heart-rate',
    request: () => ({ url: `/api/v1/patients/${patA()}/heart-rate` }),
    action: 'heart_rate.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  ...['', '/pdf'].map((suffix): Row => ({
    name: `GET /reports/{report of patient}${suffix}`,
    request: () => ({ url: `/api/v1/reports/${w.reportId}${suffix}` }),
    action: suffix === '' ? 'report.read' : 'report.pdf',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  })),
  {
    name: 'GET /fhir/R4/Patient/{patient}',
    request: () => ({ url: `/fhir/R4/Patient/${patA()}` }),
    action: 'fhir.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'GET /fhir/R4/Observation?patient={patient}',
    request: () => ({ url: `/fhir/R4/Observation?patient=${patA()}` }),
    action: 'fhir.search',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'POST /patients/{id}/reports',
    request: () => ({
      method: 'POST',
      url: `/api/v1/patients/${patA()}/reports`,
      payload: { period_start: t.clock.now() - 3_600_000, period_end: t.clock.now() },
    }),
    action: 'report.create',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'GET /reports?patient_id',
    request: () => ({ url: `/api/v1/reports?patient_id=${patA()}` }),
    action: 'report.list',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'PUT /reports/{report of patient}',
    request: () => ({
      method: 'PUT',
      url: `/api/v1/reports/${w.reportId}`,
      payload: { notes: 'Reviewed' },
    }),
    action: 'report.update',
    patient: 'patA',
    allowed: docA,
    denied: () => w.patA,
    deniedStatus: 403,
  },
  ...(['hr', 'spo2', 'ecg'] as const).map((kind): Row => ({
    name: `GET /fhir/R4/Observation/{${kind} of patient}`,
    request: () => ({ url: `/fhir/R4/Observation/${kind}-${w.vitalsId}` }),
    action: 'fhir.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  })),
  ...(['Device', 'DiagnosticReport'] as const).map((type): Row => ({
    name: `GET /fhir/R4/${type}?patient=Patient/{patient}`,
    request: () => ({ url: `/fhir/R4/${type}?patient=Patient/${patA()}` }),
    action: 'fhir.search',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  })),
  {
    name: 'GET /fhir/R4/Device/{device of patient}',
    request: () => ({ url: `/fhir/R4/Device/${w.devA.id}` }),
    action: 'fhir.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'GET /fhir/R4/DiagnosticReport/{12-lead of patient}',
    request: () => ({ url: `/fhir/R4/DiagnosticReport/${w.ecg12Id}` }),
    action: 'fhir.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  ...(['history', 'stats', 'timeseries'] as const).map((what): Row => ({
    name: `GET /health/${what}?patient_id (seed 002)`,
    request: () => ({ url: `/health/${what}?patient_id=${patA()}` }),
    action: what === 'history' ? 'reading.list' : 'reading.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  })),
  {
    name: 'POST /api/alerts {patient_id} (seed 004, a manual alert)',
    request: () => ({
      method: 'POST',
      url: '/api/alerts',
      payload: { patient_id: patA(), message: 'Call the patient' },
    }),
    action: 'alert.create',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'POST /api/reports {patient_id} (seed 004)',
    request: () => ({ method: 'POST', url: '/api/reports', payload: { patient_id: patA() } }),
    action: 'report.create',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  // Seed 004's aliases: the same services, the same events.
  ...(
    [
      ['/api/alerts/patient/{patient}', 'alert.list'],
      ['/api/alerts/{alert}', 'alert.read'],
      ['/api/reports/patient/{patient}', 'report.list'],
      ['/api/reports/{report}', 'report.read'],
      ['/api/devices/patient/{patient}', 'device.list'],
      ['/api/devices/{device}', 'device.read'],
      ['/api/users/{patient}', 'user.read'],
      ['/api/ecg?file={ecg12}', 'ecg12.read'],
    ] as const
  ).map(([path, action]): Row => ({
    name: `GET ${path} (seed 004)`,
    request: () => ({
      url: path
        .replace('{patient}', patA())
        .replace('{alert}', w.alertId)
        .replace('{report}', w.reportId)
        .replace('{device}', w.devA.id)
        .replace('{ecg12}', w.ecg12Id),
    }),
    action,
    patient: 'patA',
    allowed: docA,
    // Seed 004's lists of a patient answer another doctor an empty list (its clients expect
    // one): refused here is the caller without a token.
    denied: path.includes('/patient/') ? () => 'anon' : docB,
    deniedStatus: path.includes('/patient/') ? 401 : 404,
  })),
  {
    name: 'GET /users/{patient}',
    request: () => ({ url: `/api/v1/users/${patA()}` }),
    action: 'user.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'PUT /users/{patient}',
    request: () => ({ method: 'PUT', url: `/api/v1/users/${patA()}`, payload: { name: 'A.' } }),
    action: 'user.update',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'GET /devices/{device of patient A}',
    request: () => ({ url: `/api/v1/devices/${w.devA.id}` }),
    action: 'device.read',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'PUT /devices/{device of patient A}',
    request: () => ({ method: 'PUT', url: `/api/v1/devices/${w.devA.id}`, payload: { name: 'x' } }),
    action: 'device.update',
    patient: 'patA',
    allowed: docA,
    denied: docB,
    deniedStatus: 404,
  },
];

describe('audit trail', () => {
  beforeAll(async () => {
    t = await createTestApp({ audit: { flushMs: 3_600_000 } });
    w = await buildWorld();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(rows.map((r) => [r.name, r] as const))(
    '%s writes one event for an allowed and one for a refused caller',
    async (_name, row) => {
      const allowedUser = row.allowed();
      const ok = await send(row.request(), allowedUser);
      expect(ok.events).toHaveLength(1);
      const [event] = ok.events;
      // The reading without a clip answers 404 to everyone: a denied read, still on record.
      const expectSuccess = !row.name.endsWith('/audio');
      expect(event).toMatchObject({
        action: row.action,
        actor_id: allowedUser.user.id,
        actor_kind: allowedUser.user.role,
        patient_id: row.patient === 'patA' ? patA() : null,
        outcome: expectSuccess ? 'success' : 'denied',
        status: ok.status,
        ip: '127.0.0.1',
        user_agent: 'audit-test/1',
        count: 1,
      });
      if (expectSuccess) expect(ok.status).toBeLessThan(400);

      const refusedActor = row.denied();
      const refused = await send(row.request(), refusedActor);
      expect(refused.status).toBe(row.deniedStatus);
      expect(refused.events).toHaveLength(1);
      expect(refused.events[0]).toMatchObject({
        action: row.action,
        actor_id: refusedActor === 'anon' ? null : refusedActor.user.id,
        actor_kind: refusedActor === 'anon' ? 'anonymous' : refusedActor.user.role,
        // An anonymous caller of a `me` route names no patient; otherwise the reference does.
        patient_id:
          refusedActor === 'anon' && row.name.includes('/me/') ? null : row.patient && patA(),
        outcome: 'denied',
        status: row.deniedStatus,
      });
    },
  );

  it('records a sign-in with its user and a failed one with the account tried', async () => {
    const ok = await send(
      {
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: w.patB.email, password: TEST_PASSWORD },
      },
      'anon',
    );
    expect(ok.events).toEqual([
      expect.objectContaining({
        action: 'auth.login',
        actor_id: w.patB.user.id,
        actor_kind: 'anonymous',
        outcome: 'success',
        status: 200,
      }),
    ]);
    const wrong = await send(
      {
        method: 'POST',
        url: '/api/v1/auth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `username=${encodeURIComponent(w.patB.email.toUpperCase())}&password=nope-123456`,
      },
      'anon',
    );
    expect(wrong.events).toEqual([
      expect.objectContaining({
        action: 'auth.login',
        actor_id: w.patB.user.id,
        outcome: 'denied',
        status: 401,
      }),
    ]);
    const unknown = await send(
      {
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'nobody@example.test', password: 'nope-123456' },
      },
      'anon',
    );
    expect(unknown.events).toEqual([
      expect.objectContaining({ action: 'auth.login', actor_id: null, outcome: 'denied' }),
    ]);
  });

  it('names the patient of an rPPG video upload (raw body) by its session, refused or not', async () => {
    const request = {
      method: 'POST' as const,
      url: `/api/v1/rppg/sessions/${w.sessionId}/video`,
      // Bytes that are not a video: spooled, then refused (docB: 404) or not decoded (docA).
      headers: { 'content-type': 'video/mp4' },
      payload: Buffer.from('not a video at all'),
    };
    for (const user of [w.docA, w.docB]) {
      const res = await send(request, user);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.events).toEqual([
        expect.objectContaining({
          action: 'rppg_session.upload',
          actor_id: user.user.id,
          patient_id: patA(),
          resource_id: w.sessionId,
          outcome: user === w.docA ? 'failed' : 'denied',
        }),
      ]);
    }
  });

  it('names the patient of a deleted draft report, refused (patient: 403) and done (doctor: 204)', async () => {
    const now = t.clock.now();
    const draft = await t.app.inject({
      method: 'POST',
      url: `/api/v1/patients/${patA()}/reports`,
      headers: w.docA.headers,
      payload: { period_start: now - 3_600_000, period_end: now },
    });
    const id = draft.json<{ id: string }>().id;
    for (const [user, status] of [
      [w.patA, 403],
      [w.docA, 204],
    ] as const) {
      const res = await send({ method: 'DELETE', url: `/api/v1/reports/${id}` }, user);
      expect(res.status).toBe(status);
      expect(res.events).toEqual([
        expect.objectContaining({
          action: 'report.delete',
          actor_id: user.user.id,
          resource_id: id,
          patient_id: patA(),
          outcome: status === 204 ? 'success' : 'denied',
        }),
      ]);
    }
  });

  it('names the patient of a 12-lead batch when every item names the same one', async () => {
    for (const url of ['/api/v1/ecg/classify/batch', '/api/v1/forward/batch']) {
      const same = await send(
        {
          method: 'POST',
          url,
          payload: {
            samples: [e07509Body({ patient_id: patA() }), e07509Body({ patient_id: patA() })],
          },
        },
        w.docA,
      );
      expect(same.status).toBe(200);
      expect(same.events.map((e) => [e.action, e.patient_id, e.outcome])).toEqual([
        ['ecg12.classify', patA(), 'success'],
      ]);
      const mixed = await send(
        {
          method: 'POST',
          url,
          payload: { samples: [e07509Body({ patient_id: patA() }), e07509Body()] },
        },
        w.docA,
      );
      expect(mixed.events.map((e) => [e.action, e.patient_id])).toEqual([['ecg12.classify', null]]);
    }
  });

  it('records a HEAD request once, like its GET', async () => {
    const res = await send({ method: 'HEAD', url: `/api/v1/vitals/${dev()}/latest` }, w.docA);
    expect(res.status).toBe(200);
    expect(res.events).toEqual([
      expect.objectContaining({ action: 'vitals.read', patient_id: patA(), outcome: 'success' }),
    ]);
  });

  it('records the patient of a retired device', async () => {
    const device = await registerDevice(t, w.patA);
    const res = await send({ method: 'DELETE', url: `/api/v1/devices/${device.id}` }, w.docA);
    expect(res.status).toBe(204);
    expect(res.events).toEqual([
      expect.objectContaining({
        action: 'device.retire',
        resource_id: device.id,
        patient_id: patA(),
        outcome: 'success',
      }),
    ]);
  });

  it('records device uploads as one event per device per flush window', async () => {
    await t.container.services.audit.flush();
    const before = await t.container.repositories.audit.list({ action: 'vitals.ingest' }, 1000);
    for (let i = 0; i < 20; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/vitals',
        headers: { 'x-api-key': w.devA.api_key },
        payload: {
          device_id: w.devA.device_id,
          timestamp: t.clock.now() - 50_000 + i * 1000,
          ecg_samples: [0.1, 0.2, 0.1],
          heart_rate_bpm: 70,
          spo2_percent: 97,
        },
      });
      expect(res.statusCode).toBe(201);
    }
    await t.container.services.audit.flush();
    const after = await t.container.repositories.audit.list({ action: 'vitals.ingest' }, 1000);
    const added = after.filter((e) => !before.some((b) => b.id === e.id));
    expect(added).toEqual([
      expect.objectContaining({
        actor_id: w.devA.device_id,
        actor_kind: 'device',
        patient_id: patA(),
        outcome: 'success',
        count: 20,
      }),
    ]);
  });

  it('records pulse oximeter uploads (device key) as one event of the patient, and a refused one apart', async () => {
    await t.container.services.audit.flush();
    const before = await t.container.repositories.audit.list({ action: 'oximetry.ingest' }, 1000);
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/oximetry',
        headers: { 'x-api-key': w.devA.api_key },
        payload: {
          device_id: w.devA.device_id,
          timestamp: t.clock.now() - 40_000 + i * 1000,
          spo2_percent: 96,
          pulse_rate_bpm: 70,
        },
      });
      expect(res.statusCode, res.body).toBeLessThan(300);
    }
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/oximetry',
      headers: { 'x-api-key': 'not-a-key' },
      payload: { device_id: w.devA.device_id, timestamp: t.clock.now(), spo2_percent: 96 },
    });
    expect(refused.statusCode).toBe(401);
    await new Promise((r) => setImmediate(r));
    await t.container.services.audit.flush();
    const after = await t.container.repositories.audit.list({ action: 'oximetry.ingest' }, 1000);
    const added = after
      .filter((e) => !before.some((b) => b.id === e.id))
      .map((e) => [e.actor_kind, e.patient_id, e.outcome, e.count]);
    expect(added.sort()).toEqual(
      [
        ['device', patA(), 'success', 3],
        // Refused before its body is read (the key is checked first): no patient to name.
        ['anonymous', null, 'denied', 1],
      ].sort(),
    );
  });

  it('GET /audit is for admins, filters by patient, actor, action, outcome and time, and pages', async () => {
    for (const who of [w.docA, w.docB, w.patA])
      expect((await send({ url: '/api/v1/audit' }, who)).status).toBe(403);
    expect((await send({ url: '/api/v1/audit' }, 'anon')).status).toBe(401);

    const all = await t.container.repositories.audit.list({ patientId: patA() }, 10_000);
    const denied = all.filter((e) => e.outcome === 'denied' && e.actor_id === w.docB.user.id);
    expect(denied.length).toBeGreaterThan(5);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const q = new URLSearchParams({
        patient_id: patA(),
        user_id: w.docB.user.id,
        outcome: 'denied',
        from: '0',
        to: String(t.clock.now() + 1),
        limit: '4',
        ...(cursor === undefined ? {} : { cursor }),
      });
      const res = await t.app.inject({
        url: `/api/v1/audit?${q.toString()}`,
        headers: w.admin.headers,
      });
      expect(res.statusCode).toBe(200);
      const page = res.json<{ items: { id: string }[]; next_cursor: string | null }>();
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen.sort()).toEqual(denied.map((e) => e.id).sort());

    const byAction = await t.app.inject({
      url: '/api/v1/audit?action=auth.login&limit=500',
      headers: w.admin.headers,
    });
    const actions = new Set(
      byAction.json<{ items: { action: string }[] }>().items.map((e) => e.action),
    );
    expect([...actions]).toEqual(['auth.login']);
    const future = await t.app.inject({
      url: `/api/v1/audit?from=${t.clock.now() + 1}`,
      headers: w.admin.headers,
    });
    expect(future.json<{ items: unknown[] }>().items).toEqual([]);
    const bad = await t.app.inject({ url: '/api/v1/audit?cursor=xyz', headers: w.admin.headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ field: string }>().field).toBe('cursor');
  });

  it('no PUT, PATCH or DELETE route changes or removes an event, whatever id it is given', async () => {
    await t.container.services.audit.flush();
    const events = await t.container.repositories.audit.list({}, 100_000);
    const ids = events.slice(0, 3).map((e) => e.id);
    const routes = t.app
      .auditedRoutes()
      .filter((r) => ['PUT', 'PATCH', 'DELETE'].includes(r.method));
    expect(routes.length).toBeGreaterThan(5);
    for (const route of routes)
      for (const id of ids)
        for (const who of [w.admin, w.docA]) {
          const url = route.url.replace(/:[A-Za-z_]+/g, id);
          await t.app.inject({
            method: route.method as 'PUT',
            url,
            headers: who.headers,
            payload: {},
          });
          // The audit routes are read-only too.
          await t.app.inject({
            method: route.method as 'PUT',
            url: `/api/v1/audit/${id}`,
            headers: who.headers,
            payload: {},
          });
        }
    await t.container.services.audit.flush();
    const afterwards = await t.container.repositories.audit.list({}, 100_000);
    const byId = new Map(afterwards.map((e) => [e.id, e]));
    for (const e of events) expect(byId.get(e.id)).toEqual(e);
  });
});
