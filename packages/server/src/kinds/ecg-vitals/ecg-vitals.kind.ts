import type { Prediction, VitalsPacket } from '@vigil/protocol';
import type { EcgAnalysisPort, PacketAnalysis } from '../../adapters/ecg-analysis.adapter.js';
import type { VitalsTable } from '../../db/pipeline-schema.js';
import type { SignalKind } from '../../ingest/signal-kind.js';
import { decodeEcgInt16 } from '../../repositories/ecg-codec.js';
import { readJsonOrNull } from '../../repositories/json-column.js';
import type { VitalsRepository } from '../../repositories/vitals.repository.js';
import type { VitalsEventData } from '../../services/realtime-port.js';
import { assessEcgVitals, type HrBand } from './ecg-vitals.assessor.js';
import {
  createLiveEcg12State,
  feedLiveEcg12,
  type LiveEcg12Options,
  type LiveEcg12State,
} from './live-ecg12.js';
import { normalizeEcgVitals, type EcgVitalsValues } from './ecg-vitals.normalizer.js';
import {
  createEcgVitalsRepository,
  ecgVitalsContentOf,
  toUploadPrediction,
  type EcgVitalsRecord,
} from './ecg-vitals.repository.js';
import type { RiskModel } from './risk-model.js';

export interface EcgVitalsKindDeps {
  vitals: Pick<
    VitalsRepository,
    'writeUnits' | 'findByDeviceTs' | 'latest' | 'predictionOf' | 'listPackets' | 'lastPredictionTs'
  >;
  /** Devices heard since a time (several instances: what a new partition owner looks at). */
  devicesSeenSince?: (sinceMs: number) => Promise<string[]>;
  analysis: EcgAnalysisPort;
  risk: RiskModel;
  newId: () => string;
  /** Told of each packet whose ECG analysis failed (the packet is stored and scored anyway). */
  onAnalysisError?: (error: unknown) => void;
  /** Real-time 12-lead interpretation of multi-lead streams (absent: none). */
  liveEcg12?: LiveEcg12Options;
}

export type EcgVitalsKind = SignalKind<
  VitalsPacket,
  EcgVitalsValues,
  EcgVitalsRecord,
  Prediction,
  EcgVitalsDeviceState
>;

export interface EcgVitalsDeviceState {
  hrBand: HrBand | null;
  /** The device's rolling 12-lead window (multi-lead streams). */
  ecg12: LiveEcg12State;
}

/**
 * ECG vitals (seed 000: one ECG lead plus the device's own HR, SpO2, temperature, respiration):
 * streaming ECG analysis per device, a NEWS2-based risk score with reasons, a prediction stored
 * beside each packet.
 */
export function createEcgVitalsKind(deps: EcgVitalsKindDeps): EcgVitalsKind {
  return {
    name: 'ecg-vitals',
    // The cardiac-monitor ESP32 stamps windows before its first NTP answer with seconds since
    // boot: stored at the receive time and flagged, not lost (the seed-000 firmware without NTP).
    acceptsUnsyncedClock: true,
    normalize: normalizeEcgVitals,
    inputLockOf: (values) => values.locksTo,
    answerOf: (prediction, reading) => ({
      timestamp_unsynced: reading.deviceTsMs !== null,
      prediction: prediction === null ? null : toUploadPrediction(prediction),
    }),
    contentOf: ecgVitalsContentOf,
    durationMs: (v) => (v.samples.length > 0 ? (v.samples.length * 1000) / v.fs : 0),
    toRecord: (stored) => stored,
    liveEvent: (r) => ({
      type: 'vitals',
      patientId: r.patientId,
      deviceId: r.deviceId,
      data: vitalsEvent(r),
    }),
    createDeviceState: () => ({ hrBand: null, ecg12: createLiveEcg12State() }),
    copyDeviceState: (state) => ({ ...state }),
    async assess({ stored, state, gapBefore, late, nowMs }) {
      const v = stored.reading.values;
      let analysis: PacketAnalysis | null = null;
      let analysisFailed = false;
      if (v.samples.length > 0 && !late) {
        try {
          analysis = await deps.analysis.analyse({
            deviceId: stored.deviceId,
            fs: v.fs,
            startMs: stored.reading.tsMs,
            restart: gapBefore,
            chunkMv: v.samples,
            // All the leads of a multi-lead packet: its QRS width is measured from all of them.
            leadsMv: v.leads !== null && v.leads.names.length > 1 ? v.leads.samplesMv : null,
            railsMv: v.railsMv,
          });
        } catch (error) {
          // A failing analysis (a bug, a worker that died) must not lose the packet: it is
          // stored and scored on its vitals alone, like a late one, and the device's next packet
          // starts a new analysis session.
          analysisFailed = true;
          deps.onAnalysisError?.(error);
        }
      }
      const assessed = assessEcgVitals({
        ids: {
          id: deps.newId(),
          vitals_id: stored.id,
          device_id: stored.deviceId,
          patient_id: stored.patientId,
          created_at: nowMs,
        },
        tsMs: stored.reading.tsMs,
        values: v,
        analysis,
        analysisFailed,
        late,
        hrBand: state.hrBand,
        risk: deps.risk,
      });
      state.hrBand = assessed.hrBand;
      if (v.leads !== null && deps.liveEcg12 !== undefined && !late) {
        const outcome = await feedLiveEcg12(state.ecg12, deps.liveEcg12, {
          deviceId: stored.deviceId,
          leads: v.leads,
          fsHz: v.fs,
          startMs: stored.reading.tsMs,
          restart: gapBefore,
        });
        // Said beside the risk reasons (0 points: the MI alert is its own rule, not the score).
        const say = (code: string, text: string) =>
          assessed.prediction.reasons.push({ code, text, points: 0 });
        if (outcome.status === 'not_assessable') say('MI_NOT_ASSESSABLE', outcome.text);
        else if (outcome.status === 'not_interpretable')
          say('ECG12_NOT_INTERPRETABLE', outcome.text);
        else if (outcome.status === 'interpreted') {
          const r = outcome.result;
          if (outcome.miCriteria.length > 0)
            say('MI_12LEAD', `12-lead MI criteria: ${outcome.miCriteria.join('; ')}`);
          else
            say(
              'ECG12_NO_MI',
              `12-lead window: no MI criteria (top class ${r.topClass}, p(MI) ${r.probabilities.MI.toFixed(2)})`,
            );
          assessed.observation.mi12Criteria = outcome.miCriteria;
        }
      }
      return {
        record: assessed.prediction,
        events: [
          {
            type: 'prediction',
            patientId: stored.patientId,
            deviceId: stored.deviceId,
            data: assessed.prediction,
          },
        ],
        observation: assessed.observation,
      };
    },
    repository: createEcgVitalsRepository(deps.vitals),
    stored: {
      async unassessedAfter(deviceId, { afterTs, receivedSinceMs, limit }) {
        const rows = await deps.vitals.listPackets(deviceId, {
          afterTs,
          receivedSinceMs,
          unassessedOnly: true,
          limit,
        });
        return rows.map(storedReadingOfRow);
      },
      lastAssessedTs: (deviceId) => deps.vitals.lastPredictionTs(deviceId),
      devicesSince: (sinceMs) => deps.devicesSeenSince?.(sinceMs) ?? Promise.resolve([]),
      async warmUp({ deviceId, fromTs, toTs }) {
        const rows = await deps.vitals.listPackets(deviceId, {
          afterTs: fromTs,
          toTs,
          unassessedOnly: false,
          limit: 1000,
        });
        let last: { timestampMs: number; sequence: number | null; durationMs: number } | null =
          null;
        for (const row of rows) {
          const v = storedReadingOfRow(row).reading.values;
          if (v.samples.length === 0) continue;
          try {
            // What is found is discarded: it was found and stored by the previous owner.
            await deps.analysis.analyse({
              deviceId,
              fs: v.fs,
              startMs: row.ts,
              restart: last === null,
              chunkMv: v.samples,
              railsMv: null,
            });
          } catch (error) {
            deps.onAnalysisError?.(error);
            return null;
          }
          last = {
            timestampMs: row.ts,
            sequence: row.sequence,
            durationMs: (v.samples.length * 1000) / v.fs,
          };
        }
        return last;
      },
    },
  };
}

