import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e07509Body } from '../ecg12/ecg12-fixture.js';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { createdId, sendAudited, type AuditCaller } from './audited-request.js';
import { loadRecord, streamRecord } from '../seed004/ecg12-stream.js';

/**
 * The audit events of the patient-data routes audit-trail.test.ts leaves out: seed 004's stored
 * 12-lead, stream and prediction paths, its report and alert edits and per-patient / per-doctor
 * lists, rPPG session frames, FHIR Patient search and the admin's 12-lead history deletion.
 * Each request writes exactly one event naming action, resource, patient and outcome; a refused
 * one is on record as denied. Runs on SQLite, and on PostgreSQL with DATABASE_URL.
 */
let t: TestApp;
let w: World;

interface World {
  admin: TestUser;
  docA: TestUser;
  docB: TestUser;
  patA: TestUser;
  /** Patient A's stored 12-lead classification (seed 004's record `path`). */
  ecg12Id: string;
  sessionId: string;
  /** Seed 004 report and manual alert of patient A. */
  reportId: string;
  alertId: string;
}

type Caller = TestUser | 'anon';

const send = (options: InjectOptions, as: AuditCaller) => sendAudited(t, options, as);

const created = (options: InjectOptions, as: TestUser) => createdId(t, options, as);

const seedReport = () =>
  created({ url: '/api/reports', payload: { patient_id: w.patA.user.id } }, w.docA);
const seedAlert = () =>
  created(
    { url: '/api/alerts', payload: { patient_id: w.patA.user.id, message: 'Call back' } },
    w.docA,
  );

async function buildWorld(): Promise<World> {
  const admin = await createAdmin(t);
  const docA = await createDoctor(t, admin, 'Doctor A');
  const docB = await createDoctor(t, admin, 'Doctor B');
  const patA = await createPatient(t, docA, 'Patient A');
  await createPatient(t, docB, 'Patient B');
  const dev = await registerDevice(t, docA, { deviceId: 'AUDIT-STREAM', patientId: patA.user.id });
  const statuses = await streamRecord(
    t,
    { deviceId: 'AUDIT-STREAM', key: dev.api_key },
    loadRecord('HR06006'),
    t.clock.now() - 60_000,
  );
  if (!statuses.every((s) => s === 201)) throw new Error(`stream: ${statuses.join(',')}`);
  const world: World = {
    admin,
    docA,
    docB,
    patA,
    ecg12Id: await created(
      { url: '/api/v1/ecg/classify', payload: e07509Body({ patient_id: patA.user.id }) },
      docA,
    ),
    sessionId: await created(
      { url: '/api/v1/rppg/sessions', payload: { patient_id: patA.user.id } },
      docA,
    ),
    reportId: '',
    alertId: '',
  };
  w = world;
  world.reportId = await seedReport();
  world.alertId = await seedAlert();
  return world;
}

interface Row {
  name: string;
  request: () => InjectOptions;
  action: string;
  resourceType: string;
  /** The event's resource id (null: the route names none). */
  resourceId: () => string | null;
  /** Whose data the event names (null: the request names no patient). */
  patient: () => string | null;
  allowed: () => TestUser;
  allowedStatus: number;
  /** The allowed caller's outcome (default success). */
  allowedOutcome?: 'success' | 'failed';
  /** Who is refused and with what status (omitted: the route refuses no signed-in caller). */
  denied: () => Caller;
  deniedStatus: number;
  /** The patient the refused event names (defaults to `patient`). */
  deniedPatient?: () => string | null;
}

const patA = () => w.patA.user.id;
const docA = () => w.docA;
const docB = () => w.docB;
const none = () => null;

