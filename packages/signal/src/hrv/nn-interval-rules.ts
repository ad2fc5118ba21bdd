import { SignalInputError } from '../errors.js';
import type { NnSeries } from './hrv-types.js';

/*
 * The NN rules of `nnIntervals`, deciding any range of intervals of a series: shared with the live
 * analyzer's rolling HRV (`createRollingHrv`), which re-decides only the intervals whose
 * neighbourhood changed. Internal: not exported from the package.
 */

/** The interval rules of `NnIntervalsOptions` with defaults applied and checked. */
export interface NnRules {
  minRrMs: number;
  maxRrMs: number;
  maxRelativeDeviation: number | null;
  medianWindow: number;
}

/** Applies the documented defaults of `NnIntervalsOptions` (its interval rules) and checks them. */
export function resolveNnRules(options: {
  minRrMs?: number;
  maxRrMs?: number;
  maxRelativeDeviation?: number | null;
  medianWindow?: number;
}): NnRules {
  const { minRrMs = 250, maxRrMs = 2000, maxRelativeDeviation = 0.2, medianWindow = 11 } = options;
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
  return { minRrMs, maxRrMs, maxRelativeDeviation, medianWindow };
}

/**
 * How far an interval's decision reaches: interval i depends on rr[i − reach … i + reach − 1] and
 * on the beats i − 1 … i + 1 (through its local median and the premature test of interval i − 1).
 * Decisions of intervals at least `reach` from both ends of a series do not depend on where the
 * series starts or ends.
 */
export function nnDecisionReach(rules: NnRules): number {
  return (rules.medianWindow >> 1) + 1;
}

/**
 * Median of values[0, n), sorted in place by insertion: windows hold ~10 values, and the live
 * analyzer runs this for the intervals near the ends of a 5 min window at each packet.
 */
function median(values: Float64Array, n: number): number {
  for (let i = 1; i < n; i++) {
    const v = values[i] ?? NaN;
    let j = i - 1;
    while (j >= 0 && (values[j] ?? NaN) > v) {
      values[j + 1] = values[j] ?? NaN;
      j--;
    }
    values[j + 1] = v;
  }
  const mid = n >> 1;
  return n % 2 === 1 ? (values[mid] ?? NaN) : ((values[mid - 1] ?? NaN) + (values[mid] ?? NaN)) / 2;
}

/**
 * Scratch of the local-median window (decisions run one at a time): a typed array with a count,
 * where emptying and refilling a JS array reallocated its storage for every interval.
 */
let medianScratch = new Float64Array(64);

/**
 * Decides the intervals [from, to) of the series rr[0, nRr) (interval i spans beats i and i + 1)
 * by the rules of `nnIntervals`, writing 1 (kept) or 0 into `keep[i]` and counting exclusions in
 * `excluded` when given. The result for an interval is the one `nnIntervals` gives for the whole
 * series.
 */
export function decideNnIntervals(
  rr: ArrayLike<number>,
  nRr: number,
  beatIsNormal: ArrayLike<boolean> | undefined,
  rules: NnRules,
  from: number,
  to: number,
  keep: { [i: number]: number },
  excluded: NnSeriesExclusions | null,
): void {
  const { minRrMs, maxRrMs, maxRelativeDeviation, medianWindow } = rules;
  const inRange = (v: number): boolean => v >= minRrMs && v <= maxRrMs;
  // Local reference: the median, over a centred window, of the mean of each two consecutive
  // in-range intervals. A premature beat shortens one interval and lengthens the next by about as
  // much (compensatory pause), so the two-interval mean stays near the sinus cycle even in
  // bigeminy, where the median of single intervals would pick the coupling interval.
  const half = medianWindow >> 1;
  const pairMeans = nRr - 1;
  const pairMean = (j: number): number => {
    const a = rr[j] ?? NaN;
    const b = rr[j + 1] ?? NaN;
    return inRange(a) && inRange(b) ? (a + b) / 2 : NaN;
  };
  if (medianScratch.length < medianWindow) medianScratch = new Float64Array(2 * medianWindow);
  const window = medianScratch;
  let previousPremature = false;
  // Interval from − 1 is decided again (not stored) for its premature flag.
  for (let i = Math.max(0, from - 1); i < to; i++) {
    const counted = i >= from;
    const v = rr[i] ?? NaN;
    const afterPremature = previousPremature;
    previousPremature = false;
    if (counted) keep[i] = 0;
    if (beatIsNormal !== undefined && !(beatIsNormal[i] === true && beatIsNormal[i + 1] === true)) {
      if (counted && excluded !== null) excluded.notNormalBeat++;
      continue;
    }
    if (!inRange(v)) {
      if (counted && excluded !== null) excluded.outOfRange++;
      continue;
    }
    if (maxRelativeDeviation !== null) {
      let nWindow = 0;
      for (let j = Math.max(0, i - half); j <= Math.min(pairMeans - 1, i + half - 1); j++) {
        const w = pairMean(j);
        if (!Number.isNaN(w)) window[nWindow++] = w;
      }
      const m = nWindow > 0 ? median(window, nWindow) : v;
      if (v < (1 - maxRelativeDeviation) * m) previousPremature = true;
      // The interval that starts at a premature beat goes too, even when the pause after it is
      // not fully compensatory (within 20 %): it does not end a normal cycle.
      if (afterPremature || Math.abs(v - m) > maxRelativeDeviation * m) {
        if (counted && excluded !== null) excluded.relativeDeviation++;
        continue;
      }
    }
    if (counted) keep[i] = 1;
  }
}

type NnSeriesExclusions = NnSeries['excluded'];
