import { SignalInputError } from '../errors.js';
import { assertIntervalSeries } from './assert-interval-series.js';
import type { Poincare } from './hrv-types.js';

export interface PoincareOptions {
  /** Adjacency of intervals as in `hrvTimeDomain` (default: all adjacent). */
  followsPrevious?: ArrayLike<number | boolean>;
}

/**
 * Poincaré plot descriptors of an NN series: the sample SDs of the pairs (NN_i, NN_i+1) projected
 * perpendicular to (SD1) and along (SD2) the identity line, SD1 = SD((NN_i+1 − NN_i)/√2) and
 * SD2 = SD((NN_i+1 + NN_i)/√2) (Brennan, Palaniswami & Kamen, IEEE TBME 2001;48:1342–7). Only
 * adjacent intervals form pairs. Needs at least two pairs.
 */
export function poincare(nnMs: ArrayLike<number>, options: PoincareOptions = {}): Poincare {
  assertIntervalSeries(nnMs, 'nnMs', 3);
  const { followsPrevious } = options;
  if (followsPrevious !== undefined && followsPrevious.length !== nnMs.length) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.followsPrevious',
      `followsPrevious has ${followsPrevious.length} entries for ${nnMs.length} intervals`,
    );
  }
  const across: number[] = [];
  const along: number[] = [];
  for (let i = 1; i < nnMs.length; i++) {
    if (followsPrevious !== undefined && !followsPrevious[i]) continue;
    const a = nnMs[i - 1] ?? 0;
    const b = nnMs[i] ?? 0;
    across.push((b - a) / Math.SQRT2);
    along.push((b + a) / Math.SQRT2);
  }
  if (across.length < 2) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'nnMs',
      `Poincaré descriptors need at least 2 pairs of adjacent intervals, got ${across.length}`,
    );
  }
  const sd = (values: number[]): number => {
    let mean = 0;
    for (const v of values) mean += v;
    mean /= values.length;
    let ss = 0;
    for (const v of values) ss += (v - mean) * (v - mean);
    return Math.sqrt(ss / (values.length - 1));
  };
  const sd1Ms = sd(across);
  const sd2Ms = sd(along);
  return {
    nPairs: across.length,
    sd1Ms,
    sd2Ms,
    sd1Sd2Ratio: sd2Ms > 0 ? sd1Ms / sd2Ms : NaN,
  };
}
