import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';

/**
 * Seed 004's alert documents carry `seen_by_patient`, set with `PUT /api/alerts/{id}`
 * (back/routes/alerts.py $sets the body). Before: a patient's `{"seen_by_patient": true}`
 * answered 200 {"modified_count": 0} and the flag stayed false forever.
 */
describe('seed 004 alert seen_by_patient', () => {
  let t: TestApp;
  let doctor: TestUser;
  let other: TestUser;
  let patient: TestUser;
  let otherPatient: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Seen');
    other = await createDoctor(t, admin, 'Dr Elsewhere');
    patient = await createPatient(t, doctor, 'Pat Seen');
    otherPatient = await createPatient(t, other, 'Pat Elsewhere');
  });
  afterAll(async () => {
    await t.close();
  });

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, user: TestUser, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: user.headers,
      ...(payload === undefined ? {} : { payload }),
    });
  const newAlert = async (message: string) => {
    const created = await call('POST', '/api/alerts', doctor, {
      patient_id: patient.user.id,
      message,
    });
    expect(created.statusCode, created.body).toBe(200);
    return created.json<{ inserted_id: string }>().inserted_id;
  };

  it('is stored when the patient marks their alert seen, and returned on every read', async () => {
    const id = await newAlert('Please call the clinic');
    expect((await call('GET', `/api/alerts/${id}`, patient)).json()).toMatchObject({
      seen_by_patient: false,
      seen_by_doctor: false,
    });
    t.clock.advance(5_000);
    const seenAt = t.clock.now();
    const put = await call('PUT', `/api/alerts/${id}`, patient, { seen_by_patient: true });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({ modified_count: 1 });
    // Again: already seen, nothing changes.
    expect(
      (await call('PUT', `/api/alerts/${id}`, patient, { seen_by_patient: true })).json(),
    ).toEqual({ modified_count: 0 });

    for (const reader of [patient, doctor]) {
      expect((await call('GET', `/api/alerts/${id}`, reader)).json()).toMatchObject({
        _id: id,
        seen_by_patient: true,
        seen_by_doctor: false,
        resolved: false,
      });
    }
    const listed = (await call('GET', `/api/alerts/patient/${patient.user.id}`, doctor)).json<
      { _id: string; seen_by_patient: boolean }[]
    >();
    expect(listed.find((a) => a._id === id)?.seen_by_patient).toBe(true);
    // The native view has when.
    const native = await call('GET', `/api/v1/alerts/${id}`, doctor);
    expect(native.statusCode, native.body).toBe(200);
    expect(native.json()).toMatchObject({
      seen_by_patient_at: seenAt,
      acknowledged_at: null,
      status: 'active_unack',
    });
  });

  it("is allowed to the patient's doctor, and 404 to another doctor or patient", async () => {
    const id = await newAlert('Bring your device');
    for (const stranger of [other, otherPatient]) {
      const res = await call('PUT', `/api/alerts/${id}`, stranger, { seen_by_patient: true });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'ALERT_NOT_FOUND' });
    }
    expect((await call('GET', `/api/alerts/${id}`, patient)).json()).toMatchObject({
      seen_by_patient: false,
    });
    const byDoctor = await call('PUT', `/api/alerts/${id}`, doctor, { seen_by_patient: true });
    expect(byDoctor.json()).toEqual({ modified_count: 1 });
    expect((await call('GET', `/api/alerts/${id}`, patient)).json()).toMatchObject({
      seen_by_patient: true,
    });
  });
});
