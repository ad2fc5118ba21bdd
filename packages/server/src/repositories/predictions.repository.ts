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

/**
 * Predictions are read through their packets (migration 006): the packet's (device_id, ts) index
 * gives the order and the range, `predictions_vitals_id_idx` the prediction of each packet. A
 * packet still waiting for the ECG before it (held back to be analysed in time order) has no
 * prediction yet and is skipped by the join.
 */
export function createPredictionsRepository(db: Kysely<DB>): PredictionsRepository {
  const byDevice = (deviceId: string) =>
    db
      .selectFrom('vitals')
      .innerJoin('predictions', 'predictions.vitals_id', 'vitals.id')
      .selectAll('predictions')
      .where('vitals.device_id', '=', deviceId);
  return {
    list(deviceId, q) {
      let query = byDevice(deviceId);
      if (q.from !== undefined) query = query.where('vitals.ts', '>=', q.from);
      if (q.to !== undefined) query = query.where('vitals.ts', '<', q.to);
      if (q.beforeTs !== undefined) query = query.where('vitals.ts', '<', q.beforeTs);
      return query.orderBy('vitals.ts', 'desc').limit(q.limit).execute();
    },
    latest(deviceId) {
      return byDevice(deviceId).orderBy('vitals.ts', 'desc').limit(1).executeTakeFirst();
    },
  };
}
