import {
  sql,
  type Compilable,
  type ExpressionBuilder,
  type Kysely,
  type OnConflictDatabase,
  type OnConflictTables,
  type RawBuilder,
} from 'kysely';
import {
  VITALS_ROW_COLUMNS,
  type EcgChunk,
  type EcgLeadChunksTable,
  type PredictionsTable,
  type VitalsMinuteTable,
  type VitalsRow,
  type VitalsTable,
} from '../db/pipeline-schema.js';
import { isUniqueViolation } from '../db/errors.js';
import type { DB } from '../db/schema.js';
import type { Dialect } from '../db/database.js';
import { DomainError } from '../errors/catalogue.js';
import { createCompiledQueryCache, rowParameters } from './compiled-query-cache.js';
import { ownedBy, rolledUpFor, type RowOwner, type RowsOwner } from './row-owner.js';

/** Everything one ingest batch unit writes: packets (with their ECG) and predictions. */
export interface PacketWriteUnit {
  vitals: VitalsTable[];
  predictions: PredictionsTable[];
  /** The named leads of multi-lead packets (migration 017), written with their `vitals` rows. */
  leadChunks?: EcgLeadChunksTable[];
}

export interface Agg {
  min: number | null;
  avg: number | null;
  max: number | null;
  count: number;
}

export interface SeriesBucketRow {
  time: number;
  packets: number;
  heart_rate_bpm: Agg;
  spo2_percent: Agg;
  temperature_c: Agg;
}

export interface VitalsRepository {
  /**
   * Writes many units in ONE transaction (group commit). Alert events are not written here: they
   * go through the alerts repository, which keeps event ids in commit order.
   */
  writeUnits(units: readonly PacketWriteUnit[]): Promise<void>;
  /** The packet at this identity, its ECG included (what a retry is compared with). */
  findByDeviceTs(
    deviceId: string,
    ts: number,
  ): Promise<(VitalsRow & Pick<VitalsTable, 'ecg_scale_mv' | 'ecg_samples'>) | undefined>;
  /** Newest first, `offset` rows skipped, of any of the devices (the cardiac-monitor app's paging). */
  listOffsetPage(
    deviceIds: readonly string[],
    limit: number,
    offset: number,
    owner?: RowsOwner,
  ): Promise<VitalsRow[]>;
  countOf(deviceIds: readonly string[], owner?: RowsOwner): Promise<number>;
  /** The prediction stored with a packet (for the answer to a retried upload). */
  predictionOf(vitalsId: string): Promise<PredictionsTable | undefined>;
  listHistory(
    deviceId: string,
    q: {
      from?: number | undefined;
      to?: number | undefined;
      limit: number;
      beforeTs?: number | undefined;
      owner?: RowOwner;
    },
  ): Promise<VitalsRow[]>;
  /** The packet stamped latest (ts): where ingest's ordering goes on from. */
  latest(deviceId: string): Promise<VitalsRow | undefined>;
  /** The packet stamped latest (ts) of any of the devices. */
  latestOf(deviceIds: readonly string[], owner?: RowsOwner): Promise<VitalsRow | undefined>;
  /** The packet received last (received_at) of any of the devices (migration 028's index). */
  latestReceivedOf(deviceIds: readonly string[], owner?: RowsOwner): Promise<VitalsRow | undefined>;
  /**
   * The heart rate measured from the ECG of those of the device's packets at `ts` that sent none
   * (packetHeartRateSql's second half), by packet ts.
   */
  measuredHeartRatesAt(deviceId: string, ts: readonly number[]): Promise<Map<number, number>>;
  /**
   * Whole stored packets (ECG included) of a device with `afterTs` < ts <= `toTs` (or, given
   * `receivedSinceMs`, received at or after it whatever their ts), oldest first; with
   * `unassessedOnly`, only those without a prediction (several instances: the packets other
   * instances stored for this device's owner).
   */
  listPackets(
    deviceId: string,
    q: {
      afterTs: number;
      toTs?: number;
      receivedSinceMs?: number;
      unassessedOnly: boolean;
      limit: number;
    },
  ): Promise<VitalsTable[]>;
  /** Timestamp of the device's newest prediction. */
  lastPredictionTs(deviceId: string): Promise<number | undefined>;
  listEcg(
    deviceId: string,
    from: number,
    to: number,
    maxChunkMs: number,
    owner?: RowOwner,
  ): Promise<EcgChunk[]>;
  /**
   * Files a deleted patient's per-minute rollup rows under no patient (`patient_key` ''), as
   * deleting them sets their packets' `patient_id` to null: added into the '' row of the same
   * device and minute where there is one (counts and sums add, extremes compare). Run in the
   * transaction that deletes the patient.
   */
  foldRollupIntoNoPatient(patientId: string): Promise<void>;
  /** Time buckets of the rows of `owner` (undefined: every row) from the per-minute rollup. */
  series(
    deviceId: string,
    from: number,
    to: number,
    intervalMs: number,
    owner?: RowOwner,
  ): Promise<SeriesBucketRow[]>;
  /** Count, extremes and averages of the rows of `owner` (undefined: every row) in [from, to). */
  stats(
    deviceId: string,
    from: number,
    to: number,
    owner?: RowOwner,
  ): Promise<{
    total: number;
    first: number | null;
    last: number | null;
    hr: Agg;
    spo2: Agg;
    temp: Agg;
  }>;
}

