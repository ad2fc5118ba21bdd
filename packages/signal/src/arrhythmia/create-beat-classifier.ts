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
  /**
   * Probability the model must give VEB before a beat is called VEB, default 0.6; below it the
   * most probable other class is reported. One global operating point chosen from the
   * leave-one-record-out table of `npm run train:beats` (README): the class-weighted training
   * inflates the VEB posterior, and 0.6 raised both VEB Se and +P over the previous model's
   * argmax there. Applied after the cluster vote; 0 gives the plain argmax.
   */
  minVebProbability?: number;
  /**
   * Probability the model must give SVEB before a beat is called SVEB, default 0.5: the class
   * must be more probable than all the others together. In the leave-one-record-out CV, beats
   * whose most probable class was SVEB at less than 0.5 were mostly not SVEB (end to end SVEB
   * Se 78.8 -> 78.7%, +P 56.3 -> 62.0%; README). 0 gives the plain argmax.
   */
  minSvebProbability?: number;
  /**
   * Cluster vote: once a beat's morphology cluster (createBeatFeatureExtractor) holds at least
   * this many beats, this one included, its VEB probability is the running mean of the model's
   * VEB probability over the cluster's members (the last ~32, exponentially), default 5; 0
   * turns the vote off. A patient's ectopic beats of one focus look alike, so the cluster decides
   * rather than each noisy beat (after the cluster-level labelling of Llamedo & Martinez 2012,
   * here without an expert). The other classes keep their proportions.
   */
  clusterVoteMembers?: number;
  /** Pacing-spike indicator above which a beat counts as paced, default 0.5 (DS1 beats: < 0.25). */
  spikeRatio?: number;
  /** Recent beats over which noise and pacing are judged, default 16. */
  contextBeats?: number;
  /** Share of noise-like (or paced) recent beats that makes the context noisy (paced), default 0.5. */
  contextShare?: number;
}

export interface BeatVerdict {
  class: BeatClass;
  /** Class probabilities in the order of `model.classes` (after the cluster vote on VEB). */
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
 * perceptron, the cluster vote on VEB, the VEB and SVEB probability thresholds, and the noise
 * and pacing guards that turn doubtful beats into Q instead of a guess.
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
  const minVebProbability = options.minVebProbability ?? 0.6;
  if (!(minVebProbability >= 0)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.minVebProbability',
      'minVebProbability must be a number >= 0',
    );
  }
  const minSvebProbability = options.minSvebProbability ?? 0.5;
  if (!(minSvebProbability >= 0)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.minSvebProbability',
      'minSvebProbability must be a number >= 0',
    );
  }
  const veb = model.classes.indexOf('VEB');
  const sveb = model.classes.indexOf('SVEB');
  const clusterVoteMembers = options.clusterVoteMembers ?? 5;
  if (!Number.isInteger(clusterVoteMembers) || clusterVoteMembers < 0) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.clusterVoteMembers',
      'clusterVoteMembers must be an integer >= 0',
    );
  }
  const votes = new WeakMap<object, { members: number; vebProbability: number }>();
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
      const cluster = extractor.lastCluster;
      if (cluster !== null && veb >= 0 && clusterVoteMembers > 0) {
        const own = probabilities[veb] ?? 0;
        const vote = votes.get(cluster) ?? { members: 0, vebProbability: 0 };
        vote.members++;
        vote.vebProbability += (own - vote.vebProbability) / Math.min(vote.members, 32);
        votes.set(cluster, vote);
        if (vote.members >= clusterVoteMembers && own < 1) {
          const q = vote.vebProbability;
          const scale = (1 - q) / (1 - own);
          for (let c = 0; c < probabilities.length; c++) {
            probabilities[c] = c === veb ? q : (probabilities[c] ?? 0) * scale;
          }
        }
      }
      // Ectopic classes are called only above their probability thresholds; otherwise the most
      // probable remaining class (N or F) is reported.
      const vebAllowed = (probabilities[veb] ?? 0) >= minVebProbability;
      const svebAllowed = (probabilities[sveb] ?? 0) >= minSvebProbability;
      let best = -1;
      for (let c = 0; c < probabilities.length; c++) {
        if ((c === veb && !vebAllowed) || (c === sveb && !svebAllowed)) continue;
        if (best < 0 || (probabilities[c] ?? 0) > (probabilities[best] ?? 0)) best = c;
      }
      const cls: BeatClass = noisyContext || pacedContext ? 'Q' : (classes[best] ?? 'Q');
      return { class: cls, probabilities, noiseLike, paced, noisyContext, pacedContext };
    },
  };
}
