/**
 * What services hand to the real-time hub. Scoping by patient happens in the hub, on the
 * server, for every connection; services only say whose data an event is.
 */
export type RealtimeEvent =
  | { type: 'vitals'; patientId: string | null; deviceId: string; data: VitalsEventData }
  | { type: 'prediction'; patientId: string | null; deviceId: string; data: PredictionView }
  | {
      type: 'alert';
      patientId: string;
      deviceId: string | null;
      eventId: number;
      action: AlertAction;
      data: AlertView;
    };

export type AlertAction = 'opened' | 'updated' | 'acknowledged' | 'cleared';

export interface RealtimePublisher {
  publish(event: RealtimeEvent): void;
}

export interface VitalsEventData {
  vitals_id: string;
  device_id: string;
  patient_id: string | null;
  timestamp: number;
  heart_rate_bpm: number | null;
  spo2_percent: number | null;
  temperature_c: number | null;
  respiratory_rate: number | null;
  battery_percent: number | null;
  lead_off: boolean | null;
  ecg: { fs: number; samples_mv: number[] };
}

export interface RiskReasonView {
  code: string;
  text: string;
  points: number;
}

export interface PredictionView {
  id: string;
  vitals_id: string;
  device_id: string;
  patient_id: string | null;
  timestamp: number;
  created_at: number;
  risk_score: number;
  risk_label: 'normal' | 'low' | 'moderate' | 'elevated' | 'high';
  confidence: number;
  model_version: string;
  reasons: RiskReasonView[];
  heart_rate_bpm: number | null;
  heart_rate_source: 'ecg' | 'device' | null;
  qrs_duration_ms: number | null;
  analysable: boolean | null;
  quality_score: number | null;
  hrv: {
    window_ms: number;
    n_beats: number;
    mean_nn_ms: number;
    sdnn_ms: number;
    rmssd_ms: number;
    pnn50: number;
  } | null;
  arrhythmia: {
    af_since: number | null;
    vt_run_beats: number;
    longest_pause_ms: number | null;
    veb_percent: number | null;
    sveb_percent: number | null;
    episodes: { rhythm: string; start: number; end: number | null; ongoing: boolean }[];
    withheld: string | null;
  } | null;
}

export interface AlertView {
  id: string;
  patient_id: string;
  device_id: string | null;
  rule_kind:
    | 'hr_high'
    | 'hr_low'
    | 'spo2_low'
    | 'fever'
    | 'risk_elevated'
    | 'risk_high'
    | 'poor_signal'
    | 'device_silent'
    | 'af_onset'
    | 'vt_run'
    | 'pause';
  severity: 'info' | 'warning' | 'critical';
  message: string;
  value: number | null;
  status: 'active_unack' | 'active_ack' | 'cleared_unack' | 'cleared_ack';
  opened_at: number;
  updated_at: number;
  update_count: number;
  cleared_at: number | null;
  cleared_by: string | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
}
