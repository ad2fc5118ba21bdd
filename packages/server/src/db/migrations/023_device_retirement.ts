import type { Kysely } from 'kysely';

/**
 * `devices.retired_at` (epoch ms; null while in service). Deleting a device row cascades to
 * every reading it stored (002, 003, 007, 018, 022: `on delete cascade`), so a clinic removing a
 * broken sensor erased its patients' records. `DELETE /api/v1/devices/{id}` now retires the
 * device instead: the row stays (its `device_id` keeps the readings' foreign keys valid and
 * cannot be registered again), its key stops working and it leaves device lists. Only the
 * admin's explicit purge still deletes the row and, by those cascades, what it stored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('devices').addColumn('retired_at', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('devices').dropColumn('retired_at').execute();
}
