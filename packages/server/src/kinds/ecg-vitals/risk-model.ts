/**
 * Transparent, clinically grounded risk model for a monitored patient.
 *
 * There is no outcome-labelled data here to train a credible black-box model, so the score is
 * built from published vital-sign bands plus ECG findings, and every point it gives is returned
 * as a reason. A trained model can replace it later by implementing {@link RiskModel}.
 *
 * ALL thresholds used for risk live in this module (and nowhere else):
 *
 * 1. NEWS2 — Royal College of Physicians. National Early Warning Score (NEWS) 2: Standardising
 *    the assessment of acute-illness severity in the NHS. London: RCP, 2017. Chart 1 gives the
 *    per-parameter bands below (pulse, SpO2 scale 1, temperature, respiration rate); chart 2
 *    the clinical-response thresholds: aggregate 0, 1–4 "low", any single parameter scoring 3
 *    "low–medium", 5–6 "medium", ≥ 7 "high". Blood pressure, consciousness and supplemental
 *    oxygen are not measured by Vigil's devices and are therefore not scored; `confidence`
 *    drops accordingly.
 * 2. ECG findings (Vigil extension, not part of NEWS2; the point values are ours and chosen so
 *    that each finding alone reaches the response band its guideline asks for):
 *    - Ventricular tachycardia run (≥ 3 consecutive ventricular beats at > 100 bpm): 3 points
 *      ("urgent review"). 2017 AHA/ACC/HRS guideline for ventricular arrhythmias
 *      (Al-Khatib et al., Circulation 2018;138:e272).
 *    - Pause > 3 s: 3 points. 2018 ACC/AHA/HRS guideline on bradycardia (Kusumoto et al.,
 *      Circulation 2019;140:e382) treats pauses > 3 s as clinically significant. Pauses of
 *      2–3 s: 1 point.
 *    - Atrial fibrillation: 2 points (new AF needs clinical review for rate control and
 *      anticoagulation; 2020 ESC AF guideline, Hindricks et al., Eur Heart J 2021;42:373). The
 *      ventricular rate itself is already scored by the pulse band.
 *    - QRS ≥ 120 ms: 1 point (complete bundle-branch block / intraventricular conduction delay;
 *      AHA/ACCF/HRS recommendations for ECG interpretation part III, Surawicz et al.,
 *      Circulation 2009;119:e235).
 *    - Ventricular ectopic burden ≥ 10 % of beats: 1 point (frequent PVCs; burden above ~10 % is
 *      associated with PVC-induced cardiomyopathy, Baman et al., Heart Rhythm 2010;7:865).
 * 3. Signal quality: when the ECG is not analysable (lead-off, noise) no ECG finding is scored
 *    and the ECG-derived heart rate is not used; a "poor signal" reason is returned and the
 *    confidence is reduced. A wrong heart rate is worse than none.
 */

export const RISK_LABELS = ['normal', 'low', 'moderate', 'elevated', 'high'] as const;
export type RiskLabel = (typeof RISK_LABELS)[number];

/** One finding that contributed (or was noted) in a risk assessment. */
export interface RiskReason {
  /** Stable machine code, e.g. `HR_HIGH`, `SPO2_LOW`, `AF`. */
  code: string;
  /** Human text shown to clinicians, e.g. "HR 142 bpm for 3 min". */
  text: string;
  /** Points it added to the aggregate score (0 for informational reasons). */
  points: number;
}

export interface RiskInput {
  /** Heart rate in bpm: the ECG-derived one when analysable, else the device's, or null. */
  heartRateBpm: number | null;
  /** Where the heart rate came from (changes only the reason text). */
  heartRateSource: 'ecg' | 'device' | null;
  /** How long (ms) the heart rate has been in its current NEWS2 band, when known. */
  heartRateBandDurationMs?: number | null;
  spo2Percent: number | null;
  temperatureC: number | null;
  respiratoryRate: number | null;
  /** Median QRS duration of recent beats (ms), null if unknown. */
  qrsDurationMs: number | null;
  /** ECG signal quality; null when the packet carried no ECG. */
  ecgQuality: { analysable: boolean; score: number; reasons: string[] } | null;
  /** Arrhythmia findings from the live analysis, null when withheld or unavailable. */
  arrhythmia: {
    /** AF ongoing, and since when (ms since epoch). */
    afSinceMs: number | null;
    /** Most recent VT run in the assessment window, with its number of beats and start time. */
    vtRun: { beats: number; atMs: number } | null;
    /** Longest pause in the assessment window, ms. */
    longestPauseMs: number | null;
    /** Ventricular ectopic beats as % of all beats. */
    vebPercent: number | null;
  } | null;
  /** Wall-clock time of the assessment (ms since epoch), used for durations. */
  nowMs: number;
}

