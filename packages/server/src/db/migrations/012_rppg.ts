import type { Kysely } from 'kysely';

/**
 * Camera heart rate (src/kinds/rppg/): measurement sessions (a client's camera, an uploaded
 * video, or the bedside camera) and the heart-rate observations they produce for the patient,
 * with their source, so camera readings join the patient's heart-rate history.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rppg_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .execute();
  await db.schema
    .createTable('heart_rate_observations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('bpm', 'real', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.references('rppg_sessions.id').onDelete('set null'))
    .addColumn('confidence', 'text')
    .addColumn('signal_quality', 'text')
    .addColumn('snr_db', 'real')
    .execute();
  await db.schema
    .createIndex('heart_rate_observations_patient_ts')
    .on('heart_rate_observations')
    .columns(['patient_id', 'ts'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('heart_rate_observations').execute();
  await db.schema.dropTable('rppg_sessions').execute();
}
