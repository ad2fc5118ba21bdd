import { rocAuc } from './roc-auc.js';
import { createRng } from '../synth/create-rng.js';

export interface BootstrapRocAucOptions {
  /** Number of resamples (default 2000). */
  resamples?: number;
  /** Seed of the resampling (default 1): the same inputs always give the same interval. */
  seed?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

/**
 * ROC AUC with a percentile bootstrap confidence interval (Efron & Tibshirani 1993, ch. 13):
 * records are resampled with replacement `resamples` times, resamples with one class only are
 * skipped, and the interval is the (1 − level)/2 and (1 + level)/2 quantiles of the AUCs. On a
 * few dozen records the interval is wide; it is printed so that nobody over-reads a change.
 */
export function bootstrapRocAuc(
  scores: readonly number[],
  labels: readonly boolean[],
  options: BootstrapRocAucOptions = {},
): { auc: number; low: number; high: number } {
  if (scores.length !== labels.length) throw new RangeError('scores and labels differ in length');
  const { resamples = 2000, seed = 1, level = 0.95 } = options;
  if (!(Number.isInteger(resamples) && resamples >= 10))
    throw new RangeError('resamples must be an integer ≥ 10');
  if (!(level > 0 && level < 1)) throw new RangeError('level must lie in (0, 1)');
  const auc = rocAuc(scores, labels);
  const rng = createRng(seed);
  const random = (): number => rng.uniform();
  const n = scores.length;
  const aucs: number[] = [];
  const s = new Array<number>(n);
  const y = new Array<boolean>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const k = Math.floor(random() * n);
      s[i] = scores[k] ?? NaN;
      y[i] = labels[k] === true;
    }
    const a = rocAuc(s, y);
    if (Number.isFinite(a)) aucs.push(a);
  }
  aucs.sort((a, b) => a - b);
  const at = (q: number): number =>
    aucs[Math.min(aucs.length - 1, Math.max(0, Math.floor(q * aucs.length)))] ?? NaN;
  return { auc, low: at((1 - level) / 2), high: at((1 + level) / 2) };
}
