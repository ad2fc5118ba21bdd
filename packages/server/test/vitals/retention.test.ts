import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RetainedTable } from '../../src/repositories/retention.repository.js';
import { noRowsDeleted, RetentionService } from '../../src/services/retention.service.js';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
} from '../helpers/index.js';
import { post, syntheticPackets } from './packets.js';

const DAY = 86_400_000;
const TABLES: RetainedTable[] = ['vitals', 'predictions', 'vitals_minute'];

/** Rows per table before `h` and from `h` on (the rollup by its minute, the rest by ts). */
async function census(
  t: TestApp,
  h: number,
): Promise<Record<string, { older: number; newer: number }>> {
  const db = t.container.database.db;
  const out: Record<string, { older: number; newer: number }> = {};
  for (const table of TABLES) {
    const column = sql.ref(table === 'vitals_minute' ? 'minute' : 'ts');
    const r = await db
      .selectFrom(table)
      .select([
        sql<number>`cast(coalesce(sum(case when ${column} < ${h} then 1 else 0 end), 0) as integer)`.as(
          'older',
        ),
        sql<number>`cast(coalesce(sum(case when ${column} >= ${h} then 1 else 0 end), 0) as integer)`.as(
          'newer',
        ),
      ])
      .executeTakeFirstOrThrow();
    out[table] = { older: r.older, newer: r.newer };
  }
  for (const table of ['alerts', 'events'] as const) {
    const r = await db
      .selectFrom(table)
      .select(sql<number>`cast(count(*) as integer)`.as('n'))
      .executeTakeFirstOrThrow();
    out[table] = { older: 0, newer: r.n };
  }
  return out;
}

describe('data retention (VITALS_RETENTION_DAYS)', () => {
  let t: TestApp;
  let horizon: number;
  const deviceId = 'ESP32-RETAIN';

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    const doctor = await createDoctor(t, admin);
    const patient = await createPatient(t, doctor);
    const { api_key: key } = await registerDevice(t, doctor, {
      patientId: patient.user.id,
      deviceId,
    });
    // The 30-day horizon is the start of the minute 30 days ago.
    horizon = Math.floor((t.clock.now() - 30 * DAY) / 60_000) * 60_000;
    // 45 s of tachycardia ten minutes before the horizon (opens an hr_high alert), packets on
    // either side of the horizon, and a recent minute.
    const old = syntheticPackets(deviceId, 150, 45, horizon - 600_000, 7, {}, 0);
    const edge = syntheticPackets(deviceId, 70, 3, horizon - 1000, 8, {}, 100);
    const recent = syntheticPackets(deviceId, 70, 60, t.clock.now() - 3_600_000, 9, {}, 200);
    for (const batch of [old, edge, recent]) {
      const res = await post(t, key, batch);
      expect(res.statusCode, res.body).toBe(200);
    }
    await t.container.services.alerts.idle();
  });
  afterAll(async () => {
    await t.close();
  });

  it('deletes packets, ECG, predictions and rollup rows older than the horizon in batches, never alerts or events', async () => {
    const before = await census(t, horizon);
    // The data spans the horizon in every trimmed table, and the old tachycardia left an alert
    // and its events.
    for (const table of TABLES) {
      expect(before[table]?.older, table).toBeGreaterThan(0);
      expect(before[table]?.newer, table).toBeGreaterThan(0);
    }
    expect(before.alerts?.newer).toBeGreaterThan(0);
    expect(before.events?.newer).toBeGreaterThan(0);

    let pauses = 0;
    const service = new RetentionService(
      { retention: t.container.repositories.retention, clock: t.clock },
      {
        days: 30,
        batchSize: 7,
        pause: () => {
          pauses++;
          return Promise.resolve();
        },
      },
    );
    expect(service.horizon()).toBe(horizon);
    const report = await service.purge();
    expect(report).toEqual({
      before: horizon,
      complete: true,
      // The other kinds (none stored here, 0): src/repositories/retention.repository.test.ts.
      deleted: {
        ...noRowsDeleted(),
        vitals: before.vitals?.older,
        predictions: before.predictions?.older,
        vitals_minute: before.vitals_minute?.older,
      },
      // 30 days back has no day partition (PostgreSQL): its rows are deleted one by one.
      partitions: 0,
      clipsRemoved: 0,
    });
    // Batches of 7 packets (with their predictions), then of 7 rollup rows: a pause after every
    // full batch (46 old packets: 6 pauses).
    expect(pauses).toBe(
      Math.floor((before.vitals?.older ?? 0) / 7) +
        Math.floor((before.vitals_minute?.older ?? 0) / 7),
    );
    expect(before.vitals?.older).toBe(46);

    const after = await census(t, horizon);
    for (const table of TABLES)
      expect(after[table], table).toEqual({ older: 0, newer: before[table]?.newer });
    expect(after.alerts).toEqual(before.alerts);
    expect(after.events).toEqual(before.events);

    // The rollup and the raw rows still agree (stats reads one for whole minutes, the other for
    // the cut ones): the horizon is a whole minute.
    const stats = await t.container.repositories.vitals.stats(deviceId, 0, Number.MAX_SAFE_INTEGER);
    expect(stats.total).toBe(after.vitals?.newer);
    expect(stats.first).toBe(horizon);

    // A second pass finds nothing; a day later (fake clock) the horizon moves by a day and the
    // next day's oldest minute goes.
    expect(Object.values((await service.purge()).deleted).every((n) => n === 0)).toBe(true);
    t.clock.advance(DAY);
    const next = await service.purge();
    expect(next.before).toBe(horizon + DAY);
    expect(next.deleted.vitals).toBe(2); // the packets at the horizon and 1 s after it
    expect((await census(t, horizon + DAY)).vitals).toEqual({
      older: 0,
      newer: before.vitals?.newer ? before.vitals.newer - 2 : NaN,
    });
  });

  it('keeps everything when the retention is 0 days', async () => {
    const before = await census(t, t.clock.now());
    const report = await new RetentionService(
      { retention: t.container.repositories.retention, clock: t.clock },
      { days: 0 },
    ).purge();
    expect(Object.values(report.deleted).every((n) => n === 0)).toBe(true);
    expect(await census(t, t.clock.now())).toEqual(before);
  });
});

describe('retention job in the composition root', () => {
  it('runs only when VITALS_RETENTION_DAYS or AUDIO_RETENTION_DAYS is set', async () => {
    const off = await createTestApp();
    expect(off.container.retention).toBeUndefined();
    await off.close();
    const on = await createTestApp({ env: { VITALS_RETENTION_DAYS: '30' } });
    try {
      expect(on.container.retention?.horizon()).toBe(
        Math.floor((on.clock.now() - 30 * DAY) / 60_000) * 60_000,
      );
    } finally {
      await on.close();
    }
    const audioOnly = await createTestApp({ env: { AUDIO_RETENTION_DAYS: '7' } });
    try {
      expect(audioOnly.container.retention).toBeDefined();
    } finally {
      await audioOnly.close();
    }
  });
});
