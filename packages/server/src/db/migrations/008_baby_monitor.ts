import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * Baby monitor readings (src/kinds/baby-monitor/): temperature, humidity, notes, the cry
 * verdict and, when a clip was uploaded, its bytes (at most 20 MB, so every instance can serve it
 * from the database) with their content type. Booleans are integers 0/1 on both dialects.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { blob } = columnTypes(db);
  await db.schema
    .createTable('baby_readings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'text', (c) => c.references('devices.device_id').onDelete('set null'))
    .addColumn('uploaded_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('temperature_c', 'real')
    .addColumn('humidity_percent', 'real')
    .addColumn('notes', 'text')
    .addColumn('cry_detected', 'integer', (c) => c.notNull())
    .addColumn('cry_probability', 'real')
    .addColumn('cry_source', 'text')
    .addColumn('sick_detected', 'integer', (c) => c.notNull())
    .addColumn('audio', blob)
    .addColumn('audio_content_type', 'text')
    .execute();
  await db.schema
    .createIndex('baby_readings_patient_ts')
    .on('baby_readings')
    .columns(['patient_id', 'ts'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('baby_readings').execute();
}
