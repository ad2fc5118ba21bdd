import type { ArrhythmiaSummary, HrvSummary, Prediction } from '@vigil/protocol';
import type { PacketAnalysis } from '../../adapters/ecg-analysis.adapter.js';
import type { AlertObservation } from '../../services/alert-rule-engine.js';
import type { EcgVitalsValues } from './ecg-vitals.normalizer.js';
import { bandPoints, NEWS2_PULSE_BANDS, type RiskModel } from './risk-model.js';

/** Since when a device's heart rate has been in its current NEWS2 band. */
export interface HrBand {
  points: number;
  since: number;
}

export interface EcgVitalsAssessorInput {
  /** The prediction's identity (the core's ids, the reading it scores). */
  ids: Pick<Prediction, 'id' | 'vitals_id' | 'device_id' | 'patient_id' | 'created_at'>;
  tsMs: number;
  values: Pick<EcgVitalsValues, 'hr' | 'spo2' | 'temp' | 'resp' | 'leadOff'>;
  /** The packet's ECG analysis; null when it had no ECG, arrived late or the analysis failed. */
  analysis: PacketAnalysis | null;
  analysisFailed: boolean;
  late: boolean;
  hrBand: HrBand | null;
  risk: RiskModel;
}

export interface EcgVitalsAssessment {
  prediction: Prediction;
  observation: AlertObservation;
  /** The device's HR band after this packet. */
  hrBand: HrBand | null;
}

/**
 * Analysis + vitals → prediction (risk score with reasons) and the alert rules' observation.
 * Pure: the analysis is done before, by the kind's analysis port, and storage after.
 */
export function assessEcgVitals(input: EcgVitalsAssessorInput): EcgVitalsAssessment {
  const { values: p, analysis: a, late, tsMs } = input;
  // Lead-off or noise: no heart rate rather than a wrong one, and the device's own HR (which
  // it derives from the same electrodes) is not trusted either.
  const analysable = a === null ? null : a.quality.analysable && p.leadOff !== true;
  // The first seconds of a stream (or after a gap) are too short to judge: that is no
  // verdict on the signal, so the device's own HR stands in and no "poor signal" is raised.
  const warmingUp =
    a !== null &&
    analysable === false &&
    p.leadOff !== true &&
    a.quality.reasons.length === 1 &&
    a.quality.reasons[0] === 'too-short';
  let hr: number | null = null;
  let hrSource: 'ecg' | 'device' | null = null;
  if (a !== null && analysable === true && a.heartRateBpm !== null) {
    hr = a.heartRateBpm;
    hrSource = 'ecg';
  } else if ((a === null || warmingUp) && p.hr !== null && p.leadOff !== true) {
    hr = p.hr;
    hrSource = 'device';
  }
  let hrBand = input.hrBand;
  let bandMs: number | null = null;
  if (hr !== null && !late) {
    const points = bandPoints(hr, NEWS2_PULSE_BANDS);
    if (hrBand?.points !== points) hrBand = { points, since: tsMs };
    bandMs = tsMs - hrBand.since;
  }
  const quality =
    a === null || warmingUp
      ? null
      : analysable === true
        ? a.quality
        : {
            analysable: false,
            score: a.quality.score,
            reasons: p.leadOff === true ? ['lead off', ...a.quality.reasons] : a.quality.reasons,
          };
  const arr = a?.arrhythmia ?? null;
  const usableArr = arr !== null && arr.withheld === null && analysable === true ? arr : null;
  const assessment = input.risk.assess({
    heartRateBpm: hr,
    heartRateSource: hrSource,
    heartRateBandDurationMs: bandMs,
    spo2Percent: p.spo2,
    temperatureC: p.temp,
    respiratoryRate: p.resp,
    qrsDurationMs: analysable === true ? (a?.qrsDurationMs ?? null) : null,
    ecgQuality: quality,
    arrhythmia:
      a === null || analysable !== true
        ? null
        : {
            afSinceMs: usableArr?.afSinceMs ?? null,
            vtRun:
              usableArr !== null && usableArr.vtRunBeats >= 3 && usableArr.vtRunAtMs !== null
                ? { beats: usableArr.vtRunBeats, atMs: usableArr.vtRunAtMs }
                : null,
            longestPauseMs: a.longestRrMs,
            vebPercent: usableArr?.vebPercent ?? null,
          },
    nowMs: tsMs,
  });
  if (input.analysisFailed) {
    assessment.reasons.push({
      code: 'ANALYSIS_FAILED',
      text: 'ECG not analysed: the analysis failed',
      points: 0,
    });
  }
  if (late) {
    assessment.reasons.push({
      code: 'LATE_PACKET',
      text: 'ECG not analysed: the packet arrived after later ones',
      points: 0,
    });
  }
  const hrv: HrvSummary | null =
    a?.hrv === null || a?.hrv === undefined || analysable !== true
      ? null
      : {
          window_ms: a.hrv.windowMs,
          n_beats: a.hrv.nBeats,
          mean_nn_ms: a.hrv.meanNnMs,
          sdnn_ms: a.hrv.sdnnMs,
          rmssd_ms: a.hrv.rmssdMs,
          pnn50: a.hrv.pnn50,
        };
  const arrhythmia: ArrhythmiaSummary | null =
    arr === null
      ? null
      : {
          af_since: usableArr?.afSinceMs ?? null,
          vt_run_beats: usableArr?.vtRunBeats ?? 0,
          longest_pause_ms: analysable === true ? (a?.longestRrMs ?? null) : null,
          veb_percent: usableArr?.vebPercent ?? null,
          sveb_percent: usableArr?.svebPercent ?? null,
          veb_beats: usableArr?.vebBeats ?? null,
          sveb_beats: usableArr?.svebBeats ?? null,
          episodes: arr.episodes,
          withheld: arr.withheld ?? (analysable === true ? null : 'signal not analysable'),
        };
  const prediction: Prediction = {
    ...input.ids,
    timestamp: tsMs,
    risk_score: assessment.riskScore,
    risk_label: assessment.riskLabel,
    confidence: assessment.confidence,
    model_version: assessment.modelVersion,
    reasons: assessment.reasons,
    heart_rate_bpm: hr === null ? null : Math.round(hr * 10) / 10,
    heart_rate_source: hrSource,
    qrs_duration_ms: a?.qrsDurationMs ?? null,
    analysable,
    quality_score: a === null ? null : Math.round(a.quality.score * 1000) / 1000,
    hrv,
    arrhythmia,
  };
  const observation: AlertObservation = {
    atMs: tsMs,
    heartRateBpm: hr,
    spo2Percent: p.spo2,
    temperatureC: p.temp,
    riskLabel: assessment.riskLabel,
    analysable: warmingUp ? null : analysable,
    afOngoing: usableArr === null ? null : usableArr.afSinceMs !== null,
    vtRunBeats: usableArr === null ? null : usableArr.vtRunBeats,
    longestPauseMs: analysable === true && a !== null ? (a.longestRrMs ?? 0) : null,
    afSinceMs: usableArr?.afSinceMs ?? null,
    vtRunAtMs: usableArr?.vtRunAtMs ?? null,
    longestPauseAtMs: analysable === true ? (a?.longestRrAtMs ?? null) : null,
  };
  return { prediction, observation, hrBand };
}
