import { SignalInputError } from '../errors.js';
import type { CryModel } from './cry-model.js';

/**
 * Probability (0–1) that one window's features (`CRY_FEATURE_NAMES` order) are crying, by the
 * model's standardisation, hidden tanh layer and logistic output.
 */
export function predictCryWindow(model: CryModel, features: ArrayLike<number>): number {
  const nIn = model.featureNames.length;
  if (features.length !== nIn) {
    throw new SignalInputError('INVALID_ARGUMENT', 'features', `features must hold ${nIn} values`);
  }
  const z = new Float64Array(nIn);
  for (let i = 0; i < nIn; i++) {
    z[i] = ((features[i] ?? 0) - (model.mean[i] ?? 0)) / (model.std[i] ?? 1);
  }
  let logit = model.b2;
  if (model.hidden === 0) {
    for (let i = 0; i < nIn; i++) logit += (model.w2[i] ?? 0) * (z[i] ?? 0);
  } else {
    for (let h = 0; h < model.hidden; h++) {
      let a = model.b1[h] ?? 0;
      for (let i = 0; i < nIn; i++) a += (model.w1[h * nIn + i] ?? 0) * (z[i] ?? 0);
      logit += (model.w2[h] ?? 0) * Math.tanh(a);
    }
  }
  return 1 / (1 + Math.exp(-logit));
}
