import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from '../db/database.js';
import type { DB, ReportsTable } from '../db/schema.js';
import { devicesThatServed, visiblePatientIds, type Viewer } from './access.repository.js';
import { packetHeartRateSql } from './vitals.repository.js';

/**
 * Reports (migration 015) and the read model a report is built from. Every figure is an SQL
 * aggregate over the patient's stored rows in the period, so a 7-day report of one packet a second
 * (604,800 packets) returns a few hundred rows to the process, never the packets themselves.
 */

/**
 * Longest time one reading is taken to hold when the device's next reading of the same measure
 * is later (ms): the alert engine's MAX_OBSERVATION_GAP_MS, beyond which a condition stops
 * counting as held.
 */
export const MAX_READING_HOLD_MS = 60_000;

/** Sums, so the aggregates of consecutive slices of a period add up (service: one day a step). */
export interface MeasureAggregate {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  monitoredMs: number;
  aboveMs: number;
  belowMs: number;
}

export interface PeriodAggregates {
  packets: number;
  hr: MeasureAggregate;
  spo2: MeasureAggregate;
  temp: MeasureAggregate;
  hrv: {
    windows: number;
    windowMs: number | null;
    meanNnSum: number;
    sdnnSum: number;
    rmssdSum: number;
    pnn50Sum: number;
  };
  arrhythmia: {
    /** Packets whose arrhythmia findings were stored and not withheld. */
    packets: number;
    analysedMs: number;
    afMs: number;
    longestPauseMs: number | null;
    longestVtBeats: number;
    /** Time of those packets that carry their classified beat counts (veb_beats, sveb_beats). */
    countedMs: number;
    vebBeats: number;
    svebBeats: number;
  };
}

/** Thresholds the time-above / time-below sums use; null = no such rule (sum stays 0). */
export interface MeasureThresholds {
  hrAbove: number | null;
  hrBelow: number | null;
  spo2Below: number | null;
  tempAbove: number | null;
}

export interface PeriodQuery {
  patientId: string;
  deviceIds: readonly string[];
  from: number;
  to: number;
  /**
   * The end of the whole period: a reading near `to` holds until the next packet, which may lie
   * after `to` (the next slice), but never past this.
   */
  periodEnd: number;
  /** The start of the whole period (trend buckets count from it). */
  periodStart: number;
}

/** A trend bucket's sums and counts (slices of a period may share a bucket). */
export interface TrendRow {
  t: number;
  hrSum: number;
  hrN: number;
  spo2Sum: number;
  spo2N: number;
  tempSum: number;
  tempN: number;
}

/**
 * When an alert's event happened for a report's period: its data time (`onset_at`), else its
 * opening. A report covers the period of the data, and a device that uploads late has its
 * alerts opened after (possibly after the period). Read by patient first (alerts are few per
 * patient), so the (patient_id, opened_at) index still serves.
 */
const alertEventAt = sql<number>`coalesce(onset_at, opened_at)`;

export interface PeriodAlertRow {
  id: string;
  device_id: string | null;
  rule_kind: string;
  severity: string;
  message: string;
  value: number | null;
  opened_at: number;
  onset_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  cleared_at: number | null;
}

export interface ReportListFilter {
  viewer: Viewer;
  patientId?: string | undefined;
  doctorId?: string | undefined;
  limit: number;
  before?: { createdAt: number; id: string } | undefined;
}

export interface ReportsRepository {
  insert(row: ReportsTable): Promise<void>;
  findById(id: string): Promise<ReportsTable | undefined>;
  /** Reports the viewer may see (SQL scope), newest first, keyset-paged. */
  list(f: ReportListFilter): Promise<Omit<ReportsTable, 'content'>[]>;
  /**
   * Updates a report only if it is still in `expectedStatus` (so a concurrent finalisation is
   * never overwritten); returns whether a row changed.
   */
  update(
    id: string,
    expectedStatus: ReportsTable['status'],
    patch: Partial<
      Pick<ReportsTable, 'title' | 'notes' | 'status' | 'addenda' | 'updated_at' | 'finalized_at'>
    >,
  ): Promise<boolean>;
  /** Deletes a draft; returns false when the report is gone or no longer a draft. */
  deleteDraft(id: string): Promise<boolean>;

