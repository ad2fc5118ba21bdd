import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VitalsTable } from '../../src/db/pipeline-schema.js';
import type { Agg } from '../../src/repositories/vitals.repository.js';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { vitalsRow } from '../helpers/vitals-row.js';

/** Mulberry32: a small seeded PRNG, so a failure can be replayed with the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface RawStats {
  total: number;
  first: number | null;
  last: number | null;
  hr: Agg;
  spo2: Agg;
  temp: Agg;
}

/** The reference: a scan of the raw rows, the query stats ran before the rollup was used. */
async function rawStats(t: TestApp, deviceId: string, from: number, to: number): Promise<RawStats> {
  const db = t.container.database.db;
  const agg = (c: string) => ({
    min: sql<number | null>`min(${sql.ref(c)})`,
    avg: sql<number | null>`cast(avg(${sql.ref(c)}) as double precision)`,
    max: sql<number | null>`max(${sql.ref(c)})`,
    count: sql<number>`cast(count(${sql.ref(c)}) as integer)`,
  });
  const hr = agg('heart_rate_bpm');
  const sp = agg('spo2_percent');
  const tc = agg('temperature_c');
  const r = await db
    .selectFrom('vitals')
    .select([
      sql<number>`cast(count(*) as integer)`.as('total'),
      sql<number | null>`min(ts)`.as('first'),
      sql<number | null>`max(ts)`.as('last'),
      hr.min.as('hr_min'),
      hr.avg.as('hr_avg'),
      hr.max.as('hr_max'),
      hr.count.as('hr_count'),
      sp.min.as('sp_min'),
      sp.avg.as('sp_avg'),
      sp.max.as('sp_max'),
      sp.count.as('sp_count'),
      tc.min.as('tc_min'),
      tc.avg.as('tc_avg'),
      tc.max.as('tc_max'),
      tc.count.as('tc_count'),
    ])
    .where('device_id', '=', deviceId)
    .where('ts', '>=', from)
    .where('ts', '<', to)
    .executeTakeFirstOrThrow();
  const n = (v: unknown) => (v === null ? null : Number(v));
  return {
    total: r.total,
    first: n(r.first),
    last: n(r.last),
    hr: { min: n(r.hr_min), avg: n(r.hr_avg), max: n(r.hr_max), count: r.hr_count },
    spo2: { min: n(r.sp_min), avg: n(r.sp_avg), max: n(r.sp_max), count: r.sp_count },
    temp: { min: n(r.tc_min), avg: n(r.tc_avg), max: n(r.tc_max), count: r.tc_count },
  };
}

/**
 * Averages may differ in the last bits: the rollup adds per-minute sums, the scan adds rows one by
 * one, and on PostgreSQL the raw columns are 4-byte `real` while the rollup keeps the device's
 * double. 1e-6 relative is far below what one missed or double-counted packet changes.
 */
function expectSameAgg(actual: Agg, expected: Agg, what: string): void {
  expect({ ...actual, avg: null }, what).toEqual({ ...expected, avg: null });
  if (expected.avg === null) expect(actual.avg, what).toBeNull();
  else
    expect(Math.abs((actual.avg ?? NaN) - expected.avg), what).toBeLessThanOrEqual(
      1e-6 * Math.abs(expected.avg),
    );
}

