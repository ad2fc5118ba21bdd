/**
 * The cry detector's weights (`src/audio/model/cry-model.json`, written by `npm run train:cry`):
 * a one-hidden-layer perceptron (tanh) with a logistic output over standardised window features,
 * or plain logistic regression when `hidden` is 0.
 */
export interface CryModel {
  format: 'vigil-cry-mlp-1';
  /** Rate the features are computed at, Hz; `detectCry` resamples other rates to it. */
  sampleRateHz: number;
  /** Analysis window centred on each second, s. */
  windowS: number;
  featureNames: string[];
  /** Standardisation: feature − mean, divided by std. */
  mean: number[];
  std: number[];
  /** Hidden units; 0 = logistic regression (w2 then has one weight per feature). */
  hidden: number;
  /** Row-major hidden × features. */
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number;
  /** Clip probability = mean of the highest `topShare` of the per-second probabilities. */
  topShare: number;
  /** Provenance: command, data, split and held-out figures. */
  training: Record<string, unknown>;
}
