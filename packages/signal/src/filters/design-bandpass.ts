import type { Biquad } from './biquad.js';
import { designButterworth } from './design-butterworth.js';

export interface BandpassOptions {
  /** Lower −3 dB edge in Hz (high-pass cutoff). */
  lowHz: number;
  /** Upper −3 dB edge in Hz (low-pass cutoff). */
  highHz: number;
  /** Sampling frequency in Hz. */
  fs: number;
  /** Order of each of the high-pass and low-pass halves. Default 2. */
  order?: number;
}

/**
 * A Butterworth band-pass built as a high-pass cascaded with a low-pass (each of `order`). For
 * edges a few octaves apart this matches the classic band-pass closely and keeps each half's
 * −3 dB point where it was asked.
 */
export function designBandpass(options: BandpassOptions): Biquad[] {
  const { lowHz, highHz, fs } = options;
  const order = options.order ?? 2;
  return [
    ...designButterworth({ type: 'highpass', order, cutoffHz: lowHz, fs }),
    ...designButterworth({ type: 'lowpass', order, cutoffHz: highHz, fs }),
  ];
}
