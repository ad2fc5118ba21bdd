import { sql, type Kysely } from 'kysely';

/**
 * The data time of the event that opened an alert (`onset_at`, epoch ms on the device's clock,
 * as the ECG analyser and the packets report it), beside `opened_at`, the server's clock when
 * the alert engine opened it. The two differ by as long as a device held its data back (an
 * ESP32 buffering offline, a back-filled upload): a report cut its ECG strip at `opened_at`,
 * where no ECG of the event was stored. Null for alerts no data opens (a doctor's manual alert,
 * a device falling silent).
 *
 * Backfill: the rule alerts stored so far have no better data time than their opening, which is
 * right for a device that uploads as it measures; manual and device-silent alerts get null, as
 * new ones do.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('alerts').addColumn('onset_at', 'bigint').execute();
  await sql`update alerts set onset_at = opened_at
    where rule_kind not in ('manual', 'device_silent')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('alerts').dropColumn('onset_at').execute();
}
