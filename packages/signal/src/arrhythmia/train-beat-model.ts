import { SignalInputError } from '../errors.js';
import type { BeatModel } from './beat-model.js';
import { createRng } from '../synth/create-rng.js';

export interface TrainBeatModelOptions {
  /** Hidden units, default 32. */
  hidden?: number;
  /** Passes over the training set, default 30. */
  epochs?: number;
  /** Mini-batch size, default 128. */
  batchSize?: number;
  /** Adam learning rate, default 0.003 (halved for the last third of the epochs). */
  learningRate?: number;
  /** L2 weight decay, default 1e-4. */
  l2?: number;
  /** Seed of the deterministic generator (initial weights, shuffling), default 1. */
  seed?: number;
  /**
   * Per-class loss weights. Default: inverse class frequency raised to the power 0.5, normalised
   * so that the N class has weight 1 (class imbalance: ~90% of MIT-BIH beats are N).
   */
  classWeights?: number[];
  /** Class names stored in the model, default N, SVEB, VEB, F. */
  classes?: string[];
  featureNames: string[];
  /** Extra provenance stored in `model.training`. */
  provenance?: Record<string, unknown>;
}

/**
 * Trains the beat perceptron (tanh hidden layer, softmax output, class-weighted cross-entropy,
 * Adam; Kingma & Ba 2015) on a feature matrix. Deterministic for a given seed.
 *
 * @param x row-major feature matrix, `labels.length` rows
 * @param labels class index of each row
 */
