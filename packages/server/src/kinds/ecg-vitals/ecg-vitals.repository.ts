import type { Prediction, UploadPrediction } from '@vigil/protocol';
import type {
  EcgLeadChunksTable,
  PredictionsTable,
  VitalsTable,
} from '../../db/pipeline-schema.js';
import {
  envelopeRow,
  ingestResultOf,
  type SignalKindRepository,
  type StoredReading,
} from '../../ingest/signal-kind.js';
import { decodeEcgCounts, encodeEcgInt16, packEcgCounts } from '../../repositories/ecg-codec.js';
import type { VitalsRepository } from '../../repositories/vitals.repository.js';
import { toPredictionView } from '../../services/prediction-view.js';
import type { EcgVitalsValues } from './ecg-vitals.normalizer.js';

/** A stored ECG vitals packet, as the domain knows it. */
export type EcgVitalsRecord = StoredReading<EcgVitalsValues>;

/**
 * The `vitals` row of a packet: ECG as int16 with its scale, packed losslessly (ecg-codec.ts),
 * flags as 0/1.
 */
export function toVitalsRow(r: EcgVitalsRecord): VitalsTable {
  return {
    ...envelopeRow(r),
    ...valueColumns(r.reading.values),
    device_ts: r.reading.deviceTsMs,
  };
}

/** The columns a packet's values are stored in (all but its envelope). */
type ValueColumns = Omit<VitalsTable, keyof ReturnType<typeof envelopeRow> | 'device_ts'>;

function valueColumns(v: EcgVitalsValues): ValueColumns {
  const enc = v.samples.length > 0 ? encodeEcgInt16(v.samples) : null;
  return {
    heart_rate_bpm: v.hr,
    spo2_percent: v.spo2,
    temperature_c: v.temp,
    respiratory_rate: v.resp,
    battery_percent: v.battery,
    lead_off: v.leadOff === null ? null : v.leadOff ? 1 : 0,
    ecg_sample_rate_hz: v.fs,
    ecg_n_samples: v.samples.length,
    ecg_scale_mv: enc === null ? null : enc.scaleMv,
    ecg_samples: enc === null ? null : packEcgCounts(enc.bytes),
    ecg_input: v.input,
    window_ms: v.windowMs,
    beat_timestamps_ms: v.beatTimestampsMs === null ? null : JSON.stringify(v.beatTimestampsMs),
  };
}

/**
 * A packet's stored values as one comparable string (`SignalKind.contentOf`): equal for a retry
 * of the same window, different for another window at the same timestamp. Numbers go through a
 * 4-byte float (PostgreSQL's `real` columns) so the stored row and new values compare alike.
 */
function contentOfColumns(c: Omit<ValueColumns, 'ecg_input'>): string {
  const f32 = (x: number | null) => (x === null ? null : Math.fround(x));
  const beats: unknown =
    typeof c.beat_timestamps_ms === 'string'
      ? JSON.parse(c.beat_timestamps_ms)
      : c.beat_timestamps_ms;
  return JSON.stringify([
    f32(c.heart_rate_bpm),
    f32(c.spo2_percent),
    f32(c.temperature_c),
    f32(c.respiratory_rate),
    f32(c.battery_percent),
    c.lead_off,
    f32(c.ecg_sample_rate_hz),
    c.ecg_n_samples,
    f32(c.ecg_scale_mv),
    // The counts, not their bytes: packed or raw (packEcgCounts) holds the same counts.
    c.ecg_samples === null ? null : countsBase64(decodeEcgCounts(c.ecg_samples)),
    c.window_ms,
    beats,
  ]);
}

function countsBase64(counts: Int16Array): string {
  return Buffer.from(counts.buffer, counts.byteOffset, counts.byteLength).toString('base64');
}

/** `SignalKind.contentOf` of ECG vitals. */
export function ecgVitalsContentOf(v: EcgVitalsValues): string {
  return contentOfColumns(valueColumns(v));
}

/**
 * The `ecg_lead_chunks` row of a multi-lead packet (each lead int16 with its own scale, the leads
 * packed together losslessly); null for one lead.
 */
