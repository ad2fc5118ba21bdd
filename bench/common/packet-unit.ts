/**
 * One stored packet as the ingest path writes it (a vitals row with its ECG chunk and the risk
 * model's prediction), for the storage benchmarks (`bench:writes`, `bench:storage`): the values
 * are fixed and of the size the live path writes; only the ECG bytes and the keys vary.
 */
import type { PacketWriteUnit } from '../../packages/server/src/repositories/vitals.repository.js';

/** The prediction's `reasons` and `hrv` JSON as the risk model writes them for a normal second. */
export const benchReasons = JSON.stringify([
  { code: 'HR_NORMAL', text: 'HR 72 bpm (ECG)', points: 0 },
  { code: 'SPO2_NORMAL', text: 'SpO2 97%', points: 0 },
]);
export const benchHrv = JSON.stringify({
  window_ms: 300_000,
  n_beats: 360,
  mean_nn_ms: 833.3,
  sdnn_ms: 41.2,
  rmssd_ms: 29.8,
  pnn50: 0.083,
});

export interface BenchPacket {
  vitalsId: string;
  predictionId: string;
  deviceId: string;
  /** Epoch ms. */
  ts: number;
  sequence: number;
  /** One second of ECG at 250 Hz as stored (`ecg_samples`), and its scale. */
  ecg: { bytes: Uint8Array; scaleMv: number };
  /** The prediction's `arrhythmia` JSON, or null. */
  arrhythmia: string | null;
}

export function benchPacketUnit(p: BenchPacket): PacketWriteUnit {
  return {
    vitals: [
      {
        id: p.vitalsId,
        device_id: p.deviceId,
        patient_id: 'bench-patient',
        ts: p.ts,
        sequence: p.sequence,
        received_at: p.ts + 40,
        heart_rate_bpm: 72,
        spo2_percent: 97,
        temperature_c: 36.8,
        respiratory_rate: null,
        battery_percent: 81,
        lead_off: null,
        ecg_sample_rate_hz: 250,
        ecg_n_samples: 250,
        ecg_scale_mv: p.ecg.scaleMv,
        ecg_samples: p.ecg.bytes,
        ecg_input: null,
        device_ts: null,
        window_ms: null,
        beat_timestamps_ms: null,
      },
    ],
    predictions: [
      {
        id: p.predictionId,
        vitals_id: p.vitalsId,
        device_id: p.deviceId,
        patient_id: 'bench-patient',
        ts: p.ts,
        created_at: p.ts + 40,
        risk_score: 0.05,
        risk_label: 'normal',
        confidence: 0.9,
        model_version: 'news2-ecg-1',
        reasons: benchReasons,
        heart_rate_bpm: 72,
        heart_rate_source: 'ecg',
        qrs_duration_ms: 92,
        analysable: 1,
        quality_score: 0.93,
        hrv: benchHrv,
        arrhythmia: p.arrhythmia,
      },
    ],
  };
}
