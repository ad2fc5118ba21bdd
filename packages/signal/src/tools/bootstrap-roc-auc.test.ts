import { describe, expect, it } from 'vitest';
import { bootstrapRocAuc } from './bootstrap-roc-auc.js';

describe('bootstrapRocAuc', () => {
  it('brackets the AUC, narrows with more records and repeats exactly for the same seed', () => {
    // Scores overlapping between classes: AUC 0.75 by construction (12 of 16 pairs ordered).
    const scores = [0.1, 0.3, 0.5, 0.7, 0.2, 0.6, 0.8, 0.9];
    const labels = [false, false, false, false, true, true, true, true];
    const small = bootstrapRocAuc(scores, labels);
    expect(small.auc).toBeCloseTo(0.75, 12);
    expect(small.low).toBeLessThan(small.auc);
    expect(small.high).toBeGreaterThan(small.auc);
    expect(bootstrapRocAuc(scores, labels)).toEqual(small);
    const big = bootstrapRocAuc(
      Array.from({ length: 10 }, () => scores).flat(),
      Array.from({ length: 10 }, () => labels).flat(),
    );
    expect(big.high - big.low).toBeLessThan(small.high - small.low);
  });

  it('gives a zero-width interval for a perfect ranking', () => {
    const r = bootstrapRocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true], { resamples: 200 });
    expect(r).toEqual({ auc: 1, low: 1, high: 1 });
  });
});