export function toLeadChunkRow(r: EcgVitalsRecord): EcgLeadChunksTable | null {
  const leads = r.reading.values.leads;
  if (leads === null) return null;
  const encoded = leads.samplesMv.map((lead) => encodeEcgInt16(lead));
  const n = leads.samplesMv[0]?.length ?? 0;
  const samples = new Uint8Array(encoded.length * n * 2);
  encoded.forEach((e, l) => {
    samples.set(e.bytes, l * n * 2);
  });
  return {
    vitals_id: r.id,
    device_id: r.deviceId,
    patient_id: r.patientId,
    ts: r.reading.tsMs,
    sample_rate_hz: r.reading.values.fs,
    n_samples: n,
    leads: JSON.stringify(leads.names),
    scales_mv: JSON.stringify(encoded.map((e) => e.scaleMv)),
    rhythm_lead: leads.names[leads.rhythmIndex] ?? '',
    samples: packEcgCounts(samples, encoded.length),
  };
}

/** What the upload answer carries of a packet's prediction (seed 000's firmware reads the first three). */
export function toUploadPrediction(
  p: Pick<
    Prediction,
    | 'id'
    | 'risk_score'
    | 'risk_label'
    | 'confidence'
    | 'model_version'
    | 'heart_rate_bpm'
    | 'heart_rate_source'
    | 'analysable'
    | 'reasons'
  >,
): UploadPrediction {
  return {
    id: p.id,
    risk_score: p.risk_score,
    risk_label: p.risk_label,
    confidence: p.confidence,
    model_version: p.model_version,
    heart_rate_bpm: p.heart_rate_bpm,
    heart_rate_source: p.heart_rate_source,
    analysable: p.analysable,
    reasons: p.reasons.map((r) => ({ code: r.code, text: r.text })),
  };
}

/** The `predictions` row of a prediction: JSON columns for its lists and objects. */
export function toPredictionRow(p: Prediction): PredictionsTable {
  return {
    id: p.id,
    vitals_id: p.vitals_id,
    device_id: p.device_id,
    patient_id: p.patient_id,
    ts: p.timestamp,
    created_at: p.created_at,
    risk_score: p.risk_score,
    risk_label: p.risk_label,
    confidence: p.confidence,
    model_version: p.model_version,
    reasons: JSON.stringify(p.reasons),
    heart_rate_bpm: p.heart_rate_bpm,
    heart_rate_source: p.heart_rate_source,
    qrs_duration_ms: p.qrs_duration_ms,
    analysable: p.analysable === null ? null : p.analysable ? 1 : 0,
    quality_score: p.quality_score,
    hrv: p.hrv === null ? null : JSON.stringify(p.hrv),
    arrhythmia: p.arrhythmia === null ? null : JSON.stringify(p.arrhythmia),
  };
}

/** ECG vitals storage for the ingest core: packets and their predictions, one commit per batch. */
export function createEcgVitalsRepository(
  vitals: Pick<VitalsRepository, 'writeUnits' | 'findByDeviceTs' | 'latest' | 'predictionOf'>,
): SignalKindRepository<EcgVitalsRecord, Prediction> {
  return {
    async latest(deviceId) {
      const row = await vitals.latest(deviceId);
      return row === undefined ? undefined : { tsMs: row.ts, receivedAtMs: row.received_at };
    },
    async findByDeviceTs(deviceId, tsMs) {
      const row = await vitals.findByDeviceTs(deviceId, tsMs);
      if (row === undefined) return undefined;
      // A retry gets what its first delivery got, prediction included.
      const prediction = await vitals.predictionOf(row.id);
      return {
        result: {
          ...ingestResultOf(row),
          timestamp_unsynced: row.device_ts !== null,
          prediction:
            prediction === undefined ? null : toUploadPrediction(toPredictionView(prediction)),
        },
        receivedAtMs: row.received_at,
        content: contentOfColumns(row),
      };
    },
    write(units) {
      return vitals.writeUnits(
        units.map((u) => ({
          vitals: u.readings.map(toVitalsRow),
          predictions: u.assessments.map(toPredictionRow),
          leadChunks: u.readings.flatMap((r) => toLeadChunkRow(r) ?? []),
        })),
      );
    },
  };
}