/**
 * The heart rate of an ECG packet, one rule for every output that shows one (`/series`, `/stats`,
 * history and latest, reports, FHIR): the device's `heart_rate_bpm` when it sent one, else the
 * rate the ECG analysis measured for that packet (its prediction, `heart_rate_source` `ecg`). The
 * device's figure first: it is what the device's clinicians configured, and what seed 000
 * clients send and read back; the ECG-derived one fills the gap of a device without a pulse
 * sensor (usertest4: its /series and /stats showed no heart rate while its predictions had one).
 * `v` is the packet (`vitals`), `p` its prediction, left-joined.
 */
export function packetHeartRateSql(v = 'v', p = 'p'): RawBuilder<number | null> {
  return sql<
    number | null
  >`coalesce(${sql.ref(`${v}.heart_rate_bpm`)}, case when ${sql.ref(`${p}.heart_rate_source`)} = 'ecg' then ${sql.ref(`${p}.heart_rate_bpm`)} end)`;
}

/**
 * The rule's second half alone: the packets that sent no heart rate (`v`) with their prediction
 * (`p`) whose rate was measured from the ECG. Walked from the packets without one
 * (`vitals_no_heart_rate_idx`, migration 026, by device and time), so a device that sends its
 * rate costs one probe of an empty index range. A prediction has its packet's ts (its key on
 * PostgreSQL is (vitals_id, ts)): joining on both lets PostgreSQL look in one day partition.
 */
export function measuredHeartRates(db: Kysely<DB>) {
  return db
    .selectFrom('vitals as v')
    .innerJoin('predictions as p', (j) =>
      j.onRef('p.vitals_id', '=', 'v.id').onRef('p.ts', '=', 'v.ts'),
    )
    .where('v.heart_rate_bpm', 'is', null)
    .where('p.heart_rate_source', '=', 'ecg')
    .where('p.heart_rate_bpm', 'is not', null);
}

type Measure = 'hr' | 'spo2' | 'temp';

/**
 * One stats part's count, sum, min and max of a raw column. Sums in double precision (PostgreSQL
 * would sum `real` in single precision); min and max keep the column's own type, as before.
 */
function rawPartSql(column: 'heart_rate_bpm' | 'spo2_percent' | 'temperature_c', m: Measure) {
  const c = sql.ref(column);
  return [
    sql<number>`cast(count(${c}) as bigint)`.as(`${m}_n`),
    sql<number>`coalesce(sum(cast(${c} as double precision)), 0)`.as(`${m}_sum`),
    sql<number | null>`min(${c})`.as(`${m}_min`),
    sql<number | null>`max(${c})`.as(`${m}_max`),
  ] as const;
}

/**
 * The same from the rollup. Min and max are cast to `real`, the raw columns' type: on PostgreSQL
 * (4-byte real) stats then answer exactly what a scan of the raw rows answers; on SQLite (REAL is
 * 8 bytes) the cast changes nothing.
 */
function rollupPartSql(m: Measure) {
  return [
    sql<number>`cast(coalesce(sum(${sql.ref(`${m}_n`)}), 0) as bigint)`.as(`${m}_n`),
    sql<number>`cast(coalesce(sum(${sql.ref(`${m}_sum`)}), 0) as double precision)`.as(`${m}_sum`),
    sql<number | null>`cast(min(${sql.ref(`${m}_min`)}) as real)`.as(`${m}_min`),
    sql<number | null>`cast(max(${sql.ref(`${m}_max`)}) as real)`.as(`${m}_max`),
  ] as const;
}

