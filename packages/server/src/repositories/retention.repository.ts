import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

/** The tables data retention trims, all keyed by (device_id, time). Alerts and events are not. */
export type RetainedTable = 'predictions' | 'vitals' | 'vitals_minute';

export interface RetentionRepository {
  /** Every registered device (vitals rows always belong to one: foreign key). */
  deviceIds(): Promise<string[]>;
  /**
   * Deletes at most `limit` rows of one device older than `before` (epoch ms; `minute` for the
   * rollup, `ts` elsewhere) and returns how many it deleted. One short statement through the
   * (device_id, time) index, so it never holds the write lock for long.
   */
  deleteBatch(
    table: RetainedTable,
    deviceId: string,
    before: number,
    limit: number,
  ): Promise<number>;
}

export function createRetentionRepository(db: Kysely<DB>): RetentionRepository {
  return {
    async deviceIds() {
      const rows = await db.selectFrom('devices').select('device_id').execute();
      return rows.map((r) => r.device_id);
    },
    async deleteBatch(table, deviceId, before, limit) {
      // DELETE … LIMIT is not portable (PostgreSQL has none, SQLite only when compiled with it):
      // delete by key from a LIMITed sub-select instead.
      let result;
      switch (table) {
        case 'vitals':
        case 'predictions':
          result = await db
            .deleteFrom(table)
            .where(
              'id',
              'in',
              db
                .selectFrom(table)
                .select('id')
                .where('device_id', '=', deviceId)
                .where('ts', '<', before)
                .limit(limit),
            )
            .executeTakeFirst();
          break;
        case 'vitals_minute':
          result = await db
            .deleteFrom('vitals_minute')
            .where('device_id', '=', deviceId)
            .where(
              'minute',
              'in',
              db
                .selectFrom('vitals_minute')
                .select('minute')
                .where('device_id', '=', deviceId)
                .where('minute', '<', before)
                .limit(limit),
            )
            .executeTakeFirst();
          break;
      }
      return Number(result.numDeletedRows);
    },
  };
}
