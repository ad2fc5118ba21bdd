import type { Kysely } from 'kysely';
import type { Ecg12RequestsTable } from '../db/pipeline-schema.js';
import type { DB } from '../db/schema.js';
import { visiblePatientIds, type Viewer } from './access.repository.js';

export type Ecg12RequestRow = Ecg12RequestsTable;

/** The columns the statistics are computed from. */
export type Ecg12StatsRow = Pick<
  Ecg12RequestsTable,
  'success' | 'processing_ms' | 'age' | 'height' | 'weight' | 'sex' | 'heart_axis' | 'class_name'
>;

/** The history of 12-lead classifications (`ecg12_requests`, migration 009). */
export interface Ecg12Repository {
  insert(rows: readonly Ecg12RequestRow[]): Promise<void>;
  /**
   * Newest first. Visible to a viewer: an admin every row; anyone else the rows they made and the
   * rows about a patient they may see (a doctor's patients, a patient themself).
   */
  list(
    viewer: Viewer,
    page: { limit: number; offset: number },
  ): Promise<{ total: number; rows: Ecg12RequestRow[] }>;
  deleteAll(): Promise<number>;
  statsRows(): Promise<Ecg12StatsRow[]>;
}

export function createEcg12Repository(db: Kysely<DB>): Ecg12Repository {
  const visible = (viewer: Viewer) => {
    const q = db.selectFrom('ecg12_requests');
    if (viewer.role === 'admin') return q;
    return q.where((eb) =>
      eb.or([
        eb('caller_user_id', '=', viewer.id),
        eb('patient_id', 'in', visiblePatientIds(db, viewer)),
      ]),
    );
  };
  return {
    async insert(rows) {
      if (rows.length === 0) return;
      await db.insertInto('ecg12_requests').values(rows).execute();
    },
    async list(viewer, page) {
      const count = await visible(viewer)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const rows = await visible(viewer)
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      return { total: count.n, rows };
    },
    async deleteAll() {
      const result = await db.deleteFrom('ecg12_requests').executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    statsRows() {
      return db
        .selectFrom('ecg12_requests')
        .select([
          'success',
          'processing_ms',
          'age',
          'height',
          'weight',
          'sex',
          'heart_axis',
          'class_name',
        ])
        .execute();
    },
  };
}
