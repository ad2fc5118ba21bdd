import type { VitalsTable } from '../../src/db/pipeline-schema.js';

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
