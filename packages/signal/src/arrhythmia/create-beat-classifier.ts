import { SignalInputError } from '../errors.js';
import type { SampleView } from './beat-window.js';
import type { BeatModel } from './beat-model.js';
import { BEAT_FEATURE_NAMES, createBeatFeatureExtractor } from './create-beat-feature-extractor.js';
import { predictBeatProbabilities } from './predict-beat-probabilities.js';
import type { BeatClass } from './types.js';

export interface BeatClassifierOptions {
  /** Sampling rate in Hz (required). */
  fs: number;
  /** Trained parameters (required; `loadBeatModel()` gives the shipped model). */
  model: BeatModel;
  /**
   * A beat whose slope contrast (BeatWindow.slopeContrast) is below this counts as noise-like,
   * default 6: white noise stays below 5.3, 99% of MIT-BIH DS1 beats are above 6.6.
   */
  noiseSlopeContrast?: number;
  /** Pacing-spike indicator above which a beat counts as paced, default 0.5 (DS1 beats: < 0.25). */
  spikeRatio?: number;
  /** Recent beats over which noise and pacing are judged, default 16. */
  contextBeats?: number;
  /** Share of noise-like (or paced) recent beats that makes the context noisy (paced), default 0.5. */
  contextShare?: number;
}

export interface BeatVerdict {
  class: BeatClass;
  /** Model probabilities in the order of `model.classes`. */
  probabilities: Float64Array;
  noiseLike: boolean;
  paced: boolean;
  /** The recent context is mostly noise: the beat is reported as Q (unclassifiable). */
  noisyContext: boolean;
  /** The recent context is mostly paced beats: the beat is reported as Q (paced, AAMI Q). */
  pacedContext: boolean;
}

export interface BeatClassifier {
  /** Classifies the beat at `peak` (absolute index); beats must come in time order. */
  next(
    view: SampleView,
    prevPeak: number | null,
    peak: number,
    nextPeak: number | null,
  ): BeatVerdict;
}

/**
 * Stateful beat classifier: feature extraction with the record's running statistics, the
 * perceptron, and the noise and pacing guards that turn doubtful beats into Q instead of a guess.
 */
export function createBeatClassifier(options: BeatClassifierOptions): BeatClassifier {
  if (options.model.featureNames.length !== BEAT_FEATURE_NAMES.length) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.model',
      'model was trained on a different feature set',
    );
  }
  const extractor = createBeatFeatureExtractor({ fs: options.fs });
  const model = options.model;
  const noiseSlopeContrast = options.noiseSlopeContrast ?? 6;
  const spikeRatio = options.spikeRatio ?? 0.5;
  const contextBeats = options.contextBeats ?? 16;
  const contextShare = options.contextShare ?? 0.5;
  const noiseFlags: boolean[] = [];
  const pacedFlags: boolean[] = [];
  const classes = model.classes as BeatClass[];
  return {
    next(view, prevPeak, peak, nextPeak) {
      const features = extractor.next(view, prevPeak, peak, nextPeak);
      const w = extractor.last;
      const noiseLike = w === null || w.slopeContrast < noiseSlopeContrast;
      const paced = w !== null && w.spikeRatio > spikeRatio;
      noiseFlags.push(noiseLike);
      pacedFlags.push(paced);
      if (noiseFlags.length > contextBeats) noiseFlags.shift();
      if (pacedFlags.length > contextBeats) pacedFlags.shift();
      const share = (flags: boolean[]): number => flags.filter(Boolean).length / flags.length;
      const noisyContext = noiseLike && share(noiseFlags) >= contextShare;
      const pacedContext = paced && share(pacedFlags) >= contextShare;
      const probabilities = predictBeatProbabilities(model, features);
      let best = 0;
      for (let c = 1; c < probabilities.length; c++) {
        if ((probabilities[c] ?? 0) > (probabilities[best] ?? 0)) best = c;
      }
      const cls: BeatClass = noisyContext || pacedContext ? 'Q' : (classes[best] ?? 'Q');
      return { class: cls, probabilities, noiseLike, paced, noisyContext, pacedContext };
    },
  };
}