export interface RiskAssessment {
  riskScore: number;
  riskLabel: RiskLabel;
  confidence: number;
  modelVersion: string;
  reasons: RiskReason[];
}

/** A risk model: a trained model may replace the transparent one by implementing this. */
export interface RiskModel {
  readonly version: string;
  assess(input: RiskInput): RiskAssessment;
}

/** NEWS2 chart 1 bands, as [upper bound inclusive, points]; the last band has no upper bound. */
type Bands = readonly (readonly [number, number])[];

/** Pulse (bpm): ≤40 → 3, 41–50 → 1, 51–90 → 0, 91–110 → 1, 111–130 → 2, ≥131 → 3. */
export const NEWS2_PULSE_BANDS: Bands = [
  [40, 3],
  [50, 1],
  [90, 0],
  [110, 1],
  [130, 2],
  [Infinity, 3],
];
/** SpO2 scale 1 (%): ≤91 → 3, 92–93 → 2, 94–95 → 1, ≥96 → 0. */
export const NEWS2_SPO2_BANDS: Bands = [
  [91, 3],
  [93, 2],
  [95, 1],
  [Infinity, 0],
];
/** Temperature (°C): ≤35.0 → 3, 35.1–36.0 → 1, 36.1–38.0 → 0, 38.1–39.0 → 1, ≥39.1 → 2. */
export const NEWS2_TEMPERATURE_BANDS: Bands = [
  [35.0, 3],
  [36.0, 1],
  [38.0, 0],
  [39.0, 1],
  [Infinity, 2],
];
/** Respiration rate (breaths/min): ≤8 → 3, 9–11 → 1, 12–20 → 0, 21–24 → 2, ≥25 → 3. */
export const NEWS2_RESPIRATION_BANDS: Bands = [
  [8, 3],
  [11, 1],
  [20, 0],
  [24, 2],
  [Infinity, 3],
];

/** ECG finding thresholds and points (see the module comment for sources). */
export const ECG_RISK_THRESHOLDS = {
  wideQrsMs: 120,
  wideQrsPoints: 1,
  longPauseMs: 3000,
  longPausePoints: 3,
  pauseMs: 2000,
  pausePoints: 1,
  vtRunPoints: 3,
  afPoints: 2,
  vebBurdenPercent: 10,
  vebBurdenPoints: 1,
} as const;

/** Aggregate points at which the linear risk score saturates at 1. */
export const RISK_SCORE_SATURATION_POINTS = 10;

/**
 * Points of a value in a banded chart. Values are rounded to the chart's resolution first
 * (integers for pulse/SpO2/respiration, 0.1 °C for temperature) so 90.4 bpm counts as 90.
 */
export function bandPoints(value: number, bands: Bands, decimals = 0): number {
  const f = 10 ** decimals;
  const v = Math.round(value * f) / f;
  for (const [upper, points] of bands) {
    if (v <= upper) return points;
  }
  return 0;
}

/** NEWS2 clinical-response band → Vigil's seed-000 labels. */
export function labelForNews2(total: number, anySingleRed: boolean): RiskLabel {
  if (total >= 7) return 'high';
  if (total >= 5) return 'elevated';
  if (anySingleRed) return 'moderate';
  if (total >= 1) return 'low';
  return 'normal';
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  return `${Math.round(min / 60)} h`;
}

function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

export const NEWS2_MODEL_VERSION = 'news2-ecg-1.0';

/** The transparent NEWS2 + ECG-findings model described in the module comment. */
export function createNews2RiskModel(): RiskModel {
  return { version: NEWS2_MODEL_VERSION, assess: assessNews2 };
}

