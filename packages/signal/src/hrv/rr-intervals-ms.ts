import { assertPeakIndices } from './assert-peak-indices.js';
import { assertSamplingRate } from './assert-sampling-rate.js';

/**
 * RR intervals in ms between consecutive beats: `rr[i] = (peaks[i+1] - peaks[i]) · 1000 / fs`.
 * Interval i ends at beat i+1. Fewer than two beats give an empty array (no interval exists).
 *
 * @param peaks beat positions (sample indices, strictly increasing), e.g. from `detectQrs`
 * @param fs sampling rate of `peaks` in Hz
 */
export function rrIntervalsMs(peaks: ArrayLike<number>, fs: number): Float64Array {
  assertPeakIndices(peaks, 'peaks');
  assertSamplingRate(fs, 'fs');
  const n = Math.max(0, peaks.length - 1);
  const rr = new Float64Array(n);
  const msPerSample = 1000 / fs;
  for (let i = 0; i < n; i++) rr[i] = ((peaks[i + 1] ?? 0) - (peaks[i] ?? 0)) * msPerSample;
  return rr;
}
