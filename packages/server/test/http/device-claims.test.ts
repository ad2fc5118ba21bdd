import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post, syntheticPackets } from '../vitals/packets.js';

describe('device id claims', () => {
  let t: TestApp;
  let admin: TestUser;
  let doctor: TestUser;
  let clinicPatient: TestUser;
  let squatter: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    clinicPatient = await createPatient(t, doctor);
    squatter = await createPatient(t); // signed up publicly, no doctor
  });
  afterAll(async () => {
    await t.close();
  });

  const register = (by: TestUser, deviceId: string, patientId?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/devices/register',
      headers: by.headers,
      payload:
        patientId === undefined
          ? { device_id: deviceId }
          : { device_id: deviceId, patient_id: patientId },
    });

  it('lets a clinic take over an id that a publicly signed-up patient registered but never used', async () => {
    const squat = await register(squatter, 'ESP32-CLINIC-7');
    expect(squat.statusCode).toBe(201);
    const squatKey = squat.json<{ api_key: string }>().api_key;

    const clinic = await register(doctor, 'ESP32-CLINIC-7', clinicPatient.user.id);
    expect(clinic.statusCode).toBe(201);
    expect(clinic.json()).toMatchObject({
      device_id: 'ESP32-CLINIC-7',
      patient_id: clinicPatient.user.id,
    });
    const clinicKey = clinic.json<{ api_key: string }>().api_key;

    // The squatter's key no longer speaks for the id; the clinic's does, for its patient.
    const [p] = syntheticPackets('ESP32-CLINIC-7', 72, 1, Date.now() - 1000, 5);
    expect((await post(t, squatKey, p)).statusCode).toBe(401);
    expect((await post(t, clinicKey, p)).statusCode).toBe(201);
    const mine = await t.app.inject({ url: '/api/v1/devices', headers: squatter.headers });
    expect(mine.json<unknown[]>()).toEqual([]);
  });

  it('keeps an id a patient has used (409 DEVICE_ID_TAKEN), and a clinic device against a patient', async () => {
    const own = await register(squatter, 'ESP32-HOME-1');
    const key = own.json<{ api_key: string }>().api_key;
    const [p] = syntheticPackets('ESP32-HOME-1', 72, 1, Date.now() - 1000, 6);
    expect((await post(t, key, p)).statusCode).toBe(201);
    const clinic = await register(admin, 'ESP32-HOME-1');
    expect(clinic.statusCode).toBe(409);
    expect(clinic.json()).toMatchObject({ code: 'DEVICE_ID_TAKEN', field: 'device_id' });
    // A patient cannot displace a clinic's device either.
    expect((await register(squatter, 'ESP32-CLINIC-7')).statusCode).toBe(409);
  });
});
