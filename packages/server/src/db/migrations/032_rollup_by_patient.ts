import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';

const MEASURES = ['hr', 'spo2', 'temp'] as const;
const COLUMNS = ['heart_rate_bpm', 'spo2_percent', 'temperature_c'] as const;

/**
 * The per-minute rollup (003) gets the patient its packets were taken for, `patient_key` (the
 * packets' `patient_id`; '' for none: a key column cannot be NULL on PostgreSQL, and NULLs would
 * never meet in an upsert), in its key `(device_id, minute, patient_key)`. A device handed on and
 * back (A → B → A) had one row a minute for whoever wore it, so A's `/stats` and `/series` over
 * B's time added B's heart rates to A's; the reads now take the viewer's patient's rows only
 * (vitals.repository.ts), as every read of the raw packets does (`ownedBy`).
 *
 * Backfilled from the packets: each minute gets the patient of one of its packets (an index
 * probe of `vitals (device_id, ts)` per rollup row); the minutes whose packets were taken for
 * more than one patient (the minute of a hand-over) are then counted again from their packets,
 * one row per patient, with the rates measured from the ECG of packets that sent none (027),
 * stored as the ingest path stores them (extremes as read back; sums of the values sent, and of
 * the stored measured rates). A
 * minute without packets (none: retention trims both) keeps ''.
 *
 * SQLite cannot change a primary key: the table is rebuilt. PostgreSQL (partitioned by minute,
 * 018): the key is replaced on the parent, which every day partition follows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (postgres) {
    await sql`alter table vitals_minute add column patient_key text not null default ''`.execute(
      db,
    );
    await sql`alter table vitals_minute drop constraint vitals_minute_pk`.execute(db);
    // Every row is still alone at its (device_id, minute): the new key holds as it is filled.
    await sql`alter table vitals_minute add constraint vitals_minute_pk
      primary key (device_id, minute, patient_key)`.execute(db);
  } else {
    await sql`alter table vitals_minute rename to vitals_minute_030`.execute(db);
    let t = db.schema
      .createTable('vitals_minute')
      .addColumn('device_id', 'text', (c) =>
        c.notNull().references('devices.device_id').onDelete('cascade'),
      )
      .addColumn('minute', 'bigint', (c) => c.notNull())
      .addColumn('packets', 'integer', (c) => c.notNull());
    for (const m of MEASURES)
      t = t
        .addColumn(`${m}_n`, 'integer', (c) => c.notNull())
        .addColumn(`${m}_sum`, 'double precision', (c) => c.notNull())
        .addColumn(`${m}_min`, 'double precision')
        .addColumn(`${m}_max`, 'double precision');
    await t
      .addColumn('patient_key', 'text', (c) => c.notNull().defaultTo(''))
      .addPrimaryKeyConstraint('vitals_minute_pk', ['device_id', 'minute', 'patient_key'])
      .execute();
    await sql`insert into vitals_minute (device_id, minute, packets,
        hr_n, hr_sum, hr_min, hr_max, spo2_n, spo2_sum, spo2_min, spo2_max,
        temp_n, temp_sum, temp_min, temp_max)
      select device_id, minute, packets, hr_n, hr_sum, hr_min, hr_max,
        spo2_n, spo2_sum, spo2_min, spo2_max, temp_n, temp_sum, temp_min, temp_max
      from vitals_minute_030`.execute(db);
    await sql`drop table vitals_minute_030`.execute(db);
  }
  await sql`update vitals_minute set patient_key = coalesce((select v.patient_id from vitals v
      where v.device_id = vitals_minute.device_id and v.ts >= vitals_minute.minute
        and v.ts < vitals_minute.minute + 60000 and v.patient_id is not null limit 1), '')`.execute(
    db,
  );
  const { rows: mixed } = await sql<{ device_id: string; minute: number | string }>`
    select m.device_id, m.minute from vitals_minute m
    where exists (select 1 from vitals v
      where v.device_id = m.device_id and v.ts >= m.minute and v.ts < m.minute + 60000
        and coalesce(v.patient_id, '') <> m.patient_key)`.execute(db);
  for (const { device_id, minute } of mixed) await recount(db, device_id, Number(minute));
}

/** Counts one device-minute again from its packets, one row per patient. */
async function recount(db: Kysely<unknown>, deviceId: string, minute: number): Promise<void> {
  const asRead = extremeAsRead(db);
  const inMinute = sql`v.device_id = ${deviceId} and v.ts >= ${minute} and v.ts < ${minute + 60_000}`;
  await sql`delete from vitals_minute where device_id = ${deviceId} and minute = ${minute}`.execute(
    db,
  );
  const parts = MEASURES.map((m, i) => {
    const c = sql.ref(`v.${COLUMNS[i] ?? ''}`);
    return sql`count(${c}), coalesce(sum(${asRead(c)}), 0), ${asRead(sql`min(${c})`)},
      ${asRead(sql`max(${c})`)}`;
  });
  await sql`insert into vitals_minute (device_id, patient_key, minute, packets,
      hr_n, hr_sum, hr_min, hr_max, spo2_n, spo2_sum, spo2_min, spo2_max,
      temp_n, temp_sum, temp_min, temp_max)
    select v.device_id, coalesce(v.patient_id, ''), ${minute}, count(*), ${sql.join(parts)}
    from vitals v where ${inMinute}
    group by v.device_id, coalesce(v.patient_id, '')`.execute(db);
  // 027: each packet without a rate of its own counts its first ECG-measured prediction's.
  const hr = sql.ref('p.heart_rate_bpm');
  const { rows } = await sql<{
    key: string;
    n: number | string;
    sum: number | string;
    lo: number | string | null;
    hi: number | string | null;
  }>`select coalesce(v.patient_id, '') as key, count(${hr}) as n,
      sum(cast(${hr} as double precision)) as sum, ${asRead(sql`min(${hr})`)} as lo, ${asRead(sql`max(${hr})`)} as hi
    from vitals v
    join predictions p on p.vitals_id = v.id and p.ts = v.ts
    where ${inMinute} and v.heart_rate_bpm is null and p.heart_rate_source = 'ecg'
      and p.heart_rate_bpm is not null
      and not exists (select 1 from predictions q
        where q.vitals_id = p.vitals_id and q.ts = p.ts and q.id < p.id)
    group by coalesce(v.patient_id, '')`.execute(db);
  for (const r of rows) {
    const lo = sql`cast(${r.lo} as double precision)`;
    const hi = sql`cast(${r.hi} as double precision)`;
    await sql`update vitals_minute set hr_n = hr_n + ${Number(r.n)},
        hr_sum = hr_sum + ${Number(r.sum)},
        hr_min = case when hr_min is null or ${lo} < hr_min then ${lo} else hr_min end,
        hr_max = case when hr_max is null or ${hi} > hr_max then ${hi} else hr_max end
      where device_id = ${deviceId} and minute = ${minute} and patient_key = ${r.key}`.execute(db);
  }
}

