import type { PredictionsTable, VitalsTable } from '../../src/db/pipeline-schema.js';

/**
 * A `vitals` row for tests that write through the repository directly: a packet without ECG
 * samples or vitals, stored at `ts` (received then), with `fields` set over it.
 */
export function vitalsRow(
  fields: Pick<VitalsTable, 'id' | 'device_id' | 'ts'> & Partial<VitalsTable>,
): VitalsTable {
  return {
    patient_id: null,
    sequence: null,
    received_at: fields.ts,
    heart_rate_bpm: null,
    spo2_percent: null,
    temperature_c: null,
    respiratory_rate: null,
    battery_percent: null,
    lead_off: null,
    ecg_sample_rate_hz: 250,
    ecg_n_samples: 0,
    ecg_scale_mv: null,
    ecg_samples: null,
    ecg_input: null,
    device_ts: null,
    window_ms: null,
    beat_timestamps_ms: null,
    ...fields,
  };
}

/**
 * The prediction `id` of the packet `v`, carrying the heart rate its ECG analysis measured (null:
 * none), scored normal.
 */
export function ecgPredictionRow(
  id: string,
  v: Pick<VitalsTable, 'id' | 'device_id' | 'ts'>,
  hr: number | null,
): PredictionsTable {
  return {
    id,
    vitals_id: v.id,
    device_id: v.device_id,
    patient_id: null,
    ts: v.ts,
    created_at: v.ts,
    risk_score: 0,
    risk_label: 'normal',
    confidence: 1,
    model_version: 'test',
    reasons: '[]',
    heart_rate_bpm: hr,
    heart_rate_source: hr === null ? null : 'ecg',
    qrs_duration_ms: null,
    analysable: 1,
    quality_score: null,
    hrv: null,
    arrhythmia: null,
  };
}
