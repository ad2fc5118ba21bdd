import { sql, type Kysely } from 'kysely';

const MEASURES = ['hr', 'spo2', 'temp'] as const;

/**
 * The per-minute rollup rows of patients deleted before this migration go under no patient
 * (`patient_key` ''), as their packets did (`patient_id` set to null by its foreign key). Since
 * this migration a patient's deletion files them so in its own transaction
 * (UsersService.delete); the rows of those deleted before were matched at read time instead
 * (a key naming no user counted as no one's), which every read of an unassigned device paid for
 * with a probe of `users` per rollup row.
 *
 * A device-minute may hold rows of several deleted patients and one of no patient already: they
 * are added together (counts, sums and packets add; extremes are the least and greatest) into
 * the '' row, as the ingest path's upsert adds a batch into a stored row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const orphaned = sql`patient_key <> '' and not exists (
    select 1 from users where users.id = vitals_minute.patient_key)`;
  const aggregates = MEASURES.map(
    (m) =>
      sql`sum(${sql.ref(`${m}_n`)}), sum(${sql.ref(`${m}_sum`)}), min(${sql.ref(`${m}_min`)}),
        max(${sql.ref(`${m}_max`)})`,
  );
  const merged = MEASURES.flatMap((m) => {
    const [n, sum, lo, hi] = ['n', 'sum', 'min', 'max'].map((p) => `${m}_${p}`) as [
      string,
      string,
      string,
      string,
    ];
    // Portable (no LEAST/GREATEST on SQLite); NULL is no value.
    const extreme = (c: string, op: '<' | '>') =>
      sql`${sql.ref(c)} = case when excluded.${sql.ref(c)} is null then vitals_minute.${sql.ref(c)}
        when vitals_minute.${sql.ref(c)} is null or excluded.${sql.ref(c)} ${sql.raw(op)}
          vitals_minute.${sql.ref(c)} then excluded.${sql.ref(c)}
        else vitals_minute.${sql.ref(c)} end`;
    return [
      sql`${sql.ref(n)} = vitals_minute.${sql.ref(n)} + excluded.${sql.ref(n)}`,
      sql`${sql.ref(sum)} = vitals_minute.${sql.ref(sum)} + excluded.${sql.ref(sum)}`,
      extreme(lo, '<'),
      extreme(hi, '>'),
    ];
  });
  // The WHERE before ON CONFLICT also keeps SQLite from reading the upsert as a join's ON.
  await sql`insert into vitals_minute (device_id, minute, patient_key, packets,
      hr_n, hr_sum, hr_min, hr_max, spo2_n, spo2_sum, spo2_min, spo2_max,
      temp_n, temp_sum, temp_min, temp_max)
    select device_id, minute, '', sum(packets), ${sql.join(aggregates)}
    from vitals_minute where ${orphaned}
    group by device_id, minute
    on conflict (device_id, minute, patient_key) do update set
      packets = vitals_minute.packets + excluded.packets, ${sql.join(merged)}`.execute(db);
  await sql`delete from vitals_minute where ${orphaned}`.execute(db);
}

/** Nothing to undo: whose rows they were is gone with the patients (their packets say none). */
export async function down(): Promise<void> {
  // The rows stay under no patient, where 032's reads counted them too.
}