/**
 * A `real` as the driver reads it (PostgreSQL's 4-byte real as its shortest decimal: 72.3, not
 * 72.30000305), widened to the rollup's double precision: what the ingest path adds (027).
 */
function extremeAsRead(db: Kysely<unknown>): (real: RawBuilder<unknown>) => RawBuilder<unknown> {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? (real) => sql`cast(cast(${real} as text) as double precision)`
    : (real) => real;
}

/** Back to one row a device-minute: the patients' rows of a minute added together. */
export async function down(db: Kysely<unknown>): Promise<void> {
  const merged = sql`select device_id, minute, sum(packets) as packets,
      sum(hr_n) as hr_n, sum(hr_sum) as hr_sum, min(hr_min) as hr_min, max(hr_max) as hr_max,
      sum(spo2_n) as spo2_n, sum(spo2_sum) as spo2_sum, min(spo2_min) as spo2_min,
      max(spo2_max) as spo2_max, sum(temp_n) as temp_n, sum(temp_sum) as temp_sum,
      min(temp_min) as temp_min, max(temp_max) as temp_max
    from vitals_minute_032 group by device_id, minute`;
  const columns = sql`device_id, minute, packets, hr_n, hr_sum, hr_min, hr_max, spo2_n, spo2_sum,
    spo2_min, spo2_max, temp_n, temp_sum, temp_min, temp_max`;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create temporary table vitals_minute_032 on commit drop as
      select * from vitals_minute where patient_key <> ''`.execute(db);
    await sql`delete from vitals_minute where patient_key <> ''`.execute(db);
    await sql`alter table vitals_minute drop constraint vitals_minute_pk`.execute(db);
    await sql`alter table vitals_minute add constraint vitals_minute_pk
      primary key (device_id, minute)`.execute(db);
    await sql`insert into vitals_minute (${columns}) ${merged}
      on conflict (device_id, minute) do update set packets = vitals_minute.packets + excluded.packets,
        hr_n = vitals_minute.hr_n + excluded.hr_n, hr_sum = vitals_minute.hr_sum + excluded.hr_sum,
        hr_min = least(vitals_minute.hr_min, excluded.hr_min),
        hr_max = greatest(vitals_minute.hr_max, excluded.hr_max),
        spo2_n = vitals_minute.spo2_n + excluded.spo2_n,
        spo2_sum = vitals_minute.spo2_sum + excluded.spo2_sum,
        spo2_min = least(vitals_minute.spo2_min, excluded.spo2_min),
        spo2_max = greatest(vitals_minute.spo2_max, excluded.spo2_max),
        temp_n = vitals_minute.temp_n + excluded.temp_n,
        temp_sum = vitals_minute.temp_sum + excluded.temp_sum,
        temp_min = least(vitals_minute.temp_min, excluded.temp_min),
        temp_max = greatest(vitals_minute.temp_max, excluded.temp_max)`.execute(db);
    await sql`alter table vitals_minute drop column patient_key`.execute(db);
    return;
  }
  await sql`alter table vitals_minute rename to vitals_minute_032`.execute(db);
  await sql`create table vitals_minute (device_id text not null
      references devices (device_id) on delete cascade, minute bigint not null,
      packets integer not null, hr_n integer not null, hr_sum double precision not null,
      hr_min double precision, hr_max double precision, spo2_n integer not null,
      spo2_sum double precision not null, spo2_min double precision, spo2_max double precision,
      temp_n integer not null, temp_sum double precision not null, temp_min double precision,
      temp_max double precision, constraint vitals_minute_pk primary key (device_id, minute))`.execute(
    db,
  );
  await sql`insert into vitals_minute (${columns}) ${merged}`.execute(db);
  await sql`drop table vitals_minute_032`.execute(db);
}
