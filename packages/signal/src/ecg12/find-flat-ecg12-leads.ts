import { SignalInputError } from '../errors.js';
import { assertEcg12Input } from './assert-ecg12-input.js';

export interface FindFlatEcg12LeadsOptions {
  /** Sampling rate of every lead, Hz (250–1000). */
  samplingRateHz: number;
  /**
   * A lead is flat when its 2nd–98th percentile range is below this fraction of the median
   * lead's. Default 0.02. Unit-free, so it holds for mV, ADC counts and normalised input alike.
   * Over the 50 CinC 2021 development records the smallest live lead spans 19 % of the median
   * lead (E07504 aVL); the only leads below 2 % there are V2, V4 and V6 of JS20004 and JS20008,
   * which are all zeros (leads the recorder did not save).
   */
  minRangeFraction?: number;
}

/** 2nd–98th percentile range of a lead, from at most ~1000 evenly spaced samples. */
function percentileRange(x: Float32Array | Float64Array): number {
  const step = Math.max(1, Math.floor(x.length / 1000));
  const v = new Float64Array(Math.ceil(x.length / step));
  for (let i = 0, k = 0; i < x.length; i += step, k++) v[k] = x[i] ?? 0;
  v.sort();
  return (v[Math.floor(0.98 * (v.length - 1))] ?? 0) - (v[Math.floor(0.02 * (v.length - 1))] ?? 0);
}

/**
 * The leads of a 12-lead record (I, II, III, aVR, aVL, aVF, V1–V6) that carry no ECG: a constant
 * (a disconnected electrode the recorder writes as 0, a lead it did not save, an amplifier
 * railed at one value) or a trace whose range is a small fraction of the other leads'. Every
 * lead of a resting ECG shows at least its P, QRS and T (the smallest is a few tenths of a
 * millivolt, as III or aVL at a perpendicular axis), so a lead spanning under 2 % of the median
 * lead is not one. Returns the indices of the flat leads, ascending (none when the median lead
 * itself is flat: then the whole record is, which `measureEcg12` refuses on its own).
 */
export function findFlatEcg12Leads(
  leads: readonly (Float32Array | Float64Array)[],
  options: FindFlatEcg12LeadsOptions,
): number[] {
  assertEcg12Input(leads, options.samplingRateHz);
  const { minRangeFraction = 0.02 } = options;
  if (!(Number.isFinite(minRangeFraction) && minRangeFraction > 0 && minRangeFraction < 1)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.minRangeFraction',
      `minRangeFraction must be between 0 and 1, got ${minRangeFraction}`,
    );
  }
  const ranges = leads.map(percentileRange);
  const sorted = [...ranges].sort((a, b) => a - b);
  const median = ((sorted[5] ?? 0) + (sorted[6] ?? 0)) / 2;
  if (!(median > 0)) return [];
  const flat: number[] = [];
  ranges.forEach((r, l) => {
    if (r < minRangeFraction * median) flat.push(l);
  });
  return flat;
}
