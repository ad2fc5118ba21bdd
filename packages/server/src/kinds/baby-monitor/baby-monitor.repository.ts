import { sql, type Kysely, type Selectable } from 'kysely';
import type { BabyReadingsTable } from '../../db/pipeline-schema.js';
import type { DB } from '../../db/schema.js';

export type BabyReadingRow = Omit<Selectable<BabyReadingsTable>, 'audio'> & { has_audio: number };

/** Which readings a query covers: a patient set (undefined = all, admin) and filters. */
export interface BabyReadingScope {
  patientIds: readonly string[] | undefined;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  cryDetected?: boolean | undefined;
  sickDetected?: boolean | undefined;
}

const COLUMNS = [
  'id',
  'patient_id',
  'device_id',
  'uploaded_by',
  'ts',
  'temperature_c',
  'humidity_percent',
  'notes',
  'cry_detected',
  'cry_probability',
  'cry_source',
  'sick_detected',
  'audio_content_type',
  'upload_key',
  'device_cry_detected',
  'device_cry_probability',
  'audio_cry_probability',
] as const;

/** Readings in `baby_readings` (migrations 008 and 010). */
export function createBabyReadingsRepository(db: Kysely<DB>) {
  const scoped = (s: BabyReadingScope) => {
    let q = db.selectFrom('baby_readings');
    if (s.patientIds !== undefined) q = q.where('patient_id', 'in', [...s.patientIds]);
    if (s.fromMs !== undefined) q = q.where('ts', '>=', s.fromMs);
    if (s.toMs !== undefined) q = q.where('ts', '<=', s.toMs);
    if (s.cryDetected !== undefined) q = q.where('cry_detected', '=', s.cryDetected ? 1 : 0);
    if (s.sickDetected !== undefined) q = q.where('sick_detected', '=', s.sickDetected ? 1 : 0);
    return q;
  };
  const withAudioFlag = sql<number>`case when audio is null then 0 else 1 end`.as('has_audio');
  return {
    /** False when a reading with the same `upload_key` exists (nothing is written then). */
    async insert(row: BabyReadingsTable): Promise<boolean> {
      const result = await db
        .insertInto('baby_readings')
        .values(row)
        .onConflict((oc) => oc.column('upload_key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async findByUploadKey(key: string): Promise<BabyReadingRow | undefined> {
      return db
        .selectFrom('baby_readings')
        .select([...COLUMNS, withAudioFlag])
        .where('upload_key', '=', key)
        .executeTakeFirst();
    },
    async findById(id: string): Promise<BabyReadingRow | undefined> {
      return db
        .selectFrom('baby_readings')
        .select([...COLUMNS, withAudioFlag])
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async audio(id: string) {
      return db
        .selectFrom('baby_readings')
        .select(['patient_id', 'audio', 'audio_content_type'])
        .where('id', '=', id)
        .executeTakeFirst();
    },
    /** Newest first. */
    async list(s: BabyReadingScope, limit: number, offset: number): Promise<BabyReadingRow[]> {
      if (s.patientIds?.length === 0) return [];
      return scoped(s)
        .select([...COLUMNS, withAudioFlag])
        .orderBy('ts', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute();
    },
    async stats(s: BabyReadingScope) {
      if (s.patientIds?.length === 0)
        return { total: 0, cries: 0, sick: 0, avgTemperature: null, avgHumidity: null };
      const row = await scoped(s)
        .select([
          sql<number | string>`count(*)`.as('total'),
          sql<number | string | null>`sum(cry_detected)`.as('cries'),
          sql<number | string | null>`sum(sick_detected)`.as('sick'),
          sql<number | string | null>`avg(temperature_c)`.as('avg_temperature'),
          sql<number | string | null>`avg(humidity_percent)`.as('avg_humidity'),
        ])
        .executeTakeFirstOrThrow();
      const num = (v: number | string | null) => (v === null ? null : Number(v));
      return {
        total: Number(row.total),
        cries: num(row.cries) ?? 0,
        sick: num(row.sick) ?? 0,
        avgTemperature: num(row.avg_temperature),
        avgHumidity: num(row.avg_humidity),
      };
    },
    /** What the time series buckets: the measurements and flags, oldest first. */
    async series(s: BabyReadingScope) {
      if (s.patientIds?.length === 0) return [];
      return scoped(s)
        .select(['ts', 'temperature_c', 'humidity_percent', 'cry_detected', 'sick_detected'])
        .orderBy('ts')
        .execute();
    },
  };
}

export type BabyReadingsRepository = ReturnType<typeof createBabyReadingsRepository>;
