import { sql, type Kysely } from 'kysely';

/**
 * A device-offline (`device_silent`) alert belongs to its device, not to its patient: with two
 * devices for one patient, one dead sensor kept one alert open instead of the live device
 * clearing it every sweep (an alert opened and cleared every 30 s). The one-active-alert rule
 * stays per (patient, rule) for every other rule and becomes per device for `device_silent`.
 * Partial indexes, supported alike by SQLite and PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('alerts_one_active_uq').execute();
  await db.schema
    .createIndex('alerts_one_active_uq')
    .on('alerts')
    .columns(['patient_id', 'rule_kind'])
    .unique()
    .where(sql<boolean>`cleared_at is null and rule_kind <> 'device_silent'`)
    .execute();
  await db.schema
    .createIndex('alerts_one_active_offline_uq')
    .on('alerts')
    .columns(['device_id'])
    .unique()
    .where(sql<boolean>`cleared_at is null and rule_kind = 'device_silent'`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('alerts_one_active_offline_uq').execute();
  await db.schema.dropIndex('alerts_one_active_uq').execute();
  await db.schema
    .createIndex('alerts_one_active_uq')
    .on('alerts')
    .columns(['patient_id', 'rule_kind'])
    .unique()
    .where(sql.ref('cleared_at'), 'is', null)
    .execute();
}
