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
  const fs = model.sampleRateHz;
  const perSecond = crySecondFeatures(x, fs, { windowS: model.windowS }).map((f, k) =>
    digitallySilent(x, fs, k, model.windowS) ? 0 : predictCryWindow(model, f),
  );
  return { probability: aggregateCrySeconds(perSecond, model.topShare), perSecond };
}

/** Peak-to-peak below one step of 16-bit audio (full scale ±1): nothing was recorded. */
const SILENT_PEAK_TO_PEAK = 1 / 32768;

/**
 * Whether second k's window (as `crySecondFeatures` cuts it: `windowS` centred on k + 0.5 s,
 * clipped to the clip) holds no sound at all: a muted microphone or zero padding. Its features
 * are those of a constant (the gain-free ones divide nothing by nothing), on which the model
 * answered 0.18 for every second; a cry needs sound. Near-silent room noise is not touched
 * (the features ignore gain, and the model scores it about 0.01).
 */
function digitallySilent(
  x: Float32Array | Float64Array,
  fs: number,
  k: number,
  windowS: number,
): boolean {
  const from = Math.max(0, Math.floor((k + 0.5 - windowS / 2) * fs));
  const to = Math.min(x.length, Math.ceil((k + 0.5 + windowS / 2) * fs));
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    const v = x[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return !(hi - lo >= SILENT_PEAK_TO_PEAK);
}
