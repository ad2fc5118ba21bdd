import type { Kysely, Selectable } from 'kysely';
import type { AuditEventsTable, DB } from '../db/schema.js';

export type AuditEventRow = Selectable<AuditEventsTable>;

/** What an audit event's reference names, so the patient behind it can be looked up. */
export type AuditRefKind =
  | 'patient'
  | 'user'
  | 'device'
  | 'device_row'
  | 'alert'
  | 'reading'
  | 'ecg12'
  | 'rppg_session'
  | 'report'
  /** A FHIR reference to a patient (`Patient/<id>`, an absolute URL ending so, or the id). */
  | 'fhir_patient'
  /** A FHIR Observation id, `<kind>-<row id>` of the table the kind is read from. */
  | 'fhir_observation'
  | 'audit_event';

export interface AuditFilter {
  id?: string | undefined;
  patientId?: string | undefined;
  actorId?: string | undefined;
  action?: string | undefined;
  /** Actions whose verb (`<resource>.<verb>`) is one of `in`, or none of `notIn`. */
  verbs?: { in: readonly string[] } | { notIn: readonly string[] } | undefined;
  outcome?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  /** Keyset cursor: events strictly before (at, id), newest first. */
  before?: { at: number; id: string } | undefined;
}

/**
 * The audit trail's SQL. Append-only by construction: the only write besides `insertBatch` is
 * `deleteBefore`, which the audit retention pass alone calls. There is no update.
 */
export interface AuditRepository {
  insertBatch(rows: readonly AuditEventRow[]): Promise<void>;
  /** Newest first, at most `limit` rows. */
  list(filter: AuditFilter, limit: number): Promise<AuditEventRow[]>;
  /** Deletes at most `limit` events older than `before` (epoch ms); how many it deleted. */
  deleteBefore(before: number, limit: number): Promise<number>;
  /** The patient behind each key of a kind (keys without one are absent from the map). */
  patientsOf(kind: AuditRefKind, keys: readonly string[]): Promise<Map<string, string>>;
  /** User ids by (normalised) email: who a sign-in attempt was for. */
  userIdsByEmail(emails: readonly string[]): Promise<Map<string, string>>;
}

/** The table each FHIR Observation kind is read from (fhir-resources.ts OBSERVATION_KINDS). */
const OBSERVATION_TABLES = {
  hr: 'vitals',
  spo2: 'vitals',
  temp: 'vitals',
  resp: 'vitals',
  ecg: 'vitals',
  oxspo2: 'oximetry_readings',
  oxhr: 'oximetry_readings',
  hrv: 'predictions',
  camhr: 'heart_rate_observations',
  babytemp: 'baby_readings',
  ecg12: 'ecg12_requests',
} as const;
type ObservationTable = (typeof OBSERVATION_TABLES)[keyof typeof OBSERVATION_TABLES];

/** Rows per INSERT: 14 columns × 500 stays under SQLite's 32,766 bound parameters. */
const INSERT_CHUNK = 500;

