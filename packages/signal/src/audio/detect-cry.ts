import { SignalInputError } from '../errors.js';
import { resample } from '../filters/resample.js';
import { aggregateCrySeconds } from './aggregate-cry-seconds.js';
import type { CryModel } from './cry-model.js';
import { crySecondFeatures } from './cry-second-features.js';
import { loadCryModel } from './load-cry-model.js';
import { predictCryWindow } from './predict-cry-window.js';

export interface DetectCryOptions {
  /** Model to apply. Default: the shipped model (`loadCryModel()`). */
  model?: CryModel;
}

/** Output of `detectCry`. */
export interface CryDetection {
  /** Probability (0–1) that the clip contains infant crying. */
  probability: number;
  /** Probability for each second of the clip (max(1, round(duration)) values). */
  perSecond: number[];
}

let shippedModel: CryModel | undefined;

/**
 * Infant cry detection on a mono clip: resamples to the model's rate (8 kHz) if needed, describes
 * each second by the window features of `crySecondFeatures` (MFCC statistics, pitch in the
 * 250–600 Hz cry range, harmonicity, voiced-run lengths, energy modulation), scores each with the
 * model, and takes the clip probability as the mean of its highest-scoring seconds (the model's
 * `topShare`). Pure: no I/O; decode files with `decodeAudio` from `@vigil/signal/io`.
 *
 * @param samples mono audio, full scale ±1, at least 32 ms long
 * @param sampleRateHz its sample rate, Hz (4000–192000)
 */
export function detectCry(
  samples: Float32Array | Float64Array,
  sampleRateHz: number,
  options: DetectCryOptions = {},
): CryDetection {
  if (!Number.isFinite(sampleRateHz) || sampleRateHz < 4000 || sampleRateHz > 192000) {
    throw new SignalInputError(
      'INVALID_SAMPLE_RATE',
      'sampleRateHz',
      'sampleRateHz must be between 4000 and 192000 Hz',
    );
  }
  if (samples.length === 0) {
    throw new SignalInputError('EMPTY_INPUT', 'samples', 'samples must not be empty');
  }
  for (const v of samples) {
    if (!Number.isFinite(v)) {
      throw new SignalInputError('NON_FINITE_SAMPLE', 'samples', 'samples must be finite');
    }
  }
  const model = options.model ?? (shippedModel ??= loadCryModel());
  const x =
    sampleRateHz === model.sampleRateHz
      ? samples
      : resample(samples, sampleRateHz, model.sampleRateHz);
  const perSecond = crySecondFeatures(x, model.sampleRateHz, { windowS: model.windowS }).map((f) =>
    predictCryWindow(model, f),
  );
  return { probability: aggregateCrySeconds(perSecond, model.topShare), perSecond };
}
