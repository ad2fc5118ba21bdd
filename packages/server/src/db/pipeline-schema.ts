/**
 * Kysely table types of the vitals pipeline (migration 002). Timestamps are epoch ms; JSON
 * columns are text on SQLite and jsonb on PostgreSQL, written as JSON text and parsed by the
 * repository that owns them; booleans are 0/1 integers (SQLite has no boolean type).
 */
import type { Generated } from 'kysely';

export interface VitalsTable {
  id: string;
  device_id: string;
  patient_id: string | null;
  ts: number;
  sequence: number | null;
  received_at: number;
  heart_rate_bpm: number | null;
  spo2_percent: number | null;
  temperature_c: number | null;
  respiratory_rate: number | null;
  battery_percent: number | null;
  lead_off: number | null;
  ecg_sample_rate_hz: number;
  ecg_n_samples: number;
  /** The packet's ECG (migration 005): value in mV = sample × ecg_scale_mv; null without ECG. */
  ecg_scale_mv: number | null;
  /** Little-endian int16 samples (ecg-codec.ts). */
  ecg_samples: Uint8Array | null;
  /** Migration 013: the input profile the samples were converted with (null: mV). */
  ecg_input: string | null;
  /** Migration 013: the device's own timestamp when `ts` is the receive time (unsynced clock). */
  device_ts: number | null;
  window_ms: number | null;
  /** JSON array of ms from the window start, as the device sent it. */
  beat_timestamps_ms: string | null;
}

/** The named leads of a multi-lead packet (migration 017), beside its `vitals` row. */
export interface EcgLeadChunksTable {
  vitals_id: string;
  device_id: string;
  patient_id: string | null;
  ts: number;
  sample_rate_hz: number;
  n_samples: number;
  /** JSON array of lead names (I, II, …, V6), in the order of `samples`. */
  leads: string;
  /** JSON array: mV per int16 count of each lead. */
  scales_mv: string;
  /** The lead the rhythm analysis used (stored in `vitals.ecg_samples` too). */
  rhythm_lead: string;
  /** Little-endian int16, lead after lead, `n_samples` each. */
  samples: Uint8Array;
}

/** A packet's measurements: what reads of `vitals` return (never the waveform). */
export type VitalsRow = Omit<VitalsTable, 'ecg_scale_mv' | 'ecg_samples'>;

/** The columns of a VitalsRow, for selects. */
export const VITALS_ROW_COLUMNS = [
  'id',
  'device_id',
  'patient_id',
  'ts',
  'sequence',
  'received_at',
  'heart_rate_bpm',
  'spo2_percent',
  'temperature_c',
  'respiratory_rate',
  'battery_percent',
  'lead_off',
  'ecg_sample_rate_hz',
  'ecg_n_samples',
  'ecg_input',
  'device_ts',
  'window_ms',
  'beat_timestamps_ms',
] as const satisfies readonly (keyof VitalsRow)[];

/** One packet's ECG chunk, as the ECG query reads it. */
export interface EcgChunk {
  ts: number;
  fs: number;
  scale_mv: number;
  samples: Uint8Array;
}

/**
 * Per-minute rollup of a device's measurements (migration 003), per patient the packets were
 * taken for (032); `minute` is epoch ms.
 */
export interface VitalsMinuteTable {
  device_id: string;
  minute: number;
  /** The packets' `patient_id`, '' for packets taken for no patient (032). */
  patient_key: string;
  packets: number;
  hr_n: number;
  hr_sum: number;
  hr_min: number | null;
  hr_max: number | null;
  spo2_n: number;
  spo2_sum: number;
  spo2_min: number | null;
  spo2_max: number | null;
  temp_n: number;
  temp_sum: number;
  temp_min: number | null;
  temp_max: number | null;
}

export interface PredictionsTable {
  id: string;
  vitals_id: string;
  device_id: string;
  patient_id: string | null;
  ts: number;
  created_at: number;
  risk_score: number;
  risk_label: string;
  confidence: number;
  model_version: string;
  reasons: string;
  heart_rate_bpm: number | null;
  heart_rate_source: string | null;
  qrs_duration_ms: number | null;
  analysable: number | null;
  quality_score: number | null;
  hrv: string | null;
  arrhythmia: string | null;
}

