import type { Ec57Result } from './ec57-compare.js';

export interface Ec57Gross {
  tp: number;
  fn: number;
  fp: number;
  /** Gross sensitivity in %: ΣTP / (ΣTP + ΣFN) over all records (EC57 "gross" statistic). */
  sensitivity: number;
  /** Gross positive predictivity in %: ΣTP / (ΣTP + ΣFP). */
  positivePredictivity: number;
}

/** Sums per-record EC57 counts into gross statistics (beats pooled over records). */
export function ec57Gross(results: readonly Pick<Ec57Result, 'tp' | 'fn' | 'fp'>[]): Ec57Gross {
  let tp = 0;
  let fn = 0;
  let fp = 0;
  for (const r of results) {
    tp += r.tp;
    fn += r.fn;
    fp += r.fp;
  }
  return {
    tp,
    fn,
    fp,
    sensitivity: tp + fn === 0 ? Number.NaN : (100 * tp) / (tp + fn),
    positivePredictivity: tp + fp === 0 ? Number.NaN : (100 * tp) / (tp + fp),
  };
}
