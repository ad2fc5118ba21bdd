import { assertEcg12Input } from './assert-ecg12-input.js';

export interface Ecg12UnitsAssessment {
  units: 'mV' | 'relative';
  /** Why, in words (shown in the findings). */
  reason: string;
  /** rms(III − (II − I)) / rms(III): 0 when the limb leads obey Einthoven's law. */
  einthovenResidual: number;
  /**
   * Largest relative deviation from Einthoven/Goldberger of the least-squares coefficients of
   * III, aVR, aVL and aVF on I and II (nominal III = II − I, aVR = −(I + II)/2, aVL = I − II/2,
   * aVF = II − I/2): 0 for limb leads in one common unit, the ratio of two leads' scale factors
   * minus one when each lead was scaled on its own; NaN when I and II are proportional (then the
   * coefficients are undetermined and only the residual is checked).
   */
  limbCoefficientDeviation: number;
  /** Spread of the 12 leads' standard deviations (max / min). */
  sdRatio: number;
  /** Spread of the 12 leads' full ranges, max − min (max / min over leads). */
  rangeRatio: number;
  /** Spread of the 12 leads' largest absolute values (max / min over leads). */
  peakRatio: number;
  /** Median over leads of the 2nd–98th percentile range, input units. */
  medianRange: number;
}

function percentileRange(x: Float32Array | Float64Array): number {
  const step = Math.max(1, Math.floor(x.length / 1000));
  const v = new Float64Array(Math.ceil(x.length / step));
  for (let i = 0, k = 0; i < x.length; i += step, k++) v[k] = x[i] ?? 0;
  v.sort();
  return (v[Math.floor(0.98 * (v.length - 1))] ?? 0) - (v[Math.floor(0.02 * (v.length - 1))] ?? 0);
}

/** Least-squares coefficients (a, b) of y ≈ a·u + b·v. */
function fit2(
  y: Float32Array | Float64Array,
  u: Float32Array | Float64Array,
  v: Float32Array | Float64Array,
): { a: number; b: number } {
  let uu = 0;
  let uv = 0;
  let vv = 0;
  let uy = 0;
  let vy = 0;
  for (let i = 0; i < y.length; i++) {
    const a = u[i] ?? 0;
    const b = v[i] ?? 0;
    const c = y[i] ?? 0;
    uu += a * a;
    uv += a * b;
    vv += b * b;
    uy += a * c;
    vy += b * c;
  }
  const det = uu * vv - uv * uv;
  // I and II (nearly) proportional, as in a single-dipole model: the coefficients are undetermined.
  if (!(Math.abs(det) > 1e-4 * uu * vv)) return { a: NaN, b: NaN };
  return { a: (uy * vv - vy * uv) / det, b: (vy * uu - uy * uv) / det };
}

/** Standard deviation, minimum and maximum of one lead (one pass). */
function leadStats(x: Float32Array | Float64Array): { sd: number; lo: number; hi: number } {
  let s = 0;
  let s2 = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] ?? 0;
    s += v;
    s2 += v * v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const m = s / x.length;
  return { sd: Math.sqrt(Math.max(0, s2 / x.length - m * m)), lo, hi };
}

/**
 * Decides whether 12-lead amplitudes are plausibly millivolts, so voltage criteria (Sokolow–Lyon,
 * Cornell, ST thresholds in mV) may be applied. Three independent checks, any one failing makes
 * the record 'relative':
 * 1. Range: the median lead's 2–98 % range must lie in 0.1–8 mV. A resting ECG lead spans about
 *    0.3–3 mV (QRS 0.5–3 mV, AHA part V normal limits); ADC counts (×200–×1000) or volts
 *    (×0.001) fall far outside.
 * 2. Einthoven: III = II − I holds for any common scaling of the limb leads, and breaks when each
 *    lead was scaled by its own factor (per-lead z-scoring or min–max normalisation): the
 *    residual rms(III − (II − I)) / rms(III) must be < 0.35.
 *    The same law fixes the coefficients of III, aVR, aVL and aVF on I and II (Goldberger); when
 *    a least-squares fit of them is off by more than 15 % the leads were scaled one by one, even
 *    if the scale factors happen to be close enough for the residual to stay small.
 * 3. Equal spread: z-scored leads all have the same standard deviation, min–max normalised leads
 *    the same range, max-abs normalised leads the same peak, whereas the 12 leads of a real ECG
 *    differ several-fold (aVR vs V2); max/min over the 12 leads of any of the three below 1.15
 *    means normalised.
 * The limits are physiological ranges, not values fitted to any evaluation record.
 */
