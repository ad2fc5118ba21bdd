import { sql, type Kysely } from 'kysely';

/**
 * The packets that carry no heart rate of their own, by device and time (a partial index: only
 * those rows). FHIR lists, for such a packet, the heart rate Vigil measured from its ECG
 * (`ecghr-` Observations): walking this index finds them at once, where joining every prediction
 * to its packet to test the packet's heart rate tripled the time of each page (43,200 packets of
 * one device on SQLite: 16 → 68 ms from the 21st page on, though the device sent every rate).
 * On PostgreSQL an index of the partitioned `vitals` is made on every day partition, also those
 * made later.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index vitals_no_heart_rate_idx on vitals (device_id, ts)
    where heart_rate_bpm is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index vitals_no_heart_rate_idx`.execute(db);
}
