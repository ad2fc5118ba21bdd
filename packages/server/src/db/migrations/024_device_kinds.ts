import { sql, type Kysely } from 'kysely';

/**
 * The kinds of signal each device has sent (`ecg-vitals`, `pulse-oximetry`, `baby-monitor`):
 * the dashboard guessed the baby monitors from the newest 1,000 readings and asked every other
 * device for its latest vitals, a 404 for each pulse oximeter. Written once per device and kind
 * when its first reading is stored (DevicesService.sent, remembered per process); purged with
 * the device (cascade). Backfill: one grouped pass over each reading table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('device_kinds')
    .addColumn('device_id', 'text', (c) =>
      c.notNull().references('devices.device_id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) => c.notNull())
    // When the device's first reading of this kind was stored (epoch ms; backfill: its first ts).
    .addColumn('first_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('device_kinds_pk', ['device_id', 'kind'])
    .execute();
  await sql`
    insert into device_kinds (device_id, kind, first_at)
    select device_id, 'ecg-vitals', min(ts) from vitals group by device_id
    union all
    select device_id, 'pulse-oximetry', min(ts) from oximetry_readings group by device_id
    union all
    select device_id, 'baby-monitor', min(ts) from baby_readings
      where device_id is not null group by device_id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('device_kinds').execute();
}
