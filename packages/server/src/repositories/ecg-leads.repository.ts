import type { Kysely } from 'kysely';
import { ownedBy, type RowOwner } from './row-owner.js';
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
  /**
   * `limit` chunks of the device from the `offset`-th, oldest first (seed 004's stream paging),
   * of those taken for `owner` (`deviceRowOwner`; undefined: every chunk).
   */
  page(
    deviceId: string,
    offset: number,
    limit: number,
    owner?: RowOwner,
  ): Promise<EcgLeadChunkRow[]>;
  /**
   * The device whose multi-lead stream the viewer may see and that sent last; restricted to one
   * patient when `patientId` is given. Undefined when there is none.
   */
  newestVisibleDevice(
    viewer: Viewer,
    patientId?: string,
  ): Promise<{ device_id: string; patient_id: string } | undefined>;
  /**
   * The device if the viewer may see its stream (its current patient is visible to them), with
   * that patient; undefined otherwise.
   */
  visibleDevice(
    viewer: Viewer,
    deviceId: string,
  ): Promise<{ patient_id: string | null } | undefined>;
}

export function createEcgLeadsRepository(db: Kysely<DB>): EcgLeadsRepository {
  return {
    async page(deviceId, offset, limit, owner) {
      const rows = await db
        .selectFrom('ecg_lead_chunks')
        .selectAll()
        .where('device_id', '=', deviceId)
        .where(ownedBy('patient_id', owner))
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
        .select(['device_id', 'patient_id'])
        .where('patient_id', 'in', visiblePatientIds(db, viewer));
      if (patientId !== undefined) q = q.where('patient_id', '=', patientId);
      const row = await q.orderBy('ts', 'desc').limit(1).executeTakeFirst();
      return row === undefined || row.patient_id === null
        ? undefined
        : { device_id: row.device_id, patient_id: row.patient_id };
    },
    visibleDevice(viewer, deviceId) {
      return db
        .selectFrom('devices')
        .select('patient_id')
        .where('device_id', '=', deviceId)
        .where('patient_id', 'in', visiblePatientIds(db, viewer))
        .executeTakeFirst();
    },
  };
}
