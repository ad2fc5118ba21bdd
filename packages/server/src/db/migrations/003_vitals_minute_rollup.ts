import type { Kysely } from 'kysely';

/**
 * Per-device, per-minute rollup of the vitals measurements (count, sum, min, max of HR, SpO2 and
 * temperature), maintained in the same transaction as the packets. Series queries read at most
 * 1,440 rows per device-day instead of 86,400 packets: the idea of TimescaleDB's continuous
 * aggregates, in plain SQL both dialects run.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  let t = db.schema
    .createTable('vitals_minute')
    .addColumn('device_id', 'text', (c) =>
      c.notNull().references('devices.device_id').onDelete('cascade'),
    )
    .addColumn('minute', 'bigint', (c) => c.notNull())
    .addColumn('packets', 'integer', (c) => c.notNull());
  for (const m of ['hr', 'spo2', 'temp']) {
    t = t
      .addColumn(`${m}_n`, 'integer', (c) => c.notNull())
      .addColumn(`${m}_sum`, 'double precision', (c) => c.notNull())
      .addColumn(`${m}_min`, 'double precision')
      .addColumn(`${m}_max`, 'double precision');
  }
  await t.addPrimaryKeyConstraint('vitals_minute_pk', ['device_id', 'minute']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('vitals_minute').execute();
}
