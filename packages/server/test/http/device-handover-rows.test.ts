import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';

/** `n` one-second packets of a 75-bpm-like ECG (mV) at 250 Hz from `startMs`, with a rate. */
function packets(deviceId: string, startMs: number, n: number, hr: number) {
  return Array.from({ length: n }, (_, s) => ({
    device_id: deviceId,
    timestamp: startMs + s * 1000,
    ecg_sample_rate_hz: 250,
    ecg_samples: Array.from({ length: 250 }, (_, i) => {
      const phase = (((s * 250 + i) / 250) * (hr / 60)) % 1;
      return Math.round(1.2 * Math.exp(-(((phase - 0.3) / 0.012) ** 2)) * 1000) / 1000;
    }),
    heart_rate_bpm: hr,
    spo2_percent: 97,
  }));
}

/**
 * A clinic hands a chest patch on to the next patient, and deletes the first patient's account.
 * Before: the next patient read every packet, ECG strip, prediction and aggregate the patch had
 * taken from the first one (`GET /api/v1/vitals/{device_id}` and its `/latest`, `/ecg`,
 * `/stats`, `/series`, `/api/v1/predictions/{device_id}`, the app's `/api/v1/vitals/me/latest`),
 * the first patient's 20 packets at 64 bpm listed as theirs.
 */
describe('a device handed on: the next patient reads only the rows taken for them', () => {
  let t: TestApp;
  let admin: TestUser;
  let doctor: TestUser;
  let first: TestUser;
  let next: TestUser;
  let device: { id: string; device_id: string; api_key: string };
  // Data time now, the first wearer's minute before the hand-over (device-handover-rollup.test.ts
  // hands a device on and back within the past hour).
  const base = Math.floor(Date.now() / 1000) * 1000 - 60_000;

  const post = async (body: unknown) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vitals',
      headers: { 'x-api-key': device.api_key },
      payload: body as object,
    });
    expect(res.statusCode, res.body).toBe(200);
  };
  const get = (user: TestUser, url: string) => t.app.inject({ url, headers: user.headers });

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Patch');
    first = await createPatient(t, doctor, 'First Wearer');
    next = await createPatient(t, doctor, 'Next Wearer');
    device = await registerDevice(t, doctor, {
      patientId: first.user.id,
      ecgInput: { preset: 'mv' },
    });
    await post(packets(device.device_id, base, 20, 64));
    const moved = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/devices/${device.id}`,
      headers: doctor.headers,
      payload: { patient_id: next.user.id },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${first.user.id}`,
      headers: doctor.headers,
    });
    expect(deleted.statusCode, deleted.body).toBe(204);
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the next patient none of the earlier packets, strips, predictions or aggregates', async () => {
    const d = `/api/v1/vitals/${device.device_id}`;
    expect((await get(next, d)).json()).toEqual({ items: [], next_cursor: null });
    expect((await get(next, `${d}/latest`)).statusCode).toBe(404);
    const ecg = await get(next, `${d}/ecg?from=${base}&to=${base + 20_000}`);
    expect(ecg.json<{ segments: unknown[] }>().segments).toEqual([]);
    const stats = (await get(next, `${d}/stats`)).json<{
      total_packets: number;
      heart_rate_bpm: { count: number };
      latest: unknown;
    }>();
    expect(stats).toMatchObject({ total_packets: 0, heart_rate_bpm: { count: 0 }, latest: null });
    const series = await get(
      next,
      `${d}/series?interval=1m&from=${base - 60_000}&to=${base + 600_000}`,
    );
    expect(series.json<{ buckets: unknown[] }>().buckets).toEqual([]);
    const predictions = await get(next, `/api/v1/predictions/${device.device_id}`);
    expect(predictions.json<{ items: unknown[] }>().items).toEqual([]);
    expect((await get(next, `/api/v1/predictions/${device.device_id}/latest`)).statusCode).toBe(
      404,
    );
    expect((await get(next, '/api/v1/vitals/me/latest')).statusCode).toBe(404);
  });

  it('shows the next patient, and their doctor, their own packets once the device sends for them', async () => {
    await post(packets(device.device_id, Math.floor(Date.now() / 1000) * 1000 + 1000, 5, 90));
    for (const user of [next, doctor]) {
      const items = (await get(user, `/api/v1/vitals/${device.device_id}?limit=100`)).json<{
        items: { heart_rate_bpm: number; patient_id: string }[];
      }>().items;
      expect(items.map((i) => [i.heart_rate_bpm, i.patient_id])).toEqual(
        Array.from({ length: 5 }, () => [90, next.user.id]),
      );
      const stats = (await get(user, `/api/v1/vitals/${device.device_id}/stats`)).json<{
        total_packets: number;
        heart_rate_bpm: { min: number; max: number };
      }>();
      expect(stats).toMatchObject({ total_packets: 5, heart_rate_bpm: { min: 90, max: 90 } });
    }
    const me = (await get(next, '/api/v1/vitals/me/latest')).json<{ heart_rate_bpm: number }>();
    expect(me.heart_rate_bpm).toBe(90);
  });

  it("shows the next patient none of the earlier patient's 12-lead stream (seed 004's /api/mongo/stream)", async () => {
    // Before: the first wearer's 3 multi-lead packets, leads and all.
    const leadsPacket = (deviceId: string, ts: number) => ({
      device_id: deviceId,
      timestamp: ts,
      ecg_sample_rate_hz: 250,
      leads: Object.fromEntries(
        ['I', 'II', 'V1'].map((name) => [
          name,
          Array.from({ length: 250 }, (_, i) => Math.round(Math.sin(i / 10) * 1000) / 1000),
        ]),
      ),
    });
    const twelve = await registerDevice(t, doctor, { patientId: next.user.id });
    const stream = async (user: TestUser) =>
      (await get(user, `/api/mongo/stream?device_id=${twelve.device_id}&start=0&count=100`)).json<
        { timestamp: number }[]
      >();
    const third = await createPatient(t, doctor, 'Third Wearer');
    const now = Math.floor(Date.now() / 1000) * 1000;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vitals',
      headers: { 'x-api-key': twelve.api_key },
      payload: [now - 3000, now - 2000, now - 1000].map((ts) => leadsPacket(twelve.device_id, ts)),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await stream(next)).toHaveLength(3);
    const moved = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/devices/${twelve.id}`,
      headers: doctor.headers,
      payload: { patient_id: third.user.id },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(await stream(third)).toEqual([]);
    expect(await stream(admin)).toHaveLength(3);
  });

  it('still shows an admin every row the device stored', async () => {
    const all = (await get(admin, `/api/v1/vitals/${device.device_id}?limit=100`)).json<{
      items: { heart_rate_bpm: number }[];
    }>().items;
    expect(all.filter((i) => i.heart_rate_bpm === 64)).toHaveLength(20);
    expect(all.filter((i) => i.heart_rate_bpm === 90)).toHaveLength(5);
  });
});
