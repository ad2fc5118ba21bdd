import type { Ecg12Model, Ecg12Probabilities } from './ecg12-types.js';
import { ECG12_CLASSES } from './ecg12-types.js';

/**
 * Class probabilities of a multi-label logistic model for one feature vector (`ecg12Features`):
 * p_c = σ(b_c + Σ w_ci z_i), z_i = (x_i − mean_i) / scale_i, and z_i = 0 (the training mean)
 * where x_i is NaN.
 */
export function predictEcg12Model(model: Ecg12Model, features: Float64Array): Ecg12Probabilities {
  if (features.length !== model.mean.length) {
    throw new RangeError(`expected ${model.mean.length} features, got ${features.length}`);
  }
  const out = {} as Ecg12Probabilities;
  for (const c of ECG12_CLASSES) {
    const { bias, weights } = model.classes[c];
    let s = bias;
    for (let i = 0; i < features.length; i++) {
      const x = features[i] ?? NaN;
      if (Number.isFinite(x))
        s += (weights[i] ?? 0) * ((x - (model.mean[i] ?? 0)) / (model.scale[i] ?? 1));
    }
    out[c] = 1 / (1 + Math.exp(-s));
  }
  return out;
}
