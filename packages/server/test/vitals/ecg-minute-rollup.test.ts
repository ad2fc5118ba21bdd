import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMonitoredPatient,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post, syntheticPackets, type Packet } from './packets.js';

interface Agg {
  min: number | null;
  avg: number | null;
  max: number | null;
  count: number;
}
interface Bucket {
  time: number;
  packets: number;
  heart_rate_bpm: Agg;
}
interface Stats {
  total_packets: number;
  first_timestamp: number | null;
  last_timestamp: number | null;
  heart_rate_bpm: Agg;
}

const MIN = 60_000;
/** 12:00:40 UTC: 150 one-second packets cover the minutes 12:00 (20 s) to 12:03 (10 s). */
const base = Date.UTC(2026, 11, 7, 12, 0, 40);
const end = base + 150_000;
const m1 = base + 20_000; // 12:01:00

// The ranges every case is asked about, and their offsets shown relative to `base`: the whole
// span; cut inside a minute at both ends (the rollup's minutes and the raw edges); inside one
// minute (raw rows only); whole minutes exactly (the rollup only).
const SERIES = [
  ['1m', base, end],
  ['5m', base, end],
  ['1h', base, end],
  ['1m', base + 15_000, end - 25_000],
] as const;
const STATS = [
  [base, end],
  [base + 15_000, end - 25_000],
  [m1 + 10_000, m1 + 50_000],
  [m1, m1 + 2 * MIN],
] as const;

const agg = (min: number, avg: number, max: number, count: number): Agg => ({
  min,
  avg,
  max,
  count,
});

/** Packet `i`'s own heart rate on the device that sends it in two packets of three. */
const mixedRate = (i: number) => (i % 3 === 0 ? undefined : 60 + (i % 5));

// For a device without a pulse sensor the rate of each packet is the one its ECG analysis
// measured (packetHeartRateSql); /series and /stats read them from the per-minute rollup as they
// read a device's own rates. The figures below are what the query that read each packet's
// prediction at request time answered for the same packets (pinned before the rollup carried
// them): the rollup must answer the same.
describe("an ECG-only device's heart rate in the per-minute rollup", () => {
  let t: TestApp;
  let doctor: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const clinic = await createMonitoredPatient(t, 'ROLLUP-ECG');
    doctor = clinic.doctor;
    const mixed = await registerDevice(t, doctor, {
      patientId: (await createPatient(t, doctor)).user.id,
      deviceId: 'ROLLUP-MIXED',
    });
    // In requests of 30 packets, as a device catching up sends them.
    const ecgOnly = syntheticPackets('ROLLUP-ECG', 72, 150, base);
    const withRates: Packet[] = syntheticPackets('ROLLUP-MIXED', 84, 150, base, 11).map((p, i) => {
      const hr = mixedRate(i);
      return hr === undefined ? p : { ...p, heart_rate_bpm: hr };
    });
    for (let i = 0; i < 150; i += 30) {
      expect((await post(t, clinic.key, ecgOnly.slice(i, i + 30))).statusCode).toBe(200);
      expect((await post(t, mixed.api_key, withRates.slice(i, i + 30))).statusCode).toBe(200);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const get = async <T>(url: string, user = doctor): Promise<T> => {
    const res = await t.app.inject({ url, headers: user.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<T>();
  };

  /** Every range's heart rate answers, times as seconds from `base`. */
  const answers = async (deviceId: string) => {
    const s = (ms: number | null) => (ms === null ? null : (ms - base) / 1000);
    const out: unknown[] = [];
    for (const [interval, from, to] of SERIES) {
      const r = await get<{ buckets: Bucket[] }>(
        `/api/v1/vitals/${deviceId}/series?interval=${interval}&from=${from}&to=${to}`,
      );
      out.push(r.buckets.map((b) => [s(b.time), b.packets, b.heart_rate_bpm]));
    }
    for (const [from, to] of STATS) {
      const r = await get<Stats>(`/api/v1/vitals/${deviceId}/stats?from=${from}&to=${to}`);
      out.push([r.total_packets, s(r.first_timestamp), s(r.last_timestamp), r.heart_rate_bpm]);
    }
    return out;
  };

  it('answers for an ECG-only device what reading its predictions answered', async () => {
    expect(await answers('ROLLUP-ECG')).toEqual([
      [
        [-40, 20, agg(70.8, 71.67, 72.2, 17)],
        [20, 60, agg(71.8, 72.01, 72.2, 60)],
        [80, 60, agg(71.7, 72, 72.3, 60)],
        [140, 10, agg(71.9, 72.04, 72.1, 10)],
      ],
      [[-40, 150, agg(70.8, 71.97, 72.3, 147)]],
      [[-40, 150, agg(70.8, 71.97, 72.3, 147)]],
      [
        [-40, 20, agg(70.8, 71.67, 72.2, 17)],
        [20, 60, agg(71.8, 72.01, 72.2, 60)],
        [80, 60, agg(71.7, 72, 72.3, 60)],
      ],
      [150, 0, 149, agg(70.8, 71.97, 72.3, 147)],
      [110, 15, 124, agg(71.7, 72.01, 72.3, 110)],
      [40, 30, 69, agg(71.8, 72, 72.2, 40)],
      [120, 20, 139, agg(71.7, 72, 72.3, 120)],
    ]);
  });

  it('keeps the rate a device sends per packet, and the ECG one where it sent none', async () => {
    expect(await answers('ROLLUP-MIXED')).toEqual([
      [
        [-40, 20, agg(60, 69.03, 85, 19)],
        [20, 60, agg(60, 69.34, 84.2, 60)],
        [80, 60, agg(60, 69.33, 84.1, 60)],
        [140, 10, agg(60, 68.52, 84.2, 10)],
      ],
      [[-40, 150, agg(60, 69.24, 85, 149)]],
      [[-40, 150, agg(60, 69.24, 85, 149)]],
      [
        [-40, 20, agg(60, 69.03, 85, 19)],
        [20, 60, agg(60, 69.34, 84.2, 60)],
        [80, 60, agg(60, 69.33, 84.1, 60)],
      ],
      [150, 0, 149, agg(60, 69.24, 85, 149)],
      [110, 15, 124, agg(60, 69.42, 84.2, 110)],
      // Raw rows only: PostgreSQL sums the 4-byte reals it stores, and this mean of 40 rates
      // in tenths sits on a rounding boundary (69.705).
      [40, 30, 69, agg(60, t.container.database.dialect === 'postgres' ? 69.7 : 69.71, 84.2, 40)],
      [120, 20, 139, agg(60, 69.34, 84.2, 120)],
    ]);
  });
});
