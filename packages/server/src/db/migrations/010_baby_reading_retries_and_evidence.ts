import { sql, type Kysely } from 'kysely';

/**
 * Baby monitor readings (migration 008), two additions:
 * - `upload_key`: the uploader's `Idempotency-Key`, prefixed with who sent it (`device:<id>:` or
 *   `user:<id>:`), unique, so a retried upload returns the first reading instead of storing a
 *   second (NULL for uploads without a key; NULLs never collide on either dialect);
 * - both kinds of cry evidence when a reading has both (the seed-002 nursery ESP32's verdict with a clip): the monitor's own verdict
 *   (`device_cry_detected` 0/1, `device_cry_probability` 0–1) and the server's analysis of the
 *   clip (`audio_cry_probability`); `cry_source` still says which of them decided.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('baby_readings').addColumn('upload_key', 'text').execute();
  await db.schema.alterTable('baby_readings').addColumn('device_cry_detected', 'integer').execute();
  await db.schema.alterTable('baby_readings').addColumn('device_cry_probability', 'real').execute();
  await db.schema.alterTable('baby_readings').addColumn('audio_cry_probability', 'real').execute();
  await db.schema
    .createIndex('baby_readings_upload_key')
    .on('baby_readings')
    .column('upload_key')
    .unique()
    .execute();
  // Readings stored before this migration: their one piece of evidence goes in its own column.
  await sql`update baby_readings set audio_cry_probability = cry_probability where cry_source = 'server_audio'`.execute(
    db,
  );
  await sql`update baby_readings set device_cry_probability = cry_probability, device_cry_detected = cry_detected where cry_source = 'device'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('baby_readings_upload_key').execute();
  for (const c of [
    'audio_cry_probability',
    'device_cry_probability',
    'device_cry_detected',
    'upload_key',
  ])
    await db.schema.alterTable('baby_readings').dropColumn(c).execute();
}
