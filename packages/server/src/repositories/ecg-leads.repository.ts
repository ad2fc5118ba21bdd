import type { Kysely } from 'kysely';
import type { EcgLeadChunksTable } from '../db/pipeline-schema.js';
import type { DB } from '../db/schema.js';
import { visiblePatientIds, type Viewer } from './access.repository.js';
import { readJson } from './json-column.js';

/** A stored multi-lead chunk with its JSON columns read (samples still int16, ecg-codec.ts). */
export type EcgLeadChunkRow = Omit<EcgLeadChunksTable, 'leads' | 'scales_mv'> & {
  leads: string[];
  scales_mv: number[];
};

/** Multi-lead packets (migration 017): pages of one device's stream, oldest first. */
export interface EcgLeadsRepository {
  /** `limit` chunks of the device from the `offset`-th, oldest first (seed 004's stream paging). */
  page(deviceId: string, offset: number, limit: number): Promise<EcgLeadChunkRow[]>;
  /**
   * The device whose multi-lead stream the viewer may see and that sent last; restricted to one
   * patient when `patientId` is given. Undefined when there is none.
   */
  newestVisibleDevice(viewer: Viewer, patientId?: string): Promise<string | undefined>;
  /** Whether the viewer may see the device's stream (its patient is visible to them). */
  canSeeDevice(viewer: Viewer, deviceId: string): Promise<boolean>;
}

export function createEcgLeadsRepository(db: Kysely<DB>): EcgLeadsRepository {
  return {
    async page(deviceId, offset, limit) {
      const rows = await db
        .selectFrom('ecg_lead_chunks')
        .selectAll()
        .where('device_id', '=', deviceId)
        .orderBy('ts', 'asc')
        .limit(limit)
        .offset(offset)
        .execute();
      return rows.map((r) => ({
        ...r,
        leads: readJson(r.leads) as string[],
        scales_mv: readJson(r.scales_mv) as number[],
      }));
    },
    async newestVisibleDevice(viewer, patientId) {
      let q = db
        .selectFrom('ecg_lead_chunks')
        .select('device_id')
        .where('patient_id', 'in', visiblePatientIds(db, viewer));
      if (patientId !== undefined) q = q.where('patient_id', '=', patientId);
      const row = await q.orderBy('ts', 'desc').limit(1).executeTakeFirst();
      return row?.device_id;
    },
    async canSeeDevice(viewer, deviceId) {
      const row = await db
        .selectFrom('devices')
        .select('device_id')
        .where('device_id', '=', deviceId)
        .where('patient_id', 'in', visiblePatientIds(db, viewer))
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