const rows: Row[] = [
  {
    name: 'GET /api/records (seed 004)',
    request: () => ({ url: '/api/records?meta=true' }),
    action: 'ecg12.list',
    resourceType: 'ecg12',
    resourceId: none,
    patient: none,
    allowed: docA,
    allowedStatus: 200,
    denied: () => 'anon',
    deniedStatus: 401,
  },
  {
    name: 'GET /api/ecg?file={12-lead of patient} (seed 004)',
    request: () => ({ url: `/api/ecg?file=${w.ecg12Id}` }),
    action: 'ecg12.read',
    resourceType: 'ecg12',
    resourceId: () => w.ecg12Id,
    patient: patA,
    allowed: docA,
    allowedStatus: 200,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'GET /api/vitals?patient={12-lead of patient} (seed 004)',
    request: () => ({ url: `/api/vitals?patient=${w.ecg12Id}` }),
    action: 'ecg12.read',
    resourceType: 'ecg12',
    resourceId: () => w.ecg12Id,
    patient: patA,
    allowed: docA,
    allowedStatus: 200,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'POST /api/predict {file: 12-lead of patient} (seed 004)',
    request: () => ({ method: 'POST', url: '/api/predict', payload: { file: w.ecg12Id } }),
    action: 'ecg12.classify',
    resourceType: 'ecg12',
    resourceId: () => w.ecg12Id,
    patient: patA,
    allowed: docA,
    allowedStatus: 200,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'POST /api/realtime/predict {ecg} (seed 004, posted samples of no patient)',
    request: () => ({
      method: 'POST',
      url: '/api/realtime/predict',
      payload: { ecg: Array.from({ length: 187 }, (_, i) => Math.sin(i / 10)) },
    }),
    action: 'ecg12.classify',
    resourceType: 'ecg12',
    resourceId: none,
    patient: none,
    allowed: docA,
    allowedStatus: 200,
    denied: () => 'anon',
    deniedStatus: 401,
  },
  ...(
    [
      ['stream', 'ecg.read', 'ecg'],
      ['vitals', 'vitals.read', 'vitals'],
    ] as const
  ).map(([what, action, resourceType]): Row => ({
    name: `GET /api/mongo/${what}?patient_id (seed 004)`,
    request: () => ({ url: `/api/mongo/${what}?start=0&patient_id=${patA()}` }),
    action,
    resourceType,
    resourceId: none,
    patient: patA,
    allowed: docA,
    allowedStatus: 200,
    denied: docB,
    deniedStatus: 404,
  })),
  // The seed's front end names no scope: the newest stream the caller may see is read, and the
  // event names that device's patient. Another doctor has none: 404, naming no patient.
  ...(['stream', 'vitals'] as const).flatMap((what): Row[] => [
    {
      name: `GET /api/mongo/${what} (seed 004, no scope: the newest visible stream)`,
      request: () => ({ url: `/api/mongo/${what}?start=0` }),
      action: what === 'stream' ? 'ecg.read' : 'vitals.read',
      resourceType: what === 'stream' ? 'ecg' : 'vitals',
      resourceId: none,
      patient: patA,
      allowed: docA,
      allowedStatus: 200,
      denied: docB,
      deniedStatus: 404,
      deniedPatient: none,
    },
    {
      name: `GET /api/mongo/${what}?device_id (seed 004)`,
      request: () => ({ url: `/api/mongo/${what}?start=0&device_id=AUDIT-STREAM` }),
      action: what === 'stream' ? 'ecg.read' : 'vitals.read',
      resourceType: what === 'stream' ? 'ecg' : 'vitals',
      resourceId: none,
      patient: patA,
      allowed: docA,
      allowedStatus: 200,
      denied: docB,
      deniedStatus: 404,
    },
  ]),
  {
    name: 'PUT /api/reports/{report of patient} (seed 004)',
    request: () => ({
      method: 'PUT',
      url: `/api/reports/${w.reportId}`,
      payload: { content: 'Reviewed' },
    }),
    action: 'report.update',
    resourceType: 'report',
    resourceId: () => w.reportId,
    patient: patA,
    allowed: docA,
    allowedStatus: 200,
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'PUT /api/alerts/{alert of patient} (seed 004)',
    request: () => ({
      method: 'PUT',
      url: `/api/alerts/${w.alertId}`,
      payload: { message: 'Call back today' },
    }),
    action: 'alert.update',
    resourceType: 'alert',
    resourceId: () => w.alertId,
    patient: patA,
    allowed: docA,
    allowedStatus: 200,
    denied: docB,
    deniedStatus: 404,
  },
  ...(['alerts', 'reports'] as const).map((kind): Row => ({
    name: `GET /api/${kind}/patient/{patient} (seed 004)`,
    request: () => ({ url: `/api/${kind}/patient/${patA()}` }),
    action: kind === 'alerts' ? 'alert.list' : 'report.list',
    resourceType: kind === 'alerts' ? 'alert' : 'report',
    resourceId: none,
    patient: patA,
    allowed: docA,
    allowedStatus: 200,
    // Reports of another doctor's patient: 404; alerts: an empty list (test below).
    denied: kind === 'reports' ? docB : () => 'anon',
    deniedStatus: kind === 'reports' ? 404 : 401,
  })),
  ...(['alerts', 'reports'] as const).map((kind): Row => ({
    name: `GET /api/${kind}/doctor/{doctor} (seed 004)`,
    request: () => ({ url: `/api/${kind}/doctor/${w.docA.user.id}` }),
    action: kind === 'alerts' ? 'alert.list' : 'report.list',
    resourceType: kind === 'alerts' ? 'alert' : 'report',
    resourceId: none,
    patient: none,
    allowed: docA,
    allowedStatus: 200,
    denied: () => 'anon',
    deniedStatus: 401,
  })),
  {
    name: 'GET /api/v1/rppg/sessions/{session of patient}/current_frame',
    request: () => ({ url: `/api/v1/rppg/sessions/${w.sessionId}/current_frame` }),
    action: 'rppg_session.read',
    resourceType: 'rppg_session',
    resourceId: () => w.sessionId,
    patient: patA,
    allowed: docA,
    // The session has no frame yet (no video uploaded): 503, on record as failed.
    allowedStatus: 503,
    allowedOutcome: 'failed',
    denied: docB,
    deniedStatus: 404,
  },
  {
    name: 'GET /fhir/R4/Patient?_id={patient}',
    request: () => ({ url: `/fhir/R4/Patient?_id=${patA()}` }),
    action: 'fhir.search',
    resourceType: 'fhir.Patient',
    resourceId: none,
    patient: patA,
    allowed: docA,
    allowedStatus: 200,
    denied: () => 'anon',
    deniedStatus: 401,
  },
  {
    name: 'GET /fhir/R4/Patient?_id={patient},{patient} (a list names no one patient)',
    request: () => ({ url: `/fhir/R4/Patient?_id=${patA()},${patA()}` }),
    action: 'fhir.search',
    resourceType: 'fhir.Patient',
    resourceId: none,
    patient: none,
    allowed: docA,
    allowedStatus: 200,
    denied: () => 'anon',
    deniedStatus: 401,
  },
  ...(['Observation', 'DiagnosticReport'] as const).map((type): Row => ({
    name: `GET /fhir/R4/${type}?subject=Patient/{patient}`,
    request: () => ({ url: `/fhir/R4/${type}?subject=Patient/${patA()}` }),
    action: 'fhir.search',
    resourceType: `fhir.${type}`,
    resourceId: none,
    patient: patA,
    allowed: docA,
    allowedStatus: 200,
    denied: docB,
    deniedStatus: 404,
  })),
];

