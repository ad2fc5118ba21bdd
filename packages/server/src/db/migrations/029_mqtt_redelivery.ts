import type { Kysely } from 'kysely';

/**
 * What a monitor's MQTT reading needs to be recognised when the broker delivers it again.
 * A QoS 1 message stored but not yet acknowledged when Vigil stopped comes again, flagged DUP;
 * seed 002's monitors send no timestamp to identify it by, so it was stored a second time (a
 * second cry pushed, a second reading in the history). `mqtt_payload_sha256` is the SHA-256 (hex)
 * of the message's payload bytes and `mqtt_received_at` when Vigil received it (epoch ms, server
 * clock): a DUP message of the same device and bytes received within a few minutes of a stored
 * one is that message. Null for uploads over HTTP and readings stored before 029. The index
 * finds a device's message by its hash.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('baby_readings').addColumn('mqtt_payload_sha256', 'text').execute();
  await db.schema.alterTable('baby_readings').addColumn('mqtt_received_at', 'bigint').execute();
  await db.schema
    .createIndex('baby_readings_mqtt_payload_idx')
    .on('baby_readings')
    .columns(['device_id', 'mqtt_payload_sha256'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('baby_readings_mqtt_payload_idx').execute();
  await db.schema.alterTable('baby_readings').dropColumn('mqtt_received_at').execute();
  await db.schema.alterTable('baby_readings').dropColumn('mqtt_payload_sha256').execute();
}
