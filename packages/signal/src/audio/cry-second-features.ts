import { SignalInputError } from '../errors.js';
import { computeAudioFrames } from './compute-audio-frames.js';
import { cryWindowFeatures } from './cry-window-features.js';

export interface CrySecondFeaturesOptions {
  /** Length of the analysis window centred on each second, s. Default 2. */
  windowS?: number;
}

/**
 * One feature vector (`CRY_FEATURE_NAMES`) per second of audio: second k is described by the
 * window of `windowS` seconds centred on its middle (k + 0.5 s), cut at the ends of the clip.
 * A clip of d seconds has max(1, round(d)) seconds. `detectCry`, the training and the evaluation
 * all describe audio through this function, so the model sees at run time what it was trained on.
 *
 * @param samples audio at `sampleRateHz`, full scale ±1, at least one 32 ms frame long
 * @param sampleRateHz sample rate, Hz (8000 for the shipped model)
 */
export function crySecondFeatures(
  samples: Float32Array | Float64Array,
  sampleRateHz: number,
  options: CrySecondFeaturesOptions = {},
): Float64Array[] {
  const frames = computeAudioFrames(samples, sampleRateHz);
  if (frames.count === 0) {
    throw new SignalInputError(
      'EMPTY_INPUT',
      'samples',
      `audio must be at least ${frames.frameLength} samples long`,
    );
  }
  const windowS = options.windowS ?? 2;
  const durationS = samples.length / sampleRateHz;
  const seconds = Math.max(1, Math.round(durationS));
  const framesPerS = sampleRateHz / frames.hop;
  const out: Float64Array[] = [];
  for (let k = 0; k < seconds; k++) {
    const centre = k + 0.5;
    let from = Math.max(0, Math.round((centre - windowS / 2) * framesPerS));
    let to = Math.min(frames.count, Math.round((centre + windowS / 2) * framesPerS));
    if (to - from < 8) {
      // The last second of a clip that ends early: use its final frames.
      to = frames.count;
      from = Math.max(0, to - Math.round(windowS * framesPerS));
    }
    out.push(cryWindowFeatures(frames, from, to));
  }
  return out;
}
