import { describe, expect, it } from 'vitest';
import { createRng } from '../synth/create-rng.js';
import { resampleUniform } from './resample-uniform.js';

describe('resampleUniform', () => {
  it('reproduces a linear ramp exactly from jittered sample times', () => {
    const rng = createRng(5);
    const times: number[] = [];
    for (let t = 0; t < 5000; t += 25 + 20 * rng.uniform()) times.push(t);
    const values = times.map((t) => 3 + 0.002 * t);
    const out = resampleUniform(times, values, 20, { endMs: 4800, count: 80 });
    expect(out.length).toBe(80);
    out.forEach((v, k) => {
      const t = 4800 - (79 - k) * 50;
      expect(v).toBeCloseTo(3 + 0.002 * t, 9);
    });
  });

  it('bridges a dropped-frame gap linearly and holds the edge values outside the input', () => {
    const out = resampleUniform([0, 100, 500], [0, 1, 5], 10, { endMs: 700, count: 9 });
    // Grid: −100, 0, 100, …, 700 ms.
    expect(Array.from(out)).toEqual([0, 0, 1, 2, 3, 4, 5, 5, 5]);
  });

  it('counts the samples that fit in the input span by default', () => {
    expect(resampleUniform([0, 1000], [1, 2], 20).length).toBe(21);
  });

  it('rejects times that do not increase', () => {
    expect(() => resampleUniform([0, 50, 50], [1, 2, 3], 20)).toThrow(/increase/);
    expect(() => resampleUniform([], [], 20)).toThrow(/non-empty/);
  });
});
