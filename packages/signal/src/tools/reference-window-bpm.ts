import { SignalInputError } from '../errors.js';
import { designBandpass } from '../filters/design-bandpass.js';
import { filtfilt } from '../filters/filtfilt.js';
import { pulseSpectrum } from '../rppg/pulse-spectrum.js';
import { resampleUniform } from '../rppg/resample-uniform.js';
import type { RppgReference } from './read-rppg-reference.js';

export interface ReferenceWindowBpmOptions {
  /** Rate the contact PPG is resampled to, Hz. Default 20, the estimator's own rate. */
  sampleRateHz?: number;
  /** Pass band, Hz. Default 0.7–4, the estimator's. */
  minHz?: number;
  maxHz?: number;
}

export interface ReferenceWindowBpm {
  /** Periodogram peak of the contact PPG over the window, bpm. */
  bpm: number;
  /** SNR of that peak, dB (de Haan & Jeanne 2013): a low value flags a bad reference window. */
  snrDb: number;
}

/**
 * The reference heart rate of one analysis window: the contact PPG between `startMs` and `endMs`
 * resampled, band-passed and read by the same periodogram as the camera estimate, so both numbers
 * describe the same seconds the same way (the usual rPPG protocol: rPPG-Toolbox computes the
 * label HR by FFT of the ground-truth PPG over the evaluation window; Liu et al., NeurIPS 2023
 * Datasets and Benchmarks). The oximeter's displayed HR is not used: it is averaged and delayed
 * by several seconds.
 */
export function referenceWindowBpm(
  reference: RppgReference,
  startMs: number,
  endMs: number,
  options: ReferenceWindowBpmOptions = {},
): ReferenceWindowBpm {
  if (!(Number.isFinite(startMs) && Number.isFinite(endMs) && endMs - startMs >= 4000)) {
    throw new SignalInputError('INVALID_ARGUMENT', 'endMs', 'the window must last at least 4 s');
  }
  const fs = options.sampleRateHz ?? 20;
  const minHz = options.minHz ?? 0.7;
  const maxHz = options.maxHz ?? 4;
  const count = Math.floor(((endMs - startMs) * fs) / 1000) + 1;
  // Only the samples around the window, without repeated times (resampleUniform needs strictly
  // increasing times; a repeat is the same instant twice).
  const times: number[] = [];
  const ppg: number[] = [];
  for (let i = 0; i < reference.timesMs.length; i++) {
    const t = reference.timesMs[i] ?? NaN;
    if (t < startMs - 1000 || t > endMs + 1000) continue;
    if (times.length > 0 && t <= (times[times.length - 1] ?? 0)) continue;
    times.push(t);
    ppg.push(reference.ppg[i] ?? 0);
  }
  if (times.length < 2) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'startMs',
      'the reference does not cover the window',
    );
  }
  const series = resampleUniform(times, ppg, fs, { endMs, count });
  const sections = designBandpass({ lowHz: minHz, highHz: Math.min(maxHz, 0.45 * fs), fs });
  const spectrum = pulseSpectrum(filtfilt(series, sections), fs, { minHz, maxHz });
  return { bpm: spectrum.bpm, snrDb: spectrum.snrDb };
}
