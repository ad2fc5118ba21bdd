import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictionsTable, VitalsTable } from '../../src/db/pipeline-schema.js';
import {
  createAdmin,
  createMonitoredPatient,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { ecgPredictionRow, vitalsRow } from '../helpers/vitals-row.js';
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

/** A stored packet's row (the repository's input), with the device's rate or none. */
function packet(id: string, ts: number, hr: number | null): VitalsTable {
  return vitalsRow({ id, device_id: 'ROLLUP-REPO', ts, heart_rate_bpm: hr });
}

/** The prediction of `v` with the rate its ECG analysis measured. */
function prediction(v: VitalsTable, hr: number, tag = ''): PredictionsTable {
  return ecgPredictionRow(`p-${v.id}${tag}`, v, hr);
}
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
  let key: string;
  let mixedId: string;
  let mixedPatient: string;

  beforeAll(async () => {
    t = await createTestApp();
    const clinic = await createMonitoredPatient(t, 'ROLLUP-ECG');
    doctor = clinic.doctor;
    key = clinic.key;
    mixedPatient = (await createPatient(t, doctor)).user.id;
    const mixed = await registerDevice(t, doctor, {
      patientId: mixedPatient,
      deviceId: 'ROLLUP-MIXED',
    });
    mixedId = mixed.id;
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

  /** The heart rates history shows for the device's packets in [from, to) (read per packet). */
  const perPacket = async (deviceId: string, from: number, to: number) => {
    const r = await get<{ items: { heart_rate_bpm: number | null }[] }>(
      `/api/v1/vitals/${deviceId}?from=${from}&to=${to}&limit=1000`,
    );
    return r.items.flatMap((i) => (i.heart_rate_bpm === null ? [] : [i.heart_rate_bpm]));
  };
  const stats = (deviceId: string, from: number, to: number) =>
    get<Stats>(`/api/v1/vitals/${deviceId}/stats?from=${from}&to=${to}`);
  const minuteOf = async (deviceId: string, minute: number) => {
    const r = await get<{ buckets: Bucket[] }>(
      `/api/v1/vitals/${deviceId}/series?interval=1m&from=${minute}&to=${minute + MIN}`,
    );
    return r.buckets;
  };
  const summary = (xs: number[]): Agg => ({
    min: Math.min(...xs),
    avg: Math.round((xs.reduce((a, x) => a + x, 0) / xs.length) * 100) / 100,
    max: Math.max(...xs),
    count: xs.length,
  });

  it('adds the rate of a packet whose prediction lands after its minute was rolled up', async () => {
    // 12:10:00 to 12:10:11 with sequence numbers; packet 10 comes last, so packet 11 waits for
    // it unassessed (stored, counted in its minute, no rate yet) and is assessed with it.
    const minute = Date.UTC(2026, 11, 7, 12, 10);
    const packets = syntheticPackets('ROLLUP-ECG', 72, 12, minute, 5, {}, 1000);
    expect((await post(t, key, packets.slice(0, 10))).statusCode).toBe(200);
    const held = await post(t, key, packets[11]);
    expect(held.statusCode).toBe(201);
    expect(held.json<{ prediction: unknown }>().prediction).toBeNull();
    const before = await stats('ROLLUP-ECG', minute, minute + MIN);
    expect(before.total_packets).toBe(11);
    expect(before.heart_rate_bpm.count).toBe(
      (await perPacket('ROLLUP-ECG', minute, minute + MIN)).length,
    );

    expect((await post(t, key, packets[10])).statusCode).toBe(201);
    const rates = await perPacket('ROLLUP-ECG', minute, minute + MIN);
    expect(rates.length).toBeGreaterThan(before.heart_rate_bpm.count + 1); // 10 and 11
    const after = await stats('ROLLUP-ECG', minute, minute + MIN);
    expect(after.total_packets).toBe(12);
    expect(after.heart_rate_bpm).toEqual(summary(rates));
    expect(await minuteOf('ROLLUP-ECG', minute)).toMatchObject([
      { time: minute, packets: 12, heart_rate_bpm: summary(rates) },
    ]);

    // A retried request, and one with a packet stored already beside a new one: each packet's
    // rate is counted once.
    expect((await post(t, key, packets.slice(0, 10))).statusCode).toBe(200);
    expect(
      (
        await post(t, key, [
          packets[11],
          ...syntheticPackets('ROLLUP-ECG', 72, 1, minute + 12_000, 5, {}, 1012),
        ])
      ).statusCode,
    ).toBe(200);
    const again = await perPacket('ROLLUP-ECG', minute, minute + MIN);
    expect(again.length).toBeLessThanOrEqual(rates.length + 1);
    expect((await stats('ROLLUP-ECG', minute, minute + MIN)).heart_rate_bpm).toEqual(
      summary(again),
    );
    expect((await minuteOf('ROLLUP-ECG', minute))[0]?.packets).toBe(13);
  });

  it("counts each packet's measured rate once, in the transaction that stores its prediction", async () => {
    await registerDevice(t, doctor, { deviceId: 'ROLLUP-REPO' });
    const vitals = t.container.repositories.vitals;
    const minute = Date.UTC(2026, 11, 7, 13, 0);
    const rollup = () =>
      t.container.database.db
        .selectFrom('vitals_minute')
        .select(['packets', 'hr_n', 'hr_sum', 'hr_min', 'hr_max'])
        .where('device_id', '=', 'ROLLUP-REPO')
        .where('minute', '=', minute)
        .executeTakeFirst();
    // a: no rate, assessed later (a packet another instance stored, assessed by the owner);
    // b: its own rate, which its ECG's does not replace; c: no rate, assessed with its packet.
    const [a, b, c] = [
      packet('a', minute + 1000, null),
      packet('b', minute + 2000, 64),
      packet('c', minute + 3000, null),
    ];
    await vitals.writeUnits([
      { vitals: [a, b, c], predictions: [prediction(b, 90), prediction(c, 70.3)] },
    ]);
    // The sum is that of the stored rates (4-byte reals on PostgreSQL), as reads sum them.
    expect(await rollup()).toMatchObject({ packets: 3, hr_n: 2, hr_min: 64, hr_max: 70.3 });
    expect((await rollup())?.hr_sum).toBeCloseTo(134.3, 4);
    await vitals.writeUnits([{ vitals: [], predictions: [prediction(a, 75.1)] }]);
    const folded = { packets: 3, hr_n: 3, hr_min: 64, hr_max: 75.1 };
    expect(await rollup()).toMatchObject(folded);
    // A second prediction of an assessed packet (re-analysis) adds nothing.
    await vitals.writeUnits([{ vitals: [], predictions: [prediction(a, 99, 'again')] }]);
    expect(await rollup()).toMatchObject(folded);
    // A commit that fails after its packets (a prediction id taken) leaves nothing of itself.
    const d = packet('d', minute + 4000, null);
    await expect(
      vitals.writeUnits([{ vitals: [d], predictions: [prediction(d, 50), prediction(c, 40)] }]),
    ).rejects.toThrow();
    expect(await rollup()).toMatchObject(folded);
    expect(await vitals.findByDeviceTs('ROLLUP-REPO', d.ts)).toBeUndefined();
    const s = await stats('ROLLUP-REPO', minute, minute + MIN);
    expect(s.heart_rate_bpm).toEqual({ min: 64, avg: 69.8, max: 75.1, count: 3 });

    // Two commits storing the first prediction of the same stored packet at once (two instances
    // assessing it): its rate is counted once, whichever commits first.
    const e = packet('e', minute + 5000, null);
    await vitals.writeUnits([{ vitals: [e], predictions: [] }]);
    await Promise.all([
      vitals.writeUnits([{ vitals: [], predictions: [prediction(e, 80, 'one')] }]),
      vitals.writeUnits([{ vitals: [], predictions: [prediction(e, 80, 'two')] }]),
    ]);
    expect(await rollup()).toMatchObject({ packets: 4, hr_n: 4, hr_min: 64, hr_max: 80 });
  });

  it("keeps a retired device's figures, and a purge erases its minutes with its packets", async () => {
    const admin = await createAdmin(t, 'Admin 2');
    const figures = await answers('ROLLUP-MIXED');
    const retire = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${mixedId}`,
      headers: doctor.headers,
    });
    expect(retire.statusCode, retire.body).toBe(204);
    expect(await answers('ROLLUP-MIXED')).toEqual(figures);

    const purge = await t.app.inject({
      method: 'POST',
      url: `/api/v1/devices/${mixedId}/purge`,
      headers: admin.headers,
    });
    expect(purge.statusCode, purge.body).toBe(204);
    const minutes = await t.container.database.db
      .selectFrom('vitals_minute')
      .select('minute')
      .where('device_id', '=', 'ROLLUP-MIXED')
      .execute();
    expect(minutes).toEqual([]);
    // Its id is free again: a new device under it starts from its own packets only.
    const again = await registerDevice(t, doctor, {
      patientId: mixedPatient,
      deviceId: 'ROLLUP-MIXED',
    });
    const later = Date.UTC(2026, 11, 7, 12, 30);
    const packets = syntheticPackets('ROLLUP-MIXED', 66, 20, later, 3, {}, 500);
    expect((await post(t, again.api_key, packets)).statusCode).toBe(200);
    expect(await stats('ROLLUP-MIXED', base, end)).toMatchObject({
      total_packets: 0,
      heart_rate_bpm: { count: 0 },
    });
    const rates = await perPacket('ROLLUP-MIXED', later, later + MIN);
    expect(rates.length).toBeGreaterThan(15);
    expect(await stats('ROLLUP-MIXED', later, later + MIN)).toMatchObject({
      total_packets: 20,
      heart_rate_bpm: summary(rates),
    });
  });
});
