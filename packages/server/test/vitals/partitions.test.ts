import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DAY_MS,
  PARTITIONED_TABLES,
  createDayPartitions,
  dayStart,
  listDayPartitions,
  partitionName,
} from '../../src/db/partitions.js';
import { RetentionService } from '../../src/services/retention.service.js';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
} from '../helpers/index.js';
import { post, syntheticPackets } from './packets.js';

/** Where each of a device's packets is stored: [ts, partition] in time order. */
async function placement(t: TestApp, deviceId: string): Promise<[number, string][]> {
  const { rows } = await sql<{ ts: number; part: string }>`
    select ts, tableoid::regclass::text as part from vitals
    where device_id = ${deviceId} order by ts`.execute(t.container.database.db);
  return rows.map((r) => [r.ts, r.part.replace(/^.*\./, '')]);
}

async function count(t: TestApp, table: string, deviceId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from ${sql.table(table)} where device_id = ${deviceId}`.execute(
    t.container.database.db,
  );
  return rows[0]?.n ?? -1;
}

describe.skipIf(process.env.DATABASE_URL === undefined)(
  'packet tables partitioned by day (PostgreSQL, migration 018)',
  () => {
    let t: TestApp;
    let raw: Kysely<unknown>;
    const keys = new Map<string, string>();
    const today = dayStart(Date.now());

    beforeAll(async () => {
      t = await createTestApp();
      raw = t.container.database.db as unknown as Kysely<unknown>;
      const admin = await createAdmin(t);
      const doctor = await createDoctor(t, admin);
      const patient = await createPatient(t, doctor);
      for (const deviceId of ['ESP32-EDGE', 'ESP32-LATE', 'ESP32-KEEP']) {
        const { api_key: key } = await registerDevice(t, doctor, {
          patientId: patient.user.id,
          deviceId,
        });
        keys.set(deviceId, key);
      }
    });
    afterAll(async () => {
      await t.close();
    });

    it('has the day partitions of today and the next two days, and the maintenance creates the next ones as days pass', async () => {
      for (const { table } of PARTITIONED_TABLES) {
        const days = await listDayPartitions(raw, table);
        expect(days, table).toEqual(
          expect.arrayContaining([today, today + DAY_MS, today + 2 * DAY_MS]),
        );
      }
      const repo = t.container.repositories.retention;
      // Two days later: two new days of four tables; run again, nothing more.
      expect(await repo.createPartitionsAhead(today + 2 * DAY_MS + 3_600_000)).toBe(8);
      expect(await repo.createPartitionsAhead(today + 2 * DAY_MS + 3_600_000)).toBe(0);
      for (const { table } of PARTITIONED_TABLES)
        expect(await listDayPartitions(raw, table), table).toEqual(
          expect.arrayContaining([today + 3 * DAY_MS, today + 4 * DAY_MS]),
        );
    });

    it('stores a packet once on either side of a day boundary, however often and however concurrently it is retried', async () => {
      const deviceId = 'ESP32-EDGE';
      const key = keys.get(deviceId) ?? '';
      const boundary = today + DAY_MS;
      t.clock.set(boundary + 10_000);
      const batch = syntheticPackets(deviceId, 72, 4, boundary - 2000, 3);
      const first = await post(t, key, batch);
      expect(first.statusCode, first.body).toBe(200);
      const retries = await Promise.all([post(t, key, batch), post(t, key, batch)]);
      for (const r of retries) expect(r.statusCode, r.body).toBe(200);
      const ids = first.json<{ items: { id: string }[] }>().items.map((i) => i.id);
      for (const r of retries)
        expect(r.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toEqual(ids);
      // One by one (a single packet is answered 201, a retry identically): the stored packet's id.
      for (const [i, p] of batch.entries()) {
        const again = await post(t, key, p);
        expect(again.statusCode, again.body).toBe(201);
        expect(again.json<{ id: string }>().id).toBe(ids[i]);
      }
      expect(await placement(t, deviceId)).toEqual([
        [boundary - 2000, partitionName('vitals', today)],
        [boundary - 1000, partitionName('vitals', today)],
        [boundary, partitionName('vitals', boundary)],
        [boundary + 1000, partitionName('vitals', boundary)],
      ]);
      expect(await count(t, 'predictions', deviceId)).toBe(4);
      const { rows } = await sql<{ packets: number }>`
        select cast(sum(packets) as int) as packets from vitals_minute
        where device_id = ${deviceId}`.execute(raw);
      expect(rows[0]?.packets).toBe(4);
    });

    it("moves a day's packets out of the default partition when that day's partition is created late, and still deduplicates them", async () => {
      const deviceId = 'ESP32-LATE';
      const key = keys.get(deviceId) ?? '';
      const day = today - 10 * DAY_MS;
      const batch = syntheticPackets(deviceId, 72, 3, day + 3_600_000, 4);
      expect((await post(t, key, batch)).statusCode).toBe(200);
      expect((await placement(t, deviceId)).map(([, p]) => p)).toEqual(
        Array(3).fill('vitals_pdefault'),
      );
      expect(await createDayPartitions(raw, day)).toBe(4);
      expect((await placement(t, deviceId)).map(([, p]) => p)).toEqual(
        Array(3).fill(partitionName('vitals', day)),
      );
      const again = await post(t, key, batch);
      expect(again.statusCode, again.body).toBe(200);
      expect(await count(t, 'vitals', deviceId)).toBe(3);
      expect(await count(t, 'predictions', deviceId)).toBe(3);
    });

    it('retention drops the days wholly before the horizon, keeps the day it falls in whole, and everything newer', async () => {
      const deviceId = 'ESP32-KEEP';
      const key = keys.get(deviceId) ?? '';
      const now = today + DAY_MS + 43_200_000; // noon tomorrow
      t.clock.set(now);
      const horizonDay = dayStart(now - 30 * DAY_MS);
      const days = [-3, -2, -1, 0, 1, 2].map((d) => horizonDay + d * DAY_MS);
      for (const day of days) await createDayPartitions(raw, day);
      // Three packets at 06:00 of each day (before the horizon's noon on the horizon's day).
      let seq = 0;
      for (const day of days) {
        const res = await post(
          t,
          key,
          syntheticPackets(deviceId, 72, 3, day + 21_600_000, 5, {}, seq),
        );
        expect(res.statusCode, res.body).toBe(200);
        seq += 3;
      }
      const service = new RetentionService(
        { retention: t.container.repositories.retention, clock: t.clock },
        { days: 30 },
      );
      expect(service.horizon()).toBe(now - 30 * DAY_MS);
      const report = await service.purge();
      // Three days × four tables dropped; no row deleted one by one (none older in the default
      // partition from this test file).
      expect(report.partitions).toBe(12);
      expect(report.before).toBe(horizonDay);
      expect(report.complete).toBe(true);
      for (const { table } of PARTITIONED_TABLES) {
        const left = await listDayPartitions(raw, table);
        for (const day of days.slice(0, 3)) expect(left, table).not.toContain(day);
        for (const day of days.slice(3)) expect(left, table).toContain(day);
      }
      // The horizon's day is kept whole (its 06:00 packets are older than the noon horizon).
      const kept = await placement(t, deviceId);
      expect(kept.map(([ts]) => ts)).toEqual(
        days.slice(3).flatMap((d) => [0, 1, 2].map((s) => d + 21_600_000 + s * 1000)),
      );
      expect(await count(t, 'predictions', deviceId)).toBe(9);
      const stats = await t.container.repositories.vitals.stats(
        deviceId,
        0,
        Number.MAX_SAFE_INTEGER,
      );
      expect(stats.total).toBe(9);
      expect(stats.first).toBe(horizonDay + 21_600_000);
      // The other devices' newer packets are untouched.
      expect(await count(t, 'vitals', 'ESP32-EDGE')).toBe(4);
    });
  },
);
