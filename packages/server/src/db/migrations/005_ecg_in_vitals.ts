import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * A packet's ECG chunk moves into its `vitals` row (`ecg_scale_mv`, `ecg_samples`: the same
 * little-endian int16 samples with their mV scale; null for a packet without ECG). The separate
 * `ecg_chunks` table repeated the packet's device, time, rate and sample count, and cost every
 * packet three more B-tree inserts (its rows, its key, its (device_id, ts) index) plus a
 * foreign-key look-up: about a fifth of the database time of an ingest commit (56 against 71 µs
 * per packet in a one-off better-sqlite3 script replaying the pipeline's rows on both schemas,
 * not kept; the end-to-end effect is measured by `npm run bench:ingest`). The waveform is read
 * by the same (device_id, ts) index as the packets; queries of measurements name their columns
 * and never read the blob.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { blob } = columnTypes(db);
  await db.schema.alterTable('vitals').addColumn('ecg_scale_mv', 'double precision').execute();
  await db.schema.alterTable('vitals').addColumn('ecg_samples', blob).execute();
  await sql`update vitals set
      ecg_scale_mv = (select c.scale_mv from ecg_chunks c where c.vitals_id = vitals.id),
      ecg_samples = (select c.samples from ecg_chunks c where c.vitals_id = vitals.id)`.execute(db);
  await db.schema.dropTable('ecg_chunks').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const { blob } = columnTypes(db);
  await db.schema
    .createTable('ecg_chunks')
    .addColumn('vitals_id', 'text', (c) =>
      c.primaryKey().references('vitals.id').onDelete('cascade'),
    )
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('fs', 'real', (c) => c.notNull())
    .addColumn('n_samples', 'integer', (c) => c.notNull())
    .addColumn('scale_mv', 'double precision', (c) => c.notNull())
    .addColumn('samples', blob, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ecg_chunks_device_ts_idx')
    .on('ecg_chunks')
    .columns(['device_id', 'ts'])
    .execute();
  await sql`insert into ecg_chunks (vitals_id, device_id, ts, fs, n_samples, scale_mv, samples)
    select id, device_id, ts, ecg_sample_rate_hz, ecg_n_samples, ecg_scale_mv, ecg_samples
    from vitals where ecg_samples is not null`.execute(db);
  await db.schema.alterTable('vitals').dropColumn('ecg_samples').execute();
  await db.schema.alterTable('vitals').dropColumn('ecg_scale_mv').execute();
}
