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
import { packetsEachSecond, type Agg } from '../helpers/rollup-packets.js';

/** 60 bpm at 99 % while no one wears it, 100 bpm at 95 % for the patient. */
const packets = (deviceId: string, base: number, fromS: number, toS: number, hr: number) =>
  packetsEachSecond(deviceId, base, { fromS, toS }, { hr, spo2: hr === 60 ? 99 : 95 });

/**
 * A device sends for no one for 30 s (60 bpm), is assigned to a patient and sends for them for
 * 120 s (100 bpm), and the patient's account is deleted: the device is unassigned, and its 150
 * packets are no one's. The first minute holds both a no-patient rollup row and the patient's.
 * Before: the deleted patient's rollup rows kept their id as `patient_key`, and every read of an
 * unassigned device matched them at read time (a NOT EXISTS on users per rollup row).
 */
describe("a deleted patient's rollup rows: an unassigned device's stats and series are its packets'", () => {
  let t: TestApp;
  let doctor: TestUser;
  let patient: TestUser;
  let device: { id: string; device_id: string; api_key: string };
  const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;

  const post = async (body: unknown[]) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vitals',
      headers: { 'x-api-key': device.api_key },
      payload: body as object,
    });
    expect(res.statusCode, res.body).toBe(200);
  };
  const read = async <T>(url: string): Promise<T> => {
    const res = await t.app.inject({ url, headers: doctor.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<T>();
  };

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Patch');
    patient = await createPatient(t, doctor, 'Leaving Patient');
    device = await registerDevice(t, doctor, { ecgInput: { preset: 'mv' } });
    await post(packets(device.device_id, base, 0, 30, 60));
    const assigned = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/devices/${device.id}`,
      headers: doctor.headers,
      payload: { patient_id: patient.user.id },
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    await post(packets(device.device_id, base, 30, 150, 100));
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${patient.user.id}`,
      headers: doctor.headers,
    });
    expect(deleted.statusCode, deleted.body).toBe(204);
  });
  afterAll(async () => {
    await t.close();
  });

  it("files the patient's rollup rows under no patient, added into the minute's no-patient row", async () => {
    const rows = await t.container.database.db
      .selectFrom('vitals_minute')
      .select(['minute', 'patient_key', 'packets', 'hr_n', 'hr_sum', 'hr_min', 'hr_max'])
      .select(['spo2_n', 'spo2_sum', 'spo2_min', 'spo2_max'])
      .where('device_id', '=', device.device_id)
      .orderBy('minute')
      .execute();
    const row = (m: number, n: number, hrSum: number, hrMin: number, spo2Max: number) => ({
      minute: base + m * 60_000,
      patient_key: '',
      packets: n,
      hr_n: n,
      hr_sum: hrSum,
      hr_min: hrMin,
      hr_max: 100,
      spo2_n: n,
      spo2_sum: hrMin === 60 ? 30 * 99 + 30 * 95 : n * 95,
      spo2_min: 95,
      spo2_max: spo2Max,
    });
    // Minute 0: 30 packets at 60 bpm (no patient) + 30 at 100 (the patient's), one row.
    expect(rows).toEqual([
      row(0, 60, 30 * 60 + 30 * 100, 60, 99),
      row(1, 60, 60 * 100, 100, 95),
      row(2, 30, 30 * 100, 100, 95),
    ]);
  });

  it("answers the device's stats and series with the raw packets' figures", async () => {
    const whole = `from=${base}&to=${base + 180_000}`;
    // (30 × 60 + 120 × 100) / 150 = 92 bpm; (30 × 99 + 120 × 95) / 150 = 95.8 %.
    const stats = await read<{ total_packets: number; heart_rate_bpm: Agg; spo2_percent: Agg }>(
      `/api/v1/vitals/${device.device_id}/stats?${whole}`,
    );
    expect(stats).toMatchObject({
      total_packets: 150,
      heart_rate_bpm: { min: 60, avg: 92, max: 100, count: 150 },
      spo2_percent: { min: 95, avg: 95.8, max: 99, count: 150 },
    });
    const series = await read<{
      buckets: { time: number; packets: number; heart_rate_bpm: Agg }[];
    }>(`/api/v1/vitals/${device.device_id}/series?interval=1m&${whole}`);
    expect(series.buckets.map((b) => [b.time - base, b.packets, b.heart_rate_bpm])).toEqual([
      [0, 60, { min: 60, avg: 80, max: 100, count: 60 }],
      [60_000, 60, { min: 100, avg: 100, max: 100, count: 60 }],
      [120_000, 30, { min: 100, avg: 100, max: 100, count: 30 }],
    ]);
    // The same figures as a scan of the raw packets (a range off the minute boundaries).
    const raw = await read<{ total_packets: number; heart_rate_bpm: Agg }>(
      `/api/v1/vitals/${device.device_id}/stats?from=${base + 1}&to=${base + 150_000}`,
    );
    expect(raw).toMatchObject({
      total_packets: 149,
      heart_rate_bpm: { min: 60, max: 100, count: 149 },
    });
  });
});
