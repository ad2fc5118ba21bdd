import { sql, type Kysely } from 'kysely';

/**
 * A device's packets by the time the server received them. "Latest" is the packet stamped
 * latest, except after a device's clock stepped back (an NTP correction, an RTC reset): its new
 * packets are stamped earlier than the old newest one for as long as the step, hours perhaps, and
 * the latest reading shown must follow them (services/latest-shown.ts). This index finds the
 * packet received last without reading the device's history. On PostgreSQL an index of the
 * partitioned `vitals` is made on every day partition, also those made later.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index vitals_device_received_idx on vitals (device_id, received_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index vitals_device_received_idx`.execute(db);
}
