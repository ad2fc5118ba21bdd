import { SignalInputError } from '../errors.js';
import { assertPeakIndices } from './assert-peak-indices.js';
import { assertSamplingRate } from './assert-sampling-rate.js';
import type { NnSeries } from './hrv-types.js';
import { decideNnIntervals, resolveNnRules } from './nn-interval-rules.js';

export interface NnIntervalsOptions {
  /**
   * Per beat (same length as `peaks`): true when the beat is a normal (sinus) beat. An interval is
   * kept only when both its beats are normal (Task Force 1996, "NN" = normal-to-normal). Default:
   * every beat is treated as normal and only the interval rules below apply.
   */
  beatIsNormal?: ArrayLike<boolean>;
  /** Shortest plausible RR interval in ms (default 250 ms = 240 bpm). */
  minRrMs?: number;
  /** Longest plausible RR interval in ms (default 2000 ms = 30 bpm; longer = pause or missed beat). */
  maxRrMs?: number;
  /**
   * Largest relative deviation from the local median RR (default 0.2, the 20 % criterion of
   * Malik et al. 1989 / Kamath & Fallen 1995). `null` disables the rule.
   */
  maxRelativeDeviation?: number | null;
  /** Number of RR intervals (odd, centred on the tested one) in the local median (default 11). */
  medianWindow?: number;
}

/**
 * Normal-to-normal intervals from beat positions, with ectopic beats and artefacts removed.
 *
 * Rules, applied to each RR interval (interval i spans beats i and i+1):
 * 1. both beats normal when `beatIsNormal` is given (so both intervals around an ectopic beat go);
 * 2. `minRrMs ≤ RR ≤ maxRrMs` (double detections, missed beats and pauses go);
 * 3. the 20 % criterion: |RR − m| ≤ 0.2 · m, where m is a local reference, the median over a
 *    window of `medianWindow` intervals centred on it of the mean of each two consecutive
 *    in-range intervals. Malik et al. (1989) and Kamath & Fallen (1995) compare with the previous
 *    accepted interval; a centred median keeps one wrong interval from becoming the reference for
 *    the following ones, and two-interval means keep the reference at the sinus cycle in
 *    bigeminy (coupling interval + compensatory pause ≈ two cycles);
 * 4. the interval that starts at a premature beat (RR < 0.8 · m) goes too, so both intervals
 *    around an ectopic beat are removed even without beat labels.
 *
 * Deleting (not interpolating) intervals follows the Task Force's recommendation for time-domain
 * measures; `followsPrevious` records the gaps so successive differences never span one.
 *
 * @param peaks beat positions (sample indices, strictly increasing)
 * @param fs sampling rate of `peaks` in Hz
 */
export function nnIntervals(
  peaks: ArrayLike<number>,
  fs: number,
  options: NnIntervalsOptions = {},
): NnSeries {
  assertPeakIndices(peaks, 'peaks');
  assertSamplingRate(fs, 'fs');
  const { beatIsNormal } = options;
  const rules = resolveNnRules(options);
  if (beatIsNormal !== undefined && beatIsNormal.length !== peaks.length) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.beatIsNormal',
      `beatIsNormal has ${beatIsNormal.length} entries for ${peaks.length} beats`,
    );
  }

  const msPerSample = 1000 / fs;
  const nRr = Math.max(0, peaks.length - 1);
  const rr = new Float64Array(nRr);
  for (let i = 0; i < nRr; i++) rr[i] = ((peaks[i + 1] ?? 0) - (peaks[i] ?? 0)) * msPerSample;
  const keep = new Uint8Array(nRr);
  const excluded = { notNormalBeat: 0, outOfRange: 0, relativeDeviation: 0 };
  decideNnIntervals(rr, nRr, beatIsNormal, rules, 0, nRr, keep, excluded);

  let count = 0;
  for (let i = 0; i < nRr; i++) count += keep[i] ?? 0;
  const nnMs = new Float64Array(count);
  const timesMs = new Float64Array(count);
  const followsPrevious = new Uint8Array(count);
  let k = 0;
  for (let i = 0; i < nRr; i++) {
    if (keep[i] !== 1) continue;
    nnMs[k] = rr[i] ?? NaN;
    timesMs[k] = (peaks[i + 1] ?? 0) * msPerSample;
    followsPrevious[k] = k > 0 && i > 0 && keep[i - 1] === 1 ? 1 : 0;
    k++;
  }
  return { nnMs, timesMs, followsPrevious, nRr, excluded };
}
