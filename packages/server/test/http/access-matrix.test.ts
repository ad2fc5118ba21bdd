import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceWithKey } from '../../src/services/devices.service.js';
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
import { e07509Body } from '../ecg12/ecg12-fixture.js';

/**
 * The role × endpoint × ownership matrix: every identity and device endpoint, called
 * by each kind of caller, with the exact status each must get. Each row gets a fresh world;
 * mutating rows get a fresh target per cell, so no cell's outcome depends on another's.
 */
const ACTORS = ['admin', 'docA', 'docB', 'patA', 'patB', 'anon', 'device'] as const;
type Actor = (typeof ACTORS)[number];
type Expected = Record<Actor, number>;

interface World {
  admin: TestUser;
  docA: TestUser;
  docB: TestUser;
  /** Patients of doctor A and doctor B. */
  patA: TestUser;
  patB: TestUser;
  /** Devices of patA and patB. */
  devA: DeviceWithKey;
  devB: DeviceWithKey;
}

interface Row {
  name: string;
  /** Builds the request for one cell; may create a fresh target (per cell) in the world. */
  request: (w: World, actor: Actor) => Promise<InjectOptions> | InjectOptions;
  expect: Expected;
}

let t: TestApp;

const email = () => `m-${randomBytes(5).toString('hex')}@example.test`;
const deviceId = () => `DEV-${randomBytes(5).toString('hex')}`;

async function buildWorld(): Promise<World> {
  const admin = await createAdmin(t);
  const docA = await createDoctor(t, admin, 'Doctor A');
  const docB = await createDoctor(t, admin, 'Doctor B');
  const patA = await createPatient(t, docA, 'Patient A');
  const patB = await createPatient(t, docB, 'Patient B');
  const devA = await registerDevice(t, patA);
  const devB = await registerDevice(t, patB);
  // Devices that have sent data: no longer provisional claims a clinic could take over.
  for (const d of [devA, devB]) await t.container.services.devices.markSeen(d.id);
  return { admin, docA, docB, patA, patB, devA, devB };
}

function headersFor(w: World, actor: Actor): Record<string, string> {
  if (actor === 'anon') return {};
  // The device's own key, presented where a user credential is expected.
  if (actor === 'device') return { 'x-api-key': w.devA.api_key };
  return w[actor].headers;
}

/** all(201) → every actor 201; `{...all(403), admin: 201}` for exceptions. */
const all = (status: number): Expected =>
  Object.fromEntries(ACTORS.map((a) => [a, status])) as Expected;
const users = (status: number): Expected => ({ ...all(status), anon: 401, device: 401 });

const freshPatientOfA = async (w: World) => (await createPatient(t, w.docA)).user.id;
const freshDoctor = async (w: World) => (await createDoctor(t, w.admin)).user.id;
/** A patient who signed up on their own: no doctor manages them. */
const freshSelfRegistered = async () => {
  const e = email();
  await t.container.services.auth.register({ email: e, password: TEST_PASSWORD, name: 'Solo' });
  const row = await t.container.repositories.users.findByEmail(e);
  if (row === undefined) throw new Error('registration stored nothing');
  return row.id;
};
const freshAdmin = async () => (await createAdmin(t)).user.id;
const freshDeviceOfA = async (w: World) => (await registerDevice(t, w.patA)).id;

/** One vitals packet of a device (the pipeline rows below). */
const packetOf = (device: DeviceWithKey) => ({
  device_id: device.device_id,
  timestamp: t.clock.now() - 60_000,
  ecg_samples: [0.1, 0.2, 0.1],
  heart_rate_bpm: 70,
  spo2_percent: 85,
});

/**
 * Device A with a stored packet, its prediction, and an alert (spo2_low made immediate for
 * patient A), created once per world.
 */