export function assessEcg12Units(
  leads: readonly (Float32Array | Float64Array)[],
  options: {
    samplingRateHz: number;
    /**
     * Indices of leads that carry no ECG (`findFlatEcg12Leads`). Default none. They are left out
     * of the equal-spread checks (a constant lead made every spread look physiological, hiding
     * per-lead normalisation of the others), and a flat limb lead (I–aVF) skips the
     * Einthoven/Goldberger checks: a dead lead II breaks III = II − I without any scaling (before,
     * such a record was called "leads scaled individually" and lost its voltage criteria).
     */
    flatLeads?: readonly number[];
  },
): Ecg12UnitsAssessment {
  assertEcg12Input(leads, options.samplingRateHz);
  const flatLeads = new Set(options.flatLeads ?? []);
  const limbLeadFlat = [0, 1, 2, 3, 4, 5].some((l) => flatLeads.has(l));
  const [lI, lII, lIII] = [leads[0], leads[1], leads[2]] as [
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  let num = 0;
  let den = 0;
  for (let i = 0; i < lI.length; i++) {
    const r = (lIII[i] ?? 0) - ((lII[i] ?? 0) - (lI[i] ?? 0));
    num += r * r;
    den += (lIII[i] ?? 0) ** 2;
  }
  const einthovenResidual = den > 0 ? Math.sqrt(num / den) : Infinity;
  const nominal: [number, number, number][] = [
    [2, -1, 1],
    [3, -0.5, -0.5],
    [4, 1, -0.5],
    [5, -0.5, 1],
  ];
  let limbCoefficientDeviation = 0;
  for (const [lead, a0, b0] of nominal) {
    const { a, b } = fit2(leads[lead] as Float32Array, lI, lII);
    const dev = Math.max(Math.abs(a / a0 - 1), Math.abs(b / b0 - 1));
    // NaN (undetermined) propagates: the check is then skipped, the residual check still applies.
    limbCoefficientDeviation = Number.isNaN(dev) ? NaN : Math.max(limbCoefficientDeviation, dev);
  }
  const spread = (v: number[]): number => Math.max(...v) / Math.max(1e-12, Math.min(...v));
  const stats = leads.filter((_, l) => !flatLeads.has(l)).map(leadStats);
  const sdRatio = spread(stats.map((t) => t.sd));
  const rangeRatio = spread(stats.map((t) => t.hi - t.lo));
  const peakRatio = spread(stats.map((t) => Math.max(t.hi, -t.lo)));
  const ranges = leads.map(percentileRange).sort((a, b) => a - b);
  const medianRange = ((ranges[5] ?? 0) + (ranges[6] ?? 0)) / 2;
  let reason = 'amplitudes plausible in mV and limb leads consistent (Einthoven)';
  let units: 'mV' | 'relative' = 'mV';
  if (!(medianRange >= 0.1 && medianRange <= 8)) {
    units = 'relative';
    reason = `median lead range ${medianRange.toPrecision(3)} is outside the 0.1-8 mV of a resting ECG (ADC counts or another unit)`;
  } else if (sdRatio < 1.15) {
    units = 'relative';
    reason = `the 12 leads have near-identical standard deviations (max/min ${sdRatio.toFixed(2)}): per-lead normalised input`;
  } else if (rangeRatio < 1.15 || peakRatio < 1.15) {
    units = 'relative';
    reason = `the 12 leads have near-identical ${rangeRatio < 1.15 ? `ranges (max/min ${rangeRatio.toFixed(2)})` : `peak values (max/min ${peakRatio.toFixed(2)})`}: per-lead normalised input`;
  } else if (limbLeadFlat) {
    // mV on the range and spread checks alone: the limb-lead laws cannot be checked without the lead.
    reason = 'amplitudes plausible in mV (Einthoven not checked: a limb lead is flat)';
  } else if (einthovenResidual > 0.35) {
    units = 'relative';
    reason = `III ≠ II − I (residual ${einthovenResidual.toFixed(2)}): leads scaled individually`;
  } else if (limbCoefficientDeviation > 0.15) {
    units = 'relative';
    reason = `the limb leads do not combine as Einthoven/Goldberger require (coefficients off by ${(100 * limbCoefficientDeviation).toFixed(0)} %): leads scaled individually`;
  }
  return {
    units,
    reason,
    einthovenResidual,
    limbCoefficientDeviation,
    sdRatio,
    rangeRatio,
    peakRatio,
    medianRange,
  };
}
