import { describe, expect, it } from 'vitest';
import type { BeatModel } from './beat-model.js';
import { BEAT_FEATURE_NAMES } from './create-beat-feature-extractor.js';
import { loadBeatModel } from './load-beat-model.js';
import { predictBeatProbabilities } from './predict-beat-probabilities.js';

/** Zero weights: the probabilities are the softmax of the output biases, here exactly `p`. */
function constantModel(p: readonly number[]): BeatModel {
  const n = BEAT_FEATURE_NAMES.length;
  return {
    format: 'vigil-beat-mlp-1',
    featureNames: [...BEAT_FEATURE_NAMES],
    classes: ['N', 'SVEB', 'VEB', 'F'],
    mean: new Array<number>(n).fill(0),
    std: new Array<number>(n).fill(1),
    hidden: 1,
    w1: new Array<number>(n).fill(0),
    b1: [0],
    w2: [0, 0, 0, 0],
    b2: p.map((v) => Math.log(v)),
    training: {},
  };
}

describe('predictBeatProbabilities', () => {
  const features = new Float64Array(BEAT_FEATURE_NAMES.length).fill(0.5);

  it('gives the softmax of a single network', () => {
    const p = predictBeatProbabilities(constantModel([0.7, 0.1, 0.1, 0.1]), features);
    [0.7, 0.1, 0.1, 0.1].forEach((v, c) => {
      expect(p[c]).toBeCloseTo(v, 12);
    });
  });

  it('averages the probabilities of an ensemble, its own network included', () => {
    const a = constantModel([0.7, 0.1, 0.1, 0.1]);
    const b = constantModel([0.1, 0.1, 0.7, 0.1]);
    const c = constantModel([0.1, 0.7, 0.1, 0.1]);
    const members = [b, c].map(({ w1, b1, w2, b2 }) => ({ w1, b1, w2, b2 }));
    const p = predictBeatProbabilities(loadBeatModel({ ...a, members }), features);
    [0.3, 0.3, 0.3, 0.1].forEach((v, k) => {
      expect(p[k]).toBeCloseTo(v, 12);
    });
  });

  it('rejects ensemble members of another shape', () => {
    const a = constantModel([0.7, 0.1, 0.1, 0.1]);
    expect(() =>
      loadBeatModel({ ...a, members: [{ w1: [0], b1: [0], w2: a.w2, b2: a.b2 }] }),
    ).toThrow(/not a vigil-beat-mlp-1 model/);
  });
});
