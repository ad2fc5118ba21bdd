import type { Kysely, Selectable } from 'kysely';
import type { DB, MqttDeadLettersTable } from '../db/schema.js';

export type MqttDeadLetterRow = Selectable<MqttDeadLettersTable>;

/** The MQTT dead letters' SQL: inserted by the poison-message quarantine, listed by admins. */
export interface MqttDeadLettersRepository {
  insert(row: MqttDeadLetterRow): Promise<void>;
  /** Newest first, at most `limit` rows, strictly before the keyset cursor when given. */
  list(before: { at: number; id: string } | undefined, limit: number): Promise<MqttDeadLetterRow[]>;
}

export function createMqttDeadLettersRepository(db: Kysely<DB>): MqttDeadLettersRepository {
  return {
    async insert(row) {
      await db.insertInto('mqtt_dead_letters').values(row).execute();
    },
    async list(before, limit) {
      let q = db.selectFrom('mqtt_dead_letters').selectAll();
      if (before !== undefined)
        q = q.where((eb) =>
          eb.or([
            eb('received_at', '<', before.at),
            eb.and([eb('received_at', '=', before.at), eb('id', '<', before.id)]),
          ]),
        );
      const rows = await q
        .orderBy('received_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      // node-postgres gives bytea as a Buffer, better-sqlite3 a blob as a Buffer too; copied so
      // either way the caller holds a plain Buffer.
      return rows.map((r) => ({ ...r, payload: Buffer.from(r.payload) }));
    },
  };
}
