import { describe, expect, it } from 'vitest';
import type { BeatModel } from './beat-model.js';
import { createBeatClassifier } from './create-beat-classifier.js';
import type { BeatClassifierOptions } from './create-beat-classifier.js';
import { BEAT_FEATURE_NAMES } from './create-beat-feature-extractor.js';

const FS = 360;

/**
 * A model whose output ignores the features: zero weights, so the class probabilities are the
 * softmax of the output biases, i.e. exactly `p` for every beat (an analytic oracle).
 */
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

/** Classes of 20 beats at 60 bpm (narrow Gaussian QRS of 1 mV) under the given options. */
function classify(p: readonly number[], options: Partial<BeatClassifierOptions> = {}): string[] {
  const peaks = Array.from({ length: 20 }, (_, i) => FS + i * FS);
  const x = new Float64Array(22 * FS);
  for (const r of peaks) {
    for (let i = r - 40; i < r + 40; i++) x[i] = Math.exp(-0.5 * ((i - r) / (0.01 * FS)) ** 2);
  }
  const c = createBeatClassifier({ fs: FS, model: constantModel(p), ...options });
  return peaks.map(
    (r, k) => c.next({ x, offset: 0 }, peaks[k - 1] ?? null, r, peaks[k + 1] ?? null).class,
  );
}

describe('createBeatClassifier thresholds', () => {
  it('reports the plain argmax with both thresholds at 0', () => {
    const p = [0.2, 0.45, 0.3, 0.05];
    expect(new Set(classify(p, { minSvebProbability: 0, minVebProbability: 0 }))).toEqual(
      new Set(['SVEB']),
    );
  });

  it('does not call SVEB below minSvebProbability (0.5): the next class that may be called wins', () => {
    // SVEB 0.45 < 0.5, VEB 0.3 < 0.6: neither ectopic class may be called, N (0.2) beats F.
    expect(new Set(classify([0.2, 0.45, 0.3, 0.05]))).toEqual(new Set(['N']));
    // SVEB 0.55 >= 0.5 is called.
    expect(new Set(classify([0.2, 0.55, 0.2, 0.05]))).toEqual(new Set(['SVEB']));
  });

  it('does not call VEB below minVebProbability (0.6), even when it is the most probable class', () => {
    expect(new Set(classify([0.3, 0.1, 0.55, 0.05]))).toEqual(new Set(['N']));
    expect(new Set(classify([0.2, 0.1, 0.65, 0.05]))).toEqual(new Set(['VEB']));
    expect(new Set(classify([0.3, 0.1, 0.55, 0.05], { minVebProbability: 0.5 }))).toEqual(
      new Set(['VEB']),
    );
  });

  it('keeps the probabilities of one-cluster beats unchanged by the vote when they are constant', () => {
    const peaks = Array.from({ length: 12 }, (_, i) => FS + i * FS);
    const x = new Float64Array(14 * FS);
    for (const r of peaks) {
      for (let i = r - 40; i < r + 40; i++) x[i] = Math.exp(-0.5 * ((i - r) / (0.01 * FS)) ** 2);
    }
    const c = createBeatClassifier({ fs: FS, model: constantModel([0.2, 0.1, 0.65, 0.05]) });
    const last = peaks.map((r, k) =>
      c.next({ x, offset: 0 }, peaks[k - 1] ?? null, r, peaks[k + 1] ?? null),
    );
    const p = last.at(-1)?.probabilities ?? new Float64Array(4);
    expect(Array.from(p, (v) => Number(v.toFixed(6)))).toEqual([0.2, 0.1, 0.65, 0.05]);
  });

  it('rejects thresholds below 0 and a fractional vote size, naming the option', () => {
    const model = constantModel([0.25, 0.25, 0.25, 0.25]);
    expect(() => createBeatClassifier({ fs: FS, model, minSvebProbability: -0.1 })).toThrow(
      /minSvebProbability/,
    );
    expect(() => createBeatClassifier({ fs: FS, model, minVebProbability: Number.NaN })).toThrow(
      /minVebProbability/,
    );
    expect(() => createBeatClassifier({ fs: FS, model, clusterVoteMembers: 2.5 })).toThrow(
      /clusterVoteMembers/,
    );
  });
});
