import { rocAuc } from './roc-auc.js';
import { createRng } from '../synth/create-rng.js';
import type { BootstrapRocAucOptions } from './bootstrap-roc-auc.js';

/**
 * Difference of two ROC AUCs on the same records (AUC of `scoresA` − AUC of `scoresB`) with a
 * paired percentile bootstrap interval (Efron & Tibshirani 1993, ch. 13): each resample draws
 * records with replacement and scores both methods on the very same draw, so the interval
 * reflects the disagreement of the two methods, not the spread of each alone. An interval that
 * excludes 0 is evidence that one method ranks better; one that straddles it is not.
 * Resamples with one class only are skipped. Options as `bootstrapRocAuc` (2000 resamples,
 * seed 1, level 0.95).
 */
export function bootstrapRocAucDifference(
  scoresA: readonly number[],
  scoresB: readonly number[],
  labels: readonly boolean[],
  options: BootstrapRocAucOptions = {},
): { difference: number; low: number; high: number } {
  if (scoresA.length !== labels.length || scoresB.length !== labels.length)
    throw new RangeError('scoresA, scoresB and labels differ in length');
  const { resamples = 2000, seed = 1, level = 0.95 } = options;
  if (!(Number.isInteger(resamples) && resamples >= 10))
    throw new RangeError('resamples must be an integer ≥ 10');
  if (!(level > 0 && level < 1)) throw new RangeError('level must lie in (0, 1)');
  const difference = rocAuc(scoresA, labels) - rocAuc(scoresB, labels);
  const rng = createRng(seed);
  const n = labels.length;
  const a = new Array<number>(n);
  const b = new Array<number>(n);
  const y = new Array<boolean>(n);
  const diffs: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const k = Math.floor(rng.uniform() * n);
      a[i] = scoresA[k] ?? NaN;
      b[i] = scoresB[k] ?? NaN;
      y[i] = labels[k] === true;
    }
    const d = rocAuc(a, y) - rocAuc(b, y);
    if (Number.isFinite(d)) diffs.push(d);
  }
  diffs.sort((p, q) => p - q);
  const at = (q: number): number =>
    diffs[Math.min(diffs.length - 1, Math.max(0, Math.floor(q * diffs.length)))] ?? NaN;
  return { difference, low: at((1 - level) / 2), high: at((1 + level) / 2) };
}
