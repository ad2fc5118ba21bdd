import { describe, expect, it } from 'vitest';
import { aggregateCrySeconds } from './aggregate-cry-seconds.js';

describe('aggregateCrySeconds', () => {
  it('averages the highest share of the seconds, rounding the count up', () => {
    // 7 seconds, top 0.34 → ceil(2.38) = 3 seconds: 0.9, 0.8, 0.7.
    expect(aggregateCrySeconds([0.1, 0.9, 0.2, 0.8, 0.7, 0.0, 0.3], 0.34)).toBeCloseTo(0.8, 12);
  });

  it('is the mean for a share of 1 and the maximum for a tiny share', () => {
    expect(aggregateCrySeconds([0.2, 0.4, 0.9], 1)).toBeCloseTo(0.5, 12);
    expect(aggregateCrySeconds([0.2, 0.4, 0.9], 0.01)).toBe(0.9);
  });

  it('rejects an empty list and a share outside (0, 1]', () => {
    expect(() => aggregateCrySeconds([], 0.5)).toThrow(/empty/);
    expect(() => aggregateCrySeconds([0.5], 0)).toThrow(/topShare/);
  });
});
