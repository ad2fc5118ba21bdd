import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ecg12Classification, ErrorResponse } from '@vigil/protocol';
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
import { loadRecord, streamRecord } from './ecg12-stream.js';

/**
 * Seed 004's React front end (github.com/Saifeddine-Rejeb/real-time-ecg-mi-predictor,
 * frontend/src) against Vigil's aliases: one test per call it makes, parsing the answer with the
 * fields its component reads. Its ECG, vitals, prediction and stream calls send no token; against
 * Vigil they need one (docs/seed-004.md says how a deployment serves the front end).
 */
describe('seed 004 front end calls', () => {
  let t: TestApp;
  let admin: TestUser;
  let doctor: TestUser;
  let patient: TestUser;
  let otherDoctor: TestUser;
  let recordId: string;
  const device = { deviceId: 'STREAM-004', key: '' };
  const record = loadRecord('HR06006');

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Rejeb');
    otherDoctor = await createDoctor(t, admin, 'Dr Other');
    patient = await createPatient(t, doctor, 'Stream Patient');
    device.key = (
      await registerDevice(t, doctor, { deviceId: device.deviceId, patientId: patient.user.id })
    ).api_key;
    // A stored 12-lead ECG of the patient: what /api/records, /api/ecg, /api/vitals, /api/predict serve.
    const classified = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ecg/classify',
      headers: doctor.headers,
      payload: {
        age: 54,
        sex: 0,
        height: 170,
        weight: 70,
        heart_axis: 'MID',
        sampling_rate_hz: record.samplingRateHz,
        patient_id: patient.user.id,
        ecg_signal: Array.from({ length: record.leadsMv[0]?.length ?? 0 }, (_, i) =>
          record.leadsMv.map((l) => Math.round((l[i] ?? 0) * 1000) / 1000),
        ),
      },
    });
    expect(classified.statusCode).toBe(200);
    recordId = classified.json<Ecg12Classification>().id;
    const statuses = await streamRecord(t, device, record, t.clock.now() - 60_000);
    expect(statuses.every((s) => s === 201)).toBe(true);
    await t.container.services.alerts.idle();
  });
  afterAll(async () => {
    await t.close();
  });

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    user: TestUser | null,
    payload?: object,
  ) =>
    t.app.inject({
      method,
      url,
      ...(user === null ? {} : { headers: user.headers }),
      ...(payload === undefined ? {} : { payload }),
    });

  it('Login.jsx: POST /api/auth/login gives what App.jsx stores (token, role, user_id, email)', async () => {
    const res = await call('POST', '/api/auth/login', null, {
      email: doctor.email,
      password: TEST_PASSWORD,
    });
    expect(res.statusCode).toBe(200);
    const data = res.json<{ token: string; role: string; user_id: string; email: string }>();
    expect(data.role).toBe('doctor');
    expect(data.user_id).toBe(doctor.user.id);
    expect(data.email).toBe(doctor.email);
    // The token is Vigil's bearer token: the front end's Authorization header works with it.
    const me = await t.app.inject({
      method: 'GET',
      url: `/api/users/${doctor.user.id}`,
      headers: { authorization: `Bearer ${data.token}` },
    });
    expect(me.statusCode).toBe(200);
    const bad = await call('POST', '/api/auth/login', null, {
      email: doctor.email,
      password: 'wrong-password-1',
    });
    expect(bad.statusCode).toBe(401);
  });

  it('App.jsx: POST /api/auth/logout {email} answers ok and signs no one out but the client', async () => {
    const res = await call('POST', '/api/auth/logout', null, { email: doctor.email });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ message: string }>().message).toBe('Logged out successfully');
    expect((await call('GET', `/api/users/${doctor.user.id}`, doctor)).statusCode).toBe(200);
  });

  it('Settings.jsx: GET /api/users/{user_id} gives name and email', async () => {
    const res = await call('GET', `/api/users/${patient.user.id}`, doctor);
    expect(res.statusCode).toBe(200);
    const data = res.json<{ name: string; email: string; _id: string; type: string }>();
    expect(data).toMatchObject({
      name: 'Stream Patient',
      email: patient.email,
      _id: patient.user.id,
      type: 'patient',
    });
    expect(Object.keys(data)).not.toContain('password_hash');
    // Another doctor's patient is not visible (Vigil's rule; the seed answered 403).
    expect((await call('GET', `/api/users/${patient.user.id}`, otherDoctor)).statusCode).toBe(404);
  });

  it('UserManagement.jsx: GET /api/users/admins and /doctors (admin), /patients (doctor)', async () => {
    const admins = await call('GET', '/api/users/admins', admin);
    const doctors = await call('GET', '/api/users/doctors', admin);
    const patients = await call('GET', '/api/users/patients', doctor);
    type U = { _id: string; id: string; role: string; type: string; name: string; email: string };
    expect(admins.json<U[]>().map((u) => u.email)).toContain(admin.email);
    expect(
      doctors
        .json<U[]>()
        .map((u) => u.name)
        .sort(),
    ).toEqual(['Dr Other', 'Dr Rejeb']);
    const mine = patients.json<U[]>();
    expect(mine).toHaveLength(1);
    // normalizeUser: id = _id || id, role = role || type.
    expect(mine[0]).toMatchObject({ _id: patient.user.id, role: 'patient', type: 'patient' });
    // Role rules: a doctor lists no doctors, a patient no patients.
    expect((await call('GET', '/api/users/doctors', doctor)).statusCode).toBe(403);
    expect((await call('GET', '/api/users/patients', patient)).statusCode).toBe(403);
  });

  it('UserManagement.jsx: POST /api/users answers {inserted_id}; PUT {modified_count}; DELETE {deleted_count}', async () => {
    // The seed's modal sends name, email, online and role/type, no password: Vigil needs one.
    const noPassword = await call('POST', '/api/users', admin, {
      name: 'Dr New',
      email: 'dr.new@example.test',
      online: false,
      role: 'doctor',
      type: 'doctor',
    });
    expect(noPassword.statusCode).toBe(400);
    expect(noPassword.json<ErrorResponse>().field).toBe('password');
    const created = await call('POST', '/api/users', admin, {
      name: 'Dr New',
      email: 'dr.new@example.test',
      password: TEST_PASSWORD,
      online: false,
      role: 'doctor',
      type: 'doctor',
    });
    expect(created.statusCode).toBe(200);
    const id = created.json<{ inserted_id: string }>().inserted_id;
    const edited = await call('PUT', `/api/users/${id}`, admin, {
      name: 'Dr Renamed',
      email: 'dr.new@example.test',
      role: 'doctor',
      type: 'doctor',
    });
    expect(edited.json<{ modified_count: number }>()).toEqual({ modified_count: 1 });
    const same = await call('PUT', `/api/users/${id}`, admin, { name: 'Dr Renamed' });
    expect(same.json<{ modified_count: number }>()).toEqual({ modified_count: 0 });
    // Only admins create doctors (Vigil's rule, the seed's too).
    const byDoctor = await call('POST', '/api/users', doctor, {
      name: 'X',
      email: 'x@example.test',
      password: TEST_PASSWORD,
      type: 'doctor',
    });
    expect(byDoctor.statusCode).toBe(403);
    const removed = await call('DELETE', `/api/users/${id}`, admin);
    expect(removed.json<{ deleted_count: number }>()).toEqual({ deleted_count: 1 });
    expect((await call('GET', `/api/users/${id}`, admin)).statusCode).toBe(404);
  });

  it('PatientDashboard.jsx: GET /api/ecg?file= gives rows {time, lead1 … lead12} for chart.jsx', async () => {
    const res = await call('GET', `/api/ecg?file=${recordId}`, doctor);
    expect(res.statusCode).toBe(200);
    const rows = res.json<Record<string, number>[]>();
    expect(rows).toHaveLength(5000);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'time',
      ...Array.from({ length: 12 }, (_, l) => `lead${l + 1}`),
    ]);
    // lead2 is lead II of the record, in mV (stored as int16: within 1 µV of the sent value).
    expect(rows[1234]?.lead2).toBeCloseTo(record.leadsMv[1]?.[1234] ?? NaN, 2);
    expect((await call('GET', `/api/ecg?file=${recordId}`, otherDoctor)).statusCode).toBe(404);
  });

  it('PatientDashboard.jsx: GET /api/vitals?patient= gives heartRate, hrv, rrIntervalAvg, rrDistances', async () => {
    const res = await call('GET', `/api/vitals?patient=${recordId}`, doctor);
    expect(res.statusCode).toBe(200);
    const v = res.json<{
      heartRate: number;
      hrv: number;
      rrIntervalAvg: number;
      rrDistances: number[];
      skinTemp: null;
      pcgSignal: number[];
    }>();
    // HR06006: 80 bpm by the 12-lead interpretation of the same record.
    expect(v.heartRate).toBeGreaterThan(78);
    expect(v.heartRate).toBeLessThan(82);
    expect(v.rrIntervalAvg).toBeCloseTo(60_000 / v.heartRate, 0);
    expect(v.rrDistances.length).toBeGreaterThanOrEqual(10);
    expect(v.hrv).toBeGreaterThanOrEqual(0);
    // Nothing measured is invented (the seed answered 36.9 °C for every record).
    expect(v.skinTemp).toBeNull();
    expect(v.pcgSignal).toEqual([]);
  });

  it('PatientDashboard.jsx: POST /api/predict {file} gives predicted_class_name, predicted_full_name, confidence', async () => {
    const res = await call('POST', '/api/predict', doctor, { file: recordId });
    expect(res.statusCode).toBe(200);
    const p = res.json<{
      predicted_class_name: string;
      predicted_full_name: string;
      confidence: number;
    }>();
    expect(p.predicted_class_name).toBe('NORM');
    expect(p.predicted_full_name).toBe('Normal ECG');
    expect(p.confidence).toBeGreaterThan(0.5);
    expect(p.confidence).toBeLessThanOrEqual(1);
  });

  it('GET /api/records?class=&meta=true lists the stored ECGs by class with fs, samples, leads', async () => {
    const all = await call('GET', '/api/records?meta=true', doctor);
    expect(all.json()).toEqual([
      { id: recordId, class: 'NORM', path: recordId, fs: 500, samples: 5000, leads: 12 },
    ]);
    expect((await call('GET', '/api/records?class=MI', doctor)).json()).toEqual([]);
    expect((await call('GET', '/api/records', otherDoctor)).json()).toEqual([]);
  });

  it('StreamingDashboard.jsx: GET /api/mongo/stream?start=0&count=10 gives batches of 12-value rows', async () => {
    const res = await call('GET', '/api/mongo/stream?start=0&count=10', doctor);
    expect(res.statusCode).toBe(200);
    const batches = res.json<{ ecg: number[][]; leads: string[] }[]>();
    expect(batches).toHaveLength(10);
    // StreamingECGChart reads batch.ecg rows, row[l] as lead l + 1.
    expect(batches[0]?.ecg).toHaveLength(500);
    expect(batches[0]?.ecg[0]).toHaveLength(12);
    expect(batches[3]?.ecg[17]?.[6]).toBeCloseTo(record.leadsMv[6]?.[1517] ?? NaN, 2);
    expect(batches[0]?.leads).toHaveLength(12);
    // The dashboard's next poll: start=nextBatchStart&count=1.
    const next = await call('GET', '/api/mongo/stream?start=9&count=1', doctor);
    expect(next.json<unknown[]>()).toHaveLength(1);
    expect((await call('GET', '/api/mongo/stream?start=10&count=1', doctor)).json()).toEqual([]);
    // Another doctor sees no stream of this patient.
    const other = await call('GET', '/api/mongo/stream?start=0&count=10', otherDoctor);
    expect(other.statusCode).toBe(404);
    expect(other.json<ErrorResponse>().code).toBe('ECG_STREAM_NOT_FOUND');
  });

  it('StreamingDashboard.jsx: GET /api/mongo/vitals?window=10&start=0 gives heartRate for StreamingVitals', async () => {
    const res = await call('GET', '/api/mongo/vitals?window=10&start=0', patient);
    expect(res.statusCode).toBe(200);
    const v = res.json<{
      heartRate: number;
      hrv: number;
      rrIntervalAvg: number;
      rrDistances: number[];
      rhythmLead: string;
    }>();
    expect(v.rhythmLead).toBe('II');
    expect(Math.abs(v.heartRate - 80)).toBeLessThan(2);
    expect(v.rrDistances.length).toBeGreaterThanOrEqual(10);
    expect(v.rrIntervalAvg).toBeGreaterThan(700);
  });

  it('StreamingDashboard.jsx: POST /api/realtime/predict {ecg: 187 values of lead 1} says not assessable', async () => {
    // What the dashboard sends: lead 1 resampled to 187 points and min-max normalised.
    const normed = Array.from({ length: 187 }, (_, i) => (Math.sin(i / 10) + 1) / 2);
    const res = await call('POST', '/api/realtime/predict', doctor, { ecg: normed });
    expect(res.statusCode).toBe(200);
    const data = res.json<{
      success: boolean;
      prediction: { predicted_class_name: string; predicted_full_name: string; confidence: null };
    }>();
    const pred = data.prediction;
    expect(data.success).toBe(true);
    expect(pred.predicted_class_name).toBe('NOT_ASSESSABLE');
    expect(pred.predicted_full_name).toBe('MI not assessable from 1 lead (12 needed)');
    expect(pred.confidence).toBeNull();
  });

  it('POST /api/realtime/predict with the 12-value rows of /api/mongo/stream interprets them', async () => {
    const batches = (await call('GET', '/api/mongo/stream?start=0&count=10', doctor)).json<
      { ecg: number[][] }[]
    >();
    const rows = batches.flatMap((b) => b.ecg);
    const res = await call('POST', '/api/realtime/predict', doctor, { ecg: rows });
    const pred = res.json<{ prediction: { predicted_class_name: string; criteria: string[] } }>()
      .prediction;
    expect(pred.predicted_class_name).toBe('NORM');
    expect(pred.criteria).toEqual([]);
    const three = await call('POST', '/api/realtime/predict', doctor, {
      ecg: rows.map((r) => r.slice(0, 3)),
    });
    expect(
      three.json<{ prediction: { predicted_full_name: string } }>().prediction.predicted_full_name,
    ).toBe('MI not assessable from 3 leads (12 needed)');
  });

  it('the calls the front end makes without a token get 401: Vigil serves no patient data anonymously', async () => {
    for (const [method, url] of [
      ['GET', '/api/mongo/stream?start=0&count=10'],
      ['GET', '/api/mongo/vitals?window=10&start=0'],
      ['GET', `/api/ecg?file=${recordId}`],
      ['GET', `/api/vitals?patient=${recordId}`],
      ['GET', '/api/records'],
    ] as const)
      expect((await call(method, url, null)).statusCode).toBe(401);
    expect((await call('POST', '/api/predict', null, { file: recordId })).statusCode).toBe(401);
    expect((await call('POST', '/api/realtime/predict', null, { ecg: [1, 2] })).statusCode).toBe(
      401,
    );
  });
});