export interface AlertsTable {
  id: string;
  patient_id: string;
  device_id: string | null;
  rule_kind: string;
  severity: string;
  message: string;
  value: number | null;
  /** Server clock (epoch ms) when the alert engine opened the alert. */
  opened_at: number;
  /**
   * Data time (epoch ms, the device's clock) of the event that opened it, as the analyser
   * reports it (migration 025); null when no data opened it (manual, device_silent).
   */
  onset_at: number | null;
  updated_at: number;
  update_count: Generated<number>;
  cleared_at: number | null;
  /** User id of a manual resolve, or 'rule' when the condition cleared. */
  cleared_by: string | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  /** When the patient marked it seen (seed 004's seen_by_patient; migration 030). */
  seen_by_patient_at: number | null;
}

export interface AlertRulesTable {
  patient_id: string;
  kind: string;
  enabled: number;
  threshold: number | null;
  duration_s: number;
  severity: string;
  updated_at: number;
  updated_by: string | null;
}

export interface EventsTable {
  id: Generated<number>;
  type: string;
  patient_id: string | null;
  device_id: string | null;
  created_at: number;
  payload: string;
}

/** A pulse oximetry reading (migration 007, src/kinds/pulse-oximetry/). */
export interface OximetryReadingsTable {
  id: string;
  device_id: string;
  patient_id: string | null;
  ts: number;
  sequence: number | null;
  received_at: number;
  spo2_percent: number;
  pulse_rate_bpm: number;
  perfusion_index: number | null;
  battery_percent: number | null;
}

/** A 12-lead ECG classification request (migration 009, src/services/ecg12.service.ts). */
export interface Ecg12RequestsTable {
  id: string;
  created_at: number;
  request_type: 'single' | 'batch';
  /** 0/1. */
  success: number;
  error_code: string | null;
  error_message: string | null;
  caller_user_id: string | null;
  patient_id: string | null;
  age: number | null;
  sex: number | null;
  height: number | null;
  weight: number | null;
  heart_axis: string | null;
  sampling_rate_hz: number | null;
  n_samples: number | null;
  class_index: number | null;
  class_name: string | null;
  class_description: string | null;
  processing_ms: number;
  model_version: string | null;
}

/**
 * The full result of a successful 12-lead classification (migration 011): the classification
 * JSON and, for a patient's ECG, the 12 leads as int16 with their per-lead scales (JSON array).
 */
export interface Ecg12ResultsTable {
  request_id: string;
  result_json: string;
  signal: Uint8Array | null;
  signal_scales_mv: string | null;
}

/** A baby monitor reading (migration 008, src/kinds/baby-monitor/); booleans are 0/1. */
export interface BabyReadingsTable {
  id: string;
  patient_id: string | null;
  device_id: string | null;
  uploaded_by: string | null;
  ts: number;
  temperature_c: number | null;
  humidity_percent: number | null;
  notes: string | null;
  cry_detected: number;
  cry_probability: number | null;
  cry_source: 'server_audio' | 'device' | null;
  sick_detected: number;
  audio: Buffer | null;
  audio_content_type: string | null;
  /** Migration 010: `device:<id>:<Idempotency-Key>` or `user:<id>:<key>`; unique. */
  upload_key: string | null;
  /** Migration 010: the monitor's own verdict (0/1) and confidence (0–1), when it sent one. */
  device_cry_detected: number | null;
  device_cry_probability: number | null;
  /** Migration 010: the server's cry probability of the uploaded clip, when there was one. */
  audio_cry_probability: number | null;
  /**
   * Migration 029, MQTT messages only: SHA-256 (hex) of the payload bytes and when Vigil received
   * it (epoch ms), to recognise the broker's redelivery (DUP) of a message already stored.
   */
  mqtt_payload_sha256: string | null;
  mqtt_received_at: number | null;
}

/** A camera heart-rate measurement session (migration 012). */
export interface RppgSessionsTable {
  id: string;
  patient_id: string;
  created_by: string | null;
  source: 'client' | 'upload' | 'bedside';
  created_at: number;
  ended_at: number | null;
}

/** A heart-rate observation of a patient from a camera measurement (migration 012). */
export interface HeartRateObservationsTable {
  id: string;
  patient_id: string;
  ts: number;
  bpm: number;
  source: 'rppg';
  session_id: string | null;
  confidence: 'high' | 'medium' | 'low' | null;
  signal_quality: 'good' | 'fair' | 'poor' | null;
  snr_db: number | null;
}
