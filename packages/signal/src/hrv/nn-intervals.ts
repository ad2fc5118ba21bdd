import { SignalInputError } from '../errors.js';
import { assertPeakIndices } from './assert-peak-indices.js';
import { assertSamplingRate } from './assert-sampling-rate.js';
import type { NnSeries } from './hrv-types.js';

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
 * Median of a short list, sorted in place by insertion: windows hold ~10 values, and the live
 * analyzer runs this for every interval of a 5 min window at each packet.
 */
function median(values: number[]): number {
  for (let i = 1; i < values.length; i++) {
    const v = values[i] ?? NaN;
    let j = i - 1;
    while (j >= 0 && (values[j] ?? NaN) > v) {
      values[j + 1] = values[j] ?? NaN;
      j--;
    }
    values[j + 1] = v;
  }
  const mid = values.length >> 1;
  return values.length % 2 === 1
    ? (values[mid] ?? NaN)
    : ((values[mid - 1] ?? NaN) + (values[mid] ?? NaN)) / 2;
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
  const {
    beatIsNormal,
    minRrMs = 250,
    maxRrMs = 2000,
    maxRelativeDeviation = 0.2,
    medianWindow = 11,
  } = options;
  if (!Number.isFinite(minRrMs) || !Number.isFinite(maxRrMs) || minRrMs < 0 || maxRrMs <= minRrMs) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.maxRrMs',
      `need 0 ≤ minRrMs < maxRrMs, got ${minRrMs} and ${maxRrMs}`,
    );
  }
  if (
    maxRelativeDeviation !== null &&
    (!Number.isFinite(maxRelativeDeviation) || maxRelativeDeviation <= 0)
  ) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.maxRelativeDeviation',
      `maxRelativeDeviation must be > 0 or null, got ${String(maxRelativeDeviation)}`,
    );
  }
  if (!Number.isInteger(medianWindow) || medianWindow < 3 || medianWindow % 2 === 0) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.medianWindow',
      `medianWindow must be an odd integer ≥ 3, got ${medianWindow}`,
    );
  }
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
  const inRange = (v: number): boolean => v >= minRrMs && v <= maxRrMs;

  // Local reference: the median, over a centred window, of the mean of each two consecutive
  // in-range intervals. A premature beat shortens one interval and lengthens the next by about as
  // much (compensatory pause), so the two-interval mean stays near the sinus cycle even in
  // bigeminy, where the median of single intervals would pick the coupling interval.
  const keep = new Uint8Array(nRr);
  const excluded = { notNormalBeat: 0, outOfRange: 0, relativeDeviation: 0 };
  const half = medianWindow >> 1;
  const pairMean = new Float64Array(Math.max(0, nRr - 1)).fill(NaN);
  for (let i = 0; i + 1 < nRr; i++) {
    const a = rr[i] ?? NaN;
    const b = rr[i + 1] ?? NaN;
    if (inRange(a) && inRange(b)) pairMean[i] = (a + b) / 2;
  }
  const window: number[] = [];
  let previousPremature = false;
  for (let i = 0; i < nRr; i++) {
    const v = rr[i] ?? NaN;
    const afterPremature = previousPremature;
    previousPremature = false;
    if (beatIsNormal !== undefined && !(beatIsNormal[i] === true && beatIsNormal[i + 1] === true)) {
      excluded.notNormalBeat++;
      continue;
    }
    if (!inRange(v)) {
      excluded.outOfRange++;
      continue;
    }
    if (maxRelativeDeviation !== null) {
      window.length = 0;
      for (let j = Math.max(0, i - half); j <= Math.min(pairMean.length - 1, i + half - 1); j++) {
        const w = pairMean[j] ?? NaN;
        if (!Number.isNaN(w)) window.push(w);
      }
      const m = window.length > 0 ? median(window) : v;
      if (v < (1 - maxRelativeDeviation) * m) previousPremature = true;
      // The interval that starts at a premature beat goes too, even when the pause after it is
      // not fully compensatory (within 20 %): it does not end a normal cycle.
      if (afterPremature || Math.abs(v - m) > maxRelativeDeviation * m) {
        excluded.relativeDeviation++;
        continue;
      }
    }
    keep[i] = 1;
  }

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
