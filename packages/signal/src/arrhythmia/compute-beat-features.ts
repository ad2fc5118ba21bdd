import { SignalInputError } from '../errors.js';
import { createBeatFeatureExtractor } from './create-beat-feature-extractor.js';
import type { BeatFeatureExtractorOptions } from './create-beat-feature-extractor.js';

export interface BeatFeatureMatrix {
  /** Row-major, `nBeats × nFeatures`. */
  values: Float64Array;
  nBeats: number;
  nFeatures: number;
}

/**
 * Feature vectors of every beat of a single-lead ECG, computed by the same sequential extractor
 * the streaming monitor uses.
 *
 * @param ecgMv one ECG lead in mV
 * @param fs sampling rate in Hz
 * @param peaks R-peak sample indices, strictly increasing
 * @param options extractor options other than `fs` (default none: the shipped model's features)
 */
export function computeBeatFeatures(
  ecgMv: Float64Array,
  fs: number,
  peaks: Int32Array | readonly number[],
  options: Omit<BeatFeatureExtractorOptions, 'fs'> = {},
): BeatFeatureMatrix {
  if (!(ecgMv instanceof Float64Array)) {
    throw new SignalInputError('INVALID_ARGUMENT', 'ecgMv', 'ecgMv must be a Float64Array');
  }
  const extractor = createBeatFeatureExtractor({ ...options, fs });
  const n = peaks.length;
  const nf = extractor.nFeatures;
  const values = new Float64Array(n * nf);
  if (ecgMv.length === 0) return { values, nBeats: n, nFeatures: nf };
  const view = { x: ecgMv, offset: 0 };
  for (let k = 0; k < n; k++) {
    const prev = k > 0 ? (peaks[k - 1] ?? null) : null;
    const next = k + 1 < n ? (peaks[k + 1] ?? null) : null;
    values.set(extractor.next(view, prev, peaks[k] ?? 0, next), k * nf);
  }
  return { values, nBeats: n, nFeatures: nf };
}
