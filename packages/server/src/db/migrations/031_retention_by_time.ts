import { sql, type Kysely } from 'kysely';

/**
 * Data retention (VITALS_RETENTION_DAYS, repositories/retention.repository.ts) covers every kind
 * of measurement, not only packets: it deletes the oldest rows of each table in bounded batches,
 * `where <time> < horizon order by <time> limit n`. Each such table needs an index by that time,
 * or every batch scans the whole table:
 * - `oximetry_readings (ts)`, `baby_readings (ts)`, `heart_rate_observations (ts)` (their
 *   (device_id, ts) and (patient_id, ts) indexes serve one device or patient only; rows of a
 *   deleted patient or device may name neither);
 * - `baby_readings (ts) where audio is not null` (partial): the readings whose clip
 *   AUDIO_RETENTION_DAYS removes; a reading leaves the index once its clip is gone, so a pass
 *   never reads the readings it stripped before;
 * - `rppg_sessions (ended_at)`: ended sessions with no observation left go too;
 * - `heart_rate_observations (session_id)`: a deleted session sets its observations'
 *   `session_id` to null (ON DELETE SET NULL), which both databases look up by that column.
 * `ecg12_requests (created_at)` (migration 009) and `mqtt_dead_letters (received_at, id)` (021)
 * have theirs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['oximetry_readings', 'baby_readings', 'heart_rate_observations'])
    await db.schema.createIndex(`${table}_ts_idx`).on(table).column('ts').execute();
  await sql`create index baby_readings_audio_ts_idx on baby_readings (ts)
    where audio is not null`.execute(db);
  await db.schema
    .createIndex('rppg_sessions_ended_at_idx')
    .on('rppg_sessions')
    .column('ended_at')
    .execute();
  await db.schema
    .createIndex('heart_rate_observations_session_idx')
    .on('heart_rate_observations')
    .column('session_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('heart_rate_observations_session_idx').execute();
  await db.schema.dropIndex('rppg_sessions_ended_at_idx').execute();
  await db.schema.dropIndex('baby_readings_audio_ts_idx').execute();
  for (const table of ['heart_rate_observations', 'baby_readings', 'oximetry_readings'])
    await db.schema.dropIndex(`${table}_ts_idx`).execute();
}
