import { SignalInputError } from '../errors.js';
import type { Biquad } from './biquad.js';

export interface NotchOptions {
  /** Frequency to reject in Hz (powerline: 50 or 60). */
  frequencyHz: number;
  /** Sampling frequency in Hz. */
  fs: number;
  /** Quality factor f0 / bandwidth. Default 30 (a ~1.7 Hz wide notch at 50 Hz). */
  q?: number;
}

/**
 * A second-order IIR notch (zeros on the unit circle at ±f0, poles just inside), from
 * R. Bristow-Johnson's "Audio EQ Cookbook". Its gain at f0 is exactly zero; the −3 dB width is
 * f0 / Q.
 */
export function designNotch(options: NotchOptions): Biquad {
  const { frequencyHz, fs } = options;
  const q = options.q ?? 30;
  if (!Number.isFinite(fs) || fs <= 0) {
    throw new SignalInputError(
      'INVALID_SAMPLE_RATE',
      'options.fs',
      'fs must be a positive number of Hz',
    );
  }
  if (!Number.isFinite(frequencyHz) || frequencyHz <= 0 || frequencyHz >= fs / 2) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.frequencyHz',
      'notch frequency must lie in (0, fs/2)',
    );
  }
  if (!Number.isFinite(q) || q <= 0) {
    throw new SignalInputError('INVALID_OPTION', 'options.q', 'q must be positive');
  }
  const w0 = (2 * Math.PI * frequencyHz) / fs;
  const alpha = Math.sin(w0) / (2 * q);
  const cos = Math.cos(w0);
  const a0 = 1 + alpha;
  return { b0: 1 / a0, b1: (-2 * cos) / a0, b2: 1 / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
}
