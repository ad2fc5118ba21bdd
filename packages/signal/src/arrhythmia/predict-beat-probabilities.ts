import { SignalInputError } from '../errors.js';
import type { BeatModel, BeatModelMember } from './beat-model.js';

/** Work arrays (standardised inputs, hidden layer), reused: only used synchronously in one call. */
const scratch = { x: new Float64Array(64), z: new Float64Array(64), p: new Float64Array(8) };

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
  if (scratch.x.length < nIn) scratch.x = new Float64Array(nIn);
  if (scratch.z.length < h) scratch.z = new Float64Array(h);
  // Standardised once per beat, not once per hidden unit: the same values, nIn divisions
  // instead of h × nIn (the monitor runs this for every beat of every device).
  const x = scratch.x;
  for (let i = 0; i < nIn; i++) {
    const v = ((features[i] ?? 0) - (model.mean[i] ?? 0)) / (model.std[i] ?? 1);
    // Same clipping as in training (train-beat-model.ts).
    x[i] = v > 8 ? 8 : v < -8 ? -8 : v;
  }
  const members = model.members ?? [];
  if (members.length === 0) {
    softmaxOf(model, x, nIn, h, nOut, out);
    return out;
  }
  // Ensemble: the mean of the members' probabilities (same standardised inputs).
  if (scratch.p.length < nOut) scratch.p = new Float64Array(nOut);
  const p = scratch.p;
  softmaxOf(model, x, nIn, h, nOut, out);
  for (const member of members) {
    softmaxOf(member, x, nIn, h, nOut, p);
    for (let c = 0; c < nOut; c++) out[c] = (out[c] ?? 0) + (p[c] ?? 0);
  }
  const k = members.length + 1;
  for (let c = 0; c < nOut; c++) out[c] = (out[c] ?? 0) / k;
  return out;
}

/** Softmax of one network's outputs on standardised inputs `x`, into `out`. */
function softmaxOf(
  net: BeatModelMember,
  x: Float64Array,
  nIn: number,
  h: number,
  nOut: number,
  out: Float64Array,
): void {
  const z = scratch.z;
  for (let j = 0; j < h; j++) {
    let s = net.b1[j] ?? 0;
    const row = j * nIn;
    for (let i = 0; i < nIn; i++) s += (net.w1[row + i] ?? 0) * (x[i] ?? 0);
    z[j] = Math.tanh(s);
  }
  let max = -Infinity;
  for (let c = 0; c < nOut; c++) {
    let s = net.b2[c] ?? 0;
    for (let j = 0; j < h; j++) s += (net.w2[c * h + j] ?? 0) * (z[j] ?? 0);
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
}