/**
 * A stored packet as the ingest core knows a new one: ECG from its int16 chunk (so within half
 * a count of what arrived), one lead (the rhythm lead of a multi-lead packet), no ADC rails.
 */
function storedReadingOfRow(row: VitalsTable): EcgVitalsRecord {
  const samples =
    row.ecg_samples === null || row.ecg_scale_mv === null
      ? new Float64Array(0)
      : decodeEcgInt16(row.ecg_samples, row.ecg_scale_mv);
  return {
    id: row.id,
    deviceId: row.device_id,
    patientId: row.patient_id,
    receivedAtMs: row.received_at,
    reading: {
      index: 0,
      tsMs: row.ts,
      deviceTsMs: row.device_ts,
      sequence: row.sequence,
      values: {
        fs: row.ecg_sample_rate_hz,
        samples,
        hr: row.heart_rate_bpm,
        spo2: row.spo2_percent,
        temp: row.temperature_c,
        resp: row.respiratory_rate,
        battery: row.battery_percent,
        leadOff: row.lead_off === null ? null : row.lead_off === 1,
        input: row.ecg_input ?? 'mv',
        unitsKnown: row.ecg_input !== 'unknown',
        railsMv: null,
        windowMs: row.window_ms,
        // Text on SQLite, jsonb (already parsed) on PostgreSQL: JSON.parse of a parsed array
        // threw, so a new owner's warm-up and catch-up failed (500) for every firmware device
        // that sends beat_timestamps_ms.
        beatTimestampsMs: readJsonOrNull(row.beat_timestamps_ms) as number[] | null,
        leads: null,
        locksTo: null,
      },
    },
  };
}

function vitalsEvent(r: EcgVitalsRecord): VitalsEventData {
  const v = r.reading.values;
  let ecg: VitalsEventData['ecg'] | undefined;
  const event: VitalsEventData = {
    vitals_id: r.id,
    device_id: r.deviceId,
    patient_id: r.patientId,
    timestamp: r.reading.tsMs,
    heart_rate_bpm: v.hr,
    spo2_percent: v.spo2,
    temperature_c: v.temp,
    respiratory_rate: v.resp,
    battery_percent: v.battery,
    lead_off: v.leadOff,
    // Built only if the event is serialised (someone may receive it): most packets of a busy
    // server are watched by nobody, and the array is most of the event's cost.
    get ecg() {
      return (ecg ??= { fs: v.fs, samples_mv: Array.from(v.samples) });
    },
  };
  const leads = v.leads;
  if (leads !== null) {
    let built: VitalsEventData['leads'];
    // A multi-lead packet's leads, for the dashboard's 12-lead strip; built only if serialised.
    Object.defineProperty(event, 'leads', {
      enumerable: true,
      get: () =>
        (built ??= {
          names: leads.names,
          samples_mv: leads.samplesMv.map((l) => Array.from(l, (x) => Math.round(x * 1000) / 1000)),
        }),
    });
  }
  return event;
}
