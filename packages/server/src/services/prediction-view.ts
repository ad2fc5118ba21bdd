import type { AlertsTable, PredictionsTable } from '../db/pipeline-schema.js';
import { readJson, readJsonOrNull } from '../repositories/json-column.js';
import type { AlertView, PredictionView } from './realtime-port.js';

/**
 * The API's view of a prediction row. `parsed` gives the JSON columns' values when the caller
 * has them (the ingest service, which has just serialised them), instead of parsing them again.
 */
export function toPredictionView(
  row: PredictionsTable,
  parsed?: Pick<PredictionView, 'reasons' | 'hrv' | 'arrhythmia'>,
): PredictionView {
  return {
    id: row.id,
    vitals_id: row.vitals_id,
    device_id: row.device_id,
    patient_id: row.patient_id,
    timestamp: row.ts,
    created_at: row.created_at,
    risk_score: row.risk_score,
    risk_label: row.risk_label as PredictionView['risk_label'],
    confidence: row.confidence,
    model_version: row.model_version,
    reasons: parsed?.reasons ?? (readJson(row.reasons) as PredictionView['reasons']),
    heart_rate_bpm: row.heart_rate_bpm,
    heart_rate_source: row.heart_rate_source as PredictionView['heart_rate_source'],
    qrs_duration_ms: row.qrs_duration_ms,
    analysable: row.analysable === null ? null : row.analysable === 1,
    quality_score: row.quality_score,
    hrv: parsed === undefined ? (readJsonOrNull(row.hrv) as PredictionView['hrv']) : parsed.hrv,
    arrhythmia:
      parsed === undefined
        ? (readJsonOrNull(row.arrhythmia) as PredictionView['arrhythmia'])
        : parsed.arrhythmia,
  };
}

export function toAlertView(
  row: Omit<AlertsTable, 'update_count'> & { update_count: number },
): AlertView {
  const active = row.cleared_at === null;
  const acked = row.acknowledged_at !== null;
  return {
    id: row.id,
    patient_id: row.patient_id,
    device_id: row.device_id,
    rule_kind: row.rule_kind as AlertView['rule_kind'],
    severity: row.severity as AlertView['severity'],
    message: row.message,
    value: row.value,
    status: `${active ? 'active' : 'cleared'}_${acked ? 'ack' : 'unack'}`,
    opened_at: row.opened_at,
    onset_at: row.onset_at,
    updated_at: row.updated_at,
    update_count: row.update_count,
    cleared_at: row.cleared_at === null ? null : row.cleared_at,
    cleared_by: row.cleared_by,
    acknowledged_at: row.acknowledged_at === null ? null : row.acknowledged_at,
    acknowledged_by: row.acknowledged_by,
    seen_by_patient_at: row.seen_by_patient_at,
  };
}

/** Alert kinds no data opens: their alerts have no `onset_at`. */
const NO_DATA_TIME_KINDS: ReadonlySet<string> = new Set(['manual', 'device_silent']);

/**
 * An alert view as the events table stored it, for the WebSocket catch-up: views stored before
 * migration 025 carry no `onset_at`, and get what 025 gave their alert rows (the opening for a
 * rule alert, null for a manual or device-offline one), so every alert message has the field.
 */
export function storedAlertView(stored: unknown): unknown {
  if (typeof stored !== 'object' || stored === null) return stored;
  // Views stored before migration 030 have no seen_by_patient_at: nobody had marked them.
  if (!('seen_by_patient_at' in stored)) stored = { ...stored, seen_by_patient_at: null };
  if (typeof stored !== 'object' || stored === null || 'onset_at' in stored) return stored;
  const view = stored as { rule_kind?: unknown; opened_at?: unknown };
  const onset =
    typeof view.opened_at === 'number' &&
    typeof view.rule_kind === 'string' &&
    !NO_DATA_TIME_KINDS.has(view.rule_kind)
      ? view.opened_at
      : null;
  return { ...stored, onset_at: onset };
}
