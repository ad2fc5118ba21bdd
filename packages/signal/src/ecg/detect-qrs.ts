import { SignalInputError } from '../errors.js';
import { createQrsDetector } from './create-qrs-detector.js';
import type { QrsDetectorOptions } from './qrs-detector-options.js';

/**
 * Detects QRS complexes in a single-lead ECG (mV at `options.fs` Hz) and returns the R-peak
 * sample indices in increasing order. It is the streaming detector fed the whole signal at once,
 * so live and offline analysis agree beat for beat. Throws `SignalInputError` for an empty
 * signal, non-finite samples or a sampling rate outside 100–1000 Hz.
 */
export function detectQrs(
  ecgMv: Float64Array | Float32Array,
  options: QrsDetectorOptions,
): Int32Array {
  if (!(ecgMv instanceof Float64Array || ecgMv instanceof Float32Array) || ecgMv.length === 0) {
    throw new SignalInputError(
      'EMPTY_INPUT',
      'ecgMv',
      'ECG must be a non-empty Float64Array or Float32Array',
    );
  }
  const detector = createQrsDetector(options);
  const a = detector.push(ecgMv);
  const b = detector.flush();
  if (b.length === 0) return a;
  const all = new Int32Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  return all;
}
