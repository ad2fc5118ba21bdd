import { SignalInputError } from '../errors.js';

/**
 * Checks a sampling rate in Hz: finite and > 0. Beat-series functions accept any positive rate
 * (annotation files may use unusual ones); ECG-waveform functions pass `min`/`max` to restrict
 * it to the range the algorithms were validated for.
 */
export function assertSamplingRate(
  fs: unknown,
  field: string,
  range: { min: number; max: number } = { min: 0, max: Infinity },
): asserts fs is number {
  if (typeof fs !== 'number' || !Number.isFinite(fs) || fs <= 0) {
    throw new SignalInputError(
      'INVALID_SAMPLE_RATE',
      field,
      `${field} must be a finite sampling rate > 0 Hz, got ${String(fs)}`,
    );
  }
  if (fs < range.min || fs > range.max) {
    throw new SignalInputError(
      'SAMPLE_RATE_OUT_OF_RANGE',
      field,
      `${field} must be within ${range.min}–${range.max} Hz, got ${fs}`,
    );
  }
}
