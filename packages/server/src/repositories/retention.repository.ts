import { PostgresAdapter, sql, type Kysely } from 'kysely';
import {
  DAY_MS,
  dropDayPartitions,
  ensurePartitionsAhead,
  listDayPartitions,
} from '../db/partitions.js';
import type { DB } from '../db/schema.js';

/**
 * The tables data retention trims: every table of patient measurements and of results derived
 * from them. Alerts, alert events, reports and the audit trail are not (retention.service.ts).
 */
export type RetainedTable =
  | 'predictions'
  | 'vitals'
  | 'vitals_minute'
  | 'oximetry_readings'
  | 'baby_readings'
  | 'heart_rate_observations'
  | 'rppg_sessions'
  | 'ecg12_requests'
  | 'ecg12_results'
  | 'mqtt_dead_letters';

/**
 * The tables whose rows stand alone (nothing references them, no rollup to keep in step), each
 * with the time it is trimmed by and indexed by (migrations 009, 021, 031): a reading's data
 * time; a dead letter's receipt (its payload is unparsed).
 */
export const TIMED_TABLES = {
  oximetry_readings: 'ts',
  baby_readings: 'ts',
  heart_rate_observations: 'ts',
  mqtt_dead_letters: 'received_at',
} as const;
export type TimedTable = keyof typeof TIMED_TABLES;

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
   * patient's row of each minute (migration 032: one a patient), and returns how many rows.
   */
  deleteRollup(deviceId: string, before: number, limit: number): Promise<number>;
  /**
   * Deletes the `limit` oldest rows of `table` whose time (TIMED_TABLES) is before `before`,
   * whatever their device or patient, through the index by that time; how many it deleted.
   */
  deleteTimed(table: TimedTable, before: number, limit: number): Promise<number>;
  /**
   * Deletes the `limit` oldest 12-lead requests made before `before` (successful or not: both
   * name the patient and their age, sex, height, weight) with their stored results (the
   * classification and the 12 leads), in one transaction.
   */
  deleteEcg12(
    before: number,
    limit: number,
  ): Promise<{ ecg12_requests: number; ecg12_results: number }>;
  /**
   * Deletes at most `limit` camera sessions that ended before `before` and have no observation
   * left (run after the observations). A session still open (`ended_at` null) is never deleted:
   * its instance may still write observations naming it.
   */
  deleteEndedSessions(before: number, limit: number): Promise<number>;
  /**
   * Removes the audio clip (bytes and content type) of at most `limit` of the oldest baby-monitor
   * readings taken before `before` that still have one; the reading, its cry verdict and both
   * probabilities stay. How many clips it removed.
   */
  removeAudio(before: number, limit: number): Promise<number>;
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
    async deleteTimed(table, before, limit) {
      // Kysely cannot type a table chosen at run time; the names come from TIMED_TABLES.
      const t = raw as Kysely<Record<TimedTable, { id: string; ts: number; received_at: number }>>;
      const column = TIMED_TABLES[table];
      const result = await t
        .deleteFrom(table)
        .where(
          'id',
          'in',
          t.selectFrom(table).select('id').where(column, '<', before).orderBy(column).limit(limit),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    deleteEcg12(before, limit) {
      return db.transaction().execute(async (trx) => {
        const ids = (
          await trx
            .selectFrom('ecg12_requests')
            .select('id')
            .where('created_at', '<', before)
            .orderBy('created_at')
            .limit(limit)
            .execute()
        ).map((r) => r.id);
        if (ids.length === 0) return { ecg12_requests: 0, ecg12_results: 0 };
        // Results first, by name, so the count is theirs (ON DELETE CASCADE would go uncounted).
        const results = await trx
          .deleteFrom('ecg12_results')
          .where('request_id', 'in', ids)
          .executeTakeFirst();
        const requests = await trx
          .deleteFrom('ecg12_requests')
          .where('id', 'in', ids)
          .executeTakeFirst();
        return {
          ecg12_requests: Number(requests.numDeletedRows),
          ecg12_results: Number(results.numDeletedRows),
        };
      });
    },
    async deleteEndedSessions(before, limit) {
      const result = await db
        .deleteFrom('rppg_sessions')
        .where(
          'id',
          'in',
          db
            .selectFrom('rppg_sessions as s')
            .select('s.id')
            .where('s.ended_at', 'is not', null)
            .where('s.ended_at', '<', before)
            .where((eb) =>
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('heart_rate_observations as o')
                    .select('o.id')
                    .whereRef('o.session_id', '=', 's.id'),
                ),
              ),
            )
            .orderBy('s.ended_at')
            .limit(limit),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async removeAudio(before, limit) {
      // `audio is not null` in both statements: the partial index (migration 031) serves the
      // sub-select, and a clip removed meanwhile is not counted twice.
      const result = await db
        .updateTable('baby_readings')
        .set({ audio: null, audio_content_type: null })
        .where('audio', 'is not', null)
        .where(
          'id',
          'in',
          db
            .selectFrom('baby_readings')
            .select('id')
            .where('audio', 'is not', null)
            .where('ts', '<', before)
            .orderBy('ts')
            .limit(limit),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
