import { SignalInputError } from '../errors.js';
import { designButterworth } from './design-butterworth.js';
import { filtfilt } from './filtfilt.js';

export interface RemoveBaselineOptions {
  /** Sampling frequency in Hz. */
  fs: number;
  /**
   * High-pass cutoff in Hz. Default 0.5 Hz, the upper edge AHA/IEC recommend for diagnostic
   * ECG baseline filtering when it is zero-phase (Kligfield et al., Circulation 2007;115:1306).
   */
  cutoffHz?: number;
  /** Butterworth order (applied twice, forwards and backwards). Default 2. */
  order?: number;
}

/**
 * Removes baseline wander (respiration, electrode motion) with a zero-phase Butterworth
 * high-pass, so QRS and ST morphology are not shifted in time. Offline only; the live path uses
 * a causal `createSosFilter(designButterworth({ type: 'highpass', ... }))`.
 */
export function removeBaseline(
  x: Float64Array | Float32Array,
  options: RemoveBaselineOptions,
): Float64Array {
  if (x.length === 0)
    throw new SignalInputError('EMPTY_INPUT', 'x', 'cannot filter an empty signal');
  const sections = designButterworth({
    type: 'highpass',
    order: options.order ?? 2,
    cutoffHz: options.cutoffHz ?? 0.5,
    fs: options.fs,
  });
  return filtfilt(x, sections);
}