describe('stats from the per-minute rollup', () => {
  let t: TestApp;
  let doctor: TestUser;
  const deviceId = 'ESP32-STATS';
  const otherId = 'ESP32-STATS-OTHER';
  /** A round hour; 40 minutes of irregular packets follow it, with empty minutes. */
  let t0: number;
  /** Every timestamp of the device. */
  const used = new Set<number>();
  const span = 40 * 60_000;
  const random = prng(20_261_201);

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    const patient = await createPatient(t, doctor);
    await registerDevice(t, doctor, { patientId: patient.user.id, deviceId });
    await registerDevice(t, doctor, { patientId: patient.user.id, deviceId: otherId });
    t0 = Math.floor((t.clock.now() - 3 * 3_600_000) / 3_600_000) * 3_600_000;

    // Irregular timestamps (any millisecond, bursts and gaps), some measurements missing, values
    // that are not exact in binary (72.3 bpm, 36.87 °C), written in shuffled batches so minutes
    // of the rollup are updated several times, as out-of-order and retried uploads do.
    const rows: VitalsTable[] = [];
    for (let i = 0; i < 1500; i++) {
      const minute = Math.floor(random() * 40);
      if (minute % 7 === 3) continue; // some minutes stay empty
      const ts = t0 + minute * 60_000 + Math.floor(random() * 60_000);
      if (used.has(ts)) continue;
      used.add(ts);
      const maybe = (p: number, v: number) => (random() < p ? null : v);
      rows.push(row(deviceId, ts, i, maybe));
    }
    // Packets on the first and last millisecond of minutes, where off-by-one errors live.
    for (let minute = 0; minute < 40; minute += 2) {
      if (minute % 7 === 3) continue;
      for (const ts of [t0 + minute * 60_000, t0 + minute * 60_000 + 59_999]) {
        if (used.has(ts)) continue;
        used.add(ts);
        rows.push(row(deviceId, ts, rows.length + 5000, (_p, v) => v));
      }
    }
    // Another device in the same minutes must never be counted.
    for (let i = 0; i < 200; i++) {
      const ts = t0 + Math.floor(random() * span);
      rows.push(row(otherId, ts, 10_000 + i, (_p, v) => v + 50));
    }
    const shuffled = rows
      .map((r) => ({ r, k: random() }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.r);
    const seen = new Set<string>();
    const unique = shuffled.filter((r) => {
      const k = `${r.device_id}/${r.ts}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    for (let i = 0; i < unique.length; i += 97) {
      await t.container.repositories.vitals.writeUnits([
        {
          vitals: unique.slice(i, i + 97),
          predictions: [],
        },
      ]);
    }

    function row(
      device: string,
      ts: number,
      i: number,
      maybe: (p: number, v: number) => number | null,
    ): VitalsTable {
      return vitalsRow({
        id: `stats-${device}-${i}`,
        device_id: device,
        patient_id: patient.user.id,
        ts,
        heart_rate_bpm: maybe(0.1, Math.round((40 + random() * 140) * 10) / 10),
        spo2_percent: maybe(0.2, Math.round(85 + random() * 15)),
        temperature_c: maybe(0.6, Math.round((35 + random() * 5) * 100) / 100),
        lead_off: 0,
      });
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers exactly what a scan of the raw rows answers, for ranges that cut minutes', async () => {
    const ranges: [number, number][] = [
      [0, Number.MAX_SAFE_INTEGER], // the endpoint's default: all time
      [t0, t0 + span], // whole minutes only
      [t0 + 60_000, t0 + 120_000], // exactly one minute
      [t0 + 61_234, t0 + 61_999], // inside one minute
      [t0 + 119_500, t0 + 120_500], // across one boundary, no whole minute
      [t0 + 3 * 60_000 + 1, t0 + 4 * 60_000 - 1], // an empty minute, cut
      [t0 - 3_600_000, t0 - 60_000], // before any data
    ];
    // Ranges starting or ending exactly on a packet or a minute boundary.
    const stamps = [...used].sort((a, b) => a - b);
    const pick = () => stamps[Math.floor(random() * stamps.length)] ?? t0;
    for (let i = 0; i < 20; i++) {
      const a = pick();
      const b = i % 2 === 0 ? pick() : Math.ceil(a / 60_000 + 1 + random() * 5) * 60_000;
      if (a !== b) ranges.push([Math.min(a, b), Math.max(a, b)]);
    }
    for (let i = 0; i < 40; i++) {
      const a = t0 - 60_000 + Math.floor(random() * (span + 120_000));
      const b = t0 - 60_000 + Math.floor(random() * (span + 120_000));
      if (a !== b) ranges.push([Math.min(a, b), Math.max(a, b)]);
    }
    for (const [from, to] of ranges) {
      const what = `[t0${from - t0 >= 0 ? '+' : ''}${from - t0}, t0+${to - t0})`;
      const expected = await rawStats(t, deviceId, from, to);
      const actual = await t.container.repositories.vitals.stats(deviceId, from, to);
      expect({ total: actual.total, first: actual.first, last: actual.last }, what).toEqual({
        total: expected.total,
        first: expected.first,
        last: expected.last,
      });
      expectSameAgg(actual.hr, expected.hr, `${what} hr`);
      expectSameAgg(actual.spo2, expected.spo2, `${what} spo2`);
      expectSameAgg(actual.temp, expected.temp, `${what} temp`);
    }
    // The data really has cut minutes, empty minutes and missing values to get right.
    const all = await rawStats(t, deviceId, 0, Number.MAX_SAFE_INTEGER);
    expect(all.total).toBeGreaterThan(1000);
    expect(all.temp.count).toBeLessThan(all.total / 2);
  });

  it('reads whole minutes from the rollup and only the partial minutes from raw rows', async () => {
    // Mark one whole minute's rollup row: a range covering the minute sees the mark (it was
    // read from the rollup), a range cutting that minute does not (it was read from raw rows).
    const db = t.container.database.db;
    const minute = t0 + 11 * 60_000; // not one of the empty minutes (minute % 7 === 3)
    const before = await t.container.repositories.vitals.stats(deviceId, minute, minute + 60_000);
    expect(before.total).toBeGreaterThan(0);
    await db
      .updateTable('vitals_minute')
      .set((eb) => ({ packets: eb('packets', '+', 1000) }))
      .where('device_id', '=', deviceId)
      .where('minute', '=', minute)
      .execute();
    try {
      const whole = await t.container.repositories.vitals.stats(
        deviceId,
        minute - 30_000,
        minute + 90_000,
      );
      const cut = await t.container.repositories.vitals.stats(
        deviceId,
        minute + 1,
        minute + 60_000,
      );
      const raw = await rawStats(t, deviceId, minute - 30_000, minute + 90_000);
      expect(whole.total).toBe(raw.total + 1000);
      expect(cut.total).toBe((await rawStats(t, deviceId, minute + 1, minute + 60_000)).total);
    } finally {
      await db
        .updateTable('vitals_minute')
        .set((eb) => ({ packets: eb('packets', '-', 1000) }))
        .where('device_id', '=', deviceId)
        .where('minute', '=', minute)
        .execute();
    }
  });

  it('serves the same figures over HTTP, averages rounded to 0.01', async () => {
    const from = t0 + 90_500;
    const to = t0 + 30 * 60_000 + 15_250;
    const res = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}/stats?from=${from}&to=${to}`,
      headers: doctor.headers,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{
      total_packets: number;
      first_timestamp: number;
      last_timestamp: number;
      heart_rate_bpm: Agg;
      spo2_percent: Agg;
    }>();
    const raw = await rawStats(t, deviceId, from, to);
    expect(body).toMatchObject({
      total_packets: raw.total,
      first_timestamp: raw.first,
      last_timestamp: raw.last,
      heart_rate_bpm: { min: raw.hr.min, max: raw.hr.max, count: raw.hr.count },
      spo2_percent: { min: raw.spo2.min, max: raw.spo2.max, count: raw.spo2.count },
    });
    expect(body.heart_rate_bpm.avg).toBeCloseTo(raw.hr.avg ?? NaN, 2);
  });
});
