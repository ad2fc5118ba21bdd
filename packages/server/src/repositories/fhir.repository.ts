import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { DB, Role } from '../db/schema.js';
import {
  devicesThatServed,
  deviceVisibleTo,
  userVisibleTo,
  visiblePatientIds,
  type Viewer,
} from './access.repository.js';
import type { DeviceRow } from './devices.repository.js';
import type { UserRow } from './users.repository.js';
import { measuredHeartRates } from './vitals.repository.js';

/** An inclusive range of epoch ms; an absent end is open. */
export interface MsRange {
  min?: number | undefined;
  max?: number | undefined;
}

/**
 * Where a keyset page resumes in a list ordered by time, newest first: rows older than `ts`,
 * and the rows at `ts` itself when `inclusive` (the service drops the items it already sent).
 */
export interface Keyset {
  ts: number;
  inclusive: boolean;
}

/** One time-ordered query of a patient's rows: effective and update windows, resume point, size. */
export interface TimeQuery {
  effective: MsRange;
  lastUpdated: MsRange;
  after?: Keyset | undefined;
  limit: number;
}

/** The measurement columns of a packet a search may ask for (`ecg`: the waveform). */
export type VitalsColumn =
  'heart_rate_bpm' | 'spo2_percent' | 'temperature_c' | 'respiratory_rate' | 'ecg';

export interface FhirVitalsRow {
  id: string;
  device_id: string;
  patient_id: string | null;
  ts: number;
  received_at: number;
  heart_rate_bpm: number | null;
  spo2_percent: number | null;
  temperature_c: number | null;
  respiratory_rate: number | null;
  ecg_sample_rate_hz: number;
  ecg_scale_mv: number | null;
  /** Only read when the query asks for `ecg`. */
  ecg_samples: Uint8Array | null;
}

export interface FhirOximetryRow {
  id: string;
  device_id: string;
  patient_id: string | null;
  ts: number;
  received_at: number;
  spo2_percent: number;
  pulse_rate_bpm: number;
}

export interface FhirHrvRow {
  id: string;
  device_id: string;
  patient_id: string | null;
  ts: number;
  created_at: number;
  hrv: unknown;
}

/**
 * A prediction's heart rate measured from the ECG (`heart_rate_source` `ecg`) for a packet that
 * carries no heart rate of its own.
 */
export interface FhirEcgHrRow {
  id: string;
  device_id: string;
  patient_id: string | null;
  ts: number;
  created_at: number;
  heart_rate_bpm: number;
}

export interface FhirCameraHrRow {
  id: string;
  patient_id: string;
  ts: number;
  bpm: number;
}

/** A baby monitor reading's temperature (seed 002; readings without one are not listed). */
export interface FhirBabyTempRow {
  id: string;
  patient_id: string | null;
  device_id: string | null;
  ts: number;
  temperature_c: number;
}

export interface FhirEcg12Row {
  id: string;
  patient_id: string | null;
  created_at: number;
  sampling_rate_hz: number | null;
  class_description: string | null;
  model_version: string | null;
  result_json: string | null;
  signal: Uint8Array | null;
  signal_scales_mv: string | null;
}

/**
 * Packets, oximetry readings and predictions are ordered by `ts` alone: (device_id, ts) is
 * unique, and a second key would stop PostgreSQL from reading the index range in order (it sorted
 * a day of packets for every page).
 *
 * The reads of the FHIR R4 API (services/fhir/): users as Patient and Practitioner, devices,
 * and a patient's measurements as Observation sources, each scoped by Vigil's access rules in
 * SQL. Every measurement list is one index range: packets, oximetry readings and predictions
 * on (device_id, ts) per device of the patient, camera heart rates on (patient_id, ts).
 */
export interface FhirRepository {
  findUser(viewer: Viewer, id: string, roles: readonly Role[]): Promise<UserRow | undefined>;
  /** Visible users of the roles, by (updated_at, id); `total` counts them all. */
  listUsers(
    viewer: Viewer,
    roles: readonly Role[],
    q: { ids?: readonly string[] | undefined; lastUpdated: MsRange; limit: number; offset: number },
  ): Promise<{ total: number; rows: UserRow[] }>;
  findDevice(viewer: Viewer, id: string): Promise<DeviceRow | undefined>;
  listDevices(
    viewer: Viewer,
    q: {
      patientId?: string | undefined;
      lastUpdated: MsRange;
      limit: number;
      offset: number;
    },
  ): Promise<{ total: number; rows: DeviceRow[] }>;
  /** Every device that has served the patient, now or before it was handed on (its packets with the patient's id are the patient's vitals). */
  devicesOfPatient(patientId: string): Promise<DeviceRow[]>;
  /** A device by its hardware id (the reference of an Observation read by id). */
  deviceByHardwareId(deviceId: string): Promise<DeviceRow | undefined>;
  canSeePatient(viewer: Viewer, patientId: string): Promise<boolean>;

