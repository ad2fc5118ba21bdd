import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * The per-minute rollup (003) counts, for a packet that sent no heart rate, the rate its ECG
 * analysis measured (its prediction's, source `ecg`): the packet's one heart rate
 * (packetHeartRateSql), folded in with the prediction from now on (vitals.repository.ts), so
 * /series and /stats read an ECG-only device's whole minutes from the rollup as any other's.
 * This adds the rates of the packets stored before, each packet once (its first prediction).
 *
 * The extremes are stored as the driver reads the 4-byte `real` of PostgreSQL (its shortest
 * decimal: 72.3, not 72.30000305), as the ingest path stores them; sums are of the stored values.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const asRead = extremeAsRead(db);
  const hr = sql.ref('p.heart_rate_bpm');
  await sql`insert into vitals_minute (device_id, minute, packets, hr_n, hr_sum, hr_min, hr_max,
      spo2_n, spo2_sum, spo2_min, spo2_max, temp_n, temp_sum, temp_min, temp_max)
    select v.device_id, (v.ts / 60000) * 60000, 0, count(${hr}),
      sum(cast(${hr} as double precision)), ${asRead(sql`min(${hr})`)}, ${asRead(sql`max(${hr})`)},
      0, 0, null, null, 0, 0, null, null
    from vitals v
    join predictions p on p.vitals_id = v.id and p.ts = v.ts
    where v.heart_rate_bpm is null and p.heart_rate_source = 'ecg' and p.heart_rate_bpm is not null
      and not exists (select 1 from predictions q
        where q.vitals_id = p.vitals_id and q.ts = p.ts and q.id < p.id)
    group by v.device_id, (v.ts / 60000) * 60000
    on conflict (device_id, minute) do update set
      hr_n = vitals_minute.hr_n + excluded.hr_n,
      hr_sum = vitals_minute.hr_sum + excluded.hr_sum,
      hr_min = case when vitals_minute.hr_min is null or excluded.hr_min < vitals_minute.hr_min
        then excluded.hr_min else vitals_minute.hr_min end,
      hr_max = case when vitals_minute.hr_max is null or excluded.hr_max > vitals_minute.hr_max
        then excluded.hr_max else vitals_minute.hr_max end`.execute(db);
}

/** Back to the rates the packets carried, for the minutes with a packet that carried none. */
export async function down(db: Kysely<unknown>): Promise<void> {
  const asRead = extremeAsRead(db);
  const own = (column: string) => sql`(select ${sql.raw(column)} from vitals v
    where v.device_id = vitals_minute.device_id and v.ts >= vitals_minute.minute
      and v.ts < vitals_minute.minute + 60000)`;
  await sql`update vitals_minute set
      hr_n = ${own('count(v.heart_rate_bpm)')},
      hr_sum = ${own('coalesce(sum(cast(v.heart_rate_bpm as double precision)), 0)')},
      hr_min = ${asRead(own('min(v.heart_rate_bpm)'))},
      hr_max = ${asRead(own('max(v.heart_rate_bpm)'))}
    where exists (select 1 from vitals v
      where v.device_id = vitals_minute.device_id and v.ts >= vitals_minute.minute
        and v.ts < vitals_minute.minute + 60000 and v.heart_rate_bpm is null)`.execute(db);
}

/** A `real` as the driver reads it, widened to the rollup's double precision. */
function extremeAsRead(db: Kysely<unknown>): (real: RawBuilder<unknown>) => RawBuilder<unknown> {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? (real) => sql`cast(cast(${real} as text) as double precision)`
    : (real) => real;
}