export function trainBeatModel(
  x: Float64Array,
  labels: Int32Array,
  options: TrainBeatModelOptions,
): BeatModel {
  const nIn = options.featureNames.length;
  const n = labels.length;
  if (n === 0 || x.length !== n * nIn) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'x',
      'x must hold labels.length rows of features',
    );
  }
  const classes = options.classes ?? ['N', 'SVEB', 'VEB', 'F'];
  const nOut = classes.length;
  const h = options.hidden ?? 32;
  const epochs = options.epochs ?? 30;
  const batch = options.batchSize ?? 128;
  const lr0 = options.learningRate ?? 0.003;
  const l2 = options.l2 ?? 1e-4;
  const rng = createRng(options.seed ?? 1);
  const rand = (): number => rng.uniform();

  const counts = new Float64Array(nOut);
  for (let i = 0; i < n; i++) counts[labels[i] ?? 0] = (counts[labels[i] ?? 0] ?? 0) + 1;
  const cw =
    options.classWeights ??
    Array.from(counts, (c) => (c > 0 ? Math.sqrt((counts[0] ?? 1) / c) : 0));

  const mean = new Float64Array(nIn);
  const std = new Float64Array(nIn);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < nIn; i++) mean[i] = (mean[i] ?? 0) + (x[r * nIn + i] ?? 0);
  for (let i = 0; i < nIn; i++) mean[i] = (mean[i] ?? 0) / n;
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < nIn; i++)
      std[i] = (std[i] ?? 0) + ((x[r * nIn + i] ?? 0) - (mean[i] ?? 0)) ** 2;
  }
  for (let i = 0; i < nIn; i++) std[i] = Math.sqrt((std[i] ?? 0) / n) || 1;
  const xs = new Float64Array(x.length);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < nIn; i++) {
      // Clip standardised inputs: a few extreme beats (artefacts) must not dominate the gradients.
      const v = ((x[r * nIn + i] ?? 0) - (mean[i] ?? 0)) / (std[i] ?? 1);
      xs[r * nIn + i] = Math.max(-8, Math.min(8, v));
    }
  }

  const gauss = (): number => {
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  const params = new Float64Array(h * nIn + h + nOut * h + nOut);
  const o1 = 0;
  const ob1 = h * nIn;
  const o2 = ob1 + h;
  const ob2 = o2 + nOut * h;
  for (let i = 0; i < h * nIn; i++) params[o1 + i] = gauss() * Math.sqrt(1 / nIn);
  for (let i = 0; i < nOut * h; i++) params[o2 + i] = gauss() * Math.sqrt(1 / h);
  const grad = new Float64Array(params.length);
  const m1 = new Float64Array(params.length);
  const v1 = new Float64Array(params.length);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const z = new Float64Array(h);
  const p = new Float64Array(nOut);
  const dz = new Float64Array(h);
  let step = 0;
  const beta1 = 0.9;
  const beta2 = 0.999;

  for (let epoch = 0; epoch < epochs; epoch++) {
    const lr = epoch >= (2 * epochs) / 3 ? lr0 / 2 : lr0;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i] ?? 0;
      order[i] = order[j] ?? 0;
      order[j] = t;
    }
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch);
      grad.fill(0);
      let wsum = 0;
      for (let bi = start; bi < end; bi++) {
        const r = order[bi] ?? 0;
        const y = labels[r] ?? 0;
        const wy = cw[y] ?? 1;
        wsum += wy;
        const row = r * nIn;
        for (let j = 0; j < h; j++) {
          let s = params[ob1 + j] ?? 0;
          const wr = o1 + j * nIn;
          for (let i = 0; i < nIn; i++) s += (params[wr + i] ?? 0) * (xs[row + i] ?? 0);
          z[j] = Math.tanh(s);
        }
        let max = -Infinity;
        for (let c = 0; c < nOut; c++) {
          let s = params[ob2 + c] ?? 0;
          for (let j = 0; j < h; j++) s += (params[o2 + c * h + j] ?? 0) * (z[j] ?? 0);
          p[c] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let c = 0; c < nOut; c++) {
          p[c] = Math.exp((p[c] ?? 0) - max);
          sum += p[c] ?? 0;
        }
        dz.fill(0);
        for (let c = 0; c < nOut; c++) {
          const g = wy * ((p[c] ?? 0) / sum - (c === y ? 1 : 0));
          grad[ob2 + c] = (grad[ob2 + c] ?? 0) + g;
          for (let j = 0; j < h; j++) {
            grad[o2 + c * h + j] = (grad[o2 + c * h + j] ?? 0) + g * (z[j] ?? 0);
            dz[j] = (dz[j] ?? 0) + g * (params[o2 + c * h + j] ?? 0);
          }
        }
        for (let j = 0; j < h; j++) {
          const g = (dz[j] ?? 0) * (1 - (z[j] ?? 0) ** 2);
          if (g === 0) continue;
          grad[ob1 + j] = (grad[ob1 + j] ?? 0) + g;
          const wr = o1 + j * nIn;
          for (let i = 0; i < nIn; i++) grad[wr + i] = (grad[wr + i] ?? 0) + g * (xs[row + i] ?? 0);
        }
      }
      step++;
      const bc1 = 1 - beta1 ** step;
      const bc2 = 1 - beta2 ** step;
      for (let k = 0; k < params.length; k++) {
        const isWeight = k < ob1 || (k >= o2 && k < ob2);
        const g = (grad[k] ?? 0) / wsum + (isWeight ? l2 * (params[k] ?? 0) : 0);
        m1[k] = beta1 * (m1[k] ?? 0) + (1 - beta1) * g;
        v1[k] = beta2 * (v1[k] ?? 0) + (1 - beta2) * g * g;
        params[k] =
          (params[k] ?? 0) - (lr * ((m1[k] ?? 0) / bc1)) / (Math.sqrt((v1[k] ?? 0) / bc2) + 1e-8);
      }
    }
  }
  const round = (a: Float64Array): number[] => Array.from(a, (v) => Number(v.toPrecision(7)));
  return {
    format: 'vigil-beat-mlp-1',
    featureNames: [...options.featureNames],
    classes: [...classes],
    mean: round(mean),
    std: round(std),
    hidden: h,
    w1: round(params.subarray(o1, ob1)),
    b1: round(params.subarray(ob1, o2)),
    w2: round(params.subarray(o2, ob2)),
    b2: round(params.subarray(ob2)),
    training: {
      samples: n,
      classCounts: Array.from(counts),
      classWeights: [...cw],
      hidden: h,
      epochs,
      batchSize: batch,
      learningRate: lr0,
      l2,
      seed: options.seed ?? 1,
      ...options.provenance,
    },
  };
}