  listVitals(
    deviceId: string,
    patientId: string,
    columns: readonly VitalsColumn[],
    q: TimeQuery,
  ): Promise<FhirVitalsRow[]>;
  /** How many values of each column the same filter holds (one Observation each). */
  countVitals(
    deviceId: string,
    patientId: string,
    columns: readonly VitalsColumn[],
    q: Omit<TimeQuery, 'after' | 'limit'>,
  ): Promise<number>;
  findVitals(id: string, withEcg: boolean): Promise<FhirVitalsRow | undefined>;

  listOximetry(deviceId: string, patientId: string, q: TimeQuery): Promise<FhirOximetryRow[]>;
  countOximetry(
    deviceId: string,
    patientId: string,
    q: Omit<TimeQuery, 'after' | 'limit'>,
  ): Promise<number>;
  findOximetry(id: string): Promise<FhirOximetryRow | undefined>;

  listHrv(deviceId: string, patientId: string, q: TimeQuery): Promise<FhirHrvRow[]>;
  countHrv(
    deviceId: string,
    patientId: string,
    q: Omit<TimeQuery, 'after' | 'limit'>,
  ): Promise<number>;
  findHrv(id: string): Promise<FhirHrvRow | undefined>;

  listEcgHr(deviceId: string, patientId: string, q: TimeQuery): Promise<FhirEcgHrRow[]>;
  countEcgHr(
    deviceId: string,
    patientId: string,
    q: Omit<TimeQuery, 'after' | 'limit'>,
  ): Promise<number>;
  findEcgHr(id: string): Promise<FhirEcgHrRow | undefined>;

  listCameraHr(patientId: string, q: TimeQuery): Promise<FhirCameraHrRow[]>;
  countCameraHr(patientId: string, q: Omit<TimeQuery, 'after' | 'limit'>): Promise<number>;
  findCameraHr(id: string): Promise<FhirCameraHrRow | undefined>;
  /** A patient's baby monitor temperatures on (patient_id, ts), newest first. */
  listBabyTemp(patientId: string, q: TimeQuery): Promise<FhirBabyTempRow[]>;
  countBabyTemp(patientId: string, q: Omit<TimeQuery, 'after' | 'limit'>): Promise<number>;
  findBabyTemp(id: string): Promise<FhirBabyTempRow | undefined>;

  /** A patient's successful 12-lead classifications (with their stored result and leads). */
  listEcg12(patientId: string, q: TimeQuery & { withSignalOnly: boolean }): Promise<FhirEcg12Row[]>;
  countEcg12(
    patientId: string,
    q: Omit<TimeQuery, 'after' | 'limit'> & { withSignalOnly: boolean },
  ): Promise<number>;
  findEcg12(id: string): Promise<FhirEcg12Row | undefined>;
}

/** `column >= min and column <= max` for the ends that are given. */
function inRange(column: string, range: MsRange): RawBuilder<SqlBool>[] {
  const c = sql.ref(column);
  const out: RawBuilder<SqlBool>[] = [];
  if (range.min !== undefined) out.push(sql<SqlBool>`${c} >= ${range.min}`);
  if (range.max !== undefined) out.push(sql<SqlBool>`${c} <= ${range.max}`);
  return out;
}

function allOf(parts: readonly RawBuilder<SqlBool>[]): RawBuilder<SqlBool> {
  return parts.length === 0 ? sql<SqlBool>`1 = 1` : sql<SqlBool>`${sql.join(parts, sql` and `)}`;
}

/** The filter of one time-ordered query: windows and the keyset resume point. */
function timeFilter(tsColumn: string, updatedColumn: string, q: Omit<TimeQuery, 'limit'>) {
  const parts = [...inRange(tsColumn, q.effective), ...inRange(updatedColumn, q.lastUpdated)];
  const after = q.after;
  if (after !== undefined) {
    const ts = sql.ref(tsColumn);
    parts.push(
      after.inclusive ? sql<SqlBool>`${ts} <= ${after.ts}` : sql<SqlBool>`${ts} < ${after.ts}`,
    );
  }
  return allOf(parts);
}

