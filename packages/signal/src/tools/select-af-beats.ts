import { BEAT_FEATURE_NAMES } from '../arrhythmia/create-beat-feature-extractor.js';

export interface SelectAfBeatsOptions {
  /** Sampling rate in Hz (required). */
  fs: number;
  /** Record length in samples: an AF interval reaching 0 or this is a recording edge, not a rhythm change. */
  length: number;
  /**
   * Beats closer than this (s) to a rhythm change into or out of AF are left out, default 1: the
   * rhythm annotation is placed by hand, and the beat that starts an AF run is often an atrial
   * premature beat.
   */
  edgeS?: number;
  /**
   * A beat with QRS width over its running template's width at or above this is left out, default
   * 1.3: a ventricular beat is wide against the dominant (conducted) beat. With `minCorrQrs` 0.8
   * this drops 92.7 % of the DS1 VEBs and 6.2 % of its N beats (MLII, reference positions;
   * `packages/signal/bench/select-af-beats.ts`).
   */
  maxWidthRatio?: number;
  /** A beat whose QRS correlation with its running template is below this is left out, default 0.8. */
  minCorrQrs?: number;
}

/**
 * Training labels for beats of a recording whose only reference is its AF intervals (CPSC 2021's
 * rhythm annotations, a CinC 2017 strip labelled AF): a beat inside an AF interval is N in AAMI
 * terms (0), every other beat is left out (4, Q: not a training row). Beats outside AF are left
 * out because such sources mark every beat N, atrial premature beats included. Inside AF, beats
 * whose shape is unlike the strip's dominant beat are left out too (wide or poorly correlated
 * QRS): they may be ventricular, and teaching a PVC as N would cost VEB sensitivity; what these
 * rows are for is the irregular, narrow, conducted beat the classifier otherwise calls SVEB.
 *
 * @param peaks beat positions (samples, increasing)
 * @param features row-major feature vectors of the beats (BEAT_FEATURE_NAMES first, `nFeatures` per beat)
 * @param nFeatures features per beat (≥ BEAT_FEATURE_NAMES.length)
 * @param af reference AF intervals, [start, end) in samples
 */
export function selectAfBeats(
  peaks: Int32Array,
  features: Float64Array,
  nFeatures: number,
  af: readonly (readonly [number, number])[],
  options: SelectAfBeatsOptions,
): Int32Array {
  const { fs, length, edgeS = 1, maxWidthRatio = 1.3, minCorrQrs = 0.8 } = options;
  if (!(fs > 0)) throw new RangeError('fs must be > 0');
  if (nFeatures < BEAT_FEATURE_NAMES.length || features.length < peaks.length * nFeatures) {
    throw new RangeError('features must hold nFeatures ≥ BEAT_FEATURE_NAMES.length per beat');
  }
  const iWidth = BEAT_FEATURE_NAMES.indexOf('width/templateWidth');
  const iCorr = BEAT_FEATURE_NAMES.indexOf('corrQrs');
  const edge = Math.round(edgeS * fs);
  const labels = new Int32Array(peaks.length).fill(4);
  for (let i = 0; i < peaks.length; i++) {
    const p = peaks[i] ?? 0;
    const inside = af.some(
      ([s, e]) => p >= (s > 0 ? s + edge : s) && p < (e < length ? e - edge : e),
    );
    if (!inside) continue;
    const width = features[i * nFeatures + iWidth] ?? 0;
    const corr = features[i * nFeatures + iCorr] ?? 0;
    if (width >= maxWidthRatio || corr < minCorrQrs) continue;
    labels[i] = 0;
  }
  return labels;
}
