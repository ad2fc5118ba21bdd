import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * Seed 004's 12-lead streams:
 * - `ecg_lead_chunks`: the named leads of a multi-lead packet (1–12), one row per packet beside
 *   its `vitals` row (whose `ecg_samples` keep the lead chosen for rhythm analysis, so every
 *   single-lead reader works unchanged). Samples are int16 per lead (ecg-codec.ts), lead after
 *   lead, each with its own scale; deleted with the packet.
 * - Manual alerts (a doctor's, rule `manual`) are documents: several may be open for one patient,
 *   so the one-active-alert index leaves them out as it leaves out `device_silent`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { blob, json } = columnTypes(db);
  await db.schema
    .createTable('ecg_lead_chunks')
    .addColumn('vitals_id', 'text', (c) =>
      c.primaryKey().references('vitals.id').onDelete('cascade'),
    )
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text')
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('sample_rate_hz', 'real', (c) => c.notNull())
    .addColumn('n_samples', 'integer', (c) => c.notNull())
    .addColumn('leads', json, (c) => c.notNull())
    .addColumn('scales_mv', json, (c) => c.notNull())
    .addColumn('rhythm_lead', 'text', (c) => c.notNull())
    .addColumn('samples', blob, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ecg_lead_chunks_device_ts_idx')
    .on('ecg_lead_chunks')
    .columns(['device_id', 'ts'])
    .execute();
  await db.schema
    .createIndex('ecg_lead_chunks_patient_ts_idx')
    .on('ecg_lead_chunks')
    .columns(['patient_id', 'ts'])
    .execute();

  await db.schema.dropIndex('alerts_one_active_uq').execute();
  await db.schema
    .createIndex('alerts_one_active_uq')
    .on('alerts')
    .columns(['patient_id', 'rule_kind'])
    .unique()
    .where(sql<boolean>`cleared_at is null and rule_kind not in ('device_silent', 'manual')`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('alerts_one_active_uq').execute();
  await db.schema
    .createIndex('alerts_one_active_uq')
    .on('alerts')
    .columns(['patient_id', 'rule_kind'])
    .unique()
    .where(sql<boolean>`cleared_at is null and rule_kind <> 'device_silent'`)
    .execute();
  await db.schema.dropTable('ecg_lead_chunks').execute();
}
