import type { Kysely } from 'kysely';

/**
 * Data retention (VITALS_RETENTION_DAYS) deletes old packets in batches. `predictions.vitals_id`
 * references `vitals(id)` ON DELETE CASCADE; without an index on it, each deleted packet makes
 * the database scan the whole predictions table for children (SQLite's foreign-key check and
 * PostgreSQL's referential-integrity trigger both look the child rows up by that column). See
 * https://www.sqlite.org/foreignkeys.html#fk_indexes and the PostgreSQL manual, 5.5.5 "Foreign
 * Keys" ("it is often a good idea to index the referencing columns too"). `ecg_chunks.vitals_id`
 * is its primary key, already indexed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('predictions_vitals_id_idx')
    .on('predictions')
    .column('vitals_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('predictions_vitals_id_idx').execute();
}
