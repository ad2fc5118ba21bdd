import { SignalInputError } from '../errors.js';
import { assertPeakIndices } from '../hrv/assert-peak-indices.js';
import { assertSamplingRate } from '../hrv/assert-sampling-rate.js';
import { averageHeartRate } from './average-heart-rate.js';

export interface HeartRateOptions {
  /**
   * End of the averaging window, as a sample index (default: the last beat). In a live stream,
   * pass the number of samples seen so that a pause after the last beat lowers the rate.
   */
  endSample?: number;
  /** Length of the averaging window, ms (default 10 000: the "recent 10 s" of a monitor). */
  windowMs?: number;
  /** Fewest beats in the window for an average (default 3, i.e. two intervals). */
  minBeats?: number;
}

export interface HeartRate {
  /** 60000 / RR for every interval; entry i belongs to beat i+1. */
  instantaneousBpm: Float64Array;
  /** Average over the window, bpm; null with fewer than `minBeats` beats in it. */
  averageBpm: number | null;
  /** Beats inside the window. */
  nBeats: number;
}

/**
 * Instantaneous heart rate of every interval and the average rate over a recent window.
 *
 * The average counts beats rather than averaging instantaneous rates:
 * HR = 60000 · (k − 1) / (t_k − t_1) for the k beats in the window, which a premature beat and its
 * compensatory pause leave almost unchanged (the pair spans about two normal intervals), whereas
 * the mean of 60000/RR is biased upwards by every short interval. When the time since the last
 * beat (to `endSample`) is longer than twice the mean interval (a pause), that open interval
 * counts too, HR = 60000 · k / (end − t_1), so a pause or asystole makes the rate fall instead of
 * freezing.
 *
 * @param peaks beat positions (sample indices, strictly increasing)
 * @param fs sampling rate of `peaks` in Hz
 */
export function heartRate(
  peaks: ArrayLike<number>,
  fs: number,
  options: HeartRateOptions = {},
): HeartRate {
  assertPeakIndices(peaks, 'peaks');
  assertSamplingRate(fs, 'fs');
  const n = peaks.length;
  const lastPeak = n > 0 ? (peaks[n - 1] ?? 0) : 0;
  const { endSample = lastPeak, windowMs = 10_000, minBeats = 3 } = options;
  if (!Number.isFinite(endSample) || endSample < lastPeak) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.endSample',
      `endSample must be a sample index at or after the last beat (${lastPeak}), got ${endSample}`,
    );
  }
  if (!Number.isFinite(windowMs) || windowMs <= 0) {
    throw new SignalInputError('INVALID_OPTION', 'options.windowMs', 'windowMs must be > 0');
  }
  if (!Number.isInteger(minBeats) || minBeats < 2) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.minBeats',
      'minBeats must be an integer ≥ 2',
    );
  }
  const instantaneousBpm = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) {
    instantaneousBpm[i - 1] = (60 * fs) / ((peaks[i] ?? 0) - (peaks[i - 1] ?? 0));
  }
  const { averageBpm, nBeats } = averageHeartRate(peaks, n, fs, endSample, windowMs, minBeats);
  return { instantaneousBpm, averageBpm, nBeats };
}