const VITALS_COLUMNS = [
  'vitals.id',
  'vitals.device_id',
  'vitals.patient_id',
  'vitals.ts',
  'vitals.received_at',
  'vitals.heart_rate_bpm',
  'vitals.spo2_percent',
  'vitals.temperature_c',
  'vitals.respiratory_rate',
  'vitals.ecg_sample_rate_hz',
  'vitals.ecg_scale_mv',
] as const;

/** A packet holds a value of any of the columns. */
function hasAnyColumn(columns: readonly VitalsColumn[]) {
  const parts = columns.map((c) =>
    c === 'ecg'
      ? sql<SqlBool>`vitals.ecg_samples is not null`
      : sql<SqlBool>`${sql.ref(`vitals.${c}`)} is not null`,
  );
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

const ECG12_COLUMNS = [
  'ecg12_requests.id',
  'ecg12_requests.patient_id',
  'ecg12_requests.created_at',
  'ecg12_requests.sampling_rate_hz',
  'ecg12_requests.class_description',
  'ecg12_requests.model_version',
  'ecg12_results.result_json',
  'ecg12_results.signal',
  'ecg12_results.signal_scales_mv',
] as const;

export function createFhirRepository(db: Kysely<DB>): FhirRepository {
  const users = (viewer: Viewer, roles: readonly Role[]) =>
    db
      .selectFrom('users')
      .where((eb) =>
        viewer.role === 'patient'
          ? eb.or([
              userVisibleTo(viewer)(eb),
              // A patient's own doctor: the generalPractitioner of their Patient resource, which
              // must resolve for the reader it was given to.
              eb(
                'users.id',
                'in',
                eb
                  .selectFrom('users as own')
                  .select('own.doctor_id')
                  .where('own.id', '=', viewer.id),
              ),
            ])
          : userVisibleTo(viewer)(eb),
      )
      .where('users.role', 'in', [...roles]);
  const devices = (viewer: Viewer) => db.selectFrom('devices').where(deviceVisibleTo(viewer));
  const ecg12 = () =>
    db
      .selectFrom('ecg12_requests')
      .leftJoin('ecg12_results', 'ecg12_results.request_id', 'ecg12_requests.id')
      .where('ecg12_requests.success', '=', 1)
      .where('ecg12_requests.patient_id', 'is not', null);
  const count = (r: { n: number | string | bigint } | undefined) => Number(r?.n ?? 0);
  /**
   * Predictions with a heart rate from the ECG whose packet sent no heart rate (the second half
   * of the one heart-rate rule, vitals.repository.ts), walked from the packets without one.
   */
  const ecgHr = () => measuredHeartRates(db);
  const babyTemp = () =>
    db
      .selectFrom('baby_readings as b')
      .select(['b.id', 'b.patient_id', 'b.device_id', 'b.ts'])
      .select((eb) => eb.ref('b.temperature_c').$notNull().as('temperature_c'))
      .where('b.temperature_c', 'is not', null);

  return {
    findUser(viewer, id, roles) {
      return users(viewer, roles).selectAll().where('users.id', '=', id).executeTakeFirst();
    },
    async listUsers(viewer, roles, q) {
      const scoped = () => {
        let s = users(viewer, roles).where(timeWindow('users.updated_at', q));
        if (q.ids !== undefined) s = s.where('users.id', 'in', [...q.ids]);
        return s;
      };
      if (q.ids !== undefined && q.ids.length === 0) return { total: 0, rows: [] };
      const total = await scoped()
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst();
      const rows = await scoped()
        .selectAll()
        .orderBy('users.updated_at', 'desc')
        .orderBy('users.id')
        .limit(q.limit)
        .offset(q.offset)
        .execute();
      return { total: count(total), rows };
    },
    findDevice(viewer, id) {
      return devices(viewer).selectAll().where('devices.id', '=', id).executeTakeFirst();
    },
    async listDevices(viewer, q) {
      const scoped = () => {
        let s = devices(viewer).where(timeWindow('devices.updated_at', q));
        if (q.patientId !== undefined) s = s.where('devices.patient_id', '=', q.patientId);
        return s;
      };
      const total = await scoped()
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst();
      const rows = await scoped()
        .selectAll()
        .orderBy('devices.updated_at', 'desc')
        .orderBy('devices.id')
        .limit(q.limit)
        .offset(q.offset)
        .execute();
      return { total: count(total), rows };
    },
    devicesOfPatient(patientId) {
      return db
        .selectFrom('devices')
        .selectAll()
        .where('device_id', 'in', devicesThatServed(db, patientId))
        .orderBy('id')
        .execute();
    },
    deviceByHardwareId(deviceId) {
      return db
        .selectFrom('devices')
        .selectAll()
        .where('device_id', '=', deviceId)
        .executeTakeFirst();
    },
    async canSeePatient(viewer, patientId) {
      const row = await db
        .selectFrom('users')
        .select('id')
        .where('id', '=', patientId)
        .where('id', 'in', visiblePatientIds(db, viewer))
        .executeTakeFirst();
      return row !== undefined;
    },

    async listVitals(deviceId, patientId, columns, q) {
      const withEcg = columns.includes('ecg');
      const rows = await db
        .selectFrom('vitals')
        .select(VITALS_COLUMNS)
        .$if(withEcg, (s) => s.select('vitals.ecg_samples'))
        .where('vitals.device_id', '=', deviceId)
        .where('vitals.patient_id', '=', patientId)
        .where(hasAnyColumn(columns))
        .where(timeFilter('vitals.ts', 'vitals.received_at', q))
        .orderBy('vitals.ts', 'desc')
        .limit(q.limit)
        .execute();
      return rows.map((r) => ({ ...r, ecg_samples: r.ecg_samples ?? null }));
    },
    async countVitals(deviceId, patientId, columns, q) {
      const sums = columns.map((c) =>
        c === 'ecg'
          ? sql`case when vitals.ecg_samples is not null then 1 else 0 end`
          : sql`case when ${sql.ref(`vitals.${c}`)} is not null then 1 else 0 end`,
      );
      const r = await db
        .selectFrom('vitals')
        .select(sql<number>`cast(coalesce(sum(${sql.join(sums, sql` + `)}), 0) as bigint)`.as('n'))
        .where('vitals.device_id', '=', deviceId)
        .where('vitals.patient_id', '=', patientId)
        .where(timeFilter('vitals.ts', 'vitals.received_at', q))
        .executeTakeFirst();
      return count(r);
    },
    async findVitals(id, withEcg) {
      const row = await db
        .selectFrom('vitals')
        .select(VITALS_COLUMNS)
        .$if(withEcg, (s) => s.select('vitals.ecg_samples'))
        .where('vitals.id', '=', id)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      return { ...row, ecg_samples: row.ecg_samples ?? null };
    },

    listOximetry(deviceId, patientId, q) {
      return db
        .selectFrom('oximetry_readings as o')
        .select(['o.id', 'o.device_id', 'o.patient_id', 'o.ts', 'o.received_at'])
        .select(['o.spo2_percent', 'o.pulse_rate_bpm'])
        .where('o.device_id', '=', deviceId)
        .where('o.patient_id', '=', patientId)
        .where(timeFilter('o.ts', 'o.received_at', q))
        .orderBy('o.ts', 'desc')
        .limit(q.limit)
        .execute();
    },
    async countOximetry(deviceId, patientId, q) {
      const r = await db
        .selectFrom('oximetry_readings as o')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('o.device_id', '=', deviceId)
        .where('o.patient_id', '=', patientId)
        .where(timeFilter('o.ts', 'o.received_at', q))
        .executeTakeFirst();
      return count(r);
    },
    findOximetry(id) {
      return db
        .selectFrom('oximetry_readings as o')
        .select(['o.id', 'o.device_id', 'o.patient_id', 'o.ts', 'o.received_at'])
        .select(['o.spo2_percent', 'o.pulse_rate_bpm'])
        .where('o.id', '=', id)
        .executeTakeFirst();
    },

    listHrv(deviceId, patientId, q) {
      return db
        .selectFrom('predictions as p')
        .select(['p.id', 'p.device_id', 'p.patient_id', 'p.ts', 'p.created_at', 'p.hrv'])
        .where('p.device_id', '=', deviceId)
        .where('p.patient_id', '=', patientId)
        .where('p.hrv', 'is not', null)
        .where(timeFilter('p.ts', 'p.created_at', q))
        .orderBy('p.ts', 'desc')
        .limit(q.limit)
        .execute();
    },
    async countHrv(deviceId, patientId, q) {
      const r = await db
        .selectFrom('predictions as p')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('p.device_id', '=', deviceId)
        .where('p.patient_id', '=', patientId)
        .where('p.hrv', 'is not', null)
        .where(timeFilter('p.ts', 'p.created_at', q))
        .executeTakeFirst();
      return count(r);
    },
    findHrv(id) {
      return db
        .selectFrom('predictions as p')
        .select(['p.id', 'p.device_id', 'p.patient_id', 'p.ts', 'p.created_at', 'p.hrv'])
        .where('p.id', '=', id)
        .where('p.hrv', 'is not', null)
        .executeTakeFirst();
    },

    // The heart rate Vigil measured from a packet's ECG, where the packet sent none (a packet's
    // own rate is its `hr-` Observation): an ECG-only device's patient had no heart rate in FHIR.
    listEcgHr(deviceId, patientId, q) {
      return ecgHr()
        .select(['p.id', 'p.device_id', 'p.patient_id', 'p.ts', 'p.created_at'])
        .select((eb) => eb.ref('p.heart_rate_bpm').$notNull().as('heart_rate_bpm'))
        .where('v.device_id', '=', deviceId)
        .where('p.patient_id', '=', patientId)
        .where(timeFilter('v.ts', 'p.created_at', q))
        .orderBy('v.ts', 'desc')
        .limit(q.limit)
        .execute();
    },
    async countEcgHr(deviceId, patientId, q) {
      const r = await ecgHr()
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('v.device_id', '=', deviceId)
        .where('p.patient_id', '=', patientId)
        .where(timeFilter('v.ts', 'p.created_at', q))
        .executeTakeFirst();
      return count(r);
    },
    findEcgHr(id) {
      return ecgHr()
        .select(['p.id', 'p.device_id', 'p.patient_id', 'p.ts', 'p.created_at'])
        .select((eb) => eb.ref('p.heart_rate_bpm').$notNull().as('heart_rate_bpm'))
        .where('p.id', '=', id)
        .executeTakeFirst();
    },

    listCameraHr(patientId, q) {
      // A camera observation is written once: its time is also its last update.
      return db
        .selectFrom('heart_rate_observations as h')
        .select(['h.id', 'h.patient_id', 'h.ts', 'h.bpm'])
        .where('h.patient_id', '=', patientId)
        .where(timeFilter('h.ts', 'h.ts', q))
        .orderBy('h.ts', 'desc')
        .orderBy('h.id')
        .limit(q.limit)
        .execute();
    },
    async countCameraHr(patientId, q) {
      const r = await db
        .selectFrom('heart_rate_observations as h')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('h.patient_id', '=', patientId)
        .where(timeFilter('h.ts', 'h.ts', q))
        .executeTakeFirst();
      return count(r);
    },
    findCameraHr(id) {
      return db
        .selectFrom('heart_rate_observations as h')
        .select(['h.id', 'h.patient_id', 'h.ts', 'h.bpm'])
        .where('h.id', '=', id)
        .executeTakeFirst();
    },

    // A reading is written once: its time is also its last update. `"Err"` from the sensor
    // is stored as no temperature, which is no Observation.
    listBabyTemp(patientId, q) {
      return babyTemp()
        .where('b.patient_id', '=', patientId)
        .where(timeFilter('b.ts', 'b.ts', q))
        .orderBy('b.ts', 'desc')
        .orderBy('b.id')
        .limit(q.limit)
        .execute();
    },
    async countBabyTemp(patientId, q) {
      const r = await db
        .selectFrom('baby_readings as b')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('b.patient_id', '=', patientId)
        .where('b.temperature_c', 'is not', null)
        .where(timeFilter('b.ts', 'b.ts', q))
        .executeTakeFirst();
      return count(r);
    },
    findBabyTemp(id) {
      return babyTemp().where('b.id', '=', id).executeTakeFirst();
    },

    listEcg12(patientId, q) {
      return ecg12()
        .select(ECG12_COLUMNS)
        .where('ecg12_requests.patient_id', '=', patientId)
        .$if(q.withSignalOnly, (s) => s.where('ecg12_results.signal', 'is not', null))
        .where(timeFilter('ecg12_requests.created_at', 'ecg12_requests.created_at', q))
        .orderBy('ecg12_requests.created_at', 'desc')
        .orderBy('ecg12_requests.id')
        .limit(q.limit)
        .execute();
    },
    async countEcg12(patientId, q) {
      const r = await ecg12()
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('ecg12_requests.patient_id', '=', patientId)
        .$if(q.withSignalOnly, (s) => s.where('ecg12_results.signal', 'is not', null))
        .where(timeFilter('ecg12_requests.created_at', 'ecg12_requests.created_at', q))
        .executeTakeFirst();
      return count(r);
    },
    findEcg12(id) {
      return ecg12().select(ECG12_COLUMNS).where('ecg12_requests.id', '=', id).executeTakeFirst();
    },
  };
}

/** The `_lastUpdated` window of a list of users or devices. */
function timeWindow(column: string, q: { lastUpdated: MsRange }) {
  return allOf(inRange(column, q.lastUpdated));
}
