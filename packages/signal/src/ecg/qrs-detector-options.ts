import { SignalInputError } from '../errors.js';

/** Options of `detectQrs` / `createQrsDetector`. Times are in seconds, frequencies in Hz. */
export interface QrsDetectorOptions {
  /** Sampling frequency in Hz, 100–1000. */
  fs: number;
  /** Band-pass lower edge in Hz. Default 5 (Pan & Tompkins 1985: 5–15 Hz QRS band). */
  bandLowHz?: number;
  /** Band-pass upper edge in Hz. Default 15. */
  bandHighHz?: number;
  /** Moving-integration window in s. Default 0.15 (about the widest normal QRS). */
  integrationS?: number;
  /** Refractory period in s: of two peaks closer than this, only the larger is kept. Default 0.2. */
  refractoryS?: number;
  /**
   * Within this time (s) after the refractory period, of two peaks only the larger is kept when
   * it is `dominanceRatio` times the other (a P wave before, or an artefact next to, a QRS).
   * Default 0.3.
   */
  dominanceS?: number;
  /** See `dominanceS`. Default 1.5. */
  dominanceRatio?: number;
  /**
   * Smallest band-passed (5–15 Hz) R amplitude in mV that can be a beat. Default 0.02 mV: ten
   * times the band-passed quantisation noise of a 5 µV-LSB recorder, and low enough that only
   * 3 of the 42 463 scored MIT-BIH DS1 beats fall below it (0.05 mV loses one more).
   */
  minAmplitudeMv?: number;
  /**
   * A peak whose largest raw sample-to-sample slope (mV/s) exceeds this many times its
   * band-passed amplitude (mV) is a spike, not a beat. Default 12 000 /s: 6.6 times the highest
   * ratio of any detected MIT-BIH DS1 beat, so a paced QRS with a pacing artefact on it is kept
   * while a lone one-sample spike at ≥ 620 Hz (failure to capture, interference) is rejected.
   * Below that rate a one-sample spike cannot be told from a QRS by this test.
   */
  maxSpikeRatio?: number;
  /** Threshold position between noise and QRS peak levels. Default 0.3125 (Hamilton & Tompkins 1986). */
  thresholdFraction?: number;
  /** Search back after this many average RR intervals without a beat. Default 1.5. */
  searchBackRr?: number;
  /** Peaks this close (s) after a beat must have half its slope to count (T-wave test). Default 0.36. */
  tWaveS?: number;
  /**
   * A search-back pick (see `searchBackRr`) this close (s) after a beat must also have half its
   * slope. Default 0.45: search-back fires after long RR intervals (pauses, the compensatory
   * pause after a ventricular beat), when the QT interval is longest, so the T wave can end well
   * after the 360 ms of `tWaveS` (QT about 0.44 s at 60 /min, Bazett's upper normal QTc).
   */
  searchBackTWaveS?: number;
  /**
   * Re-learning, s (0: off). Default 8. While the detector's levels are provisional (fewer than 8
   * beats accepted since they were learned), a stretch this long without a beat makes it learn them
   * again from the candidates of that stretch, as after the first 2 s, and classify those
   * candidates in order. The levels of the first 2 s come from its largest peak (unless that is
   * wide and more than 3 times the largest narrow one): an electrode being attached or a cable
   * knocked there can be tens of times a QRS, and with the threshold at 0.3125 of it no later beat
   * (nor search-back, at half that) ever passes, so the detector would stay silent for the whole
   * stream. Hamilton's open-source detector (OSEA, 2002) re-initialises its levels after 8 s
   * without a detection; here only while they are provisional: once 8 beats have set them, a long
   * stretch without a beat is a pause or asystole, and learning levels from it would turn noise or
   * P waves into beats.
   */
  relearnS?: number;
}

export type ResolvedQrsOptions = Required<QrsDetectorOptions>;

/** Lowest and highest sampling rates the detector is designed and validated for (Hz). */
export const QRS_MIN_FS = 100;
export const QRS_MAX_FS = 1000;

export function resolveQrsOptions(options: QrsDetectorOptions): ResolvedQrsOptions {
  if (typeof options !== 'object') {
    throw new SignalInputError('INVALID_OPTION', 'options', 'options with fs are required');
  }
  const { fs } = options;
  if (typeof fs !== 'number' || !Number.isFinite(fs) || fs <= 0) {
    throw new SignalInputError(
      'INVALID_SAMPLE_RATE',
      'options.fs',
      'fs must be a positive number of Hz',
    );
  }
  if (fs < QRS_MIN_FS || fs > QRS_MAX_FS) {
    throw new SignalInputError(
      'SAMPLE_RATE_OUT_OF_RANGE',
      'options.fs',
      `fs must be between ${QRS_MIN_FS} and ${QRS_MAX_FS} Hz, got ${fs}`,
    );
  }
  const resolved: ResolvedQrsOptions = {
    fs,
    bandLowHz: options.bandLowHz ?? 5,
    bandHighHz: options.bandHighHz ?? 15,
    integrationS: options.integrationS ?? 0.15,
    refractoryS: options.refractoryS ?? 0.2,
    dominanceS: options.dominanceS ?? 0.3,
    minAmplitudeMv: options.minAmplitudeMv ?? 0.02,
    maxSpikeRatio: options.maxSpikeRatio ?? 12_000,
    dominanceRatio: options.dominanceRatio ?? 1.5,
    thresholdFraction: options.thresholdFraction ?? 0.3125,
    searchBackRr: options.searchBackRr ?? 1.5,
    tWaveS: options.tWaveS ?? 0.36,
    searchBackTWaveS: options.searchBackTWaveS ?? 0.45,
    relearnS: options.relearnS ?? 8,
  };
  const positive: (keyof ResolvedQrsOptions)[] = [
    'bandLowHz',
    'bandHighHz',
    'integrationS',
    'refractoryS',
    'dominanceS',
    'dominanceRatio',
    'minAmplitudeMv',
    'maxSpikeRatio',
    'thresholdFraction',
    'searchBackRr',
    'tWaveS',
    'searchBackTWaveS',
  ];
  for (const key of positive) {
    const v = resolved[key];
    if (!Number.isFinite(v) || v <= 0) {
      throw new SignalInputError(
        'INVALID_OPTION',
        `options.${key}`,
        `${key} must be a positive number`,
      );
    }
  }
  if (!Number.isFinite(resolved.relearnS) || resolved.relearnS < 0) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.relearnS',
      'relearnS must be a number of seconds >= 0',
    );
  }
  if (resolved.bandLowHz >= resolved.bandHighHz || resolved.bandHighHz >= fs / 2) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.bandHighHz',
      'need bandLowHz < bandHighHz < fs/2',
    );
  }
  return resolved;
}
