/** The shipped beat classifier: a one-hidden-layer perceptron over standardised beat features. */

/** Output classes of the model, in the order of its output units. */
export const MODEL_CLASSES = ['N', 'SVEB', 'VEB', 'F'] as const;
export type ModelClass = (typeof MODEL_CLASSES)[number];

export interface BeatModel {
  format: 'vigil-beat-mlp-1';
  /** Feature names the model was trained on (must match BEAT_FEATURE_NAMES). */
  featureNames: string[];
  classes: string[];
  /** Per-feature mean and standard deviation used to standardise the inputs. */
  mean: number[];
  std: number[];
  /** Hidden layer: `hidden` rows of `featureNames.length` weights (row-major), then biases. */
  hidden: number;
  w1: number[];
  b1: number[];
  /** Output layer: `classes.length` rows of `hidden` weights, then biases. */
  w2: number[];
  b2: number[];
  /** How the model was trained (records, seed, epochs): provenance for the README. */
  training: Record<string, unknown>;
  /**
   * Further members of an ensemble (optional): networks of the same shape trained on the same
   * rows (so the same `mean` / `std`) from other seeds. The class probabilities are the mean of
   * every member's softmax, this model's own included.
   */
  members?: BeatModelMember[];
}

/** Weights of one further ensemble member (shapes as in BeatModel). */
export interface BeatModelMember {
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number[];
}
