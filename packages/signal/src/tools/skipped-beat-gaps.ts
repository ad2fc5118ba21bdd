import { SignalInputError } from '../errors.js';
import { designBandpass } from '../filters/design-bandpass.js';
import { filtfilt } from '../filters/filtfilt.js';

export interface SkippedBeatGapsOptions {
  /** Sampling rate of the ECG and the peak indices, Hz (required). */
  fs: number;
  /** An RR interval this many times the record's median RR is a gap. Default 1.7. */
  gapRatio?: number;
  /**
   * A gap holds a skipped beat when its largest band-passed (5–15 Hz) amplitude, away from the
   * two beats around it (`marginS`), is at least this fraction of the median band-passed R
   * amplitude of the detected beats. Default 0.5.
   */
  peakFraction?: number;
  /** Part of the gap next to each of its beats left out (their QRS and T waves), s. Default 0.25. */
  marginS?: number;
}

/** An RR interval that looks like it skipped a beat: its beats (sample indices) and its peak. */
export interface SkippedBeatGap {
  startSample: number;
  endSample: number;
  /** Largest band-passed amplitude inside the gap over the median R amplitude. */
  peakRatio: number;
}

/**
 * The RR intervals of a detection that probably skipped a beat, for records without reference
 * beats (CinC 2017 strips): an interval at least `gapRatio` times the median RR that holds a
 * QRS-sized peak (band-passed 5–15 Hz, the detector's QRS band after Pan & Tompkins 1985, at
 * least `peakFraction` of the beats' median amplitude). A real pause holds no such peak; an
 * undetected beat does. It is a proxy, not a reference: a large T or P wave, ectopic beats or
 * noise also count. Fewer than 3 peaks: no gaps.
 */
export function skippedBeatGaps(
  ecgMv: Float64Array | Float32Array,
  peaks: Int32Array | readonly number[],
  options: SkippedBeatGapsOptions,
): SkippedBeatGap[] {
  if (!(ecgMv instanceof Float64Array || ecgMv instanceof Float32Array) || ecgMv.length === 0) {
    throw new SignalInputError('EMPTY_INPUT', 'ecgMv', 'ECG must be a non-empty Float64Array');
  }
  const { fs } = options;
  const gapRatio = options.gapRatio ?? 1.7;
  const peakFraction = options.peakFraction ?? 0.5;
  const margin = Math.round((options.marginS ?? 0.25) * fs);
  if (peaks.length < 3) return [];
  const bp = filtfilt(ecgMv, designBandpass({ lowHz: 5, highHz: 15, fs, order: 2 }));
  const largest = (from: number, to: number): number => {
    let m = 0;
    for (let k = Math.max(0, from); k < Math.min(bp.length, to); k++) {
      m = Math.max(m, Math.abs(bp[k] ?? 0));
    }
    return m;
  };
  const half = Math.round(0.05 * fs);
  const median = (values: number[]): number =>
    values.sort((a, b) => a - b)[values.length >> 1] ?? 0;
  const list = Array.from(peaks);
  const amplitude = median(list.map((p) => largest(p - half, p + half + 1)));
  const medianRr = median(list.slice(1).map((p, i) => p - (list[i] ?? 0)));
  const gaps: SkippedBeatGap[] = [];
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1] ?? 0;
    const b = list[i] ?? 0;
    if (b - a < gapRatio * medianRr || amplitude <= 0) continue;
    const ratio = largest(a + margin, b - margin) / amplitude;
    if (ratio >= peakFraction) gaps.push({ startSample: a, endSample: b, peakRatio: ratio });
  }
  return gaps;
}
