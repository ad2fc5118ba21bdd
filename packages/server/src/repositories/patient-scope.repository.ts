import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { visiblePatientIds, type Viewer } from './access.repository.js';

/** Patient visibility for the pipeline (alerts, rules, real-time scoping), decided in SQL. */
export interface PatientScopeRepository {
  canSee(viewer: Viewer, patientId: string): Promise<boolean>;
  /** Ids of the patients the viewer may see; undefined for an admin (all). */
  visibleIds(viewer: Viewer): Promise<string[] | undefined>;
}

export function createPatientScopeRepository(db: Kysely<DB>): PatientScopeRepository {
  return {
    async canSee(viewer, patientId) {
      const row = await db
        .selectFrom('users')
        .select('id')
        .where('id', '=', patientId)
        .where('id', 'in', visiblePatientIds(db, viewer))
        .executeTakeFirst();
      return row !== undefined;
    },
    async visibleIds(viewer) {
      if (viewer.role === 'admin') return undefined;
      const rows = await visiblePatientIds(db, viewer).execute();
      return rows.map((r) => r.id);
    },
  };
}
