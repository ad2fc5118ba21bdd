import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { fuseLeadProbabilities } from './fuse-lead-probabilities.js';
import type { LeadFusionRule } from './fuse-lead-probabilities.js';

const p = (...v: number[]): Float64Array => Float64Array.from(v);

describe('fuseLeadProbabilities', () => {
  it('averages the two leads by default (N / SVEB / VEB / F)', () => {
    const fused = fuseLeadProbabilities(p(0.9, 0.05, 0.05, 0), p(0.1, 0.05, 0.85, 0));
    [0.5, 0.05, 0.45, 0].forEach((v, c) => {
      expect(fused[c]).toBeCloseTo(v, 12);
    });
  });

  it('log-mean is the renormalised geometric mean', () => {
    // sqrt(0.5 * 0.9) : sqrt(0.5 * 0.1) = 3 : 1.
    const fused = fuseLeadProbabilities(p(0.5, 0.5), p(0.9, 0.1), { rule: 'log-mean' });
    expect(fused[0]).toBeCloseTo(0.75, 12);
    expect(fused[1]).toBeCloseTo(0.25, 12);
  });

  it('confidence gives a uniform (entropy-maximal) lead no weight', () => {
    const fused = fuseLeadProbabilities(p(0.97, 0.01, 0.01, 0.01), p(0.25, 0.25, 0.25, 0.25), {
      rule: 'confidence',
    });
    expect(fused[0]).toBeCloseTo(0.97, 5);
    // Two leads equally sure: the plain mean.
    const even = fuseLeadProbabilities(p(0.9, 0.1), p(0.1, 0.9), { rule: 'confidence' });
    expect(even[0]).toBeCloseTo(0.5, 12);
  });

  it('a lead whose beat is noise-like does not vote, unless both are', () => {
    const a = p(0.9, 0.1);
    const b = p(0.2, 0.8);
    for (const rule of ['mean', 'log-mean', 'confidence'] as LeadFusionRule[]) {
      expect([...fuseLeadProbabilities(a, b, { rule, secondNoisy: true })]).toEqual([0.9, 0.1]);
      expect([...fuseLeadProbabilities(a, b, { rule, firstNoisy: true })]).toEqual([0.2, 0.8]);
    }
    const both = fuseLeadProbabilities(a, b, { firstNoisy: true, secondNoisy: true });
    expect(both[0]).toBeCloseTo(0.55, 12);
  });

  it('weights multiply each rule: a lead weighing 0 does not count', () => {
    // (3 × 0.8 + 1 × 0.4) / 4 = 0.7.
    const mean = fuseLeadProbabilities(p(0.8, 0.2), p(0.4, 0.6), { weights: [3, 1] });
    expect(mean[0]).toBeCloseTo(0.7, 12);
    // 0.5^(1/4) · 0.9^(3/4) : 0.5^(1/4) · 0.1^(3/4) = 9^(3/4) : 1.
    const log = fuseLeadProbabilities(p(0.5, 0.5), p(0.9, 0.1), {
      rule: 'log-mean',
      weights: [1, 3],
    });
    expect(log[0]).toBeCloseTo(9 ** 0.75 / (9 ** 0.75 + 1), 12);
    for (const rule of ['mean', 'log-mean', 'confidence'] as LeadFusionRule[]) {
      const alone = fuseLeadProbabilities(p(0.9, 0.1), p(0.2, 0.8), { rule, weights: [1, 0] });
      expect(alone[0]).toBeCloseTo(0.9, 12);
    }
    // Two leads equally sure, the second trusted 3 times as much: 0.25 × 0.9 + 0.75 × 0.1.
    const conf = fuseLeadProbabilities(p(0.9, 0.1), p(0.1, 0.9), {
      rule: 'confidence',
      weights: [1, 3],
    });
    expect(conf[0]).toBeCloseTo(0.3, 12);
  });

  it('onlyClass fuses that class and keeps the first lead proportions of the others', () => {
    // N / SVEB / VEB / F: VEB (0.1 + 0.5) / 2 = 0.3; N : SVEB stays 6 : 3 of the 0.7 left.
    const a = p(0.6, 0.3, 0.1, 0);
    const fused = fuseLeadProbabilities(a, p(0.5, 0, 0.5, 0), { onlyClass: 2 }, a);
    expect(fused).toBe(a);
    [0.7 * (6 / 9), 0.7 * (3 / 9), 0.3, 0].forEach((v, c) => {
      expect(fused[c]).toBeCloseTo(v, 12);
    });
    // The first lead sure of the class: the rest is shared evenly.
    const sure = fuseLeadProbabilities(p(0, 0, 1, 0), p(1, 0, 0, 0), { onlyClass: 2 });
    [1 / 6, 1 / 6, 0.5, 1 / 6].forEach((v, c) => {
      expect(sure[c]).toBeCloseTo(v, 12);
    });
  });

  it('writes into the first lead array when given as out', () => {
    const a = p(0.6, 0.4);
    expect(fuseLeadProbabilities(a, p(0.2, 0.8), {}, a)).toBe(a);
    expect(a[0]).toBeCloseTo(0.4, 12);
  });

  it('rejects leads with different class counts and unknown rules, naming the field', () => {
    expect(() => fuseLeadProbabilities(p(0.5, 0.5), p(1, 0, 0))).toThrow(
      expect.objectContaining({ field: 'second' }) as SignalInputError,
    );
    expect(() =>
      fuseLeadProbabilities(p(0.5, 0.5), p(0.5, 0.5), { rule: 'max' as LeadFusionRule }),
    ).toThrow(expect.objectContaining({ field: 'options.rule' }) as SignalInputError);
    for (const weights of [
      [0, 0],
      [-1, 1],
      [1, Infinity],
    ] as [number, number][]) {
      expect(() => fuseLeadProbabilities(p(0.5, 0.5), p(0.5, 0.5), { weights })).toThrow(
        expect.objectContaining({ field: 'options.weights' }) as SignalInputError,
      );
    }
    expect(() => fuseLeadProbabilities(p(0.5, 0.5), p(0.5, 0.5), { onlyClass: 2 })).toThrow(
      expect.objectContaining({ field: 'options.onlyClass' }) as SignalInputError,
    );
  });
});
