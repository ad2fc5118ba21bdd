/**
 * Shapes baby monitor readings (`GET /api/v1/readings`, seed 002) for the dashboard: trend
 * buckets of temperature and humidity, the timeline of cry events, and each baby's latest
 * reading for the patient list.
 */
import type { BabyReading } from '@vigil/protocol';
import type { ApiClient } from '../api/client.js';
import type { TrendPoint } from '../trend-series.js';

export type { BabyReading };

export interface CryEvent {
  id: string;
  atMs: number;
  /** 0–1, null when the monitor gave no confidence. */
  probability: number | null;
  /** Who decided: the server's analysis of the clip, or the monitor itself. */
  source: BabyReading['cry_source'];
  sick: boolean;
  temperatureC: number | null;
  humidityPercent: number | null;
  audioUrl: string | null;
  notes: string | null;
}

/** Bucketed min / mean / max of one measurement; buckets without a value are absent. */
function bucketed(
  readings: readonly BabyReading[],
  value: (r: BabyReading) => number | null,
  bucketMs: number,
): TrendPoint[] {
  const bins = new Map<number, number[]>();
  for (const r of readings) {
    const v = value(r);
    if (v === null || !Number.isFinite(v)) continue;
    const t = Math.floor(Date.parse(r.created_at) / bucketMs) * bucketMs;
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

/** Temperature and humidity trends in `bucketMs` bins aligned to the epoch, oldest first. */
export function babyTrends(
  readings: readonly BabyReading[],
  bucketMs: number,
): { temperature: TrendPoint[]; humidity: TrendPoint[] } {
  if (!(bucketMs > 0)) throw new RangeError('bucketMs must be positive');
  return {
    temperature: bucketed(readings, (r) => r.temperature, bucketMs),
    humidity: bucketed(readings, (r) => r.humidity, bucketMs),
  };
}

/** The readings that detected a cry, newest first. */
export function cryTimeline(readings: readonly BabyReading[]): CryEvent[] {
  return readings
    .filter((r) => r.cry_detected)
    .map((r) => ({
      id: r.id,
      atMs: Date.parse(r.created_at),
      probability: r.cry_probability,
      source: r.cry_source,
      sick: r.sick_detected,
      temperatureC: r.temperature,
      humidityPercent: r.humidity,
      audioUrl: r.audio_url,
      notes: r.notes,
    }))
    .sort((a, b) => b.atMs - a.atMs);
}

/**
 * Each visible baby's newest reading by patient id, however old: the server picks it per patient
 * (`GET /api/v1/readings/latest`). The newest 1,000 readings of the whole clinic, read before,
 * are 83 minutes of one monitor every 5 s, and a baby quiet for longer than that had none.
 */
export async function loadLatestBabyReadings(
  api: Pick<ApiClient, 'get'>,
): Promise<ReadonlyMap<string, BabyReading>> {
  const readings = await api.get<BabyReading[]>('/api/v1/readings/latest');
  const byPatient = new Map<string, BabyReading>();
  for (const r of readings) if (r.patient_id !== null) byPatient.set(r.patient_id, r);
  return byPatient;
}

/** "cry 0.97 · server" style label of a cry event's evidence. */
export function cryEvidenceLabel(e: Pick<CryEvent, 'probability' | 'source'>): string {
  const p = e.probability === null ? 'no confidence' : `probability ${e.probability.toFixed(2)}`;
  const by = e.source === 'device' ? 'monitor' : e.source === 'server_audio' ? 'server' : '—';
  return `${p} · decided by ${by}`;
}
