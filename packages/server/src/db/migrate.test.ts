import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Migration } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createDatabase, SCHEMA_DDL_LOCK, type Database } from './database.js';
import { migrateToLatest, MigrationError } from './migrate.js';
import * as ecgInVitals from './migrations/005_ecg_in_vitals.js';
import * as measuredHeartRateRollup from './migrations/027_measured_heart_rate_rollup.js';
import { migrations } from './migrations/index.js';
import { createVitalsRepository } from '../repositories/vitals.repository.js';
import { ecgPredictionRow, vitalsRow } from '../../test/helpers/vitals-row.js';

/** SQLite in memory, or a PostgreSQL schema of its own when DATABASE_URL is set. */
async function freshDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  return url === undefined
    ? createDatabase({ sqlitePath: ':memory:' })
    : createDatabase({
        databaseUrl: url,
        pgSchema: `vigil_migtest_${randomBytes(6).toString('hex')}`,
        dropSchemaOnClose: true,
      });
}

/** The migrations before `name` (e.g. '022'), to set a database up as it was before that one. */
function before(name: string): Record<string, Migration> {
  return Object.fromEntries(Object.entries(migrations).filter(([n]) => n < name));
}

let database: Database | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

describe('migrateToLatest', () => {
  it('applies every migration once, then nothing on a second run', async () => {
    database = await freshDatabase();
    const db = database.db as unknown as Kysely<never>;
    const first = await migrateToLatest(db, database.dialect);
    expect(first.map((r) => [r.migrationName, r.status])).toEqual(
      Object.keys(migrations).map((name) => [name, 'Success']),
    );
    expect(await migrateToLatest(db, database.dialect)).toEqual([]);
    const users = await database.db.selectFrom('users').select('id').execute();
    expect(users).toEqual([]);
  });

  it('fails loudly, naming the migration, and keeps the earlier ones', async () => {
    database = await freshDatabase();
    const broken: Migration = {
      async up(db: Kysely<unknown>) {
        await sql`create table broken_one (id text primary key)`.execute(db);
        await sql`this is not sql`.execute(db);
      },
    };
    const set = { ...migrations, '999_broken': broken };
    const run = migrateToLatest(database.db as unknown as Kysely<never>, database.dialect, set);
    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toThrow(/^migration 999_broken failed: /);
  });

  it('leaves nothing of a migration that fails halfway, so that the next start runs it again whole', async () => {
    database = await freshDatabase();
    const db = database.db as unknown as Kysely<never>;
    await migrateToLatest(db, database.dialect);
    let fail = true;
    // A table rebuild as several migrations do: create the new table, copy, then a step fails
    // (disk full, a constraint the data breaks, the process killed).
    const rebuild: Migration = {
      async up(m: Kysely<unknown>) {
        await sql`create table users_rebuilt (id text primary key)`.execute(m);
        await sql`insert into users_rebuilt (id) select id from users`.execute(m);
        if (fail) await sql`this is not sql`.execute(m);
      },
    };
    const set = { ...migrations, '999_rebuild': rebuild };
    await expect(migrateToLatest(db, database.dialect, set)).rejects.toThrow(
      /^migration 999_rebuild failed: /,
    );
    const tables = await db.introspection.getTables();
    expect(tables.map((t) => t.name)).not.toContain('users_rebuilt');
    fail = false;
    const results = await migrateToLatest(db, database.dialect, set);
    expect(results.map((r) => [r.migrationName, r.status])).toEqual([['999_rebuild', 'Success']]);
  });

  it('refuses a database migrated by a newer version, naming its unknown migration and what to do', async () => {
    database = await freshDatabase();
    const db = database.db as unknown as Kysely<never>;
    await migrateToLatest(db, database.dialect);
    // What a newer release leaves behind: a migration this code does not have.
    await sql`insert into kysely_migration (name, timestamp) values ('999_from_the_future', '2027-01-01T00:00:00.000Z')`.execute(
      db,
    );
    const run = migrateToLatest(db, database.dialect);
    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toThrow(
      'the database was migrated by a newer Vigil: its migration 999_from_the_future is unknown to this version. Start the version that migrated it, or restore a backup taken before the upgrade',
    );
    // Nothing was changed: the newer row is still there and the schema still answers.
    const { rows } = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(
      db,
    );
    expect(Number(rows[0]?.n)).toBe(Object.keys(migrations).length + 1);
  });

  it('stores epoch-millisecond timestamps as numbers on both dialects', async () => {
    database = await freshDatabase();
    await migrateToLatest(database.db as unknown as Kysely<never>, database.dialect);
    const at = Date.UTC(2026, 10, 23, 12, 0, 0, 123);
    await database.db
      .insertInto('users')
      .values({
        id: 'u1',
        email: 'a@example.test',
        name: 'A',
        role: 'patient',
        password_hash: 'h',
        doctor_id: null,
        health_profile: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    const row = await database.db
      .selectFrom('users')
      .select('created_at')
      .executeTakeFirstOrThrow();
    expect(row.created_at).toBe(at);
  });

  it('rejects an unknown role at the database level', async () => {
    database = await freshDatabase();
    await migrateToLatest(database.db as unknown as Kysely<never>, database.dialect);
    const insert = database.db
      .insertInto('users')
      .values({
        id: 'u2',
        email: 'b@example.test',
        name: 'B',
        role: 'nurse' as 'patient',
        password_hash: 'h',
        doctor_id: null,
        health_profile: null,
        created_at: 0,
        updated_at: 0,
      })
      .execute();
    await expect(insert).rejects.toThrow(/check constraint|CHECK constraint/i);
  });

  it("moves each packet's ECG chunk into its vitals row (005), and back down", async () => {
    database = await freshDatabase();
    const db = database.db as unknown as Kysely<unknown>;
    const migrating = database.db as unknown as Kysely<never>;
    await migrateToLatest(migrating, database.dialect, before('005'));
    await sql`insert into users (id, email, name, role, password_hash, created_at, updated_at)
      values ('p1', 'p@example.test', 'P', 'patient', 'h', 0, 0)`.execute(db);
    await sql`insert into devices (id, device_id, name, api_key_hash, api_key_prefix, patient_id,
      owner_id, created_at, updated_at) values ('d1', 'ESP32-1', 'n', 'h', 'p', 'p1', 'p1', 0, 0)`.execute(
      db,
    );
    const samples = new Uint8Array([1, 0, 255, 255, 16, 39]); // int16 LE: 1, -1, 10000
    for (const [id, ts, n] of [
      ['v1', 1000, 3],
      ['v2', 2000, 0],
    ] as const) {
      await sql`insert into vitals (id, device_id, patient_id, ts, received_at,
        ecg_sample_rate_hz, ecg_n_samples) values (${id}, 'ESP32-1', 'p1', ${ts}, ${ts}, 250, ${n})`.execute(
        db,
      );
    }
    await sql`insert into ecg_chunks (vitals_id, device_id, ts, fs, n_samples, scale_mv, samples)
      values ('v1', 'ESP32-1', 1000, 250, 3, 0.002, ${samples})`.execute(db);

    // Up to 017: 018 partitions `vitals` on PostgreSQL, and 005's down references vitals(id).
    await migrateToLatest(migrating, database.dialect, before('018'));
    const rows = await database.db
      .selectFrom('vitals')
      .select(['id', 'ecg_scale_mv', 'ecg_samples'])
      .orderBy('ts')
      .execute();
    expect(rows.map((r) => [r.id, r.ecg_scale_mv, r.ecg_samples && [...r.ecg_samples]])).toEqual([
      ['v1', 0.002, [...samples]],
      ['v2', null, null],
    ]);
    const tables = await database.db.introspection.getTables();
    expect(tables.map((t) => t.name)).not.toContain('ecg_chunks');

    await ecgInVitals.down(db);
    const back = await sql<{ vitals_id: string; n_samples: number; samples: Uint8Array }>`
      select vitals_id, n_samples, samples from ecg_chunks`.execute(db);
    expect(back.rows.map((r) => [r.vitals_id, r.n_samples, [...r.samples]])).toEqual([
      ['v1', 3, [...samples]],
    ]);
  });

  it('records every patient a device has served from its current patient and its stored rows (022)', async () => {
    database = await freshDatabase();
    const db = database.db as unknown as Kysely<unknown>;
    const migrating = database.db as unknown as Kysely<never>;
    await migrateToLatest(migrating, database.dialect, before('022'));
    for (const p of ['p1', 'p2', 'p3'])
      await sql`insert into users (id, email, name, role, password_hash, created_at, updated_at)
        values (${p}, ${`${p}@example.test`}, 'P', 'patient', 'h', 0, 0)`.execute(db);
    // ESP32-1 served p1 (packets at 1 and 2 s), then p2 (now); ESP32-2 served p3's oximetry and
    // is unassigned now; ESP32-3 was never assigned.
    for (const [id, device, patient, created] of [
      ['d1', 'ESP32-1', 'p2', 500],
      ['d2', 'ESP32-2', null, 600],
      ['d3', 'ESP32-3', null, 700],
    ] as const)
      await sql`insert into devices (id, device_id, name, api_key_hash, api_key_prefix, patient_id,
        owner_id, created_at, updated_at) values (${id}, ${device}, 'n', ${id}, ${id}, ${patient},
        'p1', ${created}, ${created})`.execute(db);
    for (const [id, ts] of [
      ['v1', 1000],
      ['v2', 2000],
    ] as const)
      await sql`insert into vitals (id, device_id, patient_id, ts, received_at,
        ecg_sample_rate_hz, ecg_n_samples) values (${id}, 'ESP32-1', 'p1', ${ts}, ${ts}, 250, 0)`.execute(
        db,
      );
    await sql`insert into oximetry_readings (id, device_id, patient_id, ts, received_at,
      spo2_percent, pulse_rate_bpm) values ('o1', 'ESP32-2', 'p3', 3000, 3000, 97, 70)`.execute(db);

    await migrateToLatest(migrating, database.dialect);
    const rows = await database.db
      .selectFrom('device_patients')
      .select(['patient_id', 'device_id', 'first_at'])
      .orderBy('patient_id')
      .execute();
    expect(rows).toEqual([
      { patient_id: 'p1', device_id: 'ESP32-1', first_at: 1000 },
      { patient_id: 'p2', device_id: 'ESP32-1', first_at: 500 },
      { patient_id: 'p3', device_id: 'ESP32-2', first_at: 3000 },
    ]);
  });

  it('keeps every existing device in service when it adds retired_at (023)', async () => {
    database = await freshDatabase();
    const db = database.db as unknown as Kysely<unknown>;
    const migrating = database.db as unknown as Kysely<never>;
    await migrateToLatest(migrating, database.dialect, before('023'));
    await sql`insert into devices (id, device_id, name, api_key_hash, api_key_prefix, patient_id,
      owner_id, created_at, updated_at) values ('d1', 'ESP32-1', 'n', 'h1', 'p1', null, null,
      500, 500)`.execute(db);

    await migrateToLatest(migrating, database.dialect);
    expect(
      await database.db.selectFrom('devices').select(['device_id', 'retired_at']).execute(),
    ).toEqual([{ device_id: 'ESP32-1', retired_at: null }]);
    await database.db
      .updateTable('devices')
      .set({ retired_at: 1_765_000_000_000 })
      .where('id', '=', 'd1')
      .execute();
    // Epoch ms past 2^31 come back as numbers on both dialects (bigint).
    expect(await database.db.selectFrom('devices').select('retired_at').executeTakeFirst()).toEqual(
      { retired_at: 1_765_000_000_000 },
    );
  });

  it('records the kinds each device has sent from its stored readings (024)', async () => {
    database = await freshDatabase();
    const db = database.db as unknown as Kysely<unknown>;
    const migrating = database.db as unknown as Kysely<never>;
    await migrateToLatest(migrating, database.dialect, before('024'));
    await sql`insert into users (id, email, name, role, password_hash, created_at, updated_at)
      values ('p1', 'p1@example.test', 'P', 'patient', 'h', 0, 0)`.execute(db);
    // ESP32-1 sent packets and oximetry; OXI-2 oximetry; BABY-3 a monitor reading; NEW-4 nothing.
    for (const [id, device] of [
      ['d1', 'ESP32-1'],
      ['d2', 'OXI-2'],
      ['d3', 'BABY-3'],
      ['d4', 'NEW-4'],
    ] as const)
      await sql`insert into devices (id, device_id, name, api_key_hash, api_key_prefix, patient_id,
        owner_id, created_at, updated_at) values (${id}, ${device}, 'n', ${id}, ${id}, 'p1',
        'p1', 100, 100)`.execute(db);
    for (const [id, ts] of [
      ['v1', 2000],
      ['v2', 1000],
    ] as const)
      await sql`insert into vitals (id, device_id, patient_id, ts, received_at,
        ecg_sample_rate_hz, ecg_n_samples) values (${id}, 'ESP32-1', 'p1', ${ts}, ${ts}, 250, 0)`.execute(
        db,
      );
    for (const [id, device, ts] of [
      ['o1', 'ESP32-1', 5000],
      ['o2', 'OXI-2', 3000],
    ] as const)
      await sql`insert into oximetry_readings (id, device_id, patient_id, ts, received_at,
        spo2_percent, pulse_rate_bpm) values (${id}, ${device}, 'p1', ${ts}, ${ts}, 97, 70)`.execute(
        db,
      );
    await sql`insert into baby_readings (id, patient_id, device_id, ts, temperature_c,
      cry_detected, sick_detected) values ('b1', 'p1', 'BABY-3', 4000, 36.6, 0, 0)`.execute(db);

    await migrateToLatest(migrating, database.dialect);
    const rows = await database.db
      .selectFrom('device_kinds')
      .select(['device_id', 'kind', 'first_at'])
      .orderBy('device_id')
      .orderBy('kind')
      .execute();
    expect(rows).toEqual([
      { device_id: 'BABY-3', kind: 'baby-monitor', first_at: 4000 },
      { device_id: 'ESP32-1', kind: 'ecg-vitals', first_at: 1000 },
      { device_id: 'ESP32-1', kind: 'pulse-oximetry', first_at: 5000 },
      { device_id: 'OXI-2', kind: 'pulse-oximetry', first_at: 3000 },
    ]);
  });

  it('gives the stored rule alerts their opening as data time, manual and device-silent ones none (025)', async () => {
    database = await freshDatabase();
    const db = database.db as unknown as Kysely<unknown>;
    const migrating = database.db as unknown as Kysely<never>;
    await migrateToLatest(migrating, database.dialect, before('025'));
    await sql`insert into users (id, email, name, role, password_hash, created_at, updated_at)
      values ('p1', 'p1@example.test', 'P', 'patient', 'h', 0, 0)`.execute(db);
    for (const [id, kind, opened] of [
      ['a1', 'af_onset', 1000],
      ['a2', 'manual', 2000],
      ['a3', 'device_silent', 3000],
      ['a4', 'hr_high', 4000],
    ] as const)
      await sql`insert into alerts (id, patient_id, device_id, rule_kind, severity, message,
        opened_at, updated_at, cleared_at) values (${id}, 'p1', 'ESP32-1', ${kind}, 'warning', 'm',
        ${opened}, ${opened}, ${opened + 1})`.execute(db);

    await migrateToLatest(migrating, database.dialect);
    const rows = await database.db
      .selectFrom('alerts')
      .select(['id', 'opened_at', 'onset_at'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: 'a1', opened_at: 1000, onset_at: 1000 },
      { id: 'a2', opened_at: 2000, onset_at: null },
      { id: 'a3', opened_at: 3000, onset_at: null },
      { id: 'a4', opened_at: 4000, onset_at: 4000 },
    ]);
  });

  it("adds the rates measured from stored packets' ECG to the rollup, as ingest now does (027)", async () => {
    database = await freshDatabase();
    const db = database.db as unknown as Kysely<unknown>;
    const migrating = database.db as unknown as Kysely<never>;
    await migrateToLatest(migrating, database.dialect, before('027'));
    for (const [id, device] of [
      ['d1', 'ECG-ONLY'],
      ['d2', 'MIXED'],
      ['d3', 'ECG-NOW'],
    ] as const)
      await sql`insert into devices (id, device_id, name, api_key_hash, api_key_prefix, patient_id,
        owner_id, created_at, updated_at) values (${id}, ${device}, 'n', ${id}, ${id}, null, null,
        0, 0)`.execute(db);
    const minute = Date.UTC(2026, 11, 7, 9, 0);
    // [packet, device, ts, its own rate, its predictions' ECG rates]: a prediction without a rate
    // (null), a packet not assessed (none), one assessed twice (counted once, by its first).
    const packets = [
      ['e1', 'ECG-ONLY', minute + 1000, null, [72.3]],
      ['e2', 'ECG-ONLY', minute + 2000, null, [70.1]],
      ['e3', 'ECG-ONLY', minute + 3000, null, [null]],
      ['e4', 'ECG-ONLY', minute + 4000, null, []],
      ['e5', 'ECG-ONLY', minute + 61_000, null, [75, 99]],
      ['m1', 'MIXED', minute + 1000, 60, [80]],
      ['m2', 'MIXED', minute + 2000, null, [81.7]],
    ] as const;
    const packetRow = (id: string, device: string, ts: number, hr: number | null) =>
      vitalsRow({ id, device_id: device, ts, heart_rate_bpm: hr });
    // Stored as before 027: the rollup counts the packets and the rates they carried.
    for (const [id, device, ts, hr, rates] of packets) {
      const v = packetRow(id, device, ts, hr);
      await database.db.insertInto('vitals').values(v).execute();
      for (const [k, rate] of rates.entries())
        await database.db
          .insertInto('predictions')
          .values(ecgPredictionRow(`p${String(k)}-${id}`, v, rate))
          .execute();
      await sql`insert into vitals_minute (device_id, minute, packets, hr_n, hr_sum, hr_min, hr_max,
        spo2_n, spo2_sum, temp_n, temp_sum) values (${device}, ${Math.floor(ts / 60_000) * 60_000},
        1, ${hr === null ? 0 : 1}, ${hr ?? 0}, ${hr}, ${hr}, 0, 0, 0, 0)
        on conflict (device_id, minute) do update set packets = vitals_minute.packets + 1,
        hr_n = vitals_minute.hr_n + excluded.hr_n, hr_sum = vitals_minute.hr_sum + excluded.hr_sum,
        hr_min = coalesce(vitals_minute.hr_min, excluded.hr_min),
        hr_max = coalesce(vitals_minute.hr_max, excluded.hr_max)`.execute(db);
    }

    await migrateToLatest(migrating, database.dialect);
    // The same ECG-only packets stored now, through the ingest path's writer: the same rollup.
    const typed = database.db;
    const vitals = createVitalsRepository(typed, database.dialect);
    const now = packets.filter(([, device]) => device === 'ECG-ONLY');
    for (const [id, , ts, hr, rates] of now) {
      const v = packetRow(`now-${id}`, 'ECG-NOW', ts, hr);
      const predictions = rates.map((rate, k) =>
        ecgPredictionRow(`p${String(k)}-now-${id}`, v, rate),
      );
      // The second prediction of e5 comes in a commit of its own, as a re-analysis would.
      await vitals.writeUnits([{ vitals: [v], predictions: predictions.slice(0, 1) }]);
      if (predictions.length > 1)
        await vitals.writeUnits([{ vitals: [], predictions: predictions.slice(1) }]);
    }
    const rollup = async (device: string) =>
      (
        await typed
          .selectFrom('vitals_minute')
          .select(['minute', 'packets', 'hr_n', 'hr_sum', 'hr_min', 'hr_max'])
          .where('device_id', '=', device)
          .orderBy('minute')
          .execute()
      ).map((r) => ({ ...r, hr_sum: Math.round(r.hr_sum * 1e4) / 1e4 }));
    const ecgOnly = [
      { minute, packets: 4, hr_n: 2, hr_sum: 142.4, hr_min: 70.1, hr_max: 72.3 },
      { minute: minute + 60_000, packets: 1, hr_n: 1, hr_sum: 75, hr_min: 75, hr_max: 75 },
    ];
    expect(await rollup('ECG-ONLY')).toEqual(ecgOnly);
    expect(await rollup('ECG-NOW')).toEqual(ecgOnly);
    expect(await rollup('MIXED')).toEqual([
      { minute, packets: 2, hr_n: 2, hr_sum: 141.7, hr_min: 60, hr_max: 81.7 },
    ]);

    await measuredHeartRateRollup.down(db);
    expect(await rollup('ECG-ONLY')).toEqual([
      { minute, packets: 4, hr_n: 0, hr_sum: 0, hr_min: null, hr_max: null },
      { minute: minute + 60_000, packets: 1, hr_n: 0, hr_sum: 0, hr_min: null, hr_max: null },
    ]);
    expect(await rollup('MIXED')).toEqual([
      { minute, packets: 2, hr_n: 1, hr_sum: 60, hr_min: 60, hr_max: 60 },
    ]);
  });

  it('splits the rollup by the patient each packet was taken for, as ingest now writes it (032)', async () => {
    database = await freshDatabase();
    const db = database.db as unknown as Kysely<unknown>;
    const migrating = database.db as unknown as Kysely<never>;
    await migrateToLatest(migrating, database.dialect, before('032'));
    for (const p of ['pa', 'pb'])
      await sql`insert into users (id, email, name, role, password_hash, created_at, updated_at)
        values (${p}, ${`${p}@example.test`}, 'P', 'patient', 'h', 0, 0)`.execute(db);
    for (const [id, device] of [
      ['d1', 'HANDED'],
      ['d2', 'HANDED-NOW'],
    ] as const)
      await sql`insert into devices (id, device_id, name, api_key_hash, api_key_prefix, patient_id,
        owner_id, created_at, updated_at) values (${id}, ${device}, 'n', ${id}, ${id}, null, null,
        0, 0)`.execute(db);
    const minute = Date.UTC(2026, 11, 7, 9, 0);
    // [packet, patient, ts, its own rate, its ECG-measured rate]: minute 0 is handed from pa to
    // pb, minute 1 pb's alone, minute 2 an unassigned packet and pa's again (measured rates).
    const packets = [
      ['a1', 'pa', minute + 1000, 60, null],
      ['b1', 'pb', minute + 30_000, 120, null],
      ['b2', 'pb', minute + 61_000, 121.5, null],
      ['n1', null, minute + 121_000, null, 72.3],
      ['a2', 'pa', minute + 150_000, null, 80],
    ] as const;
    const packetRow = (
      id: string,
      device: string,
      patient: string | null,
      ts: number,
      hr: number | null,
    ) => vitalsRow({ id, device_id: device, patient_id: patient, ts, heart_rate_bpm: hr });
    // Stored as before 032: one rollup row a device-minute, whoever the packets were taken for.
    for (const [id, patient, ts, hr, measured] of packets) {
      const v = packetRow(id, 'HANDED', patient, ts, hr);
      await database.db.insertInto('vitals').values(v).execute();
      if (measured !== null)
        await database.db
          .insertInto('predictions')
          .values(ecgPredictionRow(`p-${id}`, v, measured))
          .execute();
      const rate = hr ?? measured;
      await sql`insert into vitals_minute (device_id, minute, packets, hr_n, hr_sum, hr_min, hr_max,
        spo2_n, spo2_sum, temp_n, temp_sum) values ('HANDED', ${Math.floor(ts / 60_000) * 60_000},
        1, 1, ${rate}, ${rate}, ${rate}, 0, 0, 0, 0)
        on conflict (device_id, minute) do update set packets = vitals_minute.packets + 1,
        hr_n = vitals_minute.hr_n + 1, hr_sum = vitals_minute.hr_sum + excluded.hr_sum,
        hr_min = case when excluded.hr_min < vitals_minute.hr_min then excluded.hr_min
          else vitals_minute.hr_min end,
        hr_max = case when excluded.hr_max > vitals_minute.hr_max then excluded.hr_max
          else vitals_minute.hr_max end`.execute(db);
    }

    await migrateToLatest(migrating, database.dialect);
    // The same packets stored now, through the ingest path's writer: the same rollup.
    const typed = database.db;
    const vitals = createVitalsRepository(typed, database.dialect);
    for (const [id, patient, ts, hr, measured] of packets) {
      const v = packetRow(`now-${id}`, 'HANDED-NOW', patient, ts, hr);
      const predictions = measured === null ? [] : [ecgPredictionRow(`p-now-${id}`, v, measured)];
      await vitals.writeUnits([{ vitals: [v], predictions }]);
    }
    const rollup = async (device: string) =>
      (
        await typed
          .selectFrom('vitals_minute')
          .select(['minute', 'patient_key', 'packets', 'hr_n', 'hr_sum', 'hr_min', 'hr_max'])
          .where('device_id', '=', device)
          .orderBy('minute')
          .orderBy('patient_key')
          .execute()
      ).map((r) => ({ ...r, minute: r.minute - minute, hr_sum: Math.round(r.hr_sum * 1e4) / 1e4 }));
    const one = (m: number, key: string, hr: number) => ({
      minute: m * 60_000,
      patient_key: key,
      packets: 1,
      hr_n: 1,
      hr_sum: hr,
      hr_min: hr,
      hr_max: hr,
    });
    const split = [
      one(0, 'pa', 60),
      one(0, 'pb', 120),
      one(1, 'pb', 121.5),
      one(2, '', 72.3),
      one(2, 'pa', 80),
    ];
    expect(await rollup('HANDED')).toEqual(split);
    expect(await rollup('HANDED-NOW')).toEqual(split);
  });

  it("files the rollup rows of patients deleted before 033 under no patient, added into the minute's no-patient row", async () => {
    database = await freshDatabase();
    const db = database.db as unknown as Kysely<unknown>;
    const migrating = database.db as unknown as Kysely<never>;
    await migrateToLatest(migrating, database.dialect, before('033'));
    await sql`insert into users (id, email, name, role, password_hash, created_at, updated_at)
      values ('kept', 'kept@example.test', 'P', 'patient', 'h', 0, 0)`.execute(db);
    await sql`insert into devices (id, device_id, name, api_key_hash, api_key_prefix, patient_id,
      owner_id, created_at, updated_at) values ('d1', 'PATCH', 'n', 'd1', 'd1', null, null, 0, 0)`.execute(
      db,
    );
    const minute = Date.UTC(2026, 11, 7, 9, 0);
    // [minute, patient_key, packets, hr_n, hr_sum, hr_min, hr_max]: 'gone-1' and 'gone-2' name
    // patients deleted before 033 (no user), 'kept' one who still exists.
    const stored = [
      [0, '', 10, 10, 600, 55, 65],
      [0, 'gone-1', 20, 20, 2000, 90, 110],
      [0, 'gone-2', 5, 4, 280, 50, 80],
      [1, 'gone-1', 30, 0, 0, null, null],
      [1, 'kept', 7, 7, 490, 70, 70],
    ] as const;
    for (const [m, key, packets, n, sum, lo, hi] of stored)
      await sql`insert into vitals_minute (device_id, minute, patient_key, packets, hr_n, hr_sum,
        hr_min, hr_max, spo2_n, spo2_sum, temp_n, temp_sum) values ('PATCH',
        ${minute + m * 60_000}, ${key}, ${packets}, ${n}, ${sum}, ${lo}, ${hi}, 0, 0, 0, 0)`.execute(
        db,
      );

    await migrateToLatest(migrating, database.dialect);
    const rows = await database.db
      .selectFrom('vitals_minute')
      .select(['minute', 'patient_key', 'packets', 'hr_n', 'hr_sum', 'hr_min', 'hr_max'])
      .where('device_id', '=', 'PATCH')
      .orderBy('minute')
      .orderBy('patient_key')
      .execute();
    expect(rows.map((r) => ({ ...r, minute: (r.minute - minute) / 60_000 }))).toEqual([
      // 10 + 20 + 5 packets; 34 rates summing 2,880 between 50 and 110 bpm.
      { minute: 0, patient_key: '', packets: 35, hr_n: 34, hr_sum: 2880, hr_min: 50, hr_max: 110 },
      { minute: 1, patient_key: '', packets: 30, hr_n: 0, hr_sum: 0, hr_min: null, hr_max: null },
      { minute: 1, patient_key: 'kept', packets: 7, hr_n: 7, hr_sum: 490, hr_min: 70, hr_max: 70 },
    ]);
  });

  it.skipIf(process.env.DATABASE_URL === undefined)(
    'drops a schema only once no migration runner is introspecting the database (PostgreSQL)',
    async () => {
      const url = process.env.DATABASE_URL ?? '';
      const schema = `vigil_migtest_${randomBytes(6).toString('hex')}`;
      const other = await createDatabase({
        databaseUrl: url,
        pgSchema: schema,
        dropSchemaOnClose: true,
      });
      await migrateToLatest(other.db as unknown as Kysely<never>, 'postgres');
      // A runner elsewhere holds the lock shared, as migrateToLatest does while Kysely reads
      // every schema's tables.
      const runner = new pg.Client({ connectionString: url });
      await runner.connect();
      const exists = async (): Promise<boolean> =>
        (await runner.query('select 1 from pg_namespace where nspname = $1', [schema])).rowCount ===
        1;
      try {
        await runner.query('select pg_advisory_lock_shared(hashtext($1))', [SCHEMA_DDL_LOCK]);
        let closed = false;
        const closing = other.close().then(() => (closed = true));
        await new Promise((r) => setTimeout(r, 500));
        expect(closed).toBe(false);
        expect(await exists()).toBe(true);
        await runner.query('select pg_advisory_unlock_shared(hashtext($1))', [SCHEMA_DDL_LOCK]);
        await closing;
        expect(await exists()).toBe(false);
      } finally {
        await runner.end();
      }
    },
  );

  describe.skipIf(process.env.DATABASE_URL === undefined)('018 (PostgreSQL)', () => {
    const DAY = 86_400_000;
    const today = Math.floor(Date.now() / DAY) * DAY;

    /** A database at 017 with a device, packets on two recent days and one 500 days old. */
    async function at017(): Promise<Kysely<unknown>> {
      database = await freshDatabase();
      const db = database.db as unknown as Kysely<unknown>;
      await migrateToLatest(
        database.db as unknown as Kysely<never>,
        database.dialect,
        before('018'),
      );
      await sql`insert into users (id, email, name, role, password_hash, created_at, updated_at)
        values ('p1', 'p@example.test', 'P', 'patient', 'h', 0, 0)`.execute(db);
      await sql`insert into devices (id, device_id, name, api_key_hash, api_key_prefix, patient_id,
        owner_id, created_at, updated_at) values ('d1', 'ESP32-1', 'n', 'h', 'p', 'p1', 'p1', 0, 0)`.execute(
        db,
      );
      const samples = new Uint8Array([1, 0, 255, 255, 16, 39]);
      for (const [id, ts] of [
        ['v-old', today - 500 * DAY],
        ['v-a', today - DAY + 5000],
        ['v-b', today + 7000],
      ] as const) {
        await sql`insert into vitals (id, device_id, patient_id, ts, received_at,
          ecg_sample_rate_hz, ecg_n_samples, ecg_scale_mv, ecg_samples)
          values (${id}, 'ESP32-1', 'p1', ${ts}, ${ts}, 250, 3, 0.002, ${samples})`.execute(db);
        await sql`insert into predictions (id, vitals_id, device_id, patient_id, ts, created_at,
          risk_score, risk_label, confidence, model_version, reasons)
          values (${`p-${id}`}, ${id}, 'ESP32-1', 'p1', ${ts}, ${ts}, 0, 'normal', 1, 'm', '[]')`.execute(
          db,
        );
        await sql`insert into ecg_lead_chunks (vitals_id, device_id, patient_id, ts, sample_rate_hz,
          n_samples, leads, scales_mv, rhythm_lead, samples)
          values (${id}, 'ESP32-1', 'p1', ${ts}, 250, 3, '["II"]', '[0.002]', 'II', ${samples})`.execute(
          db,
        );
        await sql`insert into vitals_minute (device_id, minute, packets, hr_n, hr_sum, spo2_n,
          spo2_sum, temp_n, temp_sum) values ('ESP32-1', ${Math.floor(ts / 60_000) * 60_000},
          1, 0, 0, 0, 0, 0, 0)`.execute(db);
      }
      return db;
    }

    async function where(db: Kysely<unknown>, table: string): Promise<string[]> {
      const { rows } = await sql<{ part: string }>`
        select tableoid::regclass::text as part from ${sql.table(table)} order by 1`.execute(db);
      return rows.map((r) => r.part.replace(/^.*\./, ''));
    }

    it('converts the packet tables to day partitions, every row copied into its day (or the default partition)', async () => {
      const db = await at017();
      await migrateToLatest(database?.db as unknown as Kysely<never>, 'postgres');
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
      for (const table of ['vitals', 'predictions', 'ecg_lead_chunks', 'vitals_minute'])
        expect(await where(db, table), table).toEqual(
          [`${table}_p${day(today - DAY)}`, `${table}_p${day(today)}`, `${table}_pdefault`].sort(),
        );
      const { rows } = await sql<{ samples: Uint8Array }>`
        select ecg_samples as samples from vitals where id = 'v-b'`.execute(db);
      expect([...(rows[0]?.samples ?? [])]).toEqual([1, 0, 255, 255, 16, 39]);
      // A packet's identity still deduplicates; deleting the device still deletes all it sent.
      await expect(
        sql`insert into vitals (id, device_id, ts, received_at, ecg_sample_rate_hz, ecg_n_samples)
          values ('v-dup', 'ESP32-1', ${today + 7000}, 0, 250, 0)`.execute(db),
      ).rejects.toThrow(/duplicate key/);
      await sql`delete from devices where device_id = 'ESP32-1'`.execute(db);
      for (const table of ['vitals', 'predictions', 'ecg_lead_chunks', 'vitals_minute'])
        expect(await where(db, table), table).toEqual([]);
    });

    it('fails loudly and leaves the tables as they were when the conversion cannot finish', async () => {
      const db = await at017();
      await sql`create table vitals_pdefault (x int)`.execute(db);
      const run = migrateToLatest(database?.db as unknown as Kysely<never>, 'postgres');
      await expect(run).rejects.toThrow(/^migration 018_partitioned_packets failed: /);
      const { rows } = await sql<{ kind: string }>`
        select relkind as kind from pg_class where oid = 'vitals'::regclass`.execute(db);
      expect(rows[0]?.kind).toBe('r');
      expect(await where(db, 'vitals')).toEqual(['vitals', 'vitals', 'vitals']);
    });
  });
});
