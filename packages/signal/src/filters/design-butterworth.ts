import { SignalInputError } from '../errors.js';
import type { Biquad } from './biquad.js';

export interface ButterworthOptions {
  /** 'lowpass' or 'highpass'. */
  type: 'lowpass' | 'highpass';
  /** Filter order, 1–12. Default 2. */
  order?: number;
  /** −3 dB cutoff frequency in Hz, strictly between 0 and fs/2. */
  cutoffHz: number;
  /** Sampling frequency in Hz. */
  fs: number;
}

/**
 * Designs a digital Butterworth low- or high-pass filter as a cascade of biquads, by the bilinear
 * transform of the analogue prototype with the cutoff pre-warped (K = tan(π fc / fs)) so the
 * −3 dB point lands exactly at `cutoffHz` (Oppenheim & Schafer, "Discrete-Time Signal
 * Processing", 3rd ed., §7.2). Pole pair k of an order-N prototype has quality factor
 * Q = 1 / (2 sin((2k + 1) π / (2N))); an odd order adds one first-order section.
 */
export function designButterworth(options: ButterworthOptions): Biquad[] {
  assertButterworth(options);
  const { type, cutoffHz, fs } = options;
  const order = options.order ?? 2;
  const k = Math.tan((Math.PI * cutoffHz) / fs);
  const k2 = k * k;
  const sections: Biquad[] = [];
  for (let p = 0; p < Math.floor(order / 2); p++) {
    const q = 1 / (2 * Math.sin(((2 * p + 1) * Math.PI) / (2 * order)));
    const norm = 1 / (1 + k / q + k2);
    const a1 = 2 * (k2 - 1) * norm;
    const a2 = (1 - k / q + k2) * norm;
    if (type === 'lowpass') {
      const b0 = k2 * norm;
      sections.push({ b0, b1: 2 * b0, b2: b0, a1, a2 });
    } else {
      sections.push({ b0: norm, b1: -2 * norm, b2: norm, a1, a2 });
    }
  }
  if (order % 2 === 1) {
    const a1 = (k - 1) / (k + 1);
    if (type === 'lowpass') {
      const b0 = k / (k + 1);
      sections.push({ b0, b1: b0, b2: 0, a1, a2: 0 });
    } else {
      const b0 = 1 / (k + 1);
      sections.push({ b0, b1: -b0, b2: 0, a1, a2: 0 });
    }
  }
  return sections;
}

function assertButterworth(options: ButterworthOptions): void {
  const { fs, cutoffHz, type } = options;
  const order = options.order ?? 2;
  if (!Number.isFinite(fs) || fs <= 0) {
    throw new SignalInputError(
      'INVALID_SAMPLE_RATE',
      'options.fs',
      'fs must be a positive number of Hz',
    );
  }
  if (!Number.isFinite(cutoffHz) || cutoffHz <= 0 || cutoffHz >= fs / 2) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.cutoffHz',
      `cutoff must lie strictly between 0 and fs/2 (${fs / 2} Hz), got ${cutoffHz}`,
    );
  }
  if (!Number.isInteger(order) || order < 1 || order > 12) {
    throw new SignalInputError('INVALID_OPTION', 'options.order', 'order must be an integer 1–12');
  }
  // Callers from plain JavaScript or JSON can pass anything.
  if (!['lowpass', 'highpass'].includes(type)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.type',
      "type must be 'lowpass' or 'highpass'",
    );
  }
}
