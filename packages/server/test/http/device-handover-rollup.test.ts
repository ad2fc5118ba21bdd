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

interface Stats {
  total_packets: number;
  first_timestamp: number | null;
  last_timestamp: number | null;
  heart_rate_bpm: Agg;
  spo2_percent: Agg;
}
interface Bucket {
  time: number;
  packets: number;
  heart_rate_bpm: Agg;
}

/** A at 60 and 70 bpm (98 %), B at 120 bpm (91 %). */
const packets = (deviceId: string, base: number, fromS: number, toS: number, hr: number) =>
  packetsEachSecond(deviceId, base, { fromS, toS }, { hr, spo2: hr === 120 ? 91 : 98 });

/**
 * A chest patch goes from patient A to patient B and back to A (A → B → A), with the hand-overs
 * in the middle of a minute: A wears it for 150 s at 60 bpm, B for 90 s at 120 bpm, A again for
 * 60 s at 70 bpm. Before: the per-minute rollup behind `/stats` and `/series` had one row a
 * minute for whoever wore it, so A's stats over the whole range counted B's 90 packets at
 * 120 bpm as A's (300 packets, max 120), and B, whose assignment came after, saw none.
 */
describe("a device handed on and back: each patient's stats and series are their own packets'", () => {
  let t: TestApp;
  let admin: TestUser;
  let doctor: TestUser;
  let a: TestUser;
  let b: TestUser;
  let device: { id: string; device_id: string; api_key: string };
  // Data time in the last whole hour but one, from its start: minutes 0–1 are A's, 2 both (A 30 s, B 30 s), 3 B's,
  // 4 A's again.
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
  const handTo = async (patient: TestUser) => {
    const res = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/devices/${device.id}`,
      headers: doctor.headers,
      payload: { patient_id: patient.user.id },
    });
    expect(res.statusCode, res.body).toBe(200);
  };
  const read = async <T>(user: TestUser, url: string): Promise<T> => {
    const res = await t.app.inject({ url, headers: user.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<T>();
  };
  const stats = (user: TestUser, range = '') =>
    read<Stats>(user, `/api/v1/vitals/${device.device_id}/stats${range}`);
  const series = async (user: TestUser, interval: '1m' | '1h') =>
    (
      await read<{ buckets: Bucket[] }>(
        user,
        `/api/v1/vitals/${device.device_id}/series?interval=${interval}&from=${base}&to=${base + 3_600_000}`,
      )
    ).buckets.map((k) => ({
      minute: (k.time - base) / 60_000,
      packets: k.packets,
      hr: k.heart_rate_bpm,
    }));

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Patch');
    a = await createPatient(t, doctor, 'Patient A');
    b = await createPatient(t, doctor, 'Patient B');
    device = await registerDevice(t, doctor, {
      patientId: a.user.id,
      ecgInput: { preset: 'mv' },
    });
    await post(packets(device.device_id, base, 0, 150, 60));
    await handTo(b);
    await post(packets(device.device_id, base, 150, 240, 120));
    await handTo(a);
    await post(packets(device.device_id, base, 240, 300, 70));
  });
  afterAll(async () => {
    await t.close();
  });

  // A's own packets: 150 at 60 bpm and 60 at 70 bpm (avg 13,200 / 210 = 62.857…).
  const aWhole = {
    total_packets: 210,
    first_timestamp: base,
    last_timestamp: base + 299_000,
    heart_rate_bpm: { min: 60, avg: 62.86, max: 70, count: 210 },
    spo2_percent: { min: 98, avg: 98, max: 98, count: 210 },
  };

  it("shows A, and A's doctor, stats of A's 210 packets only, over any range", async () => {
    for (const user of [a, doctor]) {
      expect(await stats(user)).toMatchObject(aWhole);
      expect(await stats(user, `?from=${base}&to=${base + 300_000}`)).toMatchObject(aWhole);
      // Partial minutes at both ends (raw rows) around whole minutes 2–3 (rollup): A's
      // [90 s, 150 s) at 60 bpm and [240 s, 270 s) at 70 bpm; avg 5,700 / 90 = 63.33.
      expect(await stats(user, `?from=${base + 90_000}&to=${base + 270_000}`)).toMatchObject({
        total_packets: 90,
        first_timestamp: base + 90_000,
        last_timestamp: base + 269_000,
        heart_rate_bpm: { min: 60, avg: 63.33, max: 70, count: 90 },
      });
    }
  });

  it("shows A per-minute series of A's packets only, the hand-over minute included", async () => {
    const sixty = { min: 60, avg: 60, max: 60 };
    expect(await series(a, '1m')).toEqual([
      { minute: 0, packets: 60, hr: { ...sixty, count: 60 } },
      { minute: 1, packets: 60, hr: { ...sixty, count: 60 } },
      { minute: 2, packets: 30, hr: { ...sixty, count: 30 } },
      { minute: 4, packets: 60, hr: { min: 70, avg: 70, max: 70, count: 60 } },
    ]);
    expect(await series(a, '1h')).toEqual([
      { minute: 0, packets: 210, hr: { min: 60, avg: 62.86, max: 70, count: 210 } },
    ]);
  });

  it("shows B stats and series of B's 90 packets only", async () => {
    // The device is A's again, so B no longer sees it; handed to B again for these reads.
    expect(
      (await t.app.inject({ url: `/api/v1/vitals/${device.device_id}/stats`, headers: b.headers }))
        .statusCode,
    ).toBe(404);
    await handTo(b);
    try {
      expect(await stats(b)).toMatchObject({
        total_packets: 90,
        first_timestamp: base + 150_000,
        last_timestamp: base + 239_000,
        heart_rate_bpm: { min: 120, avg: 120, max: 120, count: 90 },
        spo2_percent: { min: 91, avg: 91, max: 91, count: 90 },
      });
      const b120 = { min: 120, avg: 120, max: 120 };
      expect(await series(b, '1m')).toEqual([
        { minute: 2, packets: 30, hr: { ...b120, count: 30 } },
        { minute: 3, packets: 60, hr: { ...b120, count: 60 } },
      ]);
    } finally {
      await handTo(a);
    }
  });

  it('still shows an admin every packet of the device, both patients in the shared minute', async () => {
    expect(await stats(admin)).toMatchObject({
      total_packets: 300,
      // (150 × 60 + 90 × 120 + 60 × 70) / 300 = 80
      heart_rate_bpm: { min: 60, avg: 80, max: 120, count: 300 },
    });
    const minute2 = (await series(admin, '1m')).find((k) => k.minute === 2);
    expect(minute2).toEqual({
      minute: 2,
      packets: 60,
      hr: { min: 60, avg: 90, max: 120, count: 60 },
    });
  });

  it("shows a doctor's app view (/vitals/me/…) each device's current patient's packets, as the device's own reads", async () => {
    // Before: every packet of every device the doctor sees, B's 90 at 120 bpm listed as A's
    // device's (300).
    const page = await read<{ vitals: { heart_rate_bpm: number }[]; total: number }>(
      doctor,
      '/api/v1/vitals/me/history?limit=500&offset=0',
    );
    expect(page.total).toBe(210);
    expect(page.vitals.filter((v) => v.heart_rate_bpm === 120)).toEqual([]);
    const all = await read<{ total: number }>(admin, '/api/v1/vitals/me/history?limit=1&offset=0');
    expect(all.total).toBe(300);
  });
});
