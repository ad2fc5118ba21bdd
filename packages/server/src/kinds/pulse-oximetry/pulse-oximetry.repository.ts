import type { Kysely } from 'kysely';
import type { OximetryReadingsTable } from '../../db/pipeline-schema.js';
import type { DB } from '../../db/schema.js';
import {
  envelopeRow,
  ingestResultOf,
  type SignalKindRepository,
  type StoredReading,
} from '../../ingest/signal-kind.js';
import type { OximetryValues } from './pulse-oximetry.assessor.js';

export type OximetryRecord = StoredReading<OximetryValues>;

function toRow(r: OximetryRecord): OximetryReadingsTable {
  const v = r.reading.values;
  return {
    ...envelopeRow(r),
    spo2_percent: v.spo2,
    pulse_rate_bpm: v.pulseRate,
    perfusion_index: v.perfusionIndex,
    battery_percent: v.battery,
  };
}

/** Readings in `oximetry_readings` (migration 007); a pulse oximeter stores no assessment. */
export function createOximetryRepository(
  db: Kysely<DB>,
): SignalKindRepository<OximetryRecord, never> {
  return {
    async latest(deviceId) {
      const row = await db
        .selectFrom('oximetry_readings')
        .select(['ts', 'received_at'])
        .where('device_id', '=', deviceId)
        .orderBy('ts', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : { tsMs: row.ts, receivedAtMs: row.received_at };
    },
    async findByDeviceTs(deviceId, tsMs) {
      const row = await db
        .selectFrom('oximetry_readings')
        .select(['id', 'device_id', 'ts', 'sequence', 'received_at'])
        .where('device_id', '=', deviceId)
        .where('ts', '=', tsMs)
        .executeTakeFirst();
      return row === undefined
        ? undefined
        : { result: ingestResultOf(row), receivedAtMs: row.received_at };
    },
    async write(units) {
      const rows = units.flatMap((u) => u.readings.map(toRow));
      if (rows.length === 0) return;
      await db.insertInto('oximetry_readings').values(rows).execute();
    },
  };
}
