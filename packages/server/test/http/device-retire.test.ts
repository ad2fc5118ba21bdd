import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFhirWorld, type FhirWorld } from '../fhir/fhir-world.js';
import {
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post, syntheticPackets } from '../vitals/packets.js';

const GLOBAL_KEY = 'seed-000-global-key-0123456789';

/**
 * A clinic removes a broken chest patch (`DELETE /api/v1/devices/{id}`). Deleting its row
 * cascaded to every reading it ever sent, for every patient it served; the device is now retired
 * instead: its key and id are dead, and the patient's record keeps every reading.
 */
describe('a retired device', () => {
  let t: TestApp;
  let w: FhirWorld;
  let retiredAt: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { API_KEY: GLOBAL_KEY } });
    w = await buildFhirWorld(t);
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${w.devA.id}`,
      headers: w.docA.headers,
    });
    expect(res.statusCode, res.body).toBe(204);
    retiredAt = new Date(t.clock.now()).toISOString();
  });
  afterAll(async () => {
    await t.close();
  });

  const window = () => `from=${w.base - 1000}&to=${w.base + 60_000}`;

  it("keeps a retired device's readings in the patient's history", async () => {
    const history = await t.app.inject({
      url: `/api/v1/patients/${w.patA.user.id}/heart-rate?${window()}`,
      headers: w.docA.headers,
    });
    const observations = history.json<{ observations: { bpm: number; device_id: string }[] }>()
      .observations;
    expect(observations).toHaveLength(w.packets);
    expect(observations.every((o) => o.bpm === 70 && o.device_id === w.devA.device_id)).toBe(true);
    const packets = await t.app.inject({
      url: `/api/v1/vitals/${w.devA.device_id}?${window()}&limit=1000`,
      headers: w.patA.headers,
    });
    expect(packets.statusCode, packets.body).toBe(200);
    expect(packets.json<{ items: unknown[] }>().items).toHaveLength(w.packets);
    // The patient's own app reads across all their devices, the retired one included.
    const app = await t.app.inject({
      url: '/api/v1/vitals/me/history?limit=200&offset=0',
      headers: w.patA.headers,
    });
    expect(app.statusCode, app.body).toBe(200);
    expect(JSON.stringify(app.json())).toContain(w.devA.device_id);
  });

  it("keeps a retired device's readings in FHIR, its Device inactive", async () => {
    const search = await t.app.inject({
      url: `/fhir/R4/Observation?patient=${w.patA.user.id}&code=http://loinc.org|8867-4&_count=100&_total=accurate`,
      headers: w.docA.headers,
    });
    expect(search.statusCode, search.body).toBe(200);
    expect(search.json<{ total: number }>().total).toBe(w.packets);
    const device = await t.app.inject({
      url: `/fhir/R4/Device/${w.devA.id}`,
      headers: w.docA.headers,
    });
    expect(device.statusCode, device.body).toBe(200);
    expect(device.json()).toMatchObject({
      status: 'inactive',
      identifier: [{ value: w.devA.device_id }],
    });
  });

  it("keeps a retired device's readings in the patient's report", async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/patients/${w.patA.user.id}/reports`,
      headers: w.docA.headers,
      payload: { period_start: w.base, period_end: w.base + 60_000, title: 'Before removal' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const content = res.json<{ content: { devices: string[]; packets: number } }>().content;
    expect(content.devices).toEqual([w.devA.device_id]);
    expect(content.packets).toBe(w.packets);
  });

  it("rejects ingest with a retired device's key, and the global key for its id", async () => {
    const later = syntheticPackets(w.devA.device_id, 70, 3, w.base + 120_000, 7);
    const own = await post(t, w.devA.api_key, later);
    expect(own.statusCode, own.body).toBe(401);
    expect(own.json()).toMatchObject({ code: 'API_KEY_INVALID' });
    const global = await post(t, GLOBAL_KEY, later);
    expect(global.statusCode, global.body).toBe(409);
    // The batch's first packet names the retired device.
    expect(global.json()).toMatchObject({ code: 'DEVICE_RETIRED', field: '[0].device_id' });
    const stored = await t.app.inject({
      url: `/api/v1/vitals/${w.devA.device_id}?from=${w.base}&to=${w.base + 600_000}&limit=1000`,
      headers: w.docA.headers,
    });
    expect(stored.json<{ items: unknown[] }>().items).toHaveLength(w.packets);
  });

  it("refuses to register a retired device's id again", async () => {
    for (const by of [w.docA, w.admin, w.patA]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/devices/register',
        headers: by.headers,
        payload: { device_id: w.devA.device_id },
      });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({ code: 'DEVICE_ID_RETIRED', field: 'device_id' });
    }
  });

  it('leaves device lists unless include_retired=true, and stays readable with retired_at', async () => {
    const ids = async (user: TestUser, query = '') =>
      (await t.app.inject({ url: `/api/v1/devices${query}`, headers: user.headers }))
        .json<{ id: string; retired_at: string | null }[]>()
        .map((d) => [d.id, d.retired_at]);
    expect(await ids(w.docA)).toEqual([]);
    expect(await ids(w.admin)).toEqual([]);
    expect(await ids(w.docA, '?include_retired=true')).toEqual([[w.devA.id, retiredAt]]);
    expect(await ids(w.patA, '?include_retired=true')).toEqual([[w.devA.id, retiredAt]]);
    const one = await t.app.inject({
      url: `/api/v1/devices/${w.devA.id}`,
      headers: w.patA.headers,
    });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({
      device_id: w.devA.device_id,
      patient_id: w.patA.user.id,
      retired_at: retiredAt,
    });
    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: w.patA.headers });
    expect(me.json<{ device_ids: string[] }>().device_ids).toEqual([]);
  });

  it('refuses to reassign, rename or re-key a retired device', async () => {
    const other = await createPatient(t, w.docA, 'Next Patient');
    for (const payload of [{ patient_id: other.user.id }, { patient_id: null }, { name: 'x' }]) {
      const res = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/devices/${w.devA.id}`,
        headers: w.docA.headers,
        payload,
      });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({ code: 'DEVICE_RETIRED' });
    }
    const rotate = await t.app.inject({
      method: 'POST',
      url: `/api/v1/devices/${w.devA.id}/rotate-key`,
      headers: w.docA.headers,
    });
    expect(rotate.statusCode, rotate.body).toBe(409);
    expect(rotate.json()).toMatchObject({ code: 'DEVICE_RETIRED' });
  });

  it('retires once: a second DELETE keeps the first retirement time', async () => {
    t.clock.advance(60_000);
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${w.devA.id}`,
      headers: w.docA.headers,
    });
    expect(again.statusCode, again.body).toBe(204);
    const one = await t.app.inject({
      url: `/api/v1/devices/${w.devA.id}`,
      headers: w.docA.headers,
    });
    expect(one.json<{ retired_at: string }>().retired_at).toBe(retiredAt);
  });

  it('is left out of the MQTT subscriptions and the device-offline sweep', async () => {
    const repo = t.container.repositories.devices;
    expect(await repo.allDeviceIds()).not.toContain(w.devA.device_id);
    expect((await repo.listAssignedActivity()).map((d) => d.device_id)).not.toContain(
      w.devA.device_id,
    );
  });

  it("lets the patient who now wears a handed-on device retire it, keeping the earlier patient's readings", async () => {
    const device = await registerDevice(t, w.docB, { patientId: w.patB.user.id });
    const base = w.base + 300_000;
    const sent = await post(
      t,
      device.api_key,
      syntheticPackets(device.device_id, 80, 5, base, 3, { heart_rate_bpm: 80 }),
    );
    expect([200, 201], sent.body).toContain(sent.statusCode);
    const next = await createPatient(t, w.docA, 'Wearer Two');
    // Handed on across clinics by an admin; the next wearer cannot see patient B.
    const moved = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/devices/${device.id}`,
      headers: w.admin.headers,
      payload: { patient_id: next.user.id },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const retired = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${device.id}`,
      headers: next.headers,
    });
    expect(retired.statusCode, retired.body).toBe(204);
    const history = await t.app.inject({
      url: `/api/v1/patients/${w.patB.user.id}/heart-rate?from=${base - 1}&to=${base + 10_000}`,
      headers: w.docB.headers,
    });
    expect(history.json<{ observations: { bpm: number }[] }>().observations).toHaveLength(5);
  });
});

describe('purging a device (an erasure request)', () => {
  let t: TestApp;
  let w: FhirWorld;

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildFhirWorld(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const purge = (user: TestUser) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/devices/${w.devA.id}/purge`,
      headers: user.headers,
    });

  it('refuses anyone but an admin, keeping the readings', async () => {
    for (const user of [w.docA, w.patA]) {
      const res = await purge(user);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
    }
    const history = await t.app.inject({
      url: `/api/v1/patients/${w.patA.user.id}/heart-rate?from=${w.base - 1}&to=${w.base + 60_000}`,
      headers: w.docA.headers,
    });
    expect(history.json<{ observations: unknown[] }>().observations).toHaveLength(w.packets);
  });

  it('erases the device and every reading it stored at an admin request, freeing its id', async () => {
    expect((await purge(w.admin)).statusCode).toBe(204);
    const device = await t.app.inject({
      url: `/api/v1/devices/${w.devA.id}`,
      headers: w.admin.headers,
    });
    expect(device.statusCode).toBe(404);
    const history = await t.app.inject({
      url: `/api/v1/patients/${w.patA.user.id}/heart-rate?from=${w.base - 1}&to=${w.base + 60_000}`,
      headers: w.docA.headers,
    });
    expect(history.json<{ observations: unknown[] }>().observations).toEqual([]);
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/devices/register',
      headers: w.docA.headers,
      payload: { device_id: w.devA.device_id, patient_id: w.patA.user.id },
    });
    expect(again.statusCode, again.body).toBe(201);
  });
});

