import { SignalInputError } from '../errors.js';
import { assertSamplingRate } from '../hrv/assert-sampling-rate.js';
import { QRS_MAX_FS, QRS_MIN_FS } from './qrs-detector-options.js';
import {
  bandPowers,
  countClipped,
  countFlatWindows,
  judgeQuality,
  resolveQualityOptions,
  slopeKurtosis,
} from './quality-parts.js';
import type { SignalQuality, SignalQualityOptions } from './signal-quality-types.js';

export type { SignalQuality, SignalQualityOptions } from './signal-quality-types.js';

/**
 * Signal-quality index of one ECG segment (a few seconds to a few minutes of one lead), from rules
 * that each catch a failure seen on wearable ECG:
 * - flat line (lead off, amplifier off): fraction of 1 s windows with peak-to-peak < `flatMv`;
 * - saturation/clipping: samples stuck at the segment's extreme values in runs ≥ `clipRunMs`, or
 *   at the ADC rails when `railsMv` is given;
 * - kurtosis (kSQI, Li, Mark & Clifford, Physiol Meas 2008;29:15–32), here of the slope: QRS
 *   complexes make it strongly super-Gaussian (kurtosis ≫ 5), noise and artefact are near
 *   Gaussian (3);
 * - high-frequency noise: share of the power spectrum above 40 Hz (EMG, electrode noise), with
 *   the 50/60 Hz mains bands excluded (those are filterable and reported as a warning);
 * - baseline excursion: share of the power below 0.5 Hz (basSQI of Clifford et al. 2012 uses
 *   1 Hz), which only passes 0.95 when the baseline moves by several mV.
 * The spectrum is a Hann-windowed periodogram of the whole segment. `score` is the lowest
 * component score; `analysable` is false when any hard rule fails (Clifford et al., Physiol Meas
 * 2012;33:1419–33 and Behar et al., IEEE TMI 2013;32:1660–6 combine similar indices).
 *
 * @param ecgMv one ECG lead in mV (Float64Array or Float32Array)
 * @param fs sampling rate in Hz (100–1000)
 */
export function signalQuality(
  ecgMv: Float64Array | Float32Array,
  fs: number,
  options: SignalQualityOptions = {},
): SignalQuality {
  if (!(ecgMv instanceof Float64Array || ecgMv instanceof Float32Array)) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'ecgMv',
      'ecgMv must be a Float64Array or Float32Array',
    );
  }
  assertSamplingRate(fs, 'fs', { min: QRS_MIN_FS, max: QRS_MAX_FS });
  if (ecgMv.length === 0) throw new SignalInputError('EMPTY_INPUT', 'ecgMv', 'ecgMv is empty');
  const t = resolveQualityOptions(options);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < ecgMv.length; i++) {
    const v = ecgMv[i] ?? NaN;
    if (!Number.isFinite(v)) {
      throw new SignalInputError('NON_FINITE_SAMPLE', `ecgMv[${i}]`, `ecgMv[${i}] is not finite`);
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const n = ecgMv.length;
  const metrics = {
    flatFraction: 0,
    clippedFraction: 0,
    kurtosis: NaN,
    hfRatio: NaN,
    baselineRatio: NaN,
    mainsRatio: NaN,
  };
  if (n < t.minDurationS * fs) {
    return { score: 0, analysable: false, reasons: ['too-short'], metrics };
  }
  const flat = countFlatWindows(ecgMv, 0, n, Math.round(fs), t.flatMv);
  metrics.flatFraction = flat.flat / flat.windows;
  metrics.clippedFraction = countClipped(ecgMv, 0, n, { min, max }, t, fs) / n;
  metrics.kurtosis = slopeKurtosis(ecgMv, 0, n, fs);
  const p = bandPowers(ecgMv, 0, n, fs);
  metrics.hfRatio = p.above > 0 ? p.hf / p.above : 0;
  metrics.baselineRatio = p.total > 0 ? p.low / p.total : 0;
  metrics.mainsRatio = p.above > 0 ? p.mains / p.above : 0;
  return judgeQuality(metrics, t);
}
