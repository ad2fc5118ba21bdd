import type { Kysely } from 'kysely';

/**
 * 12-lead ECG classification requests (services/ecg12.service.ts): one row per classified ECG, successful
 * or not — the patient metadata, the outcome, the class, the processing time, the caller (null
 * when anonymous) and the patient the caller acted for. The signal itself is not kept.
 * (008 is reserved for another kind added in parallel.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ecg12_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('request_type', 'text', (c) => c.notNull())
    .addColumn('success', 'integer', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('caller_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('patient_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('age', 'real')
    .addColumn('sex', 'integer')
    .addColumn('height', 'real')
    .addColumn('weight', 'real')
    .addColumn('heart_axis', 'text')
    .addColumn('sampling_rate_hz', 'real')
    .addColumn('n_samples', 'integer')
    .addColumn('class_index', 'integer')
    .addColumn('class_name', 'text')
    .addColumn('class_description', 'text')
    .addColumn('processing_ms', 'real', (c) => c.notNull())
    .addColumn('model_version', 'text')
    .execute();
  await db.schema
    .createIndex('ecg12_requests_created_idx')
    .on('ecg12_requests')
    .column('created_at')
    .execute();
  await db.schema
    .createIndex('ecg12_requests_caller_idx')
    .on('ecg12_requests')
    .column('caller_user_id')
    .execute();
  await db.schema
    .createIndex('ecg12_requests_patient_idx')
    .on('ecg12_requests')
    .column('patient_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ecg12_requests').execute();
}
