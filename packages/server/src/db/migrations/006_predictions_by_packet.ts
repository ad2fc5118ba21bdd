import type { Kysely } from 'kysely';

/**
 * Predictions are found through their packet: `predictions_device_ts_idx` goes, and reads join
 * `vitals` on `predictions.vitals_id` (indexed since migration 004), filtering and ordering by
 * the packet's (device_id, ts) index. A prediction's `ts` is its packet's, and a packet has at
 * most one prediction, so the join answers what the index answered.
 *
 * Why: every ingested packet inserted one entry into that index, at its device's place in it, so
 * each group commit dirtied one index page per device in the batch and wrote each of them whole to
 * the WAL (and again at the checkpoint). `npm run bench:writes` (the ingest path's rows through
 * the repository, 16-packet group commits from 32 devices, this schema against the one before
 * this migration in the same run, SQLite): 0.70 and 0.78 of the CPU, 0.80 and 0.85 of the wall
 * time per packet in two runs; on PostgreSQL no difference in the server process. `predictions_vitals_id_idx` costs little by comparison: packet ids
 * are time-ordered, so its entries append at the right edge. Retention deletes a packet's
 * prediction with the packet (retention.repository.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('predictions_device_ts_idx').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('predictions_device_ts_idx')
    .on('predictions')
    .columns(['device_id', 'ts'])
    .execute();
}
