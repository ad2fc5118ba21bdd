import { SignalInputError } from '../errors.js';

export interface Ec57Options {
  /** Sampling frequency in Hz of both annotation streams. */
  fs: number;
  /** Beats before this time (s) are not scored (EC57 learning period). Default 300 s. */
  startS?: number;
  /** Match window in s: a detection within this of a reference beat matches it. Default 0.15. */
  matchWindowS?: number;
  /**
   * Sample intervals [start, end] (inclusive) where unmatched detections are not counted, e.g.
   * ventricular flutter/fibrillation episodes of the reference (bxb ignores test beats there).
   */
  ignoreIntervals?: readonly (readonly [number, number])[];
}

export interface Ec57Result {
  /** Reference beats matched by a detection. */
  tp: number;
  /** Reference beats without a detection. */
  fn: number;
  /** Detections without a reference beat (outside ignored intervals). */
  fp: number;
  /** Sensitivity TP / (TP + FN) in %, NaN when there are no reference beats. */
  sensitivity: number;
  /** Positive predictivity TP / (TP + FP) in %, NaN when there are no detections. */
  positivePredictivity: number;
  /** Samples (reference, test) of the mismatches, for inspection. */
  missed: number[];
  extra: number[];
}

/**
 * Beat-by-beat comparison of detected beats against reference beats per ANSI/AAMI EC57:1998 as
 * implemented by WFDB `bxb` (G. Moody): both sorted streams are walked together; the earlier of
 * the two current annotations is paired with the other stream's current annotation when they lie
 * within the match window and the pairing is better than the alternatives with the next
 * annotation (bxb's 2002 rule), otherwise it is counted as a false negative (reference) or false
 * positive (test). Scoring starts at `startS`; a detection up to one window before the start may
 * still match the first scored beat, and a detection just after the start that is closer to an
 * unscored reference beat is dropped, as bxb does.
 */
export function ec57Compare(
  reference: ArrayLike<number>,
  test: ArrayLike<number>,
  options: Ec57Options,
): Ec57Result {
  const { fs } = options;
  if (!Number.isFinite(fs) || fs <= 0) {
    throw new SignalInputError(
      'INVALID_SAMPLE_RATE',
      'options.fs',
      'fs must be a positive number of Hz',
    );
  }
  const start = Math.round((options.startS ?? 300) * fs);
  const window = Math.round((options.matchWindowS ?? 0.15) * fs);
  const ignore = options.ignoreIntervals ?? [];
  const ref = sortedNumbers(reference);
  const tst = sortedNumbers(test);

  let i = ref.findIndex((v) => v >= start);
  if (i < 0) i = ref.length;
  let j = tst.findIndex((v) => v >= start - window);
  if (j < 0) j = tst.length;
  const previousRef = i > 0 ? ref[i - 1] : undefined;
  // A detection just after the start belonging to an unscored beat is not an extra beat.
  const firstTest = tst[j];
  if (previousRef !== undefined && firstTest !== undefined && firstTest - previousRef <= window) {
    const firstRef = ref[i];
    if (firstRef === undefined || firstTest - previousRef < Math.abs(firstRef - firstTest)) j++;
  }

  let tp = 0;
  const missed: number[] = [];
  const extra: number[] = [];
  const inf = Number.POSITIVE_INFINITY;
  while (i < ref.length || j < tst.length) {
    const T = ref[i] ?? inf;
    const t = tst[j] ?? inf;
    const Tn = ref[i + 1] ?? inf;
    const tn = tst[j + 1] ?? inf;
    if (t < T) {
      if (T - t <= window && (T - t < Math.abs(T - tn) || Math.abs(Tn - tn) < Math.abs(T - tn))) {
        tp++;
        i++;
        j++;
      } else {
        if (t >= start && !ignore.some(([a, b]) => t >= a && t <= b)) extra.push(t);
        j++;
      }
    } else if (
      t - T <= window &&
      (t - T < Math.abs(t - Tn) || Math.abs(tn - Tn) < Math.abs(t - Tn))
    ) {
      tp++;
      i++;
      j++;
    } else {
      missed.push(T);
      i++;
    }
  }
  const fn = missed.length;
  const fp = extra.length;
  return {
    tp,
    fn,
    fp,
    sensitivity: tp + fn === 0 ? Number.NaN : (100 * tp) / (tp + fn),
    positivePredictivity: tp + fp === 0 ? Number.NaN : (100 * tp) / (tp + fp),
    missed,
    extra,
  };
}

function sortedNumbers(values: ArrayLike<number>): number[] {
  const out = Array.from(values);
  for (const v of out) {
    if (!Number.isFinite(v)) {
      throw new SignalInputError(
        'NON_FINITE_SAMPLE',
        'annotations',
        'sample indices must be finite',
      );
    }
  }
  return out.sort((a, b) => a - b);
}
