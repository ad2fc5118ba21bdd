import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * MQTT messages that failed the same way `MQTT_POISON_ATTEMPTS` times (a bug, a value the
 * database refuses) and were then acknowledged so that they stop blocking their session: the
 * broker redelivers an unacknowledged message before any later one of the same session. The
 * payload is kept byte for byte (a blob, not text: it may not even be UTF-8), so nothing a device
 * sent is lost and an admin can replay or inspect it. No foreign key: a dead letter outlives its
 * device, and a message for a device being deleted must still be storable.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { blob } = columnTypes(db);
  await db.schema
    .createTable('mqtt_dead_letters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('payload', blob, (c) => c.notNull())
    .addColumn('error_code', 'text', (c) => c.notNull())
    .addColumn('error_message', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .execute();
  // The admin list reads newest first by (received_at, id).
  await db.schema
    .createIndex('mqtt_dead_letters_received_at')
    .on('mqtt_dead_letters')
    .columns(['received_at', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('mqtt_dead_letters').execute();
}