  // --- the read model a report is built from
  patientName(patientId: string): Promise<string | undefined>;
  /** Every device that has served the patient, and any device one of their alerts in the period came from. */
  candidateDevices(patientId: string, from: number, to: number): Promise<string[]>;
  /** One slice's totals and its trend buckets, from one pass over its packets. */
  aggregates(
    q: PeriodQuery,
    th: MeasureThresholds,
    bucketMs: number,
  ): Promise<{ total: PeriodAggregates; trends: TrendRow[] }>;
  /** Distinct VT episodes as `device:start` keys. */
  vtEpisodes(q: PeriodQuery): Promise<string[]>;
  /** The patient's alerts whose event (data time, else opening) falls in the period, in its order. */
  alerts(patientId: string, from: number, to: number, limit: number): Promise<PeriodAlertRow[]>;
  alertCount(patientId: string, from: number, to: number): Promise<number>;
  babyReadings(
    patientId: string,
    from: number,
    to: number,
  ): Promise<{
    readings: number;
    tempMin: number | null;
    tempMean: number | null;
    tempMax: number | null;
    humMin: number | null;
    humMean: number | null;
    humMax: number | null;
    cries: number;
    sick: number;
  }>;
  ecg12Results(
    patientId: string,
    from: number,
    to: number,
    limit: number,
  ): Promise<
    {
      id: string;
      created_at: number;
      class_name: string | null;
      class_description: string | null;
      /** The stored classification (Ecg12Classification JSON), null when not kept. */
      result_json: string | null;
    }[]
  >;
}

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const nOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function createReportsRepository(db: Kysely<DB>, dialect: Dialect): ReportsRepository {
  /** A number inside a JSON column: json_extract on SQLite, ->> on PostgreSQL (jsonb). */
  const jnum = (column: string, key: string): RawBuilder<number | null> =>
    dialect === 'postgres'
      ? sql<number | null>`cast(${sql.ref(column)}->>${sql.lit(key)} as double precision)`
      : sql<number | null>`json_extract(${sql.ref(column)}, ${sql.lit(`$.${key}`)})`;

  /** A JSON member as text-or-null, for `is null` tests. */
  const jtext = (column: string, key: string): RawBuilder<unknown> =>
    dialect === 'postgres'
      ? sql`(${sql.ref(column)}->>${sql.lit(key)})`
      : sql`json_extract(${sql.ref(column)}, ${sql.lit(`$.${key}`)})`;

  /**
   * The patient's packets in the period with their prediction, each with the time it holds:
   * until the next packet of its device, at most MAX_READING_HOLD_MS, never past the period end.
   * The device list keeps the scan on the (device_id, ts) index.
   */
  const packets = (q: PeriodQuery) => {
    // The window sees packets up to one hold past `to`, so the last reading of a slice holds
    // until the first of the next; the outer query keeps only ts < to. JSON members are read
    // here, once per packet, so the rows the window materialises are a few numbers each.
    const lookAhead = Math.min(q.to + MAX_READING_HOLD_MS, q.periodEnd);
    // Until the next packet of the device (`dur`); temperature, which devices send far less
    // often than their packets, until the device's next temperature (a reading a minute holds
    // for that minute, not 1 s). Each such window is one more sort of the slice's packets
    // (bench/reports: 3.1 s CPU for 7 days with one window, 5.9 s with one per measure), so HR
    // and SpO2, present in every packet the pipeline stores, use the packet's.
    const hold = (partition: RawBuilder<unknown> | null) => {
      const next = sql<number>`coalesce(lead(v.ts) over (partition by v.device_id${partition === null ? sql`` : sql`, ${partition}`} order by v.ts), ${sql.lit(q.periodEnd)})`;
      return sql`case when ${next} - v.ts < ${sql.lit(MAX_READING_HOLD_MS)}
          then ${next} - v.ts else ${sql.lit(MAX_READING_HOLD_MS)} end`;
    };
    // The one rule of every output (packetHeartRateSql): the device's rate, else the ECG's.
    const hr = packetHeartRateSql('v', 'p');
    const hrvOf = (key: string) => sql`case when p.analysable = 1 then ${jnum('p.hrv', key)} end`;
    return sql`select v.ts as ts,
        ${hr} as hr,
        v.spo2_percent as spo2,
        v.temperature_c as temp,
        case when p.analysable = 1 and p.arrhythmia is not null
          and ${jtext('p.arrhythmia', 'withheld')} is null then 1 else 0 end as usable,
        case when ${jtext('p.arrhythmia', 'af_since')} is not null then 1 else 0 end as af,
        case when p.analysable = 1 then ${jnum('p.arrhythmia', 'longest_pause_ms')} end as pause,
        ${jnum('p.arrhythmia', 'vt_run_beats')} as vt_beats,
        ${jnum('p.arrhythmia', 'veb_beats')} as veb,
        ${jnum('p.arrhythmia', 'sveb_beats')} as sveb,
        ${hrvOf('sdnn_ms')} as sdnn,
        ${hrvOf('window_ms')} as hrv_window,
        ${hrvOf('mean_nn_ms')} as mean_nn,
        ${hrvOf('rmssd_ms')} as rmssd,
        ${hrvOf('pnn50')} as pnn50,
        ${hold(null)} as dur,
        ${hold(sql`(v.temperature_c is null)`)} as temp_dur
      from vitals v left join predictions p on p.vitals_id = v.id
      where v.device_id in (${sql.join(q.deviceIds)})
        and v.ts >= ${q.from} and v.ts < ${lookAhead} and v.patient_id = ${q.patientId}`;
  };

  const measure = (col: 'hr' | 'spo2' | 'temp', above: string | null, below: string | null) => {
    const c = sql.ref(col);
    const dur = sql.ref(col === 'temp' ? 'temp_dur' : 'dur');
    const timeWhen = (cond: RawBuilder<unknown> | null) =>
      cond === null ? sql`0` : sql`coalesce(sum(case when ${cond} then ${dur} else 0 end), 0)`;
    return sql`count(${c}) as ${sql.ref(`${col}_n`)},
      min(${c}) as ${sql.ref(`${col}_min`)},
      coalesce(sum(cast(${c} as double precision)), 0) as ${sql.ref(`${col}_sum`)},
      max(${c}) as ${sql.ref(`${col}_max`)},
      coalesce(sum(case when ${c} is not null then ${dur} else 0 end), 0) as ${sql.ref(`${col}_ms`)},
      ${timeWhen(above === null ? null : sql.raw(above))} as ${sql.ref(`${col}_above_ms`)},
      ${timeWhen(below === null ? null : sql.raw(below))} as ${sql.ref(`${col}_below_ms`)}`;
  };

  return {
    async insert(row) {
      await db.insertInto('reports').values(row).execute();
    },
    findById(id) {
      return db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
    },
    list(f) {
      let q = db
        .selectFrom('reports')
        .select([
          'id',
          'patient_id',
          'author_id',
          'period_start',
          'period_end',
          'title',
          'notes',
          'status',
          'addenda',
          'created_at',
          'updated_at',
          'finalized_at',
        ])
        .where('patient_id', 'in', visiblePatientIds(db, f.viewer));
      if (f.patientId !== undefined) q = q.where('patient_id', '=', f.patientId);
      if (f.doctorId !== undefined) {
        const doctorId = f.doctorId;
        q = q.where('patient_id', 'in', (eb) =>
          eb.selectFrom('users').select('users.id').where('users.doctor_id', '=', doctorId),
        );
      }
      const b = f.before;
      if (b !== undefined)
        q = q.where((eb) =>
          eb.or([
            eb('created_at', '<', b.createdAt),
            eb.and([eb('created_at', '=', b.createdAt), eb('id', '<', b.id)]),
          ]),
        );
      return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
    },
    async update(id, expectedStatus, patch) {
      const r = await db
        .updateTable('reports')
        .set(patch)
        .where('id', '=', id)
        .where('status', '=', expectedStatus)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async deleteDraft(id) {
      const r = await db
        .deleteFrom('reports')
        .where('id', '=', id)
        .where('status', '=', 'draft')
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },

    async patientName(patientId) {
      const r = await db
        .selectFrom('users')
        .select('name')
        .where('id', '=', patientId)
        .where('role', '=', 'patient')
        .executeTakeFirst();
      return r?.name;
    },
    async candidateDevices(patientId, from, to) {
      const rows = await devicesThatServed(db, patientId)
        .union(
          db
            .selectFrom('alerts')
            .select(sql<string>`device_id`.as('device_id'))
            .where('patient_id', '=', patientId)
            .where('device_id', 'is not', null)
            .where(alertEventAt, '>=', from)
            .where(alertEventAt, '<', to),
        )
        .execute();
      return rows.map((r) => r.device_id).sort();
    },
    async aggregates(q, th, bucketMs) {
      const total = emptyAggregates();
      if (q.deviceIds.length === 0) return { total, trends: [] };
      // Thresholds are numbers validated by the alert-rules service, written as literals so
      // PostgreSQL types the comparisons from the columns. Comparisons match the alert rules
      // (alert-rule-engine.ts): HR > and <, SpO2 <=, fever >=.
      const lit = (v: number | null) => (v === null || !Number.isFinite(v) ? null : String(v));
      const hrAbove = lit(th.hrAbove);
      const hrBelow = lit(th.hrBelow);
      const spo2Below = lit(th.spo2Below);
      const tempAbove = lit(th.tempAbove);
      // One pass, grouped by trend bucket (counted from the period's start; integer division on
      // both dialects): the buckets are the trend points, and they add up to the slice's totals.
      const { rows } = await sql<Record<string, unknown>>`with pk as (${packets(q)})
        select ((ts - ${sql.lit(q.periodStart)}) / ${sql.lit(bucketMs)}) as b,
          count(*) as packets,
          ${measure('hr', hrAbove === null ? null : `hr > ${hrAbove}`, hrBelow === null ? null : `hr < ${hrBelow}`)},
          ${measure('spo2', null, spo2Below === null ? null : `spo2 <= ${spo2Below}`)},
          ${measure('temp', tempAbove === null ? null : `temp >= ${tempAbove}`, null)},
          count(sdnn) as hrv_n,
          max(hrv_window) as hrv_window_ms,
          coalesce(sum(mean_nn), 0) as hrv_mean_nn,
          coalesce(sum(sdnn), 0) as hrv_sdnn,
          coalesce(sum(rmssd), 0) as hrv_rmssd,
          coalesce(sum(pnn50), 0) as hrv_pnn50,
          coalesce(sum(usable), 0) as arr_n,
          coalesce(sum(usable * dur), 0) as arr_ms,
          coalesce(sum(usable * af * dur), 0) as af_ms,
          max(pause) as pause_ms,
          coalesce(max(case when usable = 1 then vt_beats end), 0) as vt_beats,
          coalesce(sum(case when usable = 1 and veb is not null then dur else 0 end), 0) as counted_ms,
          coalesce(sum(case when usable = 1 then veb end), 0) as veb_beats,
          coalesce(sum(case when usable = 1 then sveb end), 0) as sveb_beats
        from pk where ts < ${q.to}
        group by 1 order by 1`.execute(db);
      const trends: TrendRow[] = [];
      for (const r of rows) {
        const agg = (m: string): MeasureAggregate => ({
          count: n(r[`${m}_n`]),
          sum: n(r[`${m}_sum`]),
          min: nOrNull(r[`${m}_min`]),
          max: nOrNull(r[`${m}_max`]),
          monitoredMs: n(r[`${m}_ms`]),
          aboveMs: n(r[`${m}_above_ms`]),
          belowMs: n(r[`${m}_below_ms`]),
        });
        const bucket: PeriodAggregates = {
          packets: n(r.packets),
          hr: agg('hr'),
          spo2: agg('spo2'),
          temp: agg('temp'),
          hrv: {
            windows: n(r.hrv_n),
            windowMs: nOrNull(r.hrv_window_ms),
            meanNnSum: n(r.hrv_mean_nn),
            sdnnSum: n(r.hrv_sdnn),
            rmssdSum: n(r.hrv_rmssd),
            pnn50Sum: n(r.hrv_pnn50),
          },
          arrhythmia: {
            packets: n(r.arr_n),
            analysedMs: n(r.arr_ms),
            afMs: n(r.af_ms),
            longestPauseMs: nOrNull(r.pause_ms),
            longestVtBeats: n(r.vt_beats),
            countedMs: n(r.counted_ms),
            vebBeats: n(r.veb_beats),
            svebBeats: n(r.sveb_beats),
          },
        };
        addAggregates(total, bucket);
        trends.push({
          t: q.periodStart + n(r.b) * bucketMs,
          hrSum: bucket.hr.sum,
          hrN: bucket.hr.count,
          spo2Sum: bucket.spo2.sum,
          spo2N: bucket.spo2.count,
          tempSum: bucket.temp.sum,
          tempN: bucket.temp.count,
        });
      }
      return { total, trends };
    },
    async vtEpisodes(q) {
      if (q.deviceIds.length === 0) return [];
      // A VT run is reported by every packet while it lasts, with the same start: distinct
      // (device, start) pairs are runs. Each dialect unnests the episode list its own way.
      const episodes =
        dialect === 'postgres'
          ? sql`select v.device_id as device_id, e.value->>'start' as start
              from vitals v join predictions p on p.vitals_id = v.id
              cross join lateral jsonb_array_elements(p.arrhythmia->'episodes') as e(value)
              where v.device_id in (${sql.join(q.deviceIds)}) and v.ts >= ${q.from}
                and v.ts < ${q.to} and v.patient_id = ${q.patientId} and p.analysable = 1
                and p.arrhythmia is not null and e.value->>'rhythm' = 'VT'`
          : sql`select v.device_id as device_id, json_extract(e.value, '$.start') as start
              from vitals v join predictions p on p.vitals_id = v.id,
                json_each(p.arrhythmia, '$.episodes') as e
              where v.device_id in (${sql.join(q.deviceIds)}) and v.ts >= ${q.from}
                and v.ts < ${q.to} and v.patient_id = ${q.patientId} and p.analysable = 1
                and p.arrhythmia is not null and json_extract(e.value, '$.rhythm') = 'VT'`;
      const { rows } = await sql<{ k: unknown }>`with ep as (${episodes})
        select distinct device_id || ':' || cast(start as text) as k from ep`.execute(db);
      return rows.map((r) => String(r.k));
    },
    alerts(patientId, from, to, limit) {
      return db
        .selectFrom('alerts')
        .select([
          'id',
          'device_id',
          'rule_kind',
          'severity',
          'message',
          'value',
          'opened_at',
          'onset_at',
          'acknowledged_at',
          'acknowledged_by',
          'cleared_at',
        ])
        .where('patient_id', '=', patientId)
        .where(alertEventAt, '>=', from)
        .where(alertEventAt, '<', to)
        .orderBy(alertEventAt, 'asc')
        .orderBy('id', 'asc')
        .limit(limit)
        .execute();
    },
    async alertCount(patientId, from, to) {
      const r = await db
        .selectFrom('alerts')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('patient_id', '=', patientId)
        .where(alertEventAt, '>=', from)
        .where(alertEventAt, '<', to)
        .executeTakeFirst();
      return n(r?.n);
    },
    async babyReadings(patientId, from, to) {
      const r = await db
        .selectFrom('baby_readings')
        .select([
          sql<number>`count(*)`.as('readings'),
          sql<number | null>`min(temperature_c)`.as('temp_min'),
          sql<number | null>`avg(cast(temperature_c as double precision))`.as('temp_mean'),
          sql<number | null>`max(temperature_c)`.as('temp_max'),
          sql<number | null>`min(humidity_percent)`.as('hum_min'),
          sql<number | null>`avg(cast(humidity_percent as double precision))`.as('hum_mean'),
          sql<number | null>`max(humidity_percent)`.as('hum_max'),
          sql<number>`coalesce(sum(cry_detected), 0)`.as('cries'),
          sql<number>`coalesce(sum(sick_detected), 0)`.as('sick'),
        ])
        .where('patient_id', '=', patientId)
        .where('ts', '>=', from)
        .where('ts', '<', to)
        .executeTakeFirst();
      return {
        readings: n(r?.readings),
        tempMin: nOrNull(r?.temp_min),
        tempMean: nOrNull(r?.temp_mean),
        tempMax: nOrNull(r?.temp_max),
        humMin: nOrNull(r?.hum_min),
        humMean: nOrNull(r?.hum_mean),
        humMax: nOrNull(r?.hum_max),
        cries: n(r?.cries),
        sick: n(r?.sick),
      };
    },
    ecg12Results(patientId, from, to, limit) {
      return db
        .selectFrom('ecg12_requests')
        .leftJoin('ecg12_results', 'ecg12_results.request_id', 'ecg12_requests.id')
        .select([
          'ecg12_requests.id',
          'ecg12_requests.created_at',
          'ecg12_requests.class_name',
          'ecg12_requests.class_description',
          'ecg12_results.result_json',
        ])
        .where('ecg12_requests.patient_id', '=', patientId)
        .where('ecg12_requests.success', '=', 1)
        .where('ecg12_requests.created_at', '>=', from)
        .where('ecg12_requests.created_at', '<', to)
        .orderBy('ecg12_requests.created_at', 'asc')
        .limit(limit)
        .execute();
    },
  };
}

export function emptyAggregates(): PeriodAggregates {
  const m = (): MeasureAggregate => ({
    count: 0,
    sum: 0,
    min: null,
    max: null,
    monitoredMs: 0,
    aboveMs: 0,
    belowMs: 0,
  });
  return {
    packets: 0,
    hr: m(),
    spo2: m(),
    temp: m(),
    hrv: { windows: 0, windowMs: null, meanNnSum: 0, sdnnSum: 0, rmssdSum: 0, pnn50Sum: 0 },
    arrhythmia: {
      packets: 0,
      analysedMs: 0,
      afMs: 0,
      longestPauseMs: null,
      longestVtBeats: 0,
      countedMs: 0,
      vebBeats: 0,
      svebBeats: 0,
    },
  };
}

const minOf = (a: number | null, b: number | null) =>
  a === null ? b : b === null ? a : Math.min(a, b);
const maxOf = (a: number | null, b: number | null) =>
  a === null ? b : b === null ? a : Math.max(a, b);

/** Adds one slice's aggregates into the running total (counts and sums add, extremes compare). */
export function addAggregates(t: PeriodAggregates, s: PeriodAggregates): void {
  t.packets += s.packets;
  for (const k of ['hr', 'spo2', 'temp'] as const) {
    const a = t[k];
    const b = s[k];
    a.count += b.count;
    a.sum += b.sum;
    a.min = minOf(a.min, b.min);
    a.max = maxOf(a.max, b.max);
    a.monitoredMs += b.monitoredMs;
    a.aboveMs += b.aboveMs;
    a.belowMs += b.belowMs;
  }
  t.hrv.windows += s.hrv.windows;
  t.hrv.windowMs = maxOf(t.hrv.windowMs, s.hrv.windowMs);
  t.hrv.meanNnSum += s.hrv.meanNnSum;
  t.hrv.sdnnSum += s.hrv.sdnnSum;
  t.hrv.rmssdSum += s.hrv.rmssdSum;
  t.hrv.pnn50Sum += s.hrv.pnn50Sum;
  t.arrhythmia.packets += s.arrhythmia.packets;
  t.arrhythmia.analysedMs += s.arrhythmia.analysedMs;
  t.arrhythmia.afMs += s.arrhythmia.afMs;
  t.arrhythmia.longestPauseMs = maxOf(t.arrhythmia.longestPauseMs, s.arrhythmia.longestPauseMs);
  t.arrhythmia.longestVtBeats = Math.max(t.arrhythmia.longestVtBeats, s.arrhythmia.longestVtBeats);
  t.arrhythmia.countedMs += s.arrhythmia.countedMs;
  t.arrhythmia.vebBeats += s.arrhythmia.vebBeats;
  t.arrhythmia.svebBeats += s.arrhythmia.svebBeats;
}

export function addTrend(a: TrendRow, b: TrendRow): TrendRow {
  return {
    t: a.t,
    hrSum: a.hrSum + b.hrSum,
    hrN: a.hrN + b.hrN,
    spo2Sum: a.spo2Sum + b.spo2Sum,
    spo2N: a.spo2N + b.spo2N,
    tempSum: a.tempSum + b.tempSum,
    tempN: a.tempN + b.tempN,
  };
}
