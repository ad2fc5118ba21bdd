import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/index.js';
import { DEMO_CLINIC, seedDemoClinic } from './demo-clinic.js';

const passwords = Object.fromEntries(
  DEMO_CLINIC.map((d) => [d.email, `demo-pass-${d.email.length}9`]),
);

let t: TestApp;

beforeEach(async () => {
  t = await createTestApp();
});

afterEach(async () => {
  await t.close();
});

function seed() {
  const { users, devices, auth } = t.container.services;
  return seedDemoClinic({
    users,
    devices,
    passwords,
    patientPassword: 'patient-pass-42',
    passwordMatches: (email, password) => auth.passwordMatches(email, password),
  });
}

async function signInTokens(
  email: string,
  password: string,
): Promise<{ access_token: string; refresh_token: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ access_token: string; refresh_token: string }>();
}

async function signIn(email: string, password: string): Promise<string> {
  return (await signInTokens(email, password)).access_token;
}

function refresh(refreshToken: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/refresh',
    payload: { refresh_token: refreshToken },
  });
}

describe('demo clinic seeding', () => {
  it('creates two doctors, six patients and a device for each patient, one of them the cardiac-monitor ESP32', async () => {
    const clinic = await seed();
    expect(clinic.doctors.map((d) => d.email)).toEqual([
      'doctor@vigil.local',
      'doctor2@vigil.local',
    ]);
    expect(clinic.doctors[0]?.patients.map((p) => p.name)).toEqual([
      'Ada Lovelace',
      'Ben Carter',
      'Chloe Diaz',
    ]);
    expect(clinic.devices.map((d) => [d.deviceId, d.scenario])).toEqual([
      ['DEMO-ECG-001', 'normal'],
      ['DEMO-ECG-002', 'tachycardia'],
      ['DEMO-ECG-003', 'af'],
      ['DEMO-ECG-004', 'fever'],
      ['DEMO-BABY-001', 'baby-cry'],
      ['DEMO-CM-005', 'normal'],
    ]);
    expect(clinic.devices.filter((d) => d.firmware).map((d) => d.deviceId)).toEqual([
      'DEMO-CM-005',
    ]);
    const token = await signIn('doctor2@vigil.local', passwords['doctor2@vigil.local'] ?? '');
    const devices = await t.app.inject({
      url: '/api/v1/devices',
      headers: { authorization: `Bearer ${token}` },
    });
    const cm = devices
      .json<{ device_id: string; ecg_input: { preset: string } }[]>()
      .find((d) => d.device_id === 'DEMO-CM-005');
    expect(cm?.ecg_input.preset).toBe('ad8232-esp32-12bit');
  });

  it('is idempotent: a second run creates nothing new and gives working device keys', async () => {
    const first = await seed();
    const second = await seed();
    expect(second.doctors.map((d) => d.id)).toEqual(first.doctors.map((d) => d.id));
    expect(second.devices.map((d) => d.patientId)).toEqual(first.devices.map((d) => d.patientId));

    const token = await signIn('doctor@vigil.local', passwords['doctor@vigil.local'] ?? '');
    const auth = { authorization: `Bearer ${token}` };
    const patients = await t.app.inject({ url: '/api/v1/users/patients', headers: auth });
    expect(patients.json<unknown[]>().length).toBe(3);
    const devices = await t.app.inject({ url: '/api/v1/devices', headers: auth });
    expect(devices.json<unknown[]>().length).toBe(3);

    // The rotated key is the one that works now.
    const { services } = t.container;
    const fresh = second.devices[0]?.apiKey ?? '';
    const stale = first.devices[0]?.apiKey ?? '';
    await expect(services.devices.authenticateKey(fresh)).resolves.toMatchObject({
      kind: 'device',
    });
    await expect(services.devices.authenticateKey(stale)).rejects.toThrow();
  });

  it('starts again after a demo device was retired, simulating the others and leaving it retired', async () => {
    const first = await seed();
    const token = await signIn('doctor@vigil.local', passwords['doctor@vigil.local'] ?? '');
    const list = await t.app.inject({
      url: '/api/v1/devices',
      headers: { authorization: `Bearer ${token}` },
    });
    const retired = list
      .json<{ id: string; device_id: string }[]>()
      .find((d) => d.device_id === 'DEMO-ECG-002');
    expect(retired).toBeDefined();
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${retired?.id ?? ''}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(204);
    const second = await seed();
    expect(second.devices.map((d) => d.deviceId)).toEqual(
      first.devices.map((d) => d.deviceId).filter((id) => id !== 'DEMO-ECG-002'),
    );
    const row = await t.container.repositories.devices.findByDeviceId('DEMO-ECG-002');
    expect(row?.retired_at).not.toBeNull();
  });

  it("keeps each doctor's patients to that doctor", async () => {
    await seed();
    const token = await signIn('doctor2@vigil.local', passwords['doctor2@vigil.local'] ?? '');
    const res = await t.app.inject({
      url: '/api/v1/users/patients',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(
      res
        .json<{ name: string }[]>()
        .map((p) => p.name)
        .sort(),
    ).toEqual(['Dan Evans', 'Eve Moreno', 'Mia Evans']);
  });

  it("a restart (seeding again) keeps a doctor's sessions: their refresh token still works", async () => {
    await seed();
    const email = 'doctor@vigil.local';
    const { refresh_token } = await signInTokens(email, passwords[email] ?? '');
    const again = await seed();
    expect(again.doctors[0]?.password).toBe(passwords[email]);
    const res = await refresh(refresh_token);
    expect(res.statusCode).toBe(200);
  });

  it("a restart keeps a password the doctor changed, and does not report the demo's one as theirs", async () => {
    await seed();
    const email = 'doctor2@vigil.local';
    const access = await signIn(email, passwords[email] ?? '');
    const me = await t.app.inject({
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${access}` },
    });
    const changed = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/users/${me.json<{ id: string }>().id}`,
      headers: { authorization: `Bearer ${access}` },
      payload: { password: 'my-own-secret-pass-77' },
    });
    expect(changed.statusCode).toBe(200);
    const { refresh_token } = await signInTokens(email, 'my-own-secret-pass-77');

    const again = await seed();

    expect(again.doctors.map((d) => [d.email, d.password])).toEqual([
      ['doctor@vigil.local', passwords['doctor@vigil.local']],
      ['doctor2@vigil.local', undefined],
    ]);
    await signInTokens(email, 'my-own-secret-pass-77');
    expect((await refresh(refresh_token)).statusCode).toBe(200);
    const old = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: passwords[email] },
    });
    expect(old.statusCode).toBe(401);
  });
});
