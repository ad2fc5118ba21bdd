import type { Clock } from '../adapters/clock.js';
import type { VitalsRow } from '../db/pipeline-schema.js';
import { DomainError, validationFailed } from '../errors/catalogue.js';
import type { Viewer } from '../repositories/access.repository.js';
import { decodeEcgInt16 } from '../repositories/ecg-codec.js';
import type { PredictionsRepository } from '../repositories/predictions.repository.js';
import type { RowOwner } from '../repositories/row-owner.js';
import type { Agg, SeriesBucketRow, VitalsRepository } from '../repositories/vitals.repository.js';
import { deviceRowOwner } from './device-row-owner.js';
import { latestShown } from './latest-shown.js';
import { isTimeZone, LOCAL_BASE_BUCKET_MS, mergeIntoLocalBuckets } from './local-time-buckets.js';
import { toPredictionView } from './prediction-view.js';
import type { PredictionView } from './realtime-port.js';
import { readJsonOrNull } from '../repositories/json-column.js';

export interface VitalsRecordView {
  id: string;
  device_id: string;
  patient_id: string | null;
  timestamp: number;
  sequence: number | null;
  received_at: number;
  heart_rate_bpm: number | null;
  spo2_percent: number | null;
  temperature_c: number | null;
  respiratory_rate: number | null;
  battery_percent: number | null;
  lead_off: boolean | null;
  ecg_sample_rate_hz: number;
  ecg_n_samples: number;
  timestamp_unsynced: boolean;
  device_timestamp: number | null;
  window_ms: number | null;
  beat_timestamps_ms: number[] | null;
  ecg_input: string | null;
}

export interface VitalsQueryServiceDeps {
  vitals: Pick<
    VitalsRepository,
    | 'listHistory'
    | 'latestOf'
    | 'latestReceivedOf'
    | 'measuredHeartRatesAt'
    | 'listEcg'
    | 'series'
    | 'stats'
  >;
  predictions: PredictionsRepository;
  /** Resolves a hardware device_id the viewer may see; throws DEVICE_NOT_FOUND otherwise. */
  visibleDevice(viewer: Viewer, deviceId: string): Promise<{ patient_id: string | null }>;
  clock: Clock;
}

export const SERIES_INTERVAL_MS = {
  '1m': 60_000,
  '5m': 300_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
} as const;
export type SeriesIntervalName = keyof typeof SERIES_INTERVAL_MS;

/** Longest ECG window one request may decode (10 min = 150,000 samples at 250 Hz). */
export const MAX_ECG_WINDOW_MS = 600_000;
/** Longest chunk a packet can carry: 10,000 samples at the lowest accepted rate (50 Hz). */
export const MAX_CHUNK_MS = 200_000;
/** Most buckets one series request may return. */
export const MAX_SERIES_BUCKETS = 10_000;
/** With tz, the quarter-hour buckets read to merge into local ones: about 1,041 days. */
const MAX_LOCAL_BASE_BUCKETS = 100_000;

export function toVitalsView(row: VitalsRow): VitalsRecordView {
  return {
    id: row.id,
    device_id: row.device_id,
    patient_id: row.patient_id,
    timestamp: row.ts,
    sequence: row.sequence === null ? null : row.sequence,
    received_at: row.received_at,
    heart_rate_bpm: row.heart_rate_bpm,
    spo2_percent: row.spo2_percent,
    temperature_c: row.temperature_c,
    respiratory_rate: row.respiratory_rate,
    battery_percent: row.battery_percent,
    lead_off: row.lead_off === null ? null : row.lead_off === 1,
    ecg_sample_rate_hz: row.ecg_sample_rate_hz,
    ecg_n_samples: row.ecg_n_samples,
    timestamp_unsynced: row.device_ts !== null,
    device_timestamp: row.device_ts,
    window_ms: row.window_ms,
    beat_timestamps_ms: readJsonOrNull(row.beat_timestamps_ms) as number[] | null,
    ecg_input: row.ecg_input,
  };
}

/** Keyset cursor over the unique (device, timestamp): the timestamp of the last item. */
function encodeTsCursor(ts: number): string {
  return Buffer.from(`t${ts}`).toString('base64url');
}
function decodeTsCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const s = Buffer.from(cursor, 'base64url').toString();
  const ts = Number(s.slice(1));
  if (!s.startsWith('t') || !Number.isSafeInteger(ts))
    throw validationFailed('cursor', 'cursor is not a cursor this API returned');
  return ts;
}

/** A page of a time-ordered list: a `from`/`to` window (epoch ms), a size and an opaque cursor. */
interface PageQuery {
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Asks for one row more than the page so the presence of a next page is known without a count. */
function pageWindow(q: PageQuery): {
  from: number | undefined;
  to: number | undefined;
  limit: number;
  beforeTs: number | undefined;
} {
  return { from: q.from, to: q.to, limit: q.limit + 1, beforeTs: decodeTsCursor(q.cursor) };
}

function toPage<Row extends { ts: number }, View>(
  rows: Row[],
  limit: number,
  toView: (row: Row) => View,
): { items: View[]; next_cursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toView),
    next_cursor: rows.length > limit && last !== undefined ? encodeTsCursor(last.ts) : null,
  };
}

