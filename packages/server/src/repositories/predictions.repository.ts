import type { Kysely } from 'kysely';
import type { PredictionsTable } from '../db/pipeline-schema.js';
import type { DB } from '../db/schema.js';

export interface PredictionsRepository {
  list(
    deviceId: string,
    q: {
      from?: number | undefined;
      to?: number | undefined;
      limit: number;
      beforeTs?: number | undefined;
    },
  ): Promise<PredictionsTable[]>;
  latest(deviceId: string): Promise<PredictionsTable | undefined>;
}

export function createPredictionsRepository(db: Kysely<DB>): PredictionsRepository {
  return {
    list(deviceId, q) {
      let query = db.selectFrom('predictions').selectAll().where('device_id', '=', deviceId);
      if (q.from !== undefined) query = query.where('ts', '>=', q.from);
      if (q.to !== undefined) query = query.where('ts', '<', q.to);
      if (q.beforeTs !== undefined) query = query.where('ts', '<', q.beforeTs);
      return query.orderBy('ts', 'desc').limit(q.limit).execute();
    },
    latest(deviceId) {
      return db
        .selectFrom('predictions')
        .selectAll()
        .where('device_id', '=', deviceId)
        .orderBy('ts', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
  };
}
