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
    updated_at: row.updated_at,
    update_count: row.update_count,
    cleared_at: row.cleared_at === null ? null : row.cleared_at,
    cleared_by: row.cleared_by,
    acknowledged_at: row.acknowledged_at === null ? null : row.acknowledged_at,
    acknowledged_by: row.acknowledged_by,
  };
}
