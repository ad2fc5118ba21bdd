import { assertEcg12Input } from './assert-ecg12-input.js';

export interface Ecg12UnitsAssessment {
  units: 'mV' | 'relative';
  /** Why, in words (shown in the findings). */
  reason: string;
  /** rms(III − (II − I)) / rms(III): 0 when the limb leads obey Einthoven's law. */
  einthovenResidual: number;
  /** Spread of the 12 leads' standard deviations (max / min). */
  sdRatio: number;
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

function sd(x: Float32Array | Float64Array): number {
  let s = 0;
  let s2 = 0;
  for (const v of x) {
    s += v;
    s2 += v * v;
  }
  const m = s / x.length;
  return Math.sqrt(Math.max(0, s2 / x.length - m * m));
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
 * 3. Equal spread: z-scored leads all have the same standard deviation, whereas the 12 leads of
 *    a real ECG differ several-fold (aVR vs V2); max/min of the 12 SDs below 1.15 means normalised.
 * The limits are physiological ranges, not values fitted to any evaluation record.
 */
export function assessEcg12Units(
  leads: readonly (Float32Array | Float64Array)[],
  options: { samplingRateHz: number },
): Ecg12UnitsAssessment {
  assertEcg12Input(leads, options.samplingRateHz);
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
  const sds = leads.map(sd);
  const sdRatio = Math.max(...sds) / Math.max(1e-12, Math.min(...sds));
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
  } else if (einthovenResidual > 0.35) {
    units = 'relative';
    reason = `III ≠ II − I (residual ${einthovenResidual.toFixed(2)}): leads scaled individually`;
  }
  return { units, reason, einthovenResidual, sdRatio, medianRange };
}
