import type { Kysely } from 'kysely';
import type { PredictionsTable } from '../db/pipeline-schema.js';
import type { DB } from '../db/schema.js';
import { ownedBy, type RowOwner } from './vitals.repository.js';

export interface PredictionsRepository {
  list(
    deviceId: string,
    q: {
      from?: number | undefined;
      to?: number | undefined;
      limit: number;
      beforeTs?: number | undefined;
      owner?: RowOwner;
    },
  ): Promise<PredictionsTable[]>;
  latest(deviceId: string, owner?: RowOwner): Promise<PredictionsTable | undefined>;
  /** Newest first, `offset` skipped, of any of the devices (the cardiac-monitor app's paging). */
  listOffsetPage(
    deviceIds: readonly string[],
    limit: number,
    offset: number,
    owner?: RowOwner,
  ): Promise<PredictionsTable[]>;
  countOf(deviceIds: readonly string[], owner?: RowOwner): Promise<number>;
  latestOf(deviceIds: readonly string[], owner?: RowOwner): Promise<PredictionsTable | undefined>;
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
  const byDevices = (deviceIds: readonly string[]) =>
    db
      .selectFrom('vitals')
      .innerJoin('predictions', 'predictions.vitals_id', 'vitals.id')
      .selectAll('predictions')
      .where('vitals.device_id', 'in', deviceIds);
  return {
    list(deviceId, q) {
      let query = byDevice(deviceId).where(ownedBy('vitals.patient_id', q.owner));
      if (q.from !== undefined) query = query.where('vitals.ts', '>=', q.from);
      if (q.to !== undefined) query = query.where('vitals.ts', '<', q.to);
      if (q.beforeTs !== undefined) query = query.where('vitals.ts', '<', q.beforeTs);
      return query.orderBy('vitals.ts', 'desc').limit(q.limit).execute();
    },
    latest(deviceId, owner) {
      return byDevice(deviceId)
        .where(ownedBy('vitals.patient_id', owner))
        .orderBy('vitals.ts', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
    listOffsetPage(deviceIds, limit, offset, owner) {
      if (deviceIds.length === 0) return Promise.resolve([]);
      return byDevices(deviceIds)
        .where(ownedBy('vitals.patient_id', owner))
        .orderBy('vitals.ts', 'desc')
        .orderBy('vitals.device_id')
        .limit(limit)
        .offset(offset)
        .execute();
    },
    async countOf(deviceIds, owner) {
      if (deviceIds.length === 0) return 0;
      const r = await db
        .selectFrom('vitals')
        .innerJoin('predictions', 'predictions.vitals_id', 'vitals.id')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('vitals.device_id', 'in', deviceIds)
        .where(ownedBy('vitals.patient_id', owner))
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    latestOf(deviceIds, owner) {
      if (deviceIds.length === 0) return Promise.resolve(undefined);
      return byDevices(deviceIds)
        .where(ownedBy('vitals.patient_id', owner))
        .orderBy('vitals.ts', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
  };
}
