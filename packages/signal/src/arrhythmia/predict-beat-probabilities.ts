import { SignalInputError } from '../errors.js';
import type { BeatModel } from './beat-model.js';

/**
 * Class probabilities of one beat's feature vector (softmax of the perceptron's outputs).
 *
 * @param model trained parameters
 * @param features one vector in the order of `model.featureNames`
 * @param out optional output array of `model.classes.length` probabilities (reused, no allocation)
 */
export function predictBeatProbabilities(
  model: BeatModel,
  features: Float64Array,
  out: Float64Array = new Float64Array(model.classes.length),
): Float64Array {
  if (features.length !== model.featureNames.length) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'features',
      `expected ${model.featureNames.length} features, got ${features.length}`,
    );
  }
  const nIn = features.length;
  const h = model.hidden;
  const nOut = model.classes.length;
  const z = new Float64Array(h);
  for (let j = 0; j < h; j++) {
    let s = model.b1[j] ?? 0;
    const row = j * nIn;
    for (let i = 0; i < nIn; i++) {
      const v = ((features[i] ?? 0) - (model.mean[i] ?? 0)) / (model.std[i] ?? 1);
      // Same clipping as in training (train-beat-model.ts).
      const x = v > 8 ? 8 : v < -8 ? -8 : v;
      s += (model.w1[row + i] ?? 0) * x;
    }
    z[j] = Math.tanh(s);
  }
  let max = -Infinity;
  for (let c = 0; c < nOut; c++) {
    let s = model.b2[c] ?? 0;
    for (let j = 0; j < h; j++) s += (model.w2[c * h + j] ?? 0) * (z[j] ?? 0);
    out[c] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let c = 0; c < nOut; c++) {
    const e = Math.exp((out[c] ?? 0) - max);
    out[c] = e;
    sum += e;
  }
  for (let c = 0; c < nOut; c++) out[c] = (out[c] ?? 0) / sum;
  return out;
}
