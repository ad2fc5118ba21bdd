import { SignalInputError } from '../errors.js';
import { assertIntervalSeries } from './assert-interval-series.js';
import type { HrvTimeDomain } from './hrv-types.js';

export interface HrvTimeDomainOptions {
  /**
   * Per interval, true/1 when interval i is adjacent to interval i-1 (as `nnIntervals` returns in
   * `followsPrevious`). Successive differences are taken only between adjacent intervals. Default:
   * all intervals are adjacent.
   */
  followsPrevious?: ArrayLike<number | boolean>;
  /**
   * Number of consecutive NN intervals averaged for HR min/max (default 5, the Kubios HRV
   * convention, so one short interval does not set the maximum). 1 = beat-to-beat extremes.
   */
  hrAverageBeats?: number;
}

/**
 * Differences of exactly 50 ms are common at 360 Hz (18 samples) and come out of the ms conversion
 * as 49.999999… or 50.000001 depending on the operands' rounding; "more than 50 ms" must not
 * depend on that, so differences within 1e-6 ms of the threshold count as equal to it.
 */
export const ROUNDING_MS = 1e-6;

/** Sample SD (n − 1) of values[0, n). */
function sampleSd(values: Float64Array, n: number, mean: number): number {
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? 0;
    ss += (v - mean) * (v - mean);
  }
  return Math.sqrt(ss / (n - 1));
}

/**
 * Time-domain HRV from NN intervals in ms, with the definitions of the Task Force of the ESC and
 * NASPE (Circulation 1996;93:1043–65): mean NN; SDNN = sample SD of NN (n−1); RMSSD = root mean
 * square of successive differences; SDSD = sample SD of successive differences; pNNx = percentage
 * of successive differences with |ΔNN| > x ms, over the number of differences (the Task Force
 * denominator; NeuroKit2 divides by the number of intervals instead); mean HR = 60000 / mean NN.
 *
 * Needs at least 2 intervals and one successive difference; fewer throw `SignalInputError`.
 */
export function hrvTimeDomain(
  nnMs: ArrayLike<number>,
  options: HrvTimeDomainOptions = {},
): HrvTimeDomain {
  assertIntervalSeries(nnMs, 'nnMs', 2);
  const { followsPrevious, hrAverageBeats = 5 } = options;
  if (followsPrevious !== undefined && followsPrevious.length !== nnMs.length) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.followsPrevious',
      `followsPrevious has ${followsPrevious.length} entries for ${nnMs.length} intervals`,
    );
  }
  if (!Number.isInteger(hrAverageBeats) || hrAverageBeats < 1) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.hrAverageBeats',
      `hrAverageBeats must be an integer ≥ 1, got ${hrAverageBeats}`,
    );
  }
  const n = nnMs.length;
  // Typed and indexed throughout: the live analyzer runs this on ~360 intervals at every packet.
  const nn = nnMs instanceof Float64Array ? nnMs : Float64Array.from(nnMs);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += nn[i] ?? 0;
  const meanNnMs = sum / n;
  const sdnnMs = sampleSd(nn, n, meanNnMs);

  const diffs = new Float64Array(Math.max(0, n - 1));
  let nDiffs = 0;
  for (let i = 1; i < n; i++) {
    const adjacent = followsPrevious === undefined ? true : Boolean(followsPrevious[i]);
    if (adjacent) diffs[nDiffs++] = (nn[i] ?? 0) - (nn[i - 1] ?? 0);
  }
  if (nDiffs === 0) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'nnMs',
      'no two adjacent NN intervals: successive differences are undefined',
    );
  }
  let ss = 0;
  let dSum = 0;
  let over50 = 0;
  let over20 = 0;
  for (let i = 0; i < nDiffs; i++) {
    const d = diffs[i] ?? 0;
    ss += d * d;
    dSum += d;
    const a = Math.abs(d);
    if (a > 50 + ROUNDING_MS) over50++;
    if (a > 20 + ROUNDING_MS) over20++;
  }
  const rmssdMs = Math.sqrt(ss / nDiffs);
  const sdsdMs = nDiffs > 1 ? sampleSd(diffs, nDiffs, dSum / nDiffs) : 0;

  const w = Math.min(hrAverageBeats, n);
  let windowSum = 0;
  for (let i = 0; i < w; i++) windowSum += nn[i] ?? 0;
  let minMean = windowSum / w;
  let maxMean = minMean;
  for (let i = w; i < n; i++) {
    windowSum += (nn[i] ?? 0) - (nn[i - w] ?? 0);
    const m = windowSum / w;
    if (m < minMean) minMean = m;
    if (m > maxMean) maxMean = m;
  }
  return {
    nIntervals: n,
    nDifferences: nDiffs,
    meanNnMs,
    sdnnMs,
    rmssdMs,
    sdsdMs,
    pnn50: (100 * over50) / nDiffs,
    pnn20: (100 * over20) / nDiffs,
    hrMeanBpm: 60000 / meanNnMs,
    hrMinBpm: 60000 / maxMean,
    hrMaxBpm: 60000 / minMean,
  };
}