function checkRange(from: number | undefined, to: number | undefined): void {
  if (from !== undefined && to !== undefined && to <= from)
    throw validationFailed('to', 'to must be after from');
}

/** History, latest, decoded ECG, time buckets and stats of a device, scoped by role. */
export class VitalsQueryService {
  constructor(private readonly deps: VitalsQueryServiceDeps) {}

  async history(
    viewer: Viewer,
    deviceId: string,
    q: PageQuery,
  ): Promise<{ items: VitalsRecordView[]; next_cursor: string | null }> {
    const owner = await this.owner(viewer, deviceId);
    checkRange(q.from, q.to);
    const rows = await this.withHeartRate(
      deviceId,
      await this.deps.vitals.listHistory(deviceId, { ...pageWindow(q), owner }),
    );
    return toPage(rows, q.limit, toVitalsView);
  }

  async latest(viewer: Viewer, deviceId: string): Promise<VitalsRecordView> {
    const owner = await this.owner(viewer, deviceId);
    const [row] = await this.withHeartRate(deviceId, await this.latestRows(deviceId, owner));
    if (row === undefined) throw new DomainError('VITALS_NOT_FOUND');
    return toVitalsView(row);
  }

  private async latestRows(deviceId: string, owner: RowOwner): Promise<VitalsRow[]> {
    const row = latestShown(
      await this.deps.vitals.latestOf([deviceId], owner),
      await this.deps.vitals.latestReceivedOf([deviceId], owner),
      (r) => r.received_at,
    );
    return row === undefined ? [] : [row];
  }

  /** Whose rows of the device the viewer reads (`deviceRowOwner`); DEVICE_NOT_FOUND if none. */
  private async owner(viewer: Viewer, deviceId: string): Promise<RowOwner> {
    return deviceRowOwner(viewer, await this.deps.visibleDevice(viewer, deviceId));
  }

  /**
   * The packets with the heart rate of the one rule (packetHeartRateSql): a packet that sent
   * none shows the rate its ECG analysis measured. Looked up only for such packets, so the
   * packets of a device that sends its rate cost nothing more.
   */
  private async withHeartRate(deviceId: string, rows: VitalsRow[]): Promise<VitalsRow[]> {
    const missing = rows.filter((r) => r.heart_rate_bpm === null).map((r) => r.ts);
    if (missing.length === 0) return rows;
    const measured = await this.deps.vitals.measuredHeartRatesAt(deviceId, missing);
    return rows.map((r) =>
      r.heart_rate_bpm === null ? { ...r, heart_rate_bpm: measured.get(r.ts) ?? null } : r,
    );
  }

  async ecg(
    viewer: Viewer,
    deviceId: string,
    q: { from: number; to: number },
  ): Promise<{
    device_id: string;
    from: number;
    to: number;
    segments: { start: number; fs: number; samples_mv: number[] }[];
  }> {
    const owner = await this.owner(viewer, deviceId);
    checkRange(q.from, q.to);
    if (q.to - q.from > MAX_ECG_WINDOW_MS)
      throw validationFailed('to', `the window may span at most ${MAX_ECG_WINDOW_MS / 1000} s`);
    const chunks = await this.deps.vitals.listEcg(deviceId, q.from, q.to, MAX_CHUNK_MS, owner);
    const segments: { start: number; fs: number; samples_mv: number[] }[] = [];
    let end = -Infinity;
    for (const c of chunks) {
      const fs = c.fs;
      const ts = c.ts;
      const x = decodeEcgInt16(c.samples, c.scale_mv);
      const period = 1000 / fs;
      // Keep only samples inside [from, to).
      const i0 = Math.max(0, Math.ceil((q.from - ts) / period));
      const i1 = Math.min(x.length, Math.ceil((q.to - ts) / period));
      if (i1 <= i0) continue;
      const start = ts + i0 * period;
      const lastSeg = segments[segments.length - 1];
      // Contiguous when it starts within half a sample of where the previous one ended.
      if (lastSeg !== undefined && lastSeg.fs === fs && Math.abs(start - end) <= period / 2) {
        for (let i = i0; i < i1; i++) lastSeg.samples_mv.push(round4(x[i] ?? 0));
      } else {
        const samples: number[] = [];
        for (let i = i0; i < i1; i++) samples.push(round4(x[i] ?? 0));
        segments.push({ start: Math.round(start), fs, samples_mv: samples });
      }
      end = ts + i1 * period;
    }
    return { device_id: deviceId, from: q.from, to: q.to, segments };
  }

