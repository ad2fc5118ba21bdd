import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { DAY_MS, DAYS_AHEAD, PARTITIONED_TABLES, dayStart, partitionName } from '../partitions.js';

/**
 * Days of existing data that get day partitions of their own when a database is converted; rows
 * older than that go to the default partition (retention deletes them row by row).
 */
const BACKFILL_DAYS = 400;

/**
 * PostgreSQL: the packet tables become range-partitioned by UTC day (partitions.ts): `vitals`,
 * `predictions`, `ecg_lead_chunks` by `ts`, `vitals_minute` by `minute`, so data retention drops
 * a whole day of every table instead of deleting its rows. Unique keys on a partitioned table
 * must contain the partition key: the packet's identity `vitals (device_id, ts)` already does
 * and keeps deduplicating across all partitions; the row ids become `(id, ts)`,
 * `(vitals_id, ts)`. A prediction and a lead chunk no longer reference their packet by a
 * foreign key (one onto a partitioned table would make every dropped day check the other
 * tables); they are written in the packet's transaction, fall in its day and go with it, and
 * reference the device (ON DELETE CASCADE) as the packet does, so deleting a device still
 * deletes everything it sent.
 *
 * An existing database is converted in the migration's transaction: each table is renamed,
 * recreated partitioned (same columns, defaults and checks), day partitions are created for
 * the days its packets fall on (at most 400 days back), today and the next two, every row is copied, the
 * counts are compared (a difference throws, and the whole migration rolls back), the old table
 * is dropped and the keys, indexes and foreign keys are built. SQLite is unchanged (retention
 * deletes rows there).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  const today = dayStart(Date.now());

  // The days to partition: those the existing packets fall on (at most BACKFILL_DAYS back),
  // then today and the days ahead. A day between them without data gets its partition only if
  // the maintenance job makes it; until then its rows (late packets) go to the default partition.
  const { rows: dayRows } = await sql<{ day: number | string }>`
    select distinct (ts / ${sql.lit(DAY_MS)}) * ${sql.lit(DAY_MS)} as day from vitals
    where ts >= ${sql.lit(today - BACKFILL_DAYS * DAY_MS)}`.execute(db);
  const days = new Set(dayRows.map((r) => Number(r.day)));
  for (let d = 0; d < DAYS_AHEAD; d++) days.add(today + d * DAY_MS);
  const ordered = [...days].sort((a, b) => a - b);

  for (const { table, key } of PARTITIONED_TABLES) {
    const old = sql.table(`${table}_unpartitioned`);
    const t = sql.table(table);
    await sql`alter table ${t} rename to ${old}`.execute(db);
    await sql`create table ${t} (like ${old} including defaults including constraints)
      partition by range (${sql.ref(key)})`.execute(db);
    await sql`create table ${sql.table(`${table}_pdefault`)} partition of ${t} default`.execute(db);
    for (const d of ordered)
      await sql`create table ${sql.table(partitionName(table, d))} partition of ${t}
        for values from (${sql.lit(d)}) to (${sql.lit(d + DAY_MS)})`.execute(db);
    const copied = await sql`insert into ${t} select * from ${old}`.execute(db);
    const { rows } = await sql<{
      n: number | string;
    }>`select count(*)::bigint as n from ${old}`.execute(db);
    const expected = Number(rows[0]?.n ?? -1);
    if (Number(copied.numAffectedRows ?? -1) !== expected)
      throw new Error(
        `018: copied ${String(copied.numAffectedRows)} rows of ${table}, expected ${String(expected)}`,
      );
  }
  // Children first: the old tables' foreign keys point at the old vitals.
  for (const table of ['ecg_lead_chunks', 'predictions', 'vitals', 'vitals_minute'])
    await sql`drop table ${sql.table(`${table}_unpartitioned`)}`.execute(db);

  await sql`alter table vitals add constraint vitals_pkey primary key (id, ts)`.execute(db);
  await sql`create unique index vitals_device_ts_uq on vitals (device_id, ts)`.execute(db);
  await sql`alter table vitals add constraint vitals_device_id_fkey foreign key (device_id)
    references devices (device_id) on delete cascade`.execute(db);
  await sql`alter table vitals add constraint vitals_patient_id_fkey foreign key (patient_id)
    references users (id) on delete set null`.execute(db);

  await sql`alter table vitals_minute add constraint vitals_minute_pk
    primary key (device_id, minute)`.execute(db);
  await sql`alter table vitals_minute add constraint vitals_minute_device_id_fkey
    foreign key (device_id) references devices (device_id) on delete cascade`.execute(db);

  await sql`alter table ecg_lead_chunks add constraint ecg_lead_chunks_pkey
    primary key (vitals_id, ts)`.execute(db);
  await sql`create index ecg_lead_chunks_device_ts_idx on ecg_lead_chunks (device_id, ts)`.execute(
    db,
  );
  await sql`create index ecg_lead_chunks_patient_ts_idx on ecg_lead_chunks (patient_id, ts)`.execute(
    db,
  );
  await sql`alter table ecg_lead_chunks add constraint ecg_lead_chunks_device_id_fkey
    foreign key (device_id) references devices (device_id) on delete cascade`.execute(db);

  await sql`alter table predictions add constraint predictions_pkey primary key (id, ts)`.execute(
    db,
  );
  await sql`create index predictions_vitals_id_idx on predictions (vitals_id)`.execute(db);
  await sql`alter table predictions add constraint predictions_device_id_fkey
    foreign key (device_id) references devices (device_id) on delete cascade`.execute(db);
}

/** Back to plain tables (PostgreSQL): every row copied back, keys and foreign keys as in 017. */
export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  for (const { table } of PARTITIONED_TABLES) {
    const part = sql.table(`${table}_partitioned`);
    const t = sql.table(table);
    await sql`alter table ${t} rename to ${part}`.execute(db);
    await sql`create table ${t} (like ${part} including defaults including constraints)`.execute(
      db,
    );
    await sql`insert into ${t} select * from ${part}`.execute(db);
    await sql`drop table ${part}`.execute(db);
  }
  await sql`alter table vitals add primary key (id)`.execute(db);
  await sql`create unique index vitals_device_ts_uq on vitals (device_id, ts)`.execute(db);
  await sql`alter table vitals add foreign key (device_id) references devices (device_id)
    on delete cascade`.execute(db);
  await sql`alter table vitals add foreign key (patient_id) references users (id)
    on delete set null`.execute(db);
  await sql`alter table vitals_minute add constraint vitals_minute_pk
    primary key (device_id, minute)`.execute(db);
  await sql`alter table vitals_minute add foreign key (device_id) references devices (device_id)
    on delete cascade`.execute(db);
  await sql`alter table ecg_lead_chunks add primary key (vitals_id)`.execute(db);
  await sql`alter table ecg_lead_chunks add foreign key (vitals_id) references vitals (id)
    on delete cascade`.execute(db);
  await sql`create index ecg_lead_chunks_device_ts_idx on ecg_lead_chunks (device_id, ts)`.execute(
    db,
  );
  await sql`create index ecg_lead_chunks_patient_ts_idx on ecg_lead_chunks (patient_id, ts)`.execute(
    db,
  );
  await sql`alter table predictions add primary key (id)`.execute(db);
  await sql`alter table predictions add foreign key (vitals_id) references vitals (id)
    on delete cascade`.execute(db);
  await sql`create index predictions_vitals_id_idx on predictions (vitals_id)`.execute(db);
}
