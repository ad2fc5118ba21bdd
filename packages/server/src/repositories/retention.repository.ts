import { PostgresAdapter, sql, type Kysely } from 'kysely';
import {
  DAY_MS,
  dropDayPartitions,
  ensurePartitionsAhead,
  listDayPartitions,
} from '../db/partitions.js';
import type { DB } from '../db/schema.js';

/** The tables data retention trims. Alerts and events are not. */
export type RetainedTable = 'predictions' | 'vitals' | 'vitals_minute';

export interface RetentionRepository {
  /**
   * The devices that may have rows older than `before` (vitals rows always belong to a device:
   * foreign key). SQLite, and tables without day partitions: every registered device.
   * PostgreSQL, called after `dropPartitionsBefore`: the devices with packets or rollup rows
   * older than `before` in the default partitions, the only place such rows remain.
   */
  deviceIds(before: number): Promise<string[]>;
  /**
   * Deletes the `limit` oldest packets of one device older than `before` (epoch ms) with their
   * predictions, in one transaction, and returns how many of each it deleted. Short statements
   * through the packets' (device_id, ts) index, so the write lock is never held for long.
   */
  deletePackets(
    deviceId: string,
    before: number,
    limit: number,
  ): Promise<{ vitals: number; predictions: number }>;
  /**
   * Deletes the rollup rows of one device of at most `limit` minutes before `before`, every
   * patient's row of each minute (migration 031: one a patient), and returns how many rows.
   */
  deleteRollup(deviceId: string, before: number, limit: number): Promise<number>;
  /**
   * PostgreSQL (packet tables partitioned by day, db/partitions.ts): drops the day partitions
   * that end at or before `before`, every table's together, and returns how many tables'
   * partitions it dropped and the horizon the row deletes then use: the start of the day
   * partition `before` falls in, when there is one (that day goes whole, a later pass), else
   * `before` itself (rows of the default partition). SQLite: nothing to drop, `before` as is.
   */
  dropPartitionsBefore(before: number): Promise<{ before: number; partitions: number }>;
  /**
   * PostgreSQL: creates the day partitions of today and the next days when missing (the hourly
   * maintenance job); the number created. SQLite: 0.
   */
  createPartitionsAhead(nowMs: number): Promise<number>;
}

export function createRetentionRepository(db: Kysely<DB>): RetentionRepository {
  const partitioned = db.getExecutor().adapter instanceof PostgresAdapter;
  const raw = db as unknown as Kysely<unknown>;
  return {
    async dropPartitionsBefore(before) {
      if (!partitioned) return { before, partitions: 0 };
      let partitions = 0;
      let horizon = before;
      for (const day of await listDayPartitions(raw, 'vitals')) {
        if (day + DAY_MS <= before) partitions += await dropDayPartitions(raw, day);
        else if (day < before) horizon = day;
      }
      return { before: horizon, partitions };
    },
    createPartitionsAhead(nowMs) {
      return partitioned ? ensurePartitionsAhead(raw, nowMs) : Promise.resolve(0);
    },
    async deviceIds(before) {
      if (partitioned && (await listDayPartitions(raw, 'vitals')).length > 0) {
        const { rows } = await sql<{ device_id: string }>`
          select device_id from vitals_pdefault where ts < ${before}
          union
          select device_id from vitals_minute_pdefault where minute < ${before}`.execute(db);
        return rows.map((r) => r.device_id);
      }
      const rows = await db.selectFrom('devices').select('device_id').execute();
      return rows.map((r) => r.device_id);
    },
    deletePackets(deviceId, before, limit) {
      return db.transaction().execute(async (trx) => {
        const ids = (
          await trx
            .selectFrom('vitals')
            .select('id')
            .where('device_id', '=', deviceId)
            .where('ts', '<', before)
            .orderBy('ts')
            .limit(limit)
            .execute()
        ).map((r) => r.id);
        if (ids.length === 0) return { vitals: 0, predictions: 0 };
        // Predictions have no (device_id, ts) index (migration 006): they are found by their
        // packet, and deleted first so the count is theirs (the foreign key's ON DELETE CASCADE
        // would delete them too, uncounted).
        const predictions = await trx
          .deleteFrom('predictions')
          .where('vitals_id', 'in', ids)
          .executeTakeFirst();
        // Lead chunks by name too: on PostgreSQL (partitioned, migration 018) no foreign key
        // cascades to them.
        await trx.deleteFrom('ecg_lead_chunks').where('vitals_id', 'in', ids).execute();
        const vitals = await trx.deleteFrom('vitals').where('id', 'in', ids).executeTakeFirst();
        return {
          vitals: Number(vitals.numDeletedRows),
          predictions: Number(predictions.numDeletedRows),
        };
      });
    },
    async deleteRollup(deviceId, before, limit) {
      // DELETE … LIMIT is not portable (PostgreSQL has none, SQLite only when compiled with it):
      // delete by key from a LIMITed sub-select instead.
      const result = await db
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
      return Number(result.numDeletedRows);
    },
  };
}
