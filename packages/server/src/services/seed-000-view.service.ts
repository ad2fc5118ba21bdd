import type {
  Seed000Prediction,
  Seed000PredictionList,
  Seed000Vitals,
  Seed000VitalsList,
} from '@vigil/protocol';
import type { PredictionsTable, VitalsRow } from '../db/pipeline-schema.js';
import { DomainError } from '../errors/catalogue.js';
import type { Viewer } from '../repositories/access.repository.js';
import { decodeEcgInt16 } from '../repositories/ecg-codec.js';
import { readJsonOrNull } from '../repositories/json-column.js';
import type { PredictionsRepository } from '../repositories/predictions.repository.js';
import { EACH_DEVICE_CURRENT_PATIENT, type RowsOwner } from '../repositories/row-owner.js';
import type { VitalsRepository } from '../repositories/vitals.repository.js';
import { AD8232_ESP32_12BIT } from './ecg-input-profile.js';
import { deviceRowOwner } from './device-row-owner.js';
import { latestShown } from './latest-shown.js';

export interface Seed000ViewServiceDeps {
  vitals: Pick<
    VitalsRepository,
    'listOffsetPage' | 'countOf' | 'latestOf' | 'latestReceivedOf' | 'listEcg'
  >;
  predictions: Pick<
    PredictionsRepository,
    'listOffsetPage' | 'countOf' | 'latestOf' | 'latestReceivedOf'
  >;
  /** Resolves a hardware device_id the viewer may see; throws DEVICE_NOT_FOUND otherwise. */
  visibleDevice(viewer: Viewer, deviceId: string): Promise<{ patient_id: string | null }>;
  /** Hardware ids of every device the viewer may see. */
  visibleDeviceIds(viewer: Viewer): Promise<string[]>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** A packet as the cardiac-monitor app's Vitals.fromJson reads it. */
export function toSeed000Vitals(row: VitalsRow): Seed000Vitals {
  const beats = readJsonOrNull(row.beat_timestamps_ms) as number[] | null;
  return {
    id: row.id,
    device_id: row.device_id,
    timestamp: iso(row.ts),
    created_at: iso(row.received_at),
    heart_rate_bpm: row.heart_rate_bpm,
    // Ints, as the firmware sends them (uint8 SpO2, ECG_SAMPLE_RATE_HZ): the app's
    // Vitals.fromJson assigns both to Dart `int`s, which a 97.6 from another device breaks.
    spo2_percent: row.spo2_percent === null ? null : Math.round(row.spo2_percent),
    ecg_lead_off: row.lead_off === 1,
    sample_rate_hz: Math.round(row.ecg_sample_rate_hz),
    window_ms: row.window_ms,
    ecg_sample_count: row.ecg_n_samples,
    sample_count: row.ecg_n_samples,
    beat_count: beats?.length ?? 0,
    timestamp_unsynced: row.device_ts !== null,
  };
}

/** A prediction as the cardiac-monitor app's Prediction.fromJson reads it. */
export function toSeed000Prediction(row: PredictionsTable): Seed000Prediction {
  return {
    id: row.id,
    device_id: row.device_id,
    vitals_id: row.vitals_id,
    risk_score: row.risk_score,
    risk_label: row.risk_label,
    confidence: row.confidence,
    timestamp: iso(row.ts),
    created_at: iso(row.created_at),
    heart_rate_bpm: row.heart_rate_bpm,
    model_version: row.model_version,
  };
}

/**
 * Vitals and predictions in the shape the cardiac-monitor Flutter app (seed 000) reads: ISO-8601
 * times, the firmware's names, `{vitals|predictions, total}` pages by limit and offset, and the
 * `/me/*` views across every device the user may see. Vigil's own shapes stay in
 * VitalsQueryService; which one a request gets is the route's negotiation (`isSeed000Request`).
 */
export class Seed000ViewService {
  constructor(private readonly deps: Seed000ViewServiceDeps) {}

