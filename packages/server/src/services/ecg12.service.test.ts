import { describe, expect, it } from 'vitest';
import { computeEcg12Stats, percentile } from './ecg12.service.js';

describe('12-lead statistics', () => {
  it('interpolates percentiles between closest ranks like numpy.percentile', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(values, 50)).toBeCloseTo(50.5, 10);
    expect(percentile(values, 95)).toBeCloseTo(95.05, 10);
    expect(percentile(values, 99)).toBeCloseTo(99.01, 10);
    expect(percentile([7], 99)).toBe(7);
  });

  it('summarises requests: totals, population std, distributions of successful classes only', () => {
    const row = (success: number, ms: number, age: number | null, cls: string | null) => ({
      success,
      processing_ms: ms,
      age,
      height: 170,
      weight: 70,
      sex: age === null ? null : 1,
      heart_axis: 'MID',
      class_name: cls,
    });
    const stats = computeEcg12Stats([
      row(1, 10, 40, 'N'),
      row(1, 20, 60, 'C'),
      row(1, 30, 50, 'C'),
      row(0, 40, null, null),
    ]);
    expect(stats).toMatchObject({ total_requests: 4, successful_requests: 3, failed_requests: 1 });
    expect(stats.processing_time).toEqual({
      mean_ms: 25,
      p50_ms: 25,
      p95_ms: 38.5,
      p99_ms: 39.7,
      min_ms: 10,
      max_ms: 40,
    });
    // ages 40, 50, 60: mean 50, population std √(200/3) = 8.165
    expect(stats.input_stats.age).toEqual({ mean: 50, min: 40, max: 60, std: 8.165 });
    expect(stats.input_stats.height).toEqual({ mean: 170, min: 170, max: 170, std: 0 });
    expect(stats.input_stats.sex_distribution).toEqual({ '1': 3 });
    expect(stats.input_stats.heart_axis_distribution).toEqual({ MID: 4 });
    expect(stats.class_distribution).toEqual({ N: 1, C: 2 });
    expect(computeEcg12Stats([]).processing_time).toBeNull();
  });
});