export function createAuditRepository(db: Kysely<DB>): AuditRepository {
  const pairs = (rows: { k: string; p: string | null }[]) => {
    const map = new Map<string, string>();
    for (const r of rows) if (r.p !== null) map.set(r.k, r.p);
    return map;
  };
  return {
    async insertBatch(rows) {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK)
        await db
          .insertInto('audit_events')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .execute();
    },

    list(f, limit) {
      let q = db.selectFrom('audit_events').selectAll();
      if (f.id !== undefined) q = q.where('id', '=', f.id);
      if (f.patientId !== undefined) q = q.where('patient_id', '=', f.patientId);
      if (f.actorId !== undefined) q = q.where('actor_id', '=', f.actorId);
      if (f.action !== undefined) q = q.where('action', '=', f.action);
      const verbs = f.verbs;
      if (verbs !== undefined) {
        const listed = 'in' in verbs ? verbs.in : verbs.notIn;
        q = q.where((eb) => {
          const any = eb.or(listed.map((v) => eb('action', 'like', `%.${v}`)));
          return 'in' in verbs ? any : eb.not(any);
        });
      }
      if (f.outcome !== undefined) q = q.where('outcome', '=', f.outcome);
      if (f.from !== undefined) q = q.where('at', '>=', f.from);
      if (f.to !== undefined) q = q.where('at', '<', f.to);
      const before = f.before;
      if (before !== undefined)
        q = q.where((eb) =>
          eb.or([
            eb('at', '<', before.at),
            eb.and([eb('at', '=', before.at), eb('id', '<', before.id)]),
          ]),
        );
      return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },

    async deleteBefore(before, limit) {
      // DELETE … LIMIT is not portable: delete by key from a LIMITed sub-select.
      const result = await db
        .deleteFrom('audit_events')
        .where(
          'id',
          'in',
          db
            .selectFrom('audit_events')
            .select('id')
            .where('at', '<', before)
            .orderBy('at')
            .limit(limit),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async patientsOf(kind, keys) {
      if (keys.length === 0) return new Map();
      switch (kind) {
        case 'patient':
          return new Map(keys.map((k) => [k, k]));
        case 'fhir_patient':
          // One patient per reference: a list (`_id=a,b`) names none.
          return new Map(
            keys.filter((k) => !k.includes(',')).map((k) => [k, k.slice(k.lastIndexOf('/') + 1)]),
          );
        case 'fhir_observation': {
          const rowIds = new Map<ObservationTable, Map<string, string[]>>();
          for (const key of keys) {
            const dash = key.indexOf('-');
            const table = OBSERVATION_TABLES[key.slice(0, dash) as keyof typeof OBSERVATION_TABLES];
            if (dash < 0 || (table as ObservationTable | undefined) === undefined) continue;
            let ids = rowIds.get(table);
            if (ids === undefined) rowIds.set(table, (ids = new Map<string, string[]>()));
            const rowId = key.slice(dash + 1);
            ids.set(rowId, [...(ids.get(rowId) ?? []), key]);
          }
          const map = new Map<string, string>();
          for (const [table, ids] of rowIds) {
            const rows = await db
              .selectFrom(table)
              .select(['id', 'patient_id'])
              .where('id', 'in', [...ids.keys()])
              .execute();
            for (const r of rows)
              if (r.patient_id !== null)
                for (const key of ids.get(r.id) ?? []) map.set(key, r.patient_id);
          }
          return map;
        }
        case 'audit_event':
          return pairs(
            await db
              .selectFrom('audit_events')
              .select(['id as k', 'patient_id as p'])
              .where('id', 'in', keys)
              .execute(),
          );
        case 'user':
          return pairs(
            await db
              .selectFrom('users')
              .select(['id as k', 'id as p'])
              .where('id', 'in', keys)
              .where('role', '=', 'patient')
              .execute(),
          );
        case 'device':
          return pairs(
            await db
              .selectFrom('devices')
              .select(['device_id as k', 'patient_id as p'])
              .where('device_id', 'in', keys)
              .execute(),
          );
        case 'device_row':
          return pairs(
            await db
              .selectFrom('devices')
              .select(['id as k', 'patient_id as p'])
              .where('id', 'in', keys)
              .execute(),
          );
        case 'alert':
          return pairs(
            await db
              .selectFrom('alerts')
              .select(['id as k', 'patient_id as p'])
              .where('id', 'in', keys)
              .execute(),
          );
        case 'reading':
          return pairs(
            await db
              .selectFrom('baby_readings')
              .select(['id as k', 'patient_id as p'])
              .where('id', 'in', keys)
              .execute(),
          );
        case 'ecg12':
          return pairs(
            await db
              .selectFrom('ecg12_requests')
              .select(['id as k', 'patient_id as p'])
              .where('id', 'in', keys)
              .execute(),
          );
        case 'rppg_session':
          return pairs(
            await db
              .selectFrom('rppg_sessions')
              .select(['id as k', 'patient_id as p'])
              .where('id', 'in', keys)
              .execute(),
          );
        case 'report':
          return pairs(
            await db
              .selectFrom('reports')
              .select(['id as k', 'patient_id as p'])
              .where('id', 'in', keys)
              .execute(),
          );
      }
    },

    async userIdsByEmail(emails) {
      if (emails.length === 0) return new Map();
      const rows = await db
        .selectFrom('users')
        .select(['email', 'id'])
        .where('email', 'in', emails)
        .execute();
      return new Map(rows.map((r) => [r.email, r.id]));
    },
  };
}
