/**
 * Converts API answers into chart points. Vital signs come bucketed from the series endpoint;
 * HRV is not part of it, so it is bucketed here from the predictions' rolling RMSSD.
 */
import { query } from './api/client.js';
import type { Prediction, Series } from './api/types.js';
import { fmt } from './format.js';

export interface TrendPoint {
  t: number;
  min: number | null;
  avg: number | null;
  max: number | null;
}

export type SeriesField = 'heart_rate_bpm' | 'spo2_percent' | 'temperature_c';

/**
 * The series request of a device's trend. Hour and day buckets start on the viewer's own hours
 * and midnights: the browser's IANA zone goes as `tz` (absent, the server buckets in UTC, and a
 * day in Paris ran 01:00–01:00). Minute buckets are the same in every zone, so none is sent.
 */
export function seriesPath(
  deviceId: string,
  q: { interval: '1m' | '5m' | '1h' | '1d'; from: number; to: number },
  timeZone: string | undefined,
): string {
  const tz = q.interval === '1h' || q.interval === '1d' ? timeZone || undefined : undefined;
  return `/api/v1/vitals/${encodeURIComponent(deviceId)}/series${query({ ...q, tz })}`;
}

export function seriesPoints(series: Series, field: SeriesField): TrendPoint[] {
  return series.buckets.map((b) => ({
    t: b.time,
    min: b[field].min,
    avg: b[field].avg,
    max: b[field].max,
  }));
}

/** Buckets the RMSSD of predictions into `intervalMs` bins aligned to the epoch. */
export function hrvPoints(predictions: readonly Prediction[], intervalMs: number): TrendPoint[] {
  if (!(intervalMs > 0)) throw new RangeError('intervalMs must be positive');
  const bins = new Map<number, number[]>();
  for (const p of predictions) {
    const v = p.hrv?.rmssd_ms;
    if (v === undefined || !Number.isFinite(v)) continue;
    const t = Math.floor(p.timestamp / intervalMs) * intervalMs;
    const bin = bins.get(t);
    if (bin) bin.push(v);
    else bins.set(t, [v]);
  }
  return [...bins.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, vs]) => ({
      t,
      min: Math.min(...vs),
      avg: vs.reduce((s, v) => s + v, 0) / vs.length,
      max: Math.max(...vs),
    }));
}

/**
 * The HRV chart's title. Its points come from predictions read newest first and at most a few
 * pages of them (the series endpoint carries no HRV), so over 24 h or 7 d of a 1 s device they
 * reach back about an hour: when the pages ran out before `fromMs` (`oldestReadMs`, the oldest
 * prediction read, is later than it), the title says how far back the curve goes rather than
 * let an empty left side read as no data.
 */
export function hrvTitle(
  range: { fromMs: number; toMs: number },
  oldestReadMs: number | null,
): string {
  if (oldestReadMs === null || oldestReadMs <= range.fromMs) return 'HRV (RMSSD)';
  const minutes = Math.max(1, Math.round((range.toMs - oldestReadMs) / 60_000));
  return minutes < 120
    ? `HRV (RMSSD), last ${String(minutes)} min only`
    : `HRV (RMSSD), last ${fmt(minutes / 60, 1)} h only`;
}

/**
 * What a trend's caption gives as its newest value: the newest reading itself when the page has
 * it (`reading`, formatted as the tiles format it), else the newest bucket's mean, named as a
 * mean of that bucket (`bucket`, e.g. '1-min'). A bucket mean captioned "last" read 36.2 °C
 * under a tile showing the 38.9 °C just measured: a clinician must not see a lower temperature
 * than the one measured.
 */
export type TrendLatest = { reading: number | null } | { bucket: string };

export function trendCaption(
  points: readonly TrendPoint[],
  latest: TrendLatest,
  unit: string,
  digits = 1,
): string {
  if ('reading' in latest)
    return latest.reading === null ? 'no reading' : `last ${fmt(latest.reading, digits, unit)}`;
  const newest = [...points].reverse().find((p) => p.avg !== null);
  return newest?.avg == null
    ? 'no data in range'
    : `latest ${latest.bucket} mean ${fmt(newest.avg, digits, unit)}`;
}
