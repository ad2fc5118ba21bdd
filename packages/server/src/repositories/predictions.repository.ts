import type { Kysely } from 'kysely';
import type { PredictionsTable } from '../db/pipeline-schema.js';
import type { DB } from '../db/schema.js';
import { ownedBy, type RowOwner, type RowsOwner } from './row-owner.js';

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
  /** Newest first, `offset` skipped, of any of the devices (the cardiac-monitor app's paging). */
  listOffsetPage(
    deviceIds: readonly string[],
    limit: number,
    offset: number,
    owner?: RowsOwner,
  ): Promise<PredictionsTable[]>;
  countOf(deviceIds: readonly string[], owner?: RowsOwner): Promise<number>;
  /** The prediction of the packet stamped latest (ts) of any of the devices. */
  latestOf(
    deviceIds: readonly string[],
    owner?: RowsOwner,
  ): Promise<PredictionOfPacket | undefined>;
  /** The prediction of the packet received last (received_at) of any of the devices. */
  latestReceivedOf(
    deviceIds: readonly string[],
    owner?: RowsOwner,
  ): Promise<PredictionOfPacket | undefined>;
}

/** A prediction with when its packet was received (which latest to show: latest-shown.ts). */
export type PredictionOfPacket = PredictionsTable & { packet_received_at: number };

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
  /** The prediction of the packet of any of the devices first by `order` (then `tie`), newest first. */
  const newestOf = (
    deviceIds: readonly string[],
    order: 'vitals.ts' | 'vitals.received_at',
    tie: 'vitals.ts' | 'vitals.received_at',
    owner: RowsOwner,
  ) =>
    deviceIds.length === 0
      ? Promise.resolve(undefined)
      : byDevices(deviceIds)
          .where(ownedBy('vitals.patient_id', owner))
          .select('vitals.received_at as packet_received_at')
          .orderBy(order, 'desc')
          .orderBy(tie, 'desc')
          .limit(1)
          .executeTakeFirst();
  return {
    list(deviceId, q) {
      let query = byDevice(deviceId).where(ownedBy('vitals.patient_id', q.owner));
      if (q.from !== undefined) query = query.where('vitals.ts', '>=', q.from);
      if (q.to !== undefined) query = query.where('vitals.ts', '<', q.to);
      if (q.beforeTs !== undefined) query = query.where('vitals.ts', '<', q.beforeTs);
      return query.orderBy('vitals.ts', 'desc').limit(q.limit).execute();
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
      return newestOf(deviceIds, 'vitals.ts', 'vitals.received_at', owner);
    },
    latestReceivedOf(deviceIds, owner) {
      return newestOf(deviceIds, 'vitals.received_at', 'vitals.ts', owner);
    },
  };
}
