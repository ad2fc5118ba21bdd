import type { BeatModel } from '../beat-model.js';
import { BEAT_FEATURE_NAMES } from '../create-beat-feature-extractor.js';

/**
 * A model whose output ignores the features (tests only): zero weights, so the class
 * probabilities are the softmax of the output biases, i.e. exactly `p` for every beat (an
 * analytic oracle).
 */
export function constantBeatModel(p: readonly number[]): BeatModel {
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
