import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db/database.js';
import type { AlertsTable, EventsTable } from '../db/pipeline-schema.js';
import type { DB } from '../db/schema.js';

export type AlertRow = Omit<AlertsTable, 'update_count'> & { update_count: number };

export interface AlertFilter {
  state?: 'active' | 'cleared' | 'acknowledged' | 'unacknowledged' | undefined;
  severity?: string | undefined;
  patientIds?: readonly string[] | undefined;
  /** Restrict to patients of this doctor (joined through users.doctor_id). */
  doctorId?: string | undefined;
  limit: number;
  /** Keyset cursor: alerts opened before (openedAt, id). */
  before?: { openedAt: number; id: string } | undefined;
}

export interface AlertsRepository {
  listActive(): Promise<AlertRow[]>;
  /** Removes an alert (a doctor's manual alert; rule alerts are kept as history). */
  delete(id: string): Promise<void>;
  findById(id: string): Promise<AlertRow | undefined>;
  list(filter: AlertFilter): Promise<AlertRow[]>;
  /** Inserts/updates the alert and appends its event in one transaction; returns the event id. */
  saveWithEvent(
    alert: AlertRow,
    mode: 'insert' | 'update',
    event: Omit<EventsTable, 'id'>,
  ): Promise<number>;
}

/**
 * Advisory lock key serialising the transactions that append to `events` on PostgreSQL
 * (an arbitrary constant: "vigi" in ASCII).
 */
const EVENTS_APPEND_LOCK = 0x76_69_67_69;

export function createAlertsRepository(db: Kysely<DB>, dialect: Dialect): AlertsRepository {
  const select = () => db.selectFrom('alerts').selectAll('alerts');
  return {
    listActive() {
      return select().where('cleared_at', 'is', null).execute();
    },
    findById(id) {
      return select().where('id', '=', id).executeTakeFirst();
    },
    async delete(id) {
      await db.deleteFrom('alerts').where('id', '=', id).execute();
    },
    list(f) {
      let q = select();
      if (f.doctorId !== undefined) {
        q = q
          .innerJoin('users', 'users.id', 'alerts.patient_id')
          .where('users.doctor_id', '=', f.doctorId);
      }
      if (f.patientIds !== undefined) {
        if (f.patientIds.length === 0) return Promise.resolve([]);
        q = q.where('alerts.patient_id', 'in', f.patientIds);
      }
      if (f.severity !== undefined) q = q.where('alerts.severity', '=', f.severity);
      if (f.state === 'active') q = q.where('alerts.cleared_at', 'is', null);
      if (f.state === 'cleared') q = q.where('alerts.cleared_at', 'is not', null);
      if (f.state === 'acknowledged') q = q.where('alerts.acknowledged_at', 'is not', null);
      if (f.state === 'unacknowledged') q = q.where('alerts.acknowledged_at', 'is', null);
      const b = f.before;
      if (b !== undefined) {
        q = q.where((eb) =>
          eb.or([
            eb('alerts.opened_at', '<', b.openedAt),
            eb.and([eb('alerts.opened_at', '=', b.openedAt), eb('alerts.id', '<', b.id)]),
          ]),
        );
      }
      return q
        .orderBy('alerts.opened_at', 'desc')
        .orderBy('alerts.id', 'desc')
        .limit(f.limit)
        .execute();
    },
    async saveWithEvent(alert, mode, event) {
      return db.transaction().execute(async (trx) => {
        // Clients resume from the last event id they saw, so ids must be committed in id order.
        // A bigserial is not: two transactions may take ids 100 and 101 and commit 101 first, and
        // a client that saw 101 would never be sent 100. On PostgreSQL the appends therefore take
        // turns (the lock is held to commit); SQLite has a single writer already.
        if (dialect === 'postgres')
          await sql`select pg_advisory_xact_lock(cast(${EVENTS_APPEND_LOCK} as bigint))`.execute(
            trx,
          );
        if (mode === 'insert') await trx.insertInto('alerts').values(alert).execute();
        else {
          const { id, ...rest } = alert;
          await trx.updateTable('alerts').set(rest).where('id', '=', id).execute();
        }
        const r = await trx
          .insertInto('events')
          .values(event)
          .returning('id')
          .executeTakeFirstOrThrow();
        return r.id;
      });
    },
  };
}
