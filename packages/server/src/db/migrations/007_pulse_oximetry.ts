import type { Kysely } from 'kysely';

/**
 * Pulse oximetry readings (src/kinds/pulse-oximetry/): SpO2, pulse rate and perfusion index of
 * oximeters without ECG. A reading's identity is (device_id, ts), like a vitals packet's.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oximetry_readings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) =>
      c.notNull().references('devices.device_id').onDelete('cascade'),
    )
    .addColumn('patient_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('sequence', 'bigint')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('spo2_percent', 'real', (c) => c.notNull())
    .addColumn('pulse_rate_bpm', 'real', (c) => c.notNull())
    .addColumn('perfusion_index', 'real')
    .addColumn('battery_percent', 'real')
    .execute();
  await db.schema
    .createIndex('oximetry_readings_device_ts_uq')
    .on('oximetry_readings')
    .columns(['device_id', 'ts'])
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oximetry_readings').execute();
}
