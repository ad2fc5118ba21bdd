import type { Kysely } from 'kysely';
import type { Ecg12RequestsTable, Ecg12ResultsTable } from '../db/pipeline-schema.js';
import type { DB } from '../db/schema.js';
import { visiblePatientIds, type Viewer } from './access.repository.js';

export type Ecg12RequestRow = Ecg12RequestsTable;
export type Ecg12ResultRow = Ecg12ResultsTable;

/** The columns the statistics are computed from. */
export type Ecg12StatsRow = Pick<
  Ecg12RequestsTable,
  'success' | 'processing_ms' | 'age' | 'height' | 'weight' | 'sex' | 'heart_axis' | 'class_name'
>;

/** The history of 12-lead classifications (`ecg12_requests`, migration 009). */
export interface Ecg12Repository {
  /** The requests and the full results of the successful ones, in one transaction. */
  insert(rows: readonly Ecg12RequestRow[], results?: readonly Ecg12ResultRow[]): Promise<void>;
  /**
   * Newest first. Visible to a viewer: an admin every row; anyone else the rows they made and the
   * rows about a patient they may see (a doctor's patients, a patient themself); an anonymous
   * caller (`null`, ECG12_ANONYMOUS) only the anonymous rows, which name no patient. `patientId`
   * keeps only that patient's rows.
   */
  list(
    viewer: Viewer | null,
    page: { limit: number; offset: number; patientId?: string | undefined },
  ): Promise<{ total: number; rows: Ecg12RequestRow[] }>;
  /** One request the viewer may see (same rule as list) with its stored result, if any. */
  find(
    viewer: Viewer,
    id: string,
  ): Promise<{ row: Ecg12RequestRow; result: Ecg12ResultRow | undefined } | undefined>;
  deleteAll(): Promise<number>;
  statsRows(): Promise<Ecg12StatsRow[]>;
}

export function createEcg12Repository(db: Kysely<DB>): Ecg12Repository {
  const visible = (viewer: Viewer | null) => {
    const q = db.selectFrom('ecg12_requests');
    // Anonymous requests only: never a signed-in caller's, never one about a patient.
    if (viewer === null)
      return q.where('caller_user_id', 'is', null).where('patient_id', 'is', null);
    if (viewer.role === 'admin') return q;
    return q.where((eb) =>
      eb.or([
        eb('caller_user_id', '=', viewer.id),
        eb('patient_id', 'in', visiblePatientIds(db, viewer)),
      ]),
    );
  };
  return {
    async insert(rows, results = []) {
      if (rows.length === 0) return;
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('ecg12_requests').values(rows).execute();
        if (results.length > 0) await trx.insertInto('ecg12_results').values(results).execute();
      });
    },
    async list(viewer, page) {
      const scoped = () => {
        const q = visible(viewer);
        return page.patientId === undefined ? q : q.where('patient_id', '=', page.patientId);
      };
      const count = await scoped()
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const rows = await scoped()
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      return { total: count.n, rows };
    },
    async find(viewer, id) {
      const row = await visible(viewer).selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined) return undefined;
      const result = await db
        .selectFrom('ecg12_results')
        .selectAll()
        .where('request_id', '=', id)
        .executeTakeFirst();
      return { row, result };
    },
    async deleteAll() {
      // Results go with their requests (ON DELETE CASCADE); deleted first so the count is the requests'.
      await db.deleteFrom('ecg12_results').execute();
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
