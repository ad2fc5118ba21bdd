import type { Kysely, Selectable } from 'kysely';
import type { HeartRateObservationsTable, RppgSessionsTable } from '../../db/pipeline-schema.js';
import type { DB } from '../../db/schema.js';
import { devicesThatServed } from '../../repositories/access.repository.js';
import { measuredHeartRates } from '../../repositories/vitals.repository.js';

export type RppgSessionRow = Selectable<RppgSessionsTable>;
export type HeartRateObservationRow = Selectable<HeartRateObservationsTable>;

/** A heart-rate observation as the history reads it, whatever its table. */
export interface HeartRateRow {
  /** The row's id in its table (`vitals` or `heart_rate_observations`). */
  id: string;
  ts: number;
  bpm: number;
  source: 'device' | 'rppg';
  device_id: string | null;
  session_id: string | null;
  confidence: string | null;
}

/**
 * Where a page of the history ends: its oldest row. The history is ordered newest first by
 * (ts, source, id), `rppg` before `device` at one ts, so the next page is every row after this.
 */
export interface HeartRateKey {
  ts: number;
  source: 'device' | 'rppg';
  id: string;
}

/** Newest first by (ts, source, id), the order of pages and keys. */
export function compareHeartRateDesc(a: HeartRateKey, b: HeartRateKey): number {
  if (a.ts !== b.ts) return b.ts - a.ts;
  if (a.source !== b.source) return a.source < b.source ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Sessions and camera heart-rate observations (migration 012), and the patient's HR history. */
export function createRppgRepository(db: Kysely<DB>) {
  return {
    async insertSession(row: RppgSessionRow): Promise<void> {
      await db.insertInto('rppg_sessions').values(row).execute();
    },

    async endSession(id: string, atMs: number): Promise<void> {
      await db
        .updateTable('rppg_sessions')
        .set({ ended_at: atMs })
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .execute();
    },

    async insertObservations(rows: HeartRateObservationRow[]): Promise<void> {
      if (rows.length === 0) return;
      await db.insertInto('heart_rate_observations').values(rows).execute();
    },

    /**
     * The patient's heart rate between two times, newest first: the devices' packets (`vitals`)
     * and the camera observations, merged; at most `limit` rows, those after `after` (a page's
     * oldest row) when given.
     */
    async heartRateHistory(
      patientId: string,
      fromMs: number,
      toMs: number,
      limit: number,
      after?: HeartRateKey,
    ): Promise<HeartRateRow[]> {
      const [devices, measured, camera] = await Promise.all([
        db
          .selectFrom('vitals')
          .select(['id', 'ts', 'heart_rate_bpm', 'device_id'])
          // Through every device that has served the patient, as reports and FHIR read vitals:
          // the (device_id, ts) index then serves the range; `patient_id` alone has no index,
          // and the query scanned the whole table (SQLite's plan: SCAN vitals). `patient_id`
          // keeps only this patient's rows of a device that served several.
          .where('device_id', 'in', devicesThatServed(db, patientId))
          .where('patient_id', '=', patientId)
          .where('ts', '>=', fromMs)
          .where('ts', '<=', toMs)
          .where('heart_rate_bpm', 'is not', null)
          .$if(after !== undefined, (qb) =>
            qb.where((eb) => {
              const a = after as HeartRateKey;
              // At a's ts, device rows come after every rppg row, and after a device row by id.
              return eb.or([
                eb('ts', '<', a.ts),
                a.source === 'rppg'
                  ? eb('ts', '=', a.ts)
                  : eb.and([eb('ts', '=', a.ts), eb('id', '<', a.id)]),
              ]);
            }),
          )
          .orderBy('ts', 'desc')
          .orderBy('id', 'desc')
          .limit(limit)
          .execute(),
        // Packets that sent no rate, with the one their ECG analysis measured (the one
        // heart-rate rule, vitals.repository.ts): an ECG-only device's patient had no history.
        measuredHeartRates(db)
          .select(['v.id', 'v.ts', 'p.heart_rate_bpm', 'v.device_id'])
          .where('v.device_id', 'in', devicesThatServed(db, patientId))
          .where('v.patient_id', '=', patientId)
          .where('v.ts', '>=', fromMs)
          .where('v.ts', '<=', toMs)
          .$if(after !== undefined, (qb) =>
            qb.where((eb) => {
              const a = after as HeartRateKey;
              return eb.or([
                eb('v.ts', '<', a.ts),
                a.source === 'rppg'
                  ? eb('v.ts', '=', a.ts)
                  : eb.and([eb('v.ts', '=', a.ts), eb('v.id', '<', a.id)]),
              ]);
            }),
          )
          .orderBy('v.ts', 'desc')
          .orderBy('v.id', 'desc')
          .limit(limit)
          .execute(),
        db
          .selectFrom('heart_rate_observations')
          .select(['id', 'ts', 'bpm', 'source', 'session_id', 'confidence'])
          .where('patient_id', '=', patientId)
          .where('ts', '>=', fromMs)
          .where('ts', '<=', toMs)
          .$if(after !== undefined, (qb) =>
            qb.where((eb) => {
              const a = after as HeartRateKey;
              // At a's ts every rppg row comes before a device row; after an rppg row, by id.
              return a.source === 'rppg'
                ? eb.or([eb('ts', '<', a.ts), eb.and([eb('ts', '=', a.ts), eb('id', '<', a.id)])])
                : eb('ts', '<', a.ts);
            }),
          )
          .orderBy('ts', 'desc')
          .orderBy('id', 'desc')
          .limit(limit)
          .execute(),
      ]);
      const rows: HeartRateRow[] = [
        ...[...devices, ...measured].map((r) => ({
          id: r.id,
          ts: r.ts,
          bpm: r.heart_rate_bpm ?? 0,
          source: 'device' as const,
          device_id: r.device_id,
          session_id: null,
          confidence: null,
        })),
        ...camera.map((r) => ({
          id: r.id,
          ts: r.ts,
          bpm: r.bpm,
          source: 'rppg' as const,
          device_id: null,
          session_id: r.session_id,
          confidence: r.confidence,
        })),
      ];
      rows.sort(compareHeartRateDesc);
      return rows.slice(0, limit);
    },
  };
}

export type RppgRepository = ReturnType<typeof createRppgRepository>;