  async series(
    viewer: Viewer,
    deviceId: string,
    q: {
      interval: SeriesIntervalName;
      from?: number | undefined;
      to?: number | undefined;
      tz?: string | undefined;
    },
  ): Promise<{
    device_id: string;
    interval: string;
    tz?: string;
    from: number;
    to: number;
    buckets: SeriesBucketRow[];
  }> {
    if (q.tz !== undefined && !isTimeZone(q.tz))
      throw validationFailed('tz', `tz: ${q.tz} is not an IANA time zone (e.g. Europe/Paris)`);
    const owner = await this.owner(viewer, deviceId);
    const step = SERIES_INTERVAL_MS[q.interval];
    const to = q.to ?? this.deps.clock.now();
    const from = q.from ?? to - (q.interval === '1d' ? 30 * 86_400_000 : 86_400_000);
    checkRange(from, to);
    if ((to - from) / step > MAX_SERIES_BUCKETS)
      throw validationFailed(
        'from',
        `at most ${MAX_SERIES_BUCKETS} buckets per request; use a larger interval`,
      );
    // Hours and days on a zone's clock are merged from quarter-hour UTC buckets (every offset
    // is whole quarter hours); minutes and 5 minutes are the same in every zone.
    const localTz = step >= 3_600_000 ? q.tz : undefined;
    if (localTz !== undefined && (to - from) / LOCAL_BASE_BUCKET_MS > MAX_LOCAL_BASE_BUCKETS)
      throw validationFailed(
        'from',
        `with tz, at most ${Math.floor((MAX_LOCAL_BASE_BUCKETS * LOCAL_BASE_BUCKET_MS) / 86_400_000)} days per request`,
      );
    // The rollup is kept per patient (migration 032): the owner's minutes, to the packet.
    const rows = await this.deps.vitals.series(
      deviceId,
      from,
      to,
      localTz === undefined ? step : LOCAL_BASE_BUCKET_MS,
      owner,
    );
    const buckets =
      localTz === undefined
        ? rows
        : mergeIntoLocalBuckets(rows, { intervalMs: step, timeZone: localTz });
    return {
      device_id: deviceId,
      interval: q.interval,
      ...(q.tz === undefined ? {} : { tz: q.tz }),
      from,
      to,
      buckets: buckets.map(roundBucket),
    };
  }

  async stats(
    viewer: Viewer,
    deviceId: string,
    q: { from?: number | undefined; to?: number | undefined },
  ): Promise<{
    device_id: string;
    total_packets: number;
    first_timestamp: number | null;
    last_timestamp: number | null;
    heart_rate_bpm: Agg;
    spo2_percent: Agg;
    temperature_c: Agg;
    latest: VitalsRecordView | null;
  }> {
    const owner = await this.owner(viewer, deviceId);
    checkRange(q.from, q.to);
    const s = await this.deps.vitals.stats(
      deviceId,
      q.from ?? 0,
      q.to ?? Number.MAX_SAFE_INTEGER,
      owner,
    );
    const [latest] = await this.withHeartRate(deviceId, await this.latestRows(deviceId, owner));
    return {
      device_id: deviceId,
      total_packets: s.total,
      first_timestamp: s.first,
      last_timestamp: s.last,
      heart_rate_bpm: roundAgg(s.hr),
      spo2_percent: roundAgg(s.spo2),
      temperature_c: roundAgg(s.temp),
      latest: latest === undefined ? null : toVitalsView(latest),
    };
  }

  async predictions(
    viewer: Viewer,
    deviceId: string,
    q: PageQuery,
  ): Promise<{ items: PredictionView[]; next_cursor: string | null }> {
    const owner = await this.owner(viewer, deviceId);
    checkRange(q.from, q.to);
    const rows = await this.deps.predictions.list(deviceId, { ...pageWindow(q), owner });
    return toPage(rows, q.limit, (row) => toPredictionView(row));
  }

  async latestPrediction(viewer: Viewer, deviceId: string): Promise<PredictionView> {
    const owner = await this.owner(viewer, deviceId);
    const row = latestShown(
      await this.deps.predictions.latestOf([deviceId], owner),
      await this.deps.predictions.latestReceivedOf([deviceId], owner),
      (r) => r.packet_received_at,
    );
    if (row === undefined) throw new DomainError('PREDICTION_NOT_FOUND');
    return toPredictionView(row);
  }
}

function round4(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}
function roundAgg(a: Agg): Agg {
  return { ...a, avg: a.avg === null ? null : Math.round(a.avg * 100) / 100 };
}
function roundBucket(b: SeriesBucketRow): SeriesBucketRow {
  return {
    ...b,
    heart_rate_bpm: roundAgg(b.heart_rate_bpm),
    spo2_percent: roundAgg(b.spo2_percent),
    temperature_c: roundAgg(b.temperature_c),
  };
}
