import { describe, expect, it } from 'vitest';
import { constantBeatModel } from './__tests__/constant-beat-model.js';
import { BEAT_FEATURE_NAMES } from './create-beat-feature-extractor.js';
import { loadBeatModel } from './load-beat-model.js';
import { predictBeatProbabilities } from './predict-beat-probabilities.js';

describe('predictBeatProbabilities', () => {
  const features = new Float64Array(BEAT_FEATURE_NAMES.length).fill(0.5);

  it('gives the softmax of a single network', () => {
    const p = predictBeatProbabilities(constantBeatModel([0.7, 0.1, 0.1, 0.1]), features);
    [0.7, 0.1, 0.1, 0.1].forEach((v, c) => {
      expect(p[c]).toBeCloseTo(v, 12);
    });
  });

  it('averages the probabilities of an ensemble, its own network included', () => {
    const a = constantBeatModel([0.7, 0.1, 0.1, 0.1]);
    const b = constantBeatModel([0.1, 0.1, 0.7, 0.1]);
    const c = constantBeatModel([0.1, 0.7, 0.1, 0.1]);
    const members = [b, c].map(({ w1, b1, w2, b2 }) => ({ w1, b1, w2, b2 }));
    const p = predictBeatProbabilities(loadBeatModel({ ...a, members }), features);
    [0.3, 0.3, 0.3, 0.1].forEach((v, k) => {
      expect(p[k]).toBeCloseTo(v, 12);
    });
  });

  it('rejects ensemble members of another shape', () => {
    const a = constantBeatModel([0.7, 0.1, 0.1, 0.1]);
    expect(() =>
      loadBeatModel({ ...a, members: [{ w1: [0], b1: [0], w2: a.w2, b2: a.b2 }] }),
    ).toThrow(/not a vigil-beat-mlp-1 model/);
  });
});
