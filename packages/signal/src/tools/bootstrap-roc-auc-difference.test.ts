import { describe, expect, it } from 'vitest';
import { bootstrapRocAucDifference } from './bootstrap-roc-auc-difference.js';

describe('bootstrapRocAucDifference', () => {
  const labels = Array.from({ length: 40 }, (_, i) => i >= 20);

  it('is exactly 0 with a zero-width interval for the same scores twice', () => {
    const s = labels.map((y, i) => (y ? 0.4 : 0) + ((i * 7) % 10) / 10);
    expect(bootstrapRocAucDifference(s, s, labels)).toEqual({ difference: 0, low: 0, high: 0 });
  });

  it('excludes 0 when one method ranks every record right and the other half of them', () => {
    const perfect = labels.map((y, i) => (y ? 1 : 0) + i / 1000);
    // Positives and negatives interleaved: AUC 0.5 by construction.
    const chance = labels.map((_, i) => (i % 20) / 20);
    const r = bootstrapRocAucDifference(perfect, chance, labels);
    expect(r.difference).toBeCloseTo(0.5, 12);
    expect(r.low).toBeGreaterThan(0);
    expect(r.high).toBeLessThanOrEqual(0.75);
    expect(bootstrapRocAucDifference(perfect, chance, labels)).toEqual(r);
  });

  it('refuses scores and labels of different lengths', () => {
    expect(() => bootstrapRocAucDifference([0.1], [0.2, 0.3], [true])).toThrow(RangeError);
  });
});
