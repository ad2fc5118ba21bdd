import type { Kysely } from 'kysely';

/**
 * When the patient an alert is about said they have seen it (epoch ms, server clock): seed 004's
 * alert documents carry `seen_by_patient`, which its clients set with `PUT /api/alerts/{id}`.
 * Null until then, and for every alert stored before 030. It is not an acknowledgement (a
 * clinician's), and changes nothing in the alert's lifecycle.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('alerts').addColumn('seen_by_patient_at', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('alerts').dropColumn('seen_by_patient_at').execute();
}
