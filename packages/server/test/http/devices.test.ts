import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentDevice } from '../../src/transports/http/plugins/auth.plugin.js';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
} from '../helpers/index.js';

const GLOBAL_KEY = 'seed-000-global-key-0123456789';

/** A device-authenticated route like the vitals upload, to exercise app.authenticateDevice. */
function probe(t: () => TestApp) {
  return (app: FastifyInstance, _options: unknown, done: () => void) => {
    app.post<{ Body: { device_id: string } }>(
      '/probe/upload',
      { onRequest: [app.authenticateDevice] },
      async (request) => {
        const device = await t().container.services.devices.resolveUploader(
          currentDevice(request),
          request.body.device_id,
        );
        return { id: device.id, device_id: device.device_id, patient_id: device.patient_id };
      },
    );
    done();
  };
}

let t: TestApp;
// Each describe block shares one app; tests create their own users and device ids.
const sharedApp = () => {
  beforeAll(async () => {
    t = await createTestApp({ env: { API_KEY: GLOBAL_KEY }, plugins: [probe(() => t)] });
  });
  afterAll(async () => {
    await t.close();
  });
};

const upload = (key: string | undefined, deviceId: string) =>
  t.app.inject({
    method: 'POST',
    url: '/probe/upload',
    headers: key === undefined ? {} : { 'x-api-key': key },
    payload: { device_id: deviceId },
  });