/** Combines stats parts: counts and sums add, extremes compare (NULL = no value). */
class AggSum {
  private n = 0;
  private sum = 0;
  private min: number | null = null;
  private max: number | null = null;
  add(n: unknown, sum: unknown, min: unknown, max: unknown): void {
    const k = Number(n);
    if (k === 0) return;
    this.n += k;
    this.sum += Number(sum);
    const lo = num(min);
    const hi = num(max);
    if (lo !== null && (this.min === null || lo < this.min)) this.min = lo;
    if (hi !== null && (this.max === null || hi > this.max)) this.max = hi;
  }
  count(): number {
    return this.n;
  }
  agg(): Agg {
    return {
      min: this.min,
      avg: this.n === 0 ? null : this.sum / this.n,
      max: this.max,
      count: this.n,
    };
  }
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/** Keeps a value's extreme across two rows (NULL = no value), portably (no LEAST/GREATEST). */
function extreme(column: string, op: '<' | '>') {
  const mine = sql.ref(`vitals_minute.${column}`);
  const theirs = sql.ref(`excluded.${column}`);
  return sql<
    number | null
  >`case when ${theirs} is null then ${mine} when ${mine} is null or ${theirs} ${sql.raw(op)} ${mine} then ${theirs} else ${mine} end`;
}

/** Every column of the per-minute rollup (migration 032's table). */
const ROLLUP_COLUMNS = [
  'device_id',
  'minute',
  'patient_key',
  'packets',
  'hr_n',
  'hr_sum',
  'hr_min',
  'hr_max',
  'spo2_n',
  'spo2_sum',
  'spo2_min',
  'spo2_max',
  'temp_n',
  'temp_sum',
  'temp_min',
  'temp_max',
] as const satisfies readonly (keyof VitalsMinuteTable)[];

/**
 * An upsert's update of a rollup row already stored at the same key: counts and sums add, extremes
 * compare (what the ingest path and a deleted patient's rows folded into '' both need).
 */
function mergedRollupRow(
  eb: ExpressionBuilder<OnConflictDatabase<DB, 'vitals_minute'>, OnConflictTables<'vitals_minute'>>,
) {
  return {
    packets: eb('vitals_minute.packets', '+', eb.ref('excluded.packets')),
    hr_n: eb('vitals_minute.hr_n', '+', eb.ref('excluded.hr_n')),
    hr_sum: eb('vitals_minute.hr_sum', '+', eb.ref('excluded.hr_sum')),
    hr_min: extreme('hr_min', '<'),
    hr_max: extreme('hr_max', '>'),
    spo2_n: eb('vitals_minute.spo2_n', '+', eb.ref('excluded.spo2_n')),
    spo2_sum: eb('vitals_minute.spo2_sum', '+', eb.ref('excluded.spo2_sum')),
    spo2_min: extreme('spo2_min', '<'),
    spo2_max: extreme('spo2_max', '>'),
    temp_n: eb('vitals_minute.temp_n', '+', eb.ref('excluded.temp_n')),
    temp_sum: eb('vitals_minute.temp_sum', '+', eb.ref('excluded.temp_sum')),
    temp_min: extreme('temp_min', '<'),
    temp_max: extreme('temp_max', '>'),
  };
}

/**
 * The heart rates measured from the ECG of packets that sent none, per device and minute: what
 * the rollup's `hr_*` add for them (packetHeartRateSql's second half).
 */
interface MeasuredMinute {
  device_id: string;
  /** The packets' `patient_id`, '' for none (the rollup's `patient_key`, migration 032). */
  patient_key: string;
  minute: number;
  n: number;
  sum: number;
  min: number | null;
  max: number | null;
}

/**
 * Adds packets, and the rates measured for packets that sent none, to the per-minute rollup (one
 * upsert per device, minute and patient of the batch; a minute with only measured rates adds no
 * packet). Keyed by the patient each packet was taken for (migration 032), so the minutes of a
 * device handed on and back are never added to the wrong patient's.
 */
async function upsertMinuteRollup(
  trx: Kysely<DB>,
  rows: readonly VitalsTable[],
  measured: readonly MeasuredMinute[],
  insert: CachedInsert,
): Promise<void> {
  const minutes = new Map<string, VitalsMinuteTable>();
  const add = (r: VitalsMinuteTable, m: 'hr' | 'spo2' | 'temp', v: number | null): void => {
    if (v === null) return;
    r[`${m}_n`] += 1;
    r[`${m}_sum`] += v;
    const lo = r[`${m}_min`];
    const hi = r[`${m}_max`];
    r[`${m}_min`] = lo === null || v < lo ? v : lo;
    r[`${m}_max`] = hi === null || v > hi ? v : hi;
  };
  const rowOf = (deviceId: string, patientKey: string, minute: number): VitalsMinuteTable => {
    const k = `${deviceId}\u0000${patientKey}\u0000${String(minute)}`;
    let r = minutes.get(k);
    if (r === undefined) {
      r = {
        device_id: deviceId,
        minute,
        patient_key: patientKey,
        packets: 0,
        hr_n: 0,
        hr_sum: 0,
        hr_min: null,
        hr_max: null,
        spo2_n: 0,
        spo2_sum: 0,
        spo2_min: null,
        spo2_max: null,
        temp_n: 0,
        temp_sum: 0,
        temp_min: null,
        temp_max: null,
      };
      minutes.set(k, r);
    }
    return r;
  };
  for (const v of rows) {
    const r = rowOf(v.device_id, v.patient_id ?? '', Math.floor(v.ts / 60_000) * 60_000);
    r.packets += 1;
    add(r, 'hr', v.heart_rate_bpm);
    add(r, 'spo2', v.spo2_percent);
    add(r, 'temp', v.temperature_c);
  }
  for (const m of measured) {
    if (m.n === 0) continue;
    const r = rowOf(m.device_id, m.patient_key, m.minute);
    r.hr_n += m.n;
    r.hr_sum += m.sum;
    const lo = r.hr_min;
    const hi = r.hr_max;
    if (m.min !== null && (lo === null || m.min < lo)) r.hr_min = m.min;
    if (m.max !== null && (hi === null || m.max > hi)) r.hr_max = m.max;
  }
  const all = [...minutes.values()];
  for (let i = 0; i < all.length; i += 1000) {
    const chunk = all.slice(i, i + 1000);
    await insert(trx, 'vitals_minute', chunk, () =>
      trx
        .insertInto('vitals_minute')
        .values(chunk)
        .onConflict((oc) =>
          oc.columns(['device_id', 'minute', 'patient_key']).doUpdateSet(mergedRollupRow),
        ),
    );
  }
}

/**
 * An insert whose SQL is compiled once per shape (table, columns, row count): see
 * compiled-query-cache.ts. `build` is Kysely's query for the same rows.
 */
type CachedInsert = (
  trx: Kysely<DB>,
  /** Names the query: one SQL per name (with the columns and row count). */
  query: string,
  rows: readonly object[],
  build: () => Compilable,
) => Promise<void>;

function createCachedInsert(): CachedInsert {
  const cache = createCompiledQueryCache();
  return async (trx, query, rows, build) => {
    const first = rows[0];
    if (first === undefined) return;
    const p = rowParameters(query, Object.keys(first), rows);
    if (p === null) await trx.executeQuery(build());
    else await cache.execute(trx, p.shape, build, p.parameters);
  };
}

/**
 * The predictions of this commit whose rate the rollup takes for their packet: measured from the
 * ECG (source `ecg`) of a packet that sent no rate, each packet once. Most come with their packet;
 * some come later, in another commit (a packet held for an earlier one, or stored by another
 * instance and assessed by the device's owner): such a packet is folded in only if it had no
 * prediction before this one, so a packet's rate is counted once however its predictions come.
 */
async function measuredToFold(
  trx: Kysely<DB>,
  dialect: Dialect,
  vitals: readonly VitalsTable[],
  predictions: readonly PredictionsTable[],
): Promise<PredictionsTable[]> {
  const packets = new Map(vitals.map((v) => [v.id, v]));
  const folding = new Map<string, PredictionsTable>();
  const earlier: PredictionsTable[] = [];
  for (const p of predictions) {
    if (p.heart_rate_source !== 'ecg' || p.heart_rate_bpm === null) continue;
    if (folding.has(p.vitals_id)) continue;
    const v = packets.get(p.vitals_id);
    if (v !== undefined && v.heart_rate_bpm !== null) continue;
    folding.set(p.vitals_id, p);
    if (v === undefined) earlier.push(p);
  }
  // Of packets stored by an earlier commit, only those not assessed yet: an earlier prediction
  // brought its rate then. (Whether such a packet sent a rate of its own is measuredMinutes' join.)
  for (let i = 0; i < earlier.length; i += 500) {
    const chunk = earlier.slice(i, i + 500);
    // Two PostgreSQL transactions storing the first prediction of the same packet at once would
    // both read "not assessed" and both fold its rate. Locking the packets' rows first makes the
    // second wait for the first to commit; its read (a new statement, READ COMMITTED) then sees
    // the first's prediction. In id order, so two such transactions cannot deadlock on each
    // other. SQLite has one writer at a time already.
    if (dialect === 'postgres')
      await trx
        .selectFrom('vitals')
        .select('id')
        .where(
          'id',
          'in',
          chunk.map((p) => p.vitals_id),
        )
        .where('ts', 'in', [...new Set(chunk.map((p) => p.ts))])
        .orderBy('id')
        .forUpdate()
        .execute();
    const assessed = await trx
      .selectFrom('predictions')
      .select('vitals_id')
      .where(
        'vitals_id',
        'in',
        chunk.map((p) => p.vitals_id),
      )
      .where('ts', 'in', [...new Set(chunk.map((p) => p.ts))])
      .execute();
    for (const a of assessed) folding.delete(a.vitals_id);
  }
  return [...folding.values()];
}

/**
 * What the rollup adds for `predictions` (stored in this transaction), per device and minute,
 * read back as stored: the sums and extremes are then those of the stored rates (4-byte reals on
 * PostgreSQL), as every other output that shows them reads them.
 */
async function measuredMinutes(
  trx: Kysely<DB>,
  predictions: readonly PredictionsTable[],
): Promise<MeasuredMinute[]> {
  const out: MeasuredMinute[] = [];
  const hrOf = sql.ref('p.heart_rate_bpm');
  for (let i = 0; i < predictions.length; i += 500) {
    const chunk = predictions.slice(i, i + 500);
    const rows = await measuredHeartRates(trx)
      .select([
        'v.device_id',
        sql<string>`coalesce(${sql.ref('v.patient_id')}, '')`.as('patient_key'),
        sql<number>`(${sql.ref('v.ts')} / 60000) * 60000`.as('minute'),
        sql<number>`cast(count(${hrOf}) as integer)`.as('n'),
        sql<number>`sum(cast(${hrOf} as double precision))`.as('sum'),
        sql<number | null>`min(${hrOf})`.as('min'),
        sql<number | null>`max(${hrOf})`.as('max'),
      ])
      .where(
        'p.id',
        'in',
        chunk.map((p) => p.id),
      )
      .where('p.ts', 'in', [...new Set(chunk.map((p) => p.ts))])
      .groupBy(['v.device_id', sql`2`, sql`3`])
      .execute();
    out.push(...rows);
  }
  return out;
}

export function createVitalsRepository(db: Kysely<DB>, dialect: Dialect): VitalsRepository {
  const insert = createCachedInsert();
  /** One group commit: every unit's packets, rollup minutes, lead chunks and predictions. */
  const writeUnitsOnce = (units: readonly PacketWriteUnit[]) =>
    db.transaction().execute(async (trx) => {
      const vitals = units.flatMap((u) => u.vitals);
      const predictions = units.flatMap((u) => u.predictions);
      // Multi-row inserts, chunked to stay under SQLite's 32,766 bound-parameter limit.
      for (let i = 0; i < vitals.length; i += 1000) {
        const chunk = vitals.slice(i, i + 1000);
        await insert(trx, 'vitals', chunk, () => trx.insertInto('vitals').values(chunk));
      }
      const leadChunks = units.flatMap((u) => u.leadChunks ?? []);
      // 11 columns a row: 500 rows stay under SQLite's bound-parameter limit.
      for (let i = 0; i < leadChunks.length; i += 500)
        await trx
          .insertInto('ecg_lead_chunks')
          .values(leadChunks.slice(i, i + 500))
          .execute();
      const measuring = await measuredToFold(trx, dialect, vitals, predictions);
      for (let i = 0; i < predictions.length; i += 500) {
        const chunk = predictions.slice(i, i + 500);
        await insert(trx, 'predictions', chunk, () => trx.insertInto('predictions').values(chunk));
      }
      const measured = await measuredMinutes(trx, measuring);
      await upsertMinuteRollup(trx, vitals, measured, insert);
    });

  /** The packet of any of the devices that comes first by `order` (then `tie`), newest first. */
  const newestOf = (
    deviceIds: readonly string[],
    order: 'ts' | 'received_at',
    tie: 'ts' | 'received_at',
    owner: RowsOwner,
  ) =>
    deviceIds.length === 0
      ? Promise.resolve(undefined)
      : db
          .selectFrom('vitals')
          .select(VITALS_ROW_COLUMNS)
          .where('device_id', 'in', deviceIds)
          .where(ownedBy('vitals.patient_id', owner))
          .orderBy(order, 'desc')
          .orderBy(tie, 'desc')
          .limit(1)
          .executeTakeFirst();
  return {
    async foldRollupIntoNoPatient(patientId) {
      if (patientId === '') return;
      await db
        .insertInto('vitals_minute')
        .columns(ROLLUP_COLUMNS)
        .expression(
          db
            .selectFrom('vitals_minute')
            .select(
              ROLLUP_COLUMNS.map((c) =>
                c === 'patient_key' ? sql<string>`''`.as('patient_key') : sql.ref(c).as(c),
              ),
            )
            .where('patient_key', '=', patientId),
        )
        .onConflict((oc) =>
          oc.columns(['device_id', 'minute', 'patient_key']).doUpdateSet(mergedRollupRow),
        )
        .execute();
      await db.deleteFrom('vitals_minute').where('patient_key', '=', patientId).execute();
    },
    async writeUnits(units) {
      try {
        await writeUnitsOnce(units);
      } catch (error) {
        // Another instance committed one of these packets since the caller read the stored ones:
        // nothing of this transaction is stored; the caller looks again (ingest-core.ts).
        if (isUniqueViolation(error))
          throw new DomainError('PACKET_STORED_CONCURRENTLY', {
            retryAfterSeconds: 1,
            cause: error,
          });
        throw error;
      }
    },
    listOffsetPage(deviceIds, limit, offset, owner) {
      if (deviceIds.length === 0) return Promise.resolve([]);
      return db
        .selectFrom('vitals')
        .select(VITALS_ROW_COLUMNS)
        .where('device_id', 'in', deviceIds)
        .where(ownedBy('vitals.patient_id', owner))
        .orderBy('ts', 'desc')
        .orderBy('device_id')
        .limit(limit)
        .offset(offset)
        .execute();
    },
    async countOf(deviceIds, owner) {
      if (deviceIds.length === 0) return 0;
      const r = await db
        .selectFrom('vitals')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('device_id', 'in', deviceIds)
        .where(ownedBy('vitals.patient_id', owner))
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    predictionOf(vitalsId) {
      return db
        .selectFrom('predictions')
        .selectAll()
        .where('vitals_id', '=', vitalsId)
        .executeTakeFirst();
    },
    findByDeviceTs(deviceId, ts) {
      return db
        .selectFrom('vitals')
        .select([...VITALS_ROW_COLUMNS, 'ecg_scale_mv', 'ecg_samples'])
        .where('device_id', '=', deviceId)
        .where('ts', '=', ts)
        .executeTakeFirst();
    },
    listHistory(deviceId, q) {
      let query = db
        .selectFrom('vitals')
        .select(VITALS_ROW_COLUMNS)
        .where('device_id', '=', deviceId)
        .where(ownedBy('patient_id', q.owner));
      if (q.from !== undefined) query = query.where('ts', '>=', q.from);
      if (q.to !== undefined) query = query.where('ts', '<', q.to);
      if (q.beforeTs !== undefined) query = query.where('ts', '<', q.beforeTs);
      return query.orderBy('ts', 'desc').limit(q.limit).execute();
    },
    latest(deviceId) {
      return db
        .selectFrom('vitals')
        .select(VITALS_ROW_COLUMNS)
        .where('device_id', '=', deviceId)
        .orderBy('ts', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
    latestOf(deviceIds, owner) {
      return newestOf(deviceIds, 'ts', 'received_at', owner);
    },
    latestReceivedOf(deviceIds, owner) {
      return newestOf(deviceIds, 'received_at', 'ts', owner);
    },
    async measuredHeartRatesAt(deviceId, ts) {
      if (ts.length === 0) return new Map();
      const rows = await measuredHeartRates(db)
        .select(['v.ts', 'p.heart_rate_bpm'])
        .where('v.device_id', '=', deviceId)
        .where('v.ts', 'in', ts)
        .execute();
      return new Map(rows.map((r) => [r.ts, r.heart_rate_bpm ?? 0]));
    },
    listPackets(deviceId, q) {
      let query = db.selectFrom('vitals as v').selectAll('v').where('v.device_id', '=', deviceId);
      const since = q.receivedSinceMs;
      query =
        since === undefined
          ? query.where('v.ts', '>', q.afterTs)
          : query.where((eb) =>
              eb.or([eb('v.ts', '>', q.afterTs), eb('v.received_at', '>=', since)]),
            );
      if (q.toTs !== undefined) query = query.where('v.ts', '<=', q.toTs);
      if (q.unassessedOnly)
        query = query.where((eb) =>
          eb.not(
            eb.exists(
              eb.selectFrom('predictions as p').select('p.id').whereRef('p.vitals_id', '=', 'v.id'),
            ),
          ),
        );
      return query.orderBy('v.ts', 'asc').limit(q.limit).execute();
    },
    async lastPredictionTs(deviceId) {
      // Through the packet's (device_id, ts) index, newest first, to the first one assessed
      // (predictions have no index of their own by device: migration 006).
      const r = await db
        .selectFrom('vitals as v')
        .select('v.ts')
        .where('v.device_id', '=', deviceId)
        .where((eb) =>
          eb.exists(
            eb.selectFrom('predictions as p').select('p.id').whereRef('p.vitals_id', '=', 'v.id'),
          ),
        )
        .orderBy('v.ts', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r?.ts;
    },
    async listEcg(deviceId, from, to, maxChunkMs, owner) {
      // Index range on (device_id, ts); chunks starting up to one chunk length before `from`
      // may still overlap the window and are trimmed by the service.
      const rows = await db
        .selectFrom('vitals')
        .select(['ts', 'ecg_sample_rate_hz', 'ecg_scale_mv', 'ecg_samples'])
        .where('device_id', '=', deviceId)
        .where('ts', '>', from - maxChunkMs)
        .where('ts', '<', to)
        .where('ecg_samples', 'is not', null)
        .where(ownedBy('patient_id', owner))
        .orderBy('ts', 'asc')
        .execute();
      const chunks: EcgChunk[] = [];
      for (const r of rows) {
        if (r.ecg_samples === null || r.ecg_scale_mv === null) continue;
        chunks.push({
          ts: r.ts,
          fs: r.ecg_sample_rate_hz,
          scale_mv: r.ecg_scale_mv,
          samples: r.ecg_samples,
        });
      }
      return chunks;
    },
    async series(deviceId, from, to, intervalMs, owner) {
      // From the per-minute rollup (at most 1,440 rows a day and patient), which holds each
      // packet's heart rate by the one rule (packetHeartRateSql): the device's, else its ECG's,
      // folded in with its prediction; the owner's rows only (an admin's read adds every
      // patient's rows of a minute). Integer division buckets on both dialects (bigint / bigint is integer
      // division in PostgreSQL); no date functions.
      const bucket = sql<number>`(${sql.ref('minute')} / ${sql.lit(intervalMs)}) * ${sql.lit(intervalMs)}`;
      const agg = (m: 'hr' | 'spo2' | 'temp') => ({
        min: sql<number | null>`min(${sql.ref(`${m}_min`)})`,
        // sum/n; NULLIF turns "no values" into NULL rather than a division by zero.
        avg: sql<number | null>`sum(${sql.ref(`${m}_sum`)}) / nullif(sum(${sql.ref(`${m}_n`)}), 0)`,
        max: sql<number | null>`max(${sql.ref(`${m}_max`)})`,
        count: sql<number>`cast(sum(${sql.ref(`${m}_n`)}) as integer)`,
      });
      const hr = agg('hr');
      const sp = agg('spo2');
      const tc = agg('temp');
      const rows = await db
        .selectFrom('vitals_minute')
        .select([
          bucket.as('time'),
          sql<number>`cast(sum(packets) as integer)`.as('packets'),
          hr.min.as('hr_min'),
          hr.avg.as('hr_avg'),
          hr.max.as('hr_max'),
          hr.count.as('hr_count'),
          sp.min.as('sp_min'),
          sp.avg.as('sp_avg'),
          sp.max.as('sp_max'),
          sp.count.as('sp_count'),
          tc.min.as('tc_min'),
          tc.avg.as('tc_avg'),
          tc.max.as('tc_max'),
          tc.count.as('tc_count'),
        ])
        .where('device_id', '=', deviceId)
        .where('minute', '>=', Math.floor(from / 60_000) * 60_000)
        .where('minute', '<', to)
        .where(rolledUpFor(owner))
        .groupBy(sql`1`)
        .orderBy(sql`1`)
        .execute();
      return rows.map((r) => ({
        time: r.time,
        packets: r.packets,
        heart_rate_bpm: {
          min: num(r.hr_min),
          avg: num(r.hr_avg),
          max: num(r.hr_max),
          count: r.hr_count,
        },
        spo2_percent: {
          min: num(r.sp_min),
          avg: num(r.sp_avg),
          max: num(r.sp_max),
          count: r.sp_count,
        },
        temperature_c: {
          min: num(r.tc_min),
          avg: num(r.tc_avg),
          max: num(r.tc_max),
          count: r.tc_count,
        },
      }));
    },
    async stats(deviceId, from, to, owner) {
      // Whole minutes [m0, m1) come from the per-minute rollup; the partial minutes at either
      // end, [from, m0) and [m1, to), from the raw rows (at most two minutes of packets), for an
      // ECG-only device as for any other. A month of 1 packet/s is ~43,000 rollup rows instead
      // of ~2.6 million packets. One statement, so all parts see the same snapshot.
      const m0 = Math.ceil(from / 60_000) * 60_000;
      const m1 = Math.floor(to / 60_000) * 60_000;
      const whole = m0 < m1;
      const headEnd = whole ? m0 : to;
      const tailStart = whole ? m1 : to;
      const edgeTs = (direction: 'asc' | 'desc') =>
        db
          .selectFrom('vitals')
          .select('ts')
          .where('device_id', '=', deviceId)
          .where('ts', '>=', from)
          .where('ts', '<', to)
          .where(ownedBy('patient_id', owner))
          .orderBy('ts', direction)
          .limit(1);
      const firstTs = edgeTs('asc');
      const lastTs = edgeTs('desc');
      const noTs = sql<number | null>`cast(null as bigint)`;
      const raw = (lo: number, hi: number) =>
        db
          .selectFrom('vitals')
          .select([
            sql<number>`cast(count(*) as bigint)`.as('packets'),
            ...rawPartSql('heart_rate_bpm', 'hr'),
            ...rawPartSql('spo2_percent', 'spo2'),
            ...rawPartSql('temperature_c', 'temp'),
            noTs.as('first'),
            noTs.as('last'),
          ])
          .where('device_id', '=', deviceId)
          .where('ts', '>=', lo)
          .where('ts', '<', hi)
          .where(ownedBy('patient_id', owner));
      // The raw parts' packets without a rate of their own, with the rate measured from their
      // ECG (packetHeartRateSql's second half): the rollup holds those of whole minutes.
      const zero = sql<number>`cast(0 as bigint)`;
      const noValue = sql<number | null>`cast(null as real)`;
      const noPart = (m: Measure) =>
        [
          zero.as(`${m}_n`),
          sql<number>`cast(0 as double precision)`.as(`${m}_sum`),
          noValue.as(`${m}_min`),
          noValue.as(`${m}_max`),
        ] as const;
      const hrOf = sql.ref('p.heart_rate_bpm');
      const measured = (lo: number, hi: number) =>
        measuredHeartRates(db)
          .select([
            zero.as('packets'),
            sql<number>`cast(count(${hrOf}) as bigint)`.as('hr_n'),
            sql<number>`coalesce(sum(cast(${hrOf} as double precision)), 0)`.as('hr_sum'),
            sql<number | null>`min(${hrOf})`.as('hr_min'),
            sql<number | null>`max(${hrOf})`.as('hr_max'),
            ...noPart('spo2'),
            ...noPart('temp'),
            noTs.as('first'),
            noTs.as('last'),
          ])
          .where('v.device_id', '=', deviceId)
          .where('v.ts', '>=', lo)
          .where('v.ts', '<', hi)
          .where(ownedBy('v.patient_id', owner));
      const rows = await db
        .selectFrom('vitals_minute')
        .select((eb) => [
          sql<number>`cast(coalesce(sum(packets), 0) as bigint)`.as('packets'),
          ...rollupPartSql('hr'),
          ...rollupPartSql('spo2'),
          ...rollupPartSql('temp'),
          eb.selectFrom(firstTs.as('f')).select('f.ts').as('first'),
          eb.selectFrom(lastTs.as('l')).select('l.ts').as('last'),
        ])
        .where('device_id', '=', deviceId)
        .where('minute', '>=', m0)
        .where('minute', '<', m1)
        .where(rolledUpFor(owner))
        .unionAll(raw(from, headEnd))
        .unionAll(raw(tailStart, to))
        .unionAll(measured(from, headEnd))
        .unionAll(measured(tailStart, to))
        .execute();
      const total = { packets: 0, first: null as number | null, last: null as number | null };
      const hr = new AggSum();
      const spo2 = new AggSum();
      const temp = new AggSum();
      for (const r of rows) {
        total.packets += r.packets;
        total.first ??= num(r.first);
        total.last ??= num(r.last);
        hr.add(r.hr_n, r.hr_sum, r.hr_min, r.hr_max);
        spo2.add(r.spo2_n, r.spo2_sum, r.spo2_min, r.spo2_max);
        temp.add(r.temp_n, r.temp_sum, r.temp_min, r.temp_max);
      }
      return {
        total: total.packets,
        first: total.first,
        last: total.last,
        hr: hr.agg(),
        spo2: spo2.agg(),
        temp: temp.agg(),
      };
    },
  };
}