function assessNews2(input: RiskInput): RiskAssessment {
  const reasons: RiskReason[] = [];
  let total = 0;
  let anySingleRed = false;
  // Parameters NEWS2 scores that a Vigil device can measure; confidence is the share present.
  let present = 0;
  const scored = 4;
  const ecgUsable = input.ecgQuality === null || input.ecgQuality.analysable;

  const add = (code: string, text: string, points: number, news2 = true): void => {
    total += points;
    if (news2 && points >= 3) anySingleRed = true;
    reasons.push({ code, text, points });
  };

  if (input.ecgQuality !== null && !input.ecgQuality.analysable) {
    const why =
      input.ecgQuality.reasons.length > 0 ? ` (${input.ecgQuality.reasons.join(', ')})` : '';
    reasons.push({ code: 'POOR_SIGNAL', text: `poor signal${why}`, points: 0 });
  }

  if (input.heartRateBpm !== null) {
    present++;
    const hr = Math.round(input.heartRateBpm);
    const points = bandPoints(hr, NEWS2_PULSE_BANDS);
    if (points > 0) {
      const d = input.heartRateBandDurationMs;
      const dur = d !== undefined && d !== null && d >= 1000 ? ` for ${formatDuration(d)}` : '';
      add(hr > 90 ? 'HR_HIGH' : 'HR_LOW', `HR ${hr} bpm${dur}`, points);
    }
  }
  if (input.spo2Percent !== null) {
    present++;
    const s = Math.round(input.spo2Percent);
    const points = bandPoints(s, NEWS2_SPO2_BANDS);
    if (points > 0) add('SPO2_LOW', `SpO2 ${s}%`, points);
  }
  if (input.temperatureC !== null) {
    present++;
    const t = Math.round(input.temperatureC * 10) / 10;
    const points = bandPoints(t, NEWS2_TEMPERATURE_BANDS, 1);
    if (points > 0) add(t > 38 ? 'FEVER' : 'HYPOTHERMIA', `temperature ${t.toFixed(1)} °C`, points);
  }
  if (input.respiratoryRate !== null) {
    present++;
    const r = Math.round(input.respiratoryRate);
    const points = bandPoints(r, NEWS2_RESPIRATION_BANDS);
    if (points > 0) add(r > 20 ? 'RR_HIGH' : 'RR_LOW', `respiratory rate ${r}/min`, points);
  }

  const t = ECG_RISK_THRESHOLDS;
  if (ecgUsable) {
    if (input.qrsDurationMs !== null && input.qrsDurationMs >= t.wideQrsMs) {
      add('QRS_WIDE', `QRS ${Math.round(input.qrsDurationMs)} ms`, t.wideQrsPoints, false);
    }
    const a = input.arrhythmia;
    if (a !== null) {
      if (a.vtRun !== null) {
        add('VT_RUN', `${a.vtRun.beats}-beat VT run at ${clockTime(a.vtRun.atMs)}`, t.vtRunPoints);
      }
      if (a.longestPauseMs !== null && a.longestPauseMs > t.pauseMs) {
        const long = a.longestPauseMs > t.longPauseMs;
        add(
          'PAUSE',
          `pause ${(a.longestPauseMs / 1000).toFixed(1)} s`,
          long ? t.longPausePoints : t.pausePoints,
          long,
        );
      }
      if (a.afSinceMs !== null) {
        const d = Math.max(0, input.nowMs - a.afSinceMs);
        add('AF', `AF for ${formatDuration(d)}`, t.afPoints, false);
      }
      if (a.vebPercent !== null && a.vebPercent >= t.vebBurdenPercent) {
        add('VEB_BURDEN', `VEB burden ${Math.round(a.vebPercent)}%`, t.vebBurdenPoints, false);
      }
    }
  }

  const riskScore = Math.min(1, total / RISK_SCORE_SATURATION_POINTS);
  const quality =
    input.ecgQuality === null ? 1 : input.ecgQuality.analysable ? input.ecgQuality.score : 0.5;
  // Confidence: the share of NEWS2 parameters a device can measure that were present, scaled
  // by ECG quality; a floor of 0.1 because the label is still the best available estimate.
  const confidence = Math.max(0.1, Math.min(1, (present / scored) * (0.5 + 0.5 * quality)));
  reasons.sort((x, y) => y.points - x.points);
  return {
    riskScore: Math.round(riskScore * 1000) / 1000,
    riskLabel: labelForNews2(total, anySingleRed),
    confidence: Math.round(confidence * 1000) / 1000,
    modelVersion: NEWS2_MODEL_VERSION,
    reasons,
  };
}
