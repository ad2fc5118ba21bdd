import { SignalInputError } from '../errors.js';
import { createRng } from '../synth/create-rng.js';
import type { CryModel } from './cry-model.js';

export interface TrainCryModelOptions {
  featureNames: readonly string[];
  /** Hidden tanh units; 0 trains logistic regression. Default 8. */
  hidden?: number;
  /** Full-batch Adam steps. Default 400. */
  steps?: number;
  /** Adam learning rate. Default 0.02. */
  learningRate?: number;
  /** L2 penalty on the weights (not the biases), per unit of total sample weight. Default 1e-3. */
  l2?: number;
  /** Seed of the initial weights. Default 1. */
  seed?: number;
  /** Stored in the model: feature sample rate, Hz (default 8000), window, s (default 2). */
  sampleRateHz?: number;
  windowS?: number;
  /** Stored in the model: share of the best seconds averaged into the clip probability. Default 0.5. */
  topShare?: number;
  /** Provenance stored in `model.training`. */
  provenance?: Record<string, unknown>;
}

/**
 * Fits the cry model: standardises the features, then minimises the sample-weighted logistic
 * loss plus an L2 penalty with full-batch Adam (Kingma & Ba 2015) from seeded initial weights, so
 * the same data and options always give the same model.
 *
 * @param x row-major features, `y.length` rows of `featureNames.length` values
 * @param y 1 = crying, 0 = not crying
 * @param weight per-row loss weight (e.g. to balance classes and negative types)
 */
export function trainCryModel(
  x: Float64Array,
  y: Uint8Array,
  weight: Float64Array,
  options: TrainCryModelOptions,
): CryModel {
  const nIn = options.featureNames.length;
  const n = y.length;
  if (n === 0 || x.length !== n * nIn || weight.length !== n) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'x',
      'x, y and weight must describe the same rows',
    );
  }
  const hidden = options.hidden ?? 8;
  const steps = options.steps ?? 400;
  const lr = options.learningRate ?? 0.02;
  const l2 = options.l2 ?? 1e-3;
  const rng = createRng(options.seed ?? 1);

  const mean = new Float64Array(nIn);
  const std = new Float64Array(nIn);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < nIn; i++) mean[i] = (mean[i] ?? 0) + (x[r * nIn + i] ?? 0) / n;
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < nIn; i++)
      std[i] = (std[i] ?? 0) + ((x[r * nIn + i] ?? 0) - (mean[i] ?? 0)) ** 2 / n;
  }
  for (let i = 0; i < nIn; i++) std[i] = Math.max(1e-6, Math.sqrt(std[i] ?? 0));
  const z = new Float64Array(n * nIn);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < nIn; i++)
      z[r * nIn + i] = ((x[r * nIn + i] ?? 0) - (mean[i] ?? 0)) / (std[i] ?? 1);
  }
  let totalWeight = 0;
  for (const w of weight) totalWeight += w;

  // Parameters in one vector: w1 (hidden × nIn), b1 (hidden), w2 (hidden or nIn), b2.
  const nW1 = hidden * nIn;
  const nOut = hidden === 0 ? nIn : hidden;
  const nParams = nW1 + hidden + nOut + 1;
  const p = new Float64Array(nParams);
  for (let k = 0; k < nW1; k++) p[k] = rng.normal() / Math.sqrt(nIn);
  for (let k = 0; k < nOut; k++) p[nW1 + hidden + k] = (rng.normal() / Math.sqrt(nOut)) * 0.1;
  const grad = new Float64Array(nParams);
  const m1 = new Float64Array(nParams);
  const m2 = new Float64Array(nParams);
  const act = new Float64Array(Math.max(1, hidden));
  const beta1 = 0.9;
  const beta2 = 0.999;

  for (let step = 1; step <= steps; step++) {
    grad.fill(0);
    for (let r = 0; r < n; r++) {
      const row = r * nIn;
      let logit = p[nParams - 1] ?? 0;
      if (hidden === 0) {
        for (let i = 0; i < nIn; i++) logit += (p[i] ?? 0) * (z[row + i] ?? 0);
      } else {
        for (let h = 0; h < hidden; h++) {
          let a = p[nW1 + h] ?? 0;
          for (let i = 0; i < nIn; i++) a += (p[h * nIn + i] ?? 0) * (z[row + i] ?? 0);
          act[h] = Math.tanh(a);
          logit += (p[nW1 + hidden + h] ?? 0) * (act[h] ?? 0);
        }
      }
      const prob = 1 / (1 + Math.exp(-logit));
      const d = ((weight[r] ?? 0) * (prob - (y[r] ?? 0))) / totalWeight;
      grad[nParams - 1] = (grad[nParams - 1] ?? 0) + d;
      if (hidden === 0) {
        for (let i = 0; i < nIn; i++) grad[i] = (grad[i] ?? 0) + d * (z[row + i] ?? 0);
      } else {
        for (let h = 0; h < hidden; h++) {
          const a = act[h] ?? 0;
          grad[nW1 + hidden + h] = (grad[nW1 + hidden + h] ?? 0) + d * a;
          const dh = d * (p[nW1 + hidden + h] ?? 0) * (1 - a * a);
          grad[nW1 + h] = (grad[nW1 + h] ?? 0) + dh;
          for (let i = 0; i < nIn; i++)
            grad[h * nIn + i] = (grad[h * nIn + i] ?? 0) + dh * (z[row + i] ?? 0);
        }
      }
    }
    // L2 on weights only.
    for (let k = 0; k < nParams - 1; k++) {
      const isBias = hidden > 0 && k >= nW1 && k < nW1 + hidden;
      if (!isBias) grad[k] = (grad[k] ?? 0) + l2 * (p[k] ?? 0);
    }
    for (let k = 0; k < nParams; k++) {
      const g = grad[k] ?? 0;
      m1[k] = beta1 * (m1[k] ?? 0) + (1 - beta1) * g;
      m2[k] = beta2 * (m2[k] ?? 0) + (1 - beta2) * g * g;
      const mHat = (m1[k] ?? 0) / (1 - beta1 ** step);
      const vHat = (m2[k] ?? 0) / (1 - beta2 ** step);
      p[k] = (p[k] ?? 0) - (lr * mHat) / (Math.sqrt(vHat) + 1e-8);
    }
  }
  const round = (v: number): number => Number(v.toPrecision(6));
  return {
    format: 'vigil-cry-mlp-1',
    sampleRateHz: options.sampleRateHz ?? 8000,
    windowS: options.windowS ?? 2,
    featureNames: [...options.featureNames],
    mean: Array.from(mean, round),
    std: Array.from(std, round),
    hidden,
    w1: Array.from(p.subarray(0, nW1), round),
    b1: Array.from(p.subarray(nW1, nW1 + hidden), round),
    w2: Array.from(p.subarray(nW1 + hidden, nW1 + hidden + nOut), round),
    b2: round(p[nParams - 1] ?? 0),
    topShare: options.topShare ?? 0.5,
    training: options.provenance ?? {},
  };
}