  /**
   * The devices read and whose rows of them, as a read of each device shows them
   * (`deviceRowOwner`): one device's current patient's rows; across every visible device
   * (`/me/…`), a patient's own rows (the devices assigned to them: a device handed on to them
   * keeps the earlier patient's packets), a doctor's each device's current patient's rows (before,
   * every row: the packets a device took for an earlier patient, maybe another doctor's, listed
   * as theirs), an admin's every row.
   */
  private async devices(
    viewer: Viewer,
    deviceId: string | null,
  ): Promise<{ ids: string[]; owner: RowsOwner }> {
    if (deviceId === null)
      return {
        ids: await this.deps.visibleDeviceIds(viewer),
        owner:
          viewer.role === 'admin'
            ? undefined
            : viewer.role === 'patient'
              ? viewer.id
              : EACH_DEVICE_CURRENT_PATIENT,
      };
    const device = await this.deps.visibleDevice(viewer, deviceId);
    return { ids: [deviceId], owner: deviceRowOwner(viewer, device) };
  }

  async vitalsPage(
    viewer: Viewer,
    deviceId: string | null,
    q: { limit: number; offset: number },
  ): Promise<Seed000VitalsList> {
    const { ids, owner } = await this.devices(viewer, deviceId);
    const [rows, total] = await Promise.all([
      this.deps.vitals.listOffsetPage(ids, q.limit, q.offset, owner),
      this.deps.vitals.countOf(ids, owner),
    ]);
    return { vitals: rows.map(toSeed000Vitals), total };
  }

  async latestVitals(
    viewer: Viewer,
    deviceId: string | null,
    includeEcg: boolean,
  ): Promise<Seed000Vitals> {
    const { ids, owner } = await this.devices(viewer, deviceId);
    const row = latestShown(
      await this.deps.vitals.latestOf(ids, owner),
      await this.deps.vitals.latestReceivedOf(ids, owner),
      (r) => r.received_at,
    );
    if (row === undefined) throw new DomainError('VITALS_NOT_FOUND');
    const view = toSeed000Vitals(row);
    if (!includeEcg) return view;
    const [chunk] =
      // The packet's own patient: whose rows of its device the viewer reads (`owner`).
      (
        await this.deps.vitals.listEcg(
          row.device_id,
          row.ts,
          row.ts + 1,
          1,
          owner === undefined ? undefined : row.patient_id,
        )
      ).filter((c) => c.ts === row.ts);
    if (chunk === undefined) return { ...view, ecg_samples: [] };
    const mv = decodeEcgInt16(chunk.samples, chunk.scale_mv);
    // The firmware's 12-bit counts, which the app reads as a `List<int>` (`.cast<int>()`) and
    // plots autoscaled: an ESP32's own counts back, any other device's mV on the same scale
    // (its mV as fractions made the app's ECG chart throw).
    const p = AD8232_ESP32_12BIT;
    const counts = Array.from(mv, (v) =>
      Math.round(v * (p.counts_per_mv ?? 1) + (p.zero_counts ?? 0)),
    );
    return { ...view, ecg_samples: counts };
  }

  async predictionsPage(
    viewer: Viewer,
    deviceId: string | null,
    q: { limit: number; offset: number },
  ): Promise<Seed000PredictionList> {
    const { ids, owner } = await this.devices(viewer, deviceId);
    const [rows, total] = await Promise.all([
      this.deps.predictions.listOffsetPage(ids, q.limit, q.offset, owner),
      this.deps.predictions.countOf(ids, owner),
    ]);
    return { predictions: rows.map(toSeed000Prediction), total };
  }

  async latestPrediction(viewer: Viewer, deviceId: string | null): Promise<Seed000Prediction> {
    const { ids, owner } = await this.devices(viewer, deviceId);
    const row = latestShown(
      await this.deps.predictions.latestOf(ids, owner),
      await this.deps.predictions.latestReceivedOf(ids, owner),
      (r) => r.packet_received_at,
    );
    if (row === undefined) throw new DomainError('PREDICTION_NOT_FOUND');
    return toSeed000Prediction(row);
  }
}
