import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorResponse } from '@vigil/protocol';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';

type SeedAlert = {
  _id: string;
  patient_id: string;
  doctor_id: string | null;
  type: string;
  message: string;
  severity: string;
  timestamp: number;
  seen_by_doctor: boolean;
  resolved: boolean;
};

/**
 * Seed 004's alert and device documents (back/routes/alerts.py, devices.py): create answers
 * {inserted_id}, read, list by patient and by doctor, update {modified_count}, delete
 * {deleted_count}, with Vigil's role rules. Doctors create, edit and delete manual alerts.
 */
describe('seed 004 alerts and devices', () => {
  let t: TestApp;
  let admin: TestUser;
  let doctor: TestUser;
  let other: TestUser;
  let patient: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr A');
    other = await createDoctor(t, admin, 'Dr B');
    patient = await createPatient(t, doctor, 'Pat A');
  });
  afterAll(async () => {
    await t.close();
  });

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    user: TestUser,
    payload?: object,
  ) =>
    t.app.inject({
      method,
      url,
      headers: user.headers,
      ...(payload === undefined ? {} : { payload }),
    });

  it("reports (back/routes/reports.py): a doctor builds one on their patient's stored data, lists, edits, finalises; a final one is kept", async () => {
    const created = await call('POST', '/api/reports', doctor, {
      patient_id: patient.user.id,
      diagnosis: 'Sinus rhythm, no events',
      content: 'Weekly review',
    });
    expect(created.statusCode).toBe(200);
    const id = created.json<{ inserted_id: string }>().inserted_id;
    const read = await call('GET', `/api/reports/${id}`, patient);
    expect(read.statusCode).toBe(200);
    const doc = read.json<{
      _id: string;
      doctor_id: string;
      patient_id: string;
      diagnosis: string;
      content: string;
      pdfUrl: string;
      period_start: number;
      period_end: number;
    }>();
    expect(doc).toMatchObject({
      _id: id,
      doctor_id: doctor.user.id,
      patient_id: patient.user.id,
      diagnosis: 'Sinus rhythm, no events',
      content: 'Weekly review',
      pdfUrl: `/api/v1/reports/${id}/pdf`,
    });
    expect(doc.period_end - doc.period_start).toBe(86_400_000);
    const byPatient = await call('GET', `/api/reports/patient/${patient.user.id}`, doctor);
    expect(byPatient.json<{ _id: string }[]>().map((r) => r._id)).toContain(id);
    const byDoctor = await call('GET', `/api/reports/doctor/${doctor.user.id}`, doctor);
    expect(byDoctor.json<{ _id: string }[]>().map((r) => r._id)).toContain(id);
    expect((await call('GET', `/api/reports/${id}`, other)).statusCode).toBe(404);
    expect((await call('GET', `/api/reports/doctor/${doctor.user.id}`, other)).statusCode).toBe(
      404,
    );
    const edited = await call('PUT', `/api/reports/${id}`, doctor, { content: 'Reviewed' });
    expect(edited.json()).toEqual({ modified_count: 1 });
    expect((await call('GET', `/api/reports/${id}`, doctor)).json()).toMatchObject({
      content: 'Reviewed',
    });
    await call('PUT', `/api/reports/${id}`, doctor, { status: 'final' });
    const refused = await call('DELETE', `/api/reports/${id}`, doctor);
    expect(refused.statusCode).toBe(409);
    expect(refused.json<ErrorResponse>().code).toBe('REPORT_FINAL');
    const draft = await call('POST', '/api/reports', doctor, { patient_id: patient.user.id });
    const draftId = draft.json<{ inserted_id: string }>().inserted_id;
    expect((await call('DELETE', `/api/reports/${draftId}`, doctor)).json()).toEqual({
      deleted_count: 1,
    });
    expect((await call('GET', `/api/reports/${draftId}`, doctor)).statusCode).toBe(404);
  });

  it('a doctor creates, reads, lists, edits and deletes a manual alert of their patient', async () => {
    const created = await call('POST', '/api/alerts', doctor, {
      patient_id: patient.user.id,
      message: 'Call the patient about chest pain',
      severity: 'critical',
    });
    expect(created.statusCode).toBe(200);
    const id = created.json<{ inserted_id: string }>().inserted_id;
    const second = await call('POST', '/api/alerts', doctor, {
      patient_id: patient.user.id,
      message: 'Check electrodes',
    });
    expect(second.statusCode).toBe(200);

    const one = (await call('GET', `/api/alerts/${id}`, patient)).json<SeedAlert>();
    expect(one).toMatchObject({
      _id: id,
      patient_id: patient.user.id,
      doctor_id: doctor.user.id,
      type: 'manual',
      message: 'Call the patient about chest pain',
      severity: 'critical',
      seen_by_doctor: false,
      resolved: false,
    });
    expect(one.timestamp).toBe(t.clock.now());

    const byPatient = (await call('GET', `/api/alerts/patient/${patient.user.id}`, doctor)).json<
      SeedAlert[]
    >();
    expect(byPatient.map((a) => a.message).sort()).toEqual([
      'Call the patient about chest pain',
      'Check electrodes',
    ]);
    const byDoctor = (await call('GET', `/api/alerts/doctor/${doctor.user.id}`, doctor)).json<
      SeedAlert[]
    >();
    expect(byDoctor).toHaveLength(2);
    expect(
      (await call('GET', `/api/alerts/doctor/${doctor.user.id}`, admin)).json<SeedAlert[]>(),
    ).toHaveLength(2);
    // Another doctor sees neither list nor alert.
    expect((await call('GET', `/api/alerts/doctor/${doctor.user.id}`, other)).json()).toEqual([]);
    expect((await call('GET', `/api/alerts/patient/${patient.user.id}`, other)).json()).toEqual([]);
    expect((await call('GET', `/api/alerts/${id}`, other)).statusCode).toBe(404);

    const edited = await call('PUT', `/api/alerts/${id}`, doctor, {
      message: 'Call today',
      seen_by_doctor: true,
    });
    expect(edited.json()).toEqual({ modified_count: 1 });
    expect(
      (await call('PUT', `/api/alerts/${id}`, doctor, { message: 'Call today' })).json(),
    ).toEqual({
      modified_count: 0,
    });
    const after = (await call('GET', `/api/alerts/${id}`, doctor)).json<SeedAlert>();
    expect(after).toMatchObject({ message: 'Call today', seen_by_doctor: true });

    // A patient reads their alerts but changes none.
    expect((await call('PUT', `/api/alerts/${id}`, patient, { message: 'x' })).statusCode).toBe(
      403,
    );
    expect((await call('DELETE', `/api/alerts/${id}`, patient)).statusCode).toBe(403);
    expect(
      (await call('POST', '/api/alerts', patient, { patient_id: patient.user.id, message: 'x' }))
        .statusCode,
    ).toBe(403);
    // Not another doctor's patient.
    const foreign = await call('POST', '/api/alerts', other, {
      patient_id: patient.user.id,
      message: 'x',
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json<ErrorResponse>().field).toBe('patient_id');

    expect((await call('DELETE', `/api/alerts/${id}`, doctor)).json()).toEqual({
      deleted_count: 1,
    });
    expect((await call('GET', `/api/alerts/${id}`, doctor)).statusCode).toBe(404);
    expect(
      (await call('GET', `/api/alerts/patient/${patient.user.id}`, doctor)).json<SeedAlert[]>(),
    ).toHaveLength(1);
  });

  it("a rule's alert is acknowledged and resolved through PUT, never edited or deleted", async () => {
    await t.container.services.alerts.observe(patient.user.id, 'DEV-1', {
      atMs: t.clock.now(),
      heartRateBpm: null,
      spo2Percent: null,
      temperatureC: null,
      riskLabel: 'high',
      analysable: null,
      afOngoing: null,
      vtRunBeats: null,
      longestPauseMs: null,
    });
    const rule = (await call('GET', `/api/alerts/patient/${patient.user.id}`, doctor))
      .json<SeedAlert[]>()
      .find((a) => a.type === 'risk_high');
    expect(rule).toBeDefined();
    const id = rule?._id ?? '';
    const edit = await call('PUT', `/api/alerts/${id}`, doctor, { message: 'edited' });
    expect(edit.statusCode).toBe(409);
    expect(edit.json<ErrorResponse>().code).toBe('ALERT_NOT_MANUAL');
    expect((await call('DELETE', `/api/alerts/${id}`, doctor)).statusCode).toBe(409);
    expect((await call('PUT', `/api/alerts/${id}`, doctor, { resolved: true })).json()).toEqual({
      modified_count: 1,
    });
    expect((await call('GET', `/api/alerts/${id}`, doctor)).json<SeedAlert>().resolved).toBe(true);
  });

  it('devices: POST {serial, patient_id} answers {inserted_id, api_key}; GET, by patient, PUT, DELETE', async () => {
    const created = await call('POST', '/api/devices', doctor, {
      serial: 'ECG12-0001',
      patient_id: patient.user.id,
      type: '12-lead',
    });
    expect(created.statusCode).toBe(200);
    const { inserted_id: id, api_key } = created.json<{ inserted_id: string; api_key: string }>();
    expect(api_key).toMatch(/^vgl_/);
    const d = (await call('GET', `/api/devices/${id}`, doctor)).json<Record<string, unknown>>();
    expect(d).toMatchObject({
      _id: id,
      serial: 'ECG12-0001',
      patient_id: patient.user.id,
      status: 'inactive',
      name: '12-lead',
    });
    const mine = (await call('GET', `/api/devices/patient/${patient.user.id}`, patient)).json<
      { serial: string }[]
    >();
    expect(mine.map((x) => x.serial)).toEqual(['ECG12-0001']);
    expect((await call('GET', `/api/devices/patient/${patient.user.id}`, other)).json()).toEqual(
      [],
    );
    expect((await call('PUT', `/api/devices/${id}`, doctor, { name: 'Bed 4' })).json()).toEqual({
      modified_count: 1,
    });
    expect((await call('GET', `/api/devices/${id}`, other)).statusCode).toBe(404);
    expect((await call('DELETE', `/api/devices/${id}`, doctor)).json()).toEqual({
      deleted_count: 1,
    });
    // Gone for the seed's clients (its document was deleted); Vigil keeps it retired.
    expect((await call('GET', `/api/devices/${id}`, doctor)).statusCode).toBe(404);
    expect((await call('DELETE', `/api/devices/${id}`, doctor)).statusCode).toBe(404);
    expect((await call('PUT', `/api/devices/${id}`, doctor, { name: 'x' })).statusCode).toBe(404);
    const kept = await call('GET', `/api/v1/devices/${id}`, doctor);
    expect(kept.json<{ retired_at: string | null }>().retired_at).not.toBeNull();
  });
});