/**
 * A ward retires patches for months. The ingest kept each device's state (its orderer, a
 * 12-lead one's 10 s window) and the alerts their last packet time, for every device ever heard:
 * memory that only grew with each retired device (memleak investigation, December 2026).
 */
describe("a retired device's memory", () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('leaves the ingest state and the last-heard times once the device is retired', async () => {
    const doctor = await createDoctor(t);
    const patient = await createPatient(t, doctor);
    const { ingest, alerts } = t.container.services;
    const devices = [];
    for (let i = 0; i < 3; i++) {
      const device = await registerDevice(t, doctor, { patientId: patient.user.id });
      for (const packet of syntheticPackets(device.device_id, 70, 3, t.clock.now() - 10_000)) {
        const res = await post(t, device.api_key, packet);
        expect(res.statusCode, res.body).toBe(201);
      }
      devices.push(device);
    }
    expect(ingest.devicesTracked).toBe(3);
    expect(alerts.devicesHeard).toBe(3);
    for (const [i, device] of devices.slice(0, 2).entries()) {
      const res = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/devices/${device.id}`,
        headers: doctor.headers,
      });
      expect(res.statusCode, res.body).toBe(204);
      expect(ingest.devicesTracked).toBe(2 - i);
      expect(alerts.devicesHeard).toBe(2 - i);
    }
  });
});