describe('device keys', () => {
  sharedApp();
  it('shows the key once at registration and never again', async () => {
    const doctor = await createDoctor(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/devices/register',
      headers: doctor.headers,
      payload: { device_id: 'ESP32-A1', name: 'Bedside' },
    });
    expect(response.statusCode).toBe(201);
    const device = response.json<{ id: string; api_key: string; api_key_prefix: string }>();
    expect(device.api_key).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
    expect(device.api_key.startsWith(device.api_key_prefix)).toBe(true);
    const list = await t.app.inject({ url: '/api/v1/devices', headers: doctor.headers });
    const get = await t.app.inject({
      url: `/api/v1/devices/${device.id}`,
      headers: doctor.headers,
    });
    for (const body of [list.body, get.body]) {
      expect(body).not.toContain(device.api_key);
      expect(body).not.toContain('api_key"');
    }
  });

  it("accepts a device's own key for its own device_id", async () => {
    const patient = await createPatient(t);
    const device = await registerDevice(t, patient, { deviceId: 'ESP32-OWN' });
    const response = await upload(device.api_key, 'ESP32-OWN');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id: device.id,
      device_id: 'ESP32-OWN',
      patient_id: patient.user.id,
    });
  });

  it("rejects a packet from another device's key with DEVICE_MISMATCH", async () => {
    const patient = await createPatient(t);
    const mine = await registerDevice(t, patient, { deviceId: 'ESP32-MINE' });
    await registerDevice(t, patient, { deviceId: 'ESP32-OTHER' });
    const response = await upload(mine.api_key, 'ESP32-OTHER');
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'DEVICE_MISMATCH', field: 'device_id' });
  });

  it('refuses missing and unknown keys with API_KEY_INVALID', async () => {
    for (const key of [undefined, 'vgl_not-a-real-key']) {
      const response = await upload(key, 'ESP32-X');
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'API_KEY_INVALID' });
    }
  });

  it('stops accepting the old key as soon as the key is rotated', async () => {
    const patient = await createPatient(t);
    const device = await registerDevice(t, patient, { deviceId: 'ESP32-ROT' });
    const rotated = await t.app.inject({
      method: 'POST',
      url: `/api/v1/devices/${device.id}/rotate-key`,
      headers: patient.headers,
    });
    expect(rotated.statusCode).toBe(200);
    const newKey = rotated.json<{ api_key: string }>().api_key;
    expect(newKey).not.toBe(device.api_key);
    expect((await upload(device.api_key, 'ESP32-ROT')).statusCode).toBe(401);
    expect((await upload(newKey, 'ESP32-ROT')).statusCode).toBe(200);
  });

  it("rejects ingest with a retired device's key", async () => {
    const patient = await createPatient(t);
    const device = await registerDevice(t, patient, { deviceId: 'ESP32-DEL' });
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${device.id}`,
      headers: patient.headers,
    });
    expect(deleted.statusCode).toBe(204);
    const refused = await upload(device.api_key, 'ESP32-DEL');
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'API_KEY_INVALID' });
    const global = await upload(GLOBAL_KEY, 'ESP32-DEL');
    expect(global.statusCode).toBe(409);
    expect(global.json()).toMatchObject({ code: 'DEVICE_RETIRED', field: 'device_id' });
  });

  it('accepts the global API_KEY of seed 000 for registered devices only', async () => {
    const patient = await createPatient(t);
    const device = await registerDevice(t, patient, { deviceId: 'ESP32-LEGACY' });
    const ok = await upload(GLOBAL_KEY, 'ESP32-LEGACY');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ id: device.id });
    const unknown = await upload(GLOBAL_KEY, 'ESP32-NEVER-REGISTERED');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'DEVICE_NOT_FOUND', field: 'device_id' });
  });

  it('has no global key unless API_KEY is configured', async () => {
    const shared = t;
    t = await createTestApp({ plugins: [probe(() => t)] });
    try {
      const patient = await createPatient(t);
      await registerDevice(t, patient, { deviceId: 'ESP32-G' });
      expect((await upload(GLOBAL_KEY, 'ESP32-G')).statusCode).toBe(401);
    } finally {
      await t.close();
      t = shared;
    }
  });
});

describe('device visibility', () => {
  sharedApp();
  it('lists each caller exactly the devices they may see', async () => {
    const admin = await createAdmin(t);
    const docA = await createDoctor(t, admin);
    const docB = await createDoctor(t, admin);
    const patA = await createPatient(t, docA);
    const patB = await createPatient(t, docB);
    const devA = await registerDevice(t, patA, { deviceId: 'A-1' });
    const devB = await registerDevice(t, docB, { deviceId: 'B-1', patientId: patB.user.id });
    const spare = await registerDevice(t, docA, { deviceId: 'A-SPARE' });
    const ids = async (headers: { authorization: string }) =>
      (await t.app.inject({ url: '/api/v1/devices', headers }))
        .json<{ device_id: string }[]>()
        .map((d) => d.device_id)
        .sort();
    expect(await ids(admin.headers)).toEqual(['A-1', 'A-SPARE', 'B-1']);
    expect(await ids(docA.headers)).toEqual(['A-1', 'A-SPARE']);
    expect(await ids(docB.headers)).toEqual(['B-1']);
    expect(await ids(patA.headers)).toEqual(['A-1']);
    expect(await ids(patB.headers)).toEqual(['B-1']);
    // Assigning the spare to patient A makes it theirs.
    const assigned = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/devices/${spare.id}`,
      headers: docA.headers,
      payload: { patient_id: patA.user.id },
    });
    expect(assigned.json()).toMatchObject({ patient_id: patA.user.id });
    expect(await ids(patA.headers)).toEqual(['A-1', 'A-SPARE']);
    expect([devA.patient_id, devB.patient_id]).toEqual([patA.user.id, patB.user.id]);
  });

  it('pages through devices with limit and offset', async () => {
    const doctor = await createDoctor(t);
    for (const id of ['P-1', 'P-2', 'P-3']) {
      await registerDevice(t, doctor, { deviceId: id });
      t.clock.advance(1000);
    }
    const page = await t.app.inject({
      url: '/api/v1/devices?limit=2&offset=1',
      headers: doctor.headers,
    });
    expect(page.json<{ device_id: string }[]>().map((d) => d.device_id)).toEqual(['P-2', 'P-3']);
  });
});