describe('audit trail of the remaining patient-data routes', () => {
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
      const user = row.allowed();
      const ok = await send(row.request(), user);
      expect(ok.status, ok.body).toBe(row.allowedStatus);
      expect(ok.events).toHaveLength(1);
      expect(ok.events[0]).toMatchObject({
        action: row.action,
        resource_type: row.resourceType,
        resource_id: row.resourceId(),
        patient_id: row.patient(),
        actor_id: user.user.id,
        actor_kind: user.user.role,
        outcome: row.allowedOutcome ?? 'success',
        status: row.allowedStatus,
        ip: '127.0.0.1',
        user_agent: 'audit-test/1',
        count: 1,
      });

      const refusedActor = row.denied();
      const refused = await send(row.request(), refusedActor);
      expect(refused.status, refused.body).toBe(row.deniedStatus);
      expect(refused.events).toHaveLength(1);
      expect(refused.events[0]).toMatchObject({
        action: row.action,
        resource_type: row.resourceType,
        resource_id: row.resourceId(),
        patient_id: (row.deniedPatient ?? row.patient)(),
        actor_id: refusedActor === 'anon' ? null : refusedActor.user.id,
        actor_kind: refusedActor === 'anon' ? 'anonymous' : refusedActor.user.role,
        outcome: 'denied',
        status: row.deniedStatus,
      });
    },
  );

  it("GET /api/alerts/patient/{patient} of another doctor's patient: an empty list, on record under that patient", async () => {
    const res = await send({ url: `/api/alerts/patient/${patA()}` }, w.docB);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual([]);
    expect(res.events).toHaveLength(1);
    expect(res.events[0]).toMatchObject({
      action: 'alert.list',
      resource_type: 'alert',
      actor_id: w.docB.user.id,
      patient_id: patA(),
      outcome: 'success',
      status: 200,
    });
  });

  it('DELETE /api/{reports,alerts}/{id} (seed 004): refused (another doctor: 404) then done (the doctor: 200), each on record', async () => {
    for (const [kind, action, make] of [
      ['reports', 'report.delete', seedReport],
      ['alerts', 'alert.delete', seedAlert],
    ] as const) {
      const id = await make();
      for (const [user, status, outcome] of [
        [w.docB, 404, 'denied'],
        [w.docA, 200, 'success'],
      ] as const) {
        const res = await send({ method: 'DELETE', url: `/api/${kind}/${id}` }, user);
        expect(res.status, res.body).toBe(status);
        expect(res.events).toHaveLength(1);
        expect(res.events[0]).toMatchObject({
          action,
          resource_type: kind === 'reports' ? 'report' : 'alert',
          resource_id: id,
          // Looked up before the deletion: the event still names the patient.
          patient_id: patA(),
          actor_id: user.user.id,
          outcome,
          status,
        });
      }
    }
  });

  it('GET /api/v1/rppg/sessions/{session}/video_feed of another doctor is refused and on record', async () => {
    const res = await send({ url: `/api/v1/rppg/sessions/${w.sessionId}/video_feed` }, w.docB);
    expect(res.status).toBe(404);
    expect(res.events).toHaveLength(1);
    expect(res.events[0]).toMatchObject({
      action: 'rppg_session.read',
      resource_type: 'rppg_session',
      resource_id: w.sessionId,
      patient_id: patA(),
      actor_id: w.docB.user.id,
      outcome: 'denied',
      status: 404,
    });
  });

  // Last: it empties the 12-lead history the rows above read.
  it('DELETE /api/v1/ecg/history: a doctor is refused (403), the admin deletes, each on record', async () => {
    for (const [user, status, outcome] of [
      [w.docA, 403, 'denied'],
      [w.admin, 200, 'success'],
    ] as const) {
      const res = await send({ method: 'DELETE', url: '/api/v1/ecg/history' }, user);
      expect(res.status, res.body).toBe(status);
      expect(res.events).toHaveLength(1);
      expect(res.events[0]).toMatchObject({
        action: 'ecg12.delete_all',
        resource_type: 'ecg12',
        resource_id: null,
        patient_id: null,
        actor_id: user.user.id,
        actor_kind: user.user.role,
        outcome,
        status,
      });
    }
    const left = await send({ url: `/api/ecg?file=${w.ecg12Id}` }, w.docA);
    expect(left.status).toBe(404);
  });
});