const worldData = new WeakMap<World, Promise<{ device_id: string; alertId: string }>>();
function withData(w: World): Promise<{ device_id: string; alertId: string }> {
  let p = worldData.get(w);
  if (p === undefined) {
    p = (async () => {
      await t.container.services.alertRules.put(w.admin.actor, w.patA.user.id, [
        { kind: 'spo2_low', enabled: true, threshold: 91, duration_s: 0, severity: 'critical' },
      ]);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/vitals',
        headers: { 'x-api-key': w.devA.api_key },
        payload: packetOf(w.devA),
      });
      if (res.statusCode !== 201) throw new Error(`packet refused: ${res.body}`);
      const alerts = await t.container.services.alerts.list(w.admin.actor, {
        patient_id: w.patA.user.id,
        limit: 10,
      });
      const alert = alerts.items.find((a) => a.rule_kind === 'spo2_low');
      if (alert === undefined) throw new Error('no spo2_low alert');
      return { device_id: w.devA.device_id, alertId: alert.id };
    })();
    worldData.set(w, p);
  }
  return p;
}

/** A reading of patient A with an audio clip (the readings rows below), once per world. */
const worldReading = new WeakMap<World, Promise<string>>();
function withReading(w: World): Promise<string> {
  let p = worldReading.get(w);
  if (p === undefined) {
    p = (async () => {
      const boundary = 'matrixboundary';
      const clip = readFileSync(
        fileURLToPath(
          new URL('../../../signal/src/audio/fixtures/speech-espeak-hi-4s.wav', import.meta.url),
        ),
      );
      const payload = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="temperature"\r\n\r\n37\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="humidity"\r\n\r\n50\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n` +
            'Content-Type: audio/wav\r\n\r\n',
        ),
        clip,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/readings',
        headers: {
          ...w.patA.headers,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        payload,
      });
      if (res.statusCode !== 201) throw new Error(`reading refused: ${res.body}`);
      return res.json<{ id: string }>().id;
    })();
    worldReading.set(w, p);
  }
  return p;
}

/** A 12-lead classification made by doctor A for patient A (the ecg12 rows below), once per world. */
const worldEcg12 = new WeakMap<World, Promise<string>>();
function withEcg12(w: World): Promise<string> {
  let p = worldEcg12.get(w);
  if (p === undefined) {
    p = (async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/ecg/classify',
        headers: w.docA.headers,
        payload: e07509Body({ patient_id: w.patA.user.id }),
      });
      if (res.statusCode !== 200) throw new Error(`classification refused: ${res.body}`);
      return res.json<{ id: string }>().id;
    })();
    worldEcg12.set(w, p);
  }
  return p;
}

/** A draft report of patient A built by doctor A (the reports rows below); fresh per call. */
async function freshReportOfA(w: World): Promise<string> {
  const now = t.clock.now();
  const report = await t.container.services.reports.create(w.docA.actor, w.patA.user.id, {
    period_start: now - 3_600_000,
    period_end: now,
  });
  return report.id;
}

const rows: Row[] = [
  // --- operations: public
  { name: 'GET /health', request: () => ({ url: '/health' }), expect: all(200) },
  { name: 'GET /ready', request: () => ({ url: '/ready' }), expect: all(200) },
  { name: 'GET /metrics', request: () => ({ url: '/metrics' }), expect: all(200) },

  // --- auth: public endpoints work for anyone with valid input
  {
    name: 'POST /auth/register',
    request: () => ({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: email(), password: TEST_PASSWORD, name: 'New' },
    }),
    expect: all(201),
  },
  {
    name: 'POST /auth/login (JSON, valid credentials)',
    request: (w) => ({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: w.patA.email, password: TEST_PASSWORD },
    }),
    expect: all(200),
  },
  {
    name: 'POST /auth/token (form, valid credentials)',
    request: (w) => ({
      method: 'POST',
      url: '/api/v1/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=${encodeURIComponent(w.docA.email)}&password=${TEST_PASSWORD}`,
    }),
    expect: all(200),
  },
  {
    name: 'POST /auth/refresh (fresh refresh token)',
    request: async (w) => {
      const tokens = await t.container.services.auth.login(w.patB.email, TEST_PASSWORD);
      return {
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refresh_token: tokens.refresh_token },
      };
    },
    expect: all(200),
  },
  { name: 'GET /auth/me', request: () => ({ url: '/api/v1/auth/me' }), expect: users(200) },
  {
    name: 'PUT /auth/profile',
    request: () => ({
      method: 'PUT',
      url: '/api/v1/auth/profile',
      payload: { name: 'Renamed', health_profile: { age: 40 } },
    }),
    expect: users(200),
  },

  // --- user management (seed 004)
  {
    name: 'POST /users {role: doctor}',
    request: () => ({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: email(), password: TEST_PASSWORD, name: 'D', role: 'doctor' },
    }),
    expect: { ...users(403), admin: 201 },
  },
  {
    name: 'POST /users {role: admin}',
    request: () => ({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: email(), password: TEST_PASSWORD, name: 'A', role: 'admin' },
    }),
    expect: { ...users(403), admin: 201 },
  },
  {
    name: 'POST /users {role: patient}',
    request: () => ({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: email(), password: TEST_PASSWORD, name: 'P', role: 'patient' },
    }),
    expect: { ...users(403), docA: 201, docB: 201 },
  },
  {
    name: 'GET /users',
    request: () => ({ url: '/api/v1/users' }),
    expect: users(200),
  },
  {
    name: 'GET /users/doctors',
    request: () => ({ url: '/api/v1/users/doctors' }),
    expect: { ...users(403), admin: 200 },
  },
  {
    name: 'GET /users/admins',
    request: () => ({ url: '/api/v1/users/admins' }),
    expect: { ...users(403), admin: 200 },
  },
  {
    name: 'GET /users/patients',
    request: () => ({ url: '/api/v1/users/patients' }),
    expect: { ...users(403), admin: 200, docA: 200, docB: 200 },
  },
  {
    name: 'GET /users/{patient of A}',
    request: (w) => ({ url: `/api/v1/users/${w.patA.user.id}` }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  {
    name: 'GET /users/{doctor A}',
    request: (w) => ({ url: `/api/v1/users/${w.docA.user.id}` }),
    expect: { ...users(404), admin: 200, docA: 200 },
  },
  {
    name: 'GET /users/{admin}',
    request: (w) => ({ url: `/api/v1/users/${w.admin.user.id}` }),
    expect: { ...users(404), admin: 200 },
  },
  {
    name: 'GET /users/{unknown id}',
    request: () => ({ url: '/api/v1/users/00000000-0000-4000-8000-000000000000' }),
    expect: users(404),
  },
  {
    name: 'PUT /users/{patient of A}',
    request: async (w) => ({
      method: 'PUT',
      url: `/api/v1/users/${await freshPatientOfA(w)}`,
      payload: { name: 'Changed' },
    }),
    expect: { ...users(404), admin: 403, docA: 200 },
  },
  {
    name: 'PUT /users/{self}',
    request: (w, actor) => ({
      method: 'PUT',
      url: `/api/v1/users/${actor === 'anon' || actor === 'device' ? w.patA.user.id : w[actor].user.id}`,
      payload: { name: 'Me' },
    }),
    expect: users(200),
  },
  {
    name: 'PUT /users/{a doctor}',
    request: async (w) => ({
      method: 'PUT',
      url: `/api/v1/users/${await freshDoctor(w)}`,
      payload: { name: 'Dr Changed' },
    }),
    expect: { ...users(404), admin: 200 },
  },
  {
    name: 'PUT /users/{a doctor} {role: admin}',
    request: async (w) => ({
      method: 'PUT',
      url: `/api/v1/users/${await freshDoctor(w)}`,
      payload: { role: 'admin' },
    }),
    expect: { ...users(404), admin: 200 },
  },
  {
    name: 'PUT /users/{self} {role: admin}',
    request: (w, actor) => ({
      method: 'PUT',
      url: `/api/v1/users/${actor === 'anon' || actor === 'device' ? w.docA.user.id : w[actor].user.id}`,
      payload: { role: actor === 'admin' ? 'doctor' : 'admin' },
    }),
    expect: users(403),
  },
  {
    name: 'PUT /users/{another admin}',
    request: async () => ({
      method: 'PUT',
      url: `/api/v1/users/${await freshAdmin()}`,
      payload: { name: 'Admin 2' },
    }),
    expect: { ...users(404), admin: 200 },
  },
  {
    name: 'DELETE /users/{patient of A}',
    request: async (w) => ({ method: 'DELETE', url: `/api/v1/users/${await freshPatientOfA(w)}` }),
    expect: { ...users(404), admin: 403, docA: 204 },
  },
  {
    name: 'DELETE /users/{self-registered patient, no doctor}',
    request: async () => ({
      method: 'DELETE',
      url: `/api/v1/users/${await freshSelfRegistered()}`,
    }),
    // Nobody's patient: the admin removes the account (seed 004 leaves doctors' patients to them).
    expect: { ...users(404), admin: 204 },
  },
  {
    name: 'DELETE /users/{a doctor}',
    request: async (w) => ({ method: 'DELETE', url: `/api/v1/users/${await freshDoctor(w)}` }),
    expect: { ...users(404), admin: 204 },
  },
  {
    name: 'DELETE /users/{another admin}',
    request: async () => ({ method: 'DELETE', url: `/api/v1/users/${await freshAdmin()}` }),
    expect: { ...users(404), admin: 204 },
  },
  {
    name: 'DELETE /users/{self}',
    request: (w, actor) => ({
      method: 'DELETE',
      url: `/api/v1/users/${actor === 'anon' || actor === 'device' ? w.patB.user.id : w[actor].user.id}`,
    }),
    // Last row of the world: patients may close their own account, staff may not delete themselves.
    expect: { ...users(403), patA: 204, patB: 204 },
  },

  // --- devices (seeds 000, 004)
  {
    name: 'POST /devices/register {patient_id: patient of A}',
    request: (w) => ({
      method: 'POST',
      url: '/api/v1/devices/register',
      payload: { device_id: deviceId(), patient_id: w.patA.user.id },
    }),
    expect: { ...users(404), admin: 201, docA: 201, patA: 201 },
  },
  {
    name: 'POST /devices/register (unassigned)',
    request: () => ({
      method: 'POST',
      url: '/api/v1/devices/register',
      payload: { device_id: deviceId(), name: 'Bedside' },
    }),
    expect: users(201),
  },
  {
    name: 'POST /devices/register {existing device_id}',
    request: (w) => ({
      method: 'POST',
      url: '/api/v1/devices/register',
      payload: { device_id: w.devB.device_id },
    }),
    expect: users(409),
  },
  { name: 'GET /devices', request: () => ({ url: '/api/v1/devices' }), expect: users(200) },
  {
    name: 'GET /devices/{device of patient A}',
    request: (w) => ({ url: `/api/v1/devices/${w.devA.id}` }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  {
    name: 'PUT /devices/{device of patient A} {name}',
    request: async (w) => ({
      method: 'PUT',
      url: `/api/v1/devices/${await freshDeviceOfA(w)}`,
      payload: { name: 'Renamed' },
    }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  {
    name: 'PUT /devices/{device of patient A} {patient_id: another patient of A}',
    request: async (w) => ({
      method: 'PUT',
      url: `/api/v1/devices/${await freshDeviceOfA(w)}`,
      payload: { patient_id: await freshPatientOfA(w) },
    }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 403 },
  },
  {
    name: 'PUT /devices/{device of patient A} {patient_id: patient of B}',
    request: async (w) => ({
      method: 'PUT',
      url: `/api/v1/devices/${await freshDeviceOfA(w)}`,
      payload: { patient_id: w.patB.user.id },
    }),
    // Doctor A cannot see patient B: PATIENT_NOT_FOUND, not a hint that B exists.
    expect: { ...users(404), admin: 200, patA: 403 },
  },
  {
    name: 'POST /devices/{device of patient A}/rotate-key',
    request: async (w) => ({
      method: 'POST',
      url: `/api/v1/devices/${await freshDeviceOfA(w)}/rotate-key`,
    }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  {
    name: 'DELETE /devices/{device of patient A}',
    request: async (w) => ({
      method: 'DELETE',
      url: `/api/v1/devices/${await freshDeviceOfA(w)}`,
    }),
    expect: { ...users(404), admin: 204, docA: 204, patA: 204 },
  },
  {
    name: 'POST /devices/{device of patient A}/purge',
    request: async (w) => ({
      method: 'POST',
      url: `/api/v1/devices/${await freshDeviceOfA(w)}/purge`,
    }),
    expect: { ...users(403), admin: 204 },
  },

  // --- vitals pipeline: device A's data is visible to admin, doctor A and patient A
  {
    name: 'POST /vitals (device key of device A, own device_id)',
    request: (w) => ({ method: 'POST', url: '/api/v1/vitals', payload: packetOf(w.devA) }),
    expect: { ...all(401), device: 201 },
  },
  ...['', '/latest', '/series?interval=1h', '/stats', '/ecg?from=0&to=600000'].map(
    (suffix): Row => ({
      name: `GET /vitals/{device of patient A}${suffix}`,
      request: async (w) => ({ url: `/api/v1/vitals/${(await withData(w)).device_id}${suffix}` }),
      expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
    }),
  ),
  ...['', '/latest'].map((suffix): Row => ({
    name: `GET /predictions/{device of patient A}${suffix}`,
    request: async (w) => ({
      url: `/api/v1/predictions/${(await withData(w)).device_id}${suffix}`,
    }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  })),
  { name: 'GET /alerts', request: () => ({ url: '/api/v1/alerts' }), expect: users(200) },
  {
    name: 'GET /alerts?patient_id={patient A}',
    request: async (w) => {
      await withData(w);
      return { url: `/api/v1/alerts?patient_id=${w.patA.user.id}` };
    },
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  {
    name: 'GET /alerts/{alert of patient A}',
    request: async (w) => ({ url: `/api/v1/alerts/${(await withData(w)).alertId}` }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  ...['ack', 'resolve'].map((action): Row => ({
    name: `POST /alerts/{alert of patient A}/${action}`,
    request: async (w) => ({
      method: 'POST',
      url: `/api/v1/alerts/${(await withData(w)).alertId}/${action}`,
    }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 403 },
  })),
  {
    name: 'GET /patients/{patient A}/alert-rules',
    request: (w) => ({ url: `/api/v1/patients/${w.patA.user.id}/alert-rules` }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  {
    name: 'PUT /patients/{patient A}/alert-rules',
    request: (w) => ({
      method: 'PUT',
      url: `/api/v1/patients/${w.patA.user.id}/alert-rules`,
      payload: {
        rules: [
          { kind: 'hr_high', enabled: true, threshold: 120, duration_s: 10, severity: 'warning' },
        ],
      },
    }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 403 },
  },

  // --- 12-lead ECG classification and its seed 003 aliases: classifying for patient A
  // is for those who may see patient A (404 for the others); stats and deletion are the admin's.
  ...(['/api/v1/ecg/classify', '/api/v1/forward'] as const).map((url): Row => ({
    name: `POST ${url} {patient_id: patient A}`,
    request: (w) => ({ method: 'POST', url, payload: e07509Body({ patient_id: w.patA.user.id }) }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  })),
  ...(['/api/v1/ecg/classify/batch', '/api/v1/forward/batch'] as const).map((url): Row => ({
    name: `POST ${url} (a refused sample refuses the batch)`,
    request: () => ({
      method: 'POST',
      url,
      payload: { samples: [{ ...e07509Body(), heart_axis: 'UP' }] },
    }),
    expect: users(400),
  })),
  ...(['/api/v1/ecg', '/api/v1'] as const).flatMap((base): Row[] => [
    {
      // Without a token 401: ECG12_ANONYMOUS is off here (seed-003.test.ts covers it on).
      name: `GET ${base}/history`,
      request: () => ({ url: `${base}/history` }),
      expect: users(200),
    },
    {
      name: `GET ${base}/stats`,
      request: () => ({ url: `${base}/stats` }),
      expect: { ...users(403), admin: 200 },
    },
    {
      name: `DELETE ${base}/history`,
      request: () => ({ method: 'DELETE', url: `${base}/history` }),
      expect: { ...users(403), admin: 200 },
    },
  ]),
  {
    name: 'GET /patients/{patient A}/ecg12',
    request: async (w) => {
      await withEcg12(w);
      return { url: `/api/v1/patients/${w.patA.user.id}/ecg12` };
    },
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  {
    name: 'GET /ecg/history?patient_id={patient A}',
    request: (w) => ({ url: `/api/v1/ecg/history?patient_id=${w.patA.user.id}` }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  {
    name: 'GET /ecg/history/{classification of patient A}',
    request: async (w) => ({ url: `/api/v1/ecg/history/${await withEcg12(w)}` }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  {
    name: 'GET /api/v1/health (seed 003)',
    request: () => ({ url: '/api/v1/health' }),
    expect: all(200),
  },
  // --- baby monitor readings: patient A's readings, like vitals
  {
    name: 'POST /readings (JSON, for patient A; a device key records for its own patient)',
    request: (w) => ({
      method: 'POST',
      url: '/api/v1/readings',
      payload: { temperature: 37, humidity: 50, patient_id: w.patA.user.id },
    }),
    expect: { ...all(201), docB: 404, patB: 404, anon: 401 },
  },
  {
    name: 'GET /readings?patient_id={patient A}',
    request: (w) => ({ url: `/api/v1/readings?patient_id=${w.patA.user.id}` }),
    expect: { ...users(200), docB: 404, patB: 404 },
  },
  ...['', '/stats', '/timeseries'].map((suffix): Row => ({
    name: `GET /readings${suffix} (own scope)`,
    request: () => ({ url: `/api/v1/readings${suffix}` }),
    expect: users(200),
  })),
  ...['', '/audio'].map((suffix): Row => ({
    name: `GET /readings/{reading of patient A}${suffix}`,
    request: async (w) => ({ url: `/api/v1/readings/${await withReading(w)}${suffix}` }),
    expect: { ...users(200), docB: 404, patB: 404 },
  })),

  // --- FHIR R4: the same rules as the REST API; errors are OperationOutcomes. A
  // resource of a patient the caller may not see is 404 like one that does not exist.
  {
    name: 'GET /fhir/R4/metadata',
    request: () => ({ url: '/fhir/R4/metadata' }),
    expect: all(200),
  },
  ...['Patient', 'Practitioner'].map((type): Row => ({
    name: `GET /fhir/R4/${type} (search, own scope)`,
    request: () => ({ url: `/fhir/R4/${type}` }),
    expect: users(200),
  })),
  {
    name: 'GET /fhir/R4/Patient/{patient A}',
    request: (w) => ({ url: `/fhir/R4/Patient/${w.patA.user.id}` }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  {
    name: 'GET /fhir/R4/Practitioner/{doctor A}',
    request: (w) => ({ url: `/fhir/R4/Practitioner/${w.docA.user.id}` }),
    // Patient A's own doctor: the generalPractitioner their Patient resource references.
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  {
    name: 'GET /fhir/R4/Practitioner/{admin}',
    request: (w) => ({ url: `/fhir/R4/Practitioner/${w.admin.user.id}` }),
    expect: { ...users(404), admin: 200 },
  },
  {
    name: 'GET /fhir/R4/Device/{device of patient A}',
    request: (w) => ({ url: `/fhir/R4/Device/${w.devA.id}` }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  ...['Device', 'Observation', 'DiagnosticReport'].map((type): Row => ({
    name: `GET /fhir/R4/${type}?patient={patient A}`,
    request: async (w) => {
      await withData(w);
      await withEcg12(w);
      return { url: `/fhir/R4/${type}?patient=Patient/${w.patA.user.id}` };
    },
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  })),
  ...['hr', 'spo2', 'ecg'].map((kind): Row => ({
    name: `GET /fhir/R4/Observation/{${kind} of patient A}`,
    request: async (w) => {
      const row = await t.container.repositories.vitals.latest((await withData(w)).device_id);
      return { url: `/fhir/R4/Observation/${kind}-${row?.id ?? 'none'}` };
    },
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  })),
  {
    name: 'GET /fhir/R4/Observation/{12-lead ECG of patient A}',
    request: async (w) => ({ url: `/fhir/R4/Observation/ecg12-${await withEcg12(w)}` }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  {
    name: 'GET /fhir/R4/DiagnosticReport/{12-lead interpretation of patient A}',
    request: async (w) => ({ url: `/fhir/R4/DiagnosticReport/${await withEcg12(w)}` }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  // --- audit trail: the admin's alone, on /api/v1/audit and /fhir/R4/AuditEvent alike
  ...['', `?patient=Patient/{A}&date=ge2020-01-01&_count=5`].map((query): Row => ({
    name: `GET /fhir/R4/AuditEvent${query} (search)`,
    request: (w) => ({ url: `/fhir/R4/AuditEvent${query.replace('{A}', w.patA.user.id)}` }),
    expect: { ...users(403), admin: 200 },
  })),
  {
    name: 'GET /fhir/R4/AuditEvent/{event of patient A}',
    request: async (w) => {
      // Doctor A reads patient A: one event of patient A on record.
      await t.app.inject({ url: `/fhir/R4/Patient/${w.patA.user.id}`, headers: w.docA.headers });
      await new Promise((r) => setImmediate(r));
      await t.container.services.audit.flush();
      const [event] = await t.container.repositories.audit.list({ patientId: w.patA.user.id }, 1);
      return { url: `/fhir/R4/AuditEvent/${event?.id ?? 'none'}` };
    },
    expect: { ...users(403), admin: 200 },
  },
  {
    name: 'GET /audit',
    request: () => ({ url: '/api/v1/audit' }),
    expect: { ...users(403), admin: 200 },
  },
  {
    name: 'GET /audit?patient_id={patient A}',
    request: (w) => ({ url: `/api/v1/audit?patient_id=${w.patA.user.id}&outcome=denied` }),
    expect: { ...users(403), admin: 200 },
  },
  {
    name: 'GET /admin/mqtt-dead-letters',
    request: () => ({ url: '/api/v1/admin/mqtt-dead-letters?limit=5' }),
    expect: { ...users(403), admin: 200 },
  },
  // --- clinical reports: built by patient A's doctor or an admin; read also by the
  // patient; edited and deleted by the doctor or an admin; 404 for anyone who cannot see A.
  {
    name: 'POST /patients/{patient A}/reports',
    request: (w) => ({
      method: 'POST',
      url: `/api/v1/patients/${w.patA.user.id}/reports`,
      payload: { period_start: t.clock.now() - 3_600_000, period_end: t.clock.now() },
    }),
    expect: { ...users(404), admin: 201, docA: 201, patA: 403 },
  },
  { name: 'GET /reports', request: () => ({ url: '/api/v1/reports' }), expect: users(200) },
  {
    name: 'GET /reports?patient_id={patient A}',
    request: (w) => ({ url: `/api/v1/reports?patient_id=${w.patA.user.id}` }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  },
  ...['', '/pdf'].map((suffix): Row => ({
    name: `GET /reports/{report of patient A}${suffix}`,
    request: async (w) => ({ url: `/api/v1/reports/${await freshReportOfA(w)}${suffix}` }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 200 },
  })),
  {
    name: 'PUT /reports/{report of patient A}',
    request: async (w) => ({
      method: 'PUT',
      url: `/api/v1/reports/${await freshReportOfA(w)}`,
      payload: { notes: 'Reviewed' },
    }),
    expect: { ...users(404), admin: 200, docA: 200, patA: 403 },
  },
  {
    name: 'DELETE /reports/{draft report of patient A}',
    request: async (w) => ({
      method: 'DELETE',
      url: `/api/v1/reports/${await freshReportOfA(w)}`,
    }),
    expect: { ...users(404), admin: 204, docA: 204, patA: 403 },
  },
];

const SECRET_FIELD = /"(password|password_hash|api_key_hash|token_hash)"|\$argon2/;

describe('role × endpoint × ownership matrix', () => {
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const w = await buildWorld();
    const actual = {} as Expected;
    for (const actor of ACTORS) {
      const options = await row.request(w, actor);
      const response = await t.app.inject({
        method: 'GET',
        ...options,
        headers: { ...options.headers, ...headersFor(w, actor) },
      });
      actual[actor] = response.statusCode;
      expect(response.body, `${row.name} as ${actor} leaks a secret`).not.toMatch(SECRET_FIELD);
    }
    expect(actual).toEqual(row.expect);
  });
});
