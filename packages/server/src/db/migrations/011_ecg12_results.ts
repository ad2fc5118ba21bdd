import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * The full result of each successful 12-lead classification (services/ecg12.service.ts), so it
 * can be opened again from the history or the patient's page: the classification as JSON text
 * (probabilities, measurements, findings, units) and, when the ECG was classified for a patient,
 * the 12 leads as int16 (per-lead scale, repositories/ecg-codec.ts; 120 kB for 10 s at 500 Hz).
 * One row per `ecg12_requests` row that succeeded; deleted with it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { blob } = columnTypes(db);
  await db.schema
    .createTable('ecg12_results')
    .addColumn('request_id', 'text', (c) =>
      c.primaryKey().references('ecg12_requests.id').onDelete('cascade'),
    )
    .addColumn('result_json', 'text', (c) => c.notNull())
    .addColumn('signal', blob)
    .addColumn('signal_scales_mv', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ecg12_results').execute();
}
