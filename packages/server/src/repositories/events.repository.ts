import type { Kysely, Selectable } from 'kysely';
import type { EventsTable } from '../db/pipeline-schema.js';
import type { DB } from '../db/schema.js';

export type EventRow = Selectable<EventsTable>;

export interface EventsRepository {
  /**
   * Events after `afterId` for the given patients (all patients when `patientIds` is
   * undefined, i.e. an admin), oldest first.
   */
  listAfter(
    afterId: number,
    patientIds: readonly string[] | undefined,
    limit: number,
  ): Promise<EventRow[]>;
  /** Id of the newest event (0 when none). */
  lastId(): Promise<number>;
}

export function createEventsRepository(db: Kysely<DB>): EventsRepository {
  return {
    async listAfter(afterId, patientIds, limit) {
      if (patientIds !== undefined && patientIds.length === 0) return [];
      let q = db.selectFrom('events').selectAll().where('id', '>', afterId);
      if (patientIds !== undefined) q = q.where('patient_id', 'in', patientIds);
      const rows = await q.orderBy('id', 'asc').limit(limit).execute();
      return rows.map((r) => ({ ...r, id: r.id }));
    },
    async lastId() {
      const r = await db
        .selectFrom('events')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst();
      // max() of an empty table is NULL even though Kysely types it as a number.
      const id = r?.id as number | null | undefined;
      return id ?? 0;
    },
  };
}
