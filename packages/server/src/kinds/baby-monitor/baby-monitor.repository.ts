import { sql, type Kysely, type Selectable } from 'kysely';
import type { BabyReadingsTable } from '../../db/pipeline-schema.js';
import type { DB } from '../../db/schema.js';
import { visiblePatientIds, type Viewer } from '../../repositories/access.repository.js';

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
  'mqtt_payload_sha256',
  'mqtt_received_at',
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
    /**
     * The device's reading stored from an MQTT message with these payload bytes (SHA-256 hex)
     * received at or after `sinceMs`, the newest if several: what a redelivery (DUP) repeats.
     */
    async findMqttMessage(
      deviceId: string,
      payloadSha256: string,
      sinceMs: number,
    ): Promise<BabyReadingRow | undefined> {
      return db
        .selectFrom('baby_readings')
        .select([...COLUMNS, withAudioFlag])
        .where('device_id', '=', deviceId)
        .where('mqtt_payload_sha256', '=', payloadSha256)
        .where('mqtt_received_at', '>=', sinceMs)
        .orderBy('mqtt_received_at', 'desc')
        .limit(1)
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
    /**
     * The newest reading of each patient `viewer` may see who has one, however old, newest
     * first, at most `limit`. One statement: per visible patient, one probe of the
     * (patient_id, ts) index (migration 008) for its newest reading's id, then those rows by
     * primary key; no scan of the readings, so a baby quiet for hours among busy monitors is
     * found as fast as a busy one. Ties at the same ts go to the larger id, as in `list`.
     */
    async latestPerPatient(viewer: Viewer, limit: number): Promise<BabyReadingRow[]> {
      const newestIds = visiblePatientIds(db, viewer)
        .clearSelect()
        .select((eb) =>
          eb
            .selectFrom('baby_readings as newest')
            .select('newest.id')
            .whereRef('newest.patient_id', '=', 'scope_p.id')
            .orderBy('newest.ts', 'desc')
            .orderBy('newest.id', 'desc')
            .limit(1)
            .as('reading_id'),
        );
      return db
        .selectFrom('baby_readings')
        .select([...COLUMNS, withAudioFlag])
        .where('id', 'in', newestIds)
        .orderBy('ts', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
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
    /**
     * The readings per time bucket, oldest first: a bucket starts at `originMs` + k × `stepMs`
     * (epoch ms, integer arithmetic alike on both dialects); buckets without readings are absent.
     * The means skip readings whose sensor failed (null).
     */
    async buckets(s: BabyReadingScope, stepMs: number, originMs: number) {
      if (s.patientIds?.length === 0) return [];
      const start = sql<
        number | string
      >`${sql.lit(originMs)} + ((ts - ${sql.lit(originMs)}) / ${sql.lit(stepMs)}) * ${sql.lit(stepMs)}`;
      const rows = await scoped(s)
        .select([
          start.as('start'),
          sql<number | string>`count(*)`.as('total'),
          sql<number | string>`sum(cry_detected)`.as('cries'),
          sql<number | string>`sum(sick_detected)`.as('sick'),
          sql<number | string | null>`avg(temperature_c)`.as('avg_temperature'),
          sql<number | string | null>`avg(humidity_percent)`.as('avg_humidity'),
        ])
        .groupBy(start)
        .orderBy(start)
        .execute();
      const num = (v: number | string | null) => (v === null ? null : Number(v));
      return rows.map((r) => ({
        startMs: Number(r.start),
        total: Number(r.total),
        cries: Number(r.cries),
        sick: Number(r.sick),
        avgTemperature: num(r.avg_temperature),
        avgHumidity: num(r.avg_humidity),
      }));
    },
    /**
     * Seed 002's pie slices: no cry and below `feverC` (or no temperature); a cry not judged sick;
     * no cry at or above `feverC` (a fever); a cry judged sick.
     */
    async healthSlices(s: BabyReadingScope, feverC: number) {
      if (s.patientIds?.length === 0) return { normal: 0, crying: 0, fever: 0, critical: 0 };
      const hot = sql`temperature_c is not null and temperature_c >= ${feverC}`;
      const row = await scoped(s)
        .select([
          sql<
            number | string | null
          >`sum(case when cry_detected = 0 and not (${hot}) then 1 else 0 end)`.as('normal'),
          sql<
            number | string | null
          >`sum(case when cry_detected = 1 and sick_detected = 0 then 1 else 0 end)`.as('crying'),
          sql<
            number | string | null
          >`sum(case when cry_detected = 0 and ${hot} then 1 else 0 end)`.as('fever'),
          sql<
            number | string | null
          >`sum(case when cry_detected = 1 and sick_detected = 1 then 1 else 0 end)`.as('critical'),
        ])
        .executeTakeFirstOrThrow();
      return {
        normal: Number(row.normal ?? 0),
        crying: Number(row.crying ?? 0),
        fever: Number(row.fever ?? 0),
        critical: Number(row.critical ?? 0),
      };
    },
  };
}

export type BabyReadingsRepository = ReturnType<typeof createBabyReadingsRepository>;
