import { SignalInputError } from '../errors.js';

/** A radix-2 FFT of one fixed size, with its tables computed once. */
export interface RealFft {
  /** Transform length (a power of two). */
  readonly size: number;
  /**
   * Power spectrum |X[k]|² for k = 0 … size/2 of a real frame. `frame` may be shorter than
   * `size` (zero-padded); `out` must hold size/2 + 1 values.
   */
  power(frame: ArrayLike<number>, out: Float64Array): Float64Array;
  /**
   * Linear autocorrelation r[lag] = Σ frame[i]·frame[i + lag] for lag = 0 … out.length − 1
   * (at most size/2), by the Wiener–Khinchin theorem; `frame` must be at most size/2 long so the
   * circular correlation does not wrap.
   */
  autocorrelation(frame: ArrayLike<number>, out: Float64Array): Float64Array;
}

/**
 * Creates an iterative radix-2 decimation-in-time FFT (Cooley & Tukey 1965) of length `size` for
 * real frames. Twiddles and the bit-reversal permutation are tabulated once, so the audio feature
 * extractor pays only the butterflies per frame.
 *
 * @param size transform length, a power of two from 2 to 65536
 */
export function createRealFft(size: number): RealFft {
  if (!Number.isInteger(size) || size < 2 || size > 65536 || (size & (size - 1)) !== 0) {
    throw new SignalInputError('INVALID_ARGUMENT', 'size', 'size must be a power of two, 2–65536');
  }
  const bits = Math.round(Math.log2(size));
  const reverse = new Uint32Array(size);
  for (let i = 0; i < size; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >>> b) & 1) << (bits - 1 - b);
    reverse[i] = r;
  }
  const cos = new Float64Array(size / 2);
  const sin = new Float64Array(size / 2);
  for (let k = 0; k < size / 2; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / size);
    sin[k] = -Math.sin((2 * Math.PI * k) / size);
  }
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const transform = (frame: ArrayLike<number>): void => {
    const n = Math.min(frame.length, size);
    for (let i = 0; i < size; i++) {
      const j = reverse[i] ?? 0;
      re[j] = i < n ? (frame[i] ?? 0) : 0;
      im[j] = 0;
    }
    for (let half = 1; half < size; half *= 2) {
      const step = size / (2 * half);
      for (let start = 0; start < size; start += 2 * half) {
        for (let k = 0; k < half; k++) {
          const wr = cos[k * step] ?? 1;
          const wi = sin[k * step] ?? 0;
          const a = start + k;
          const b = a + half;
          const br = re[b] ?? 0;
          const bi = im[b] ?? 0;
          const tr = wr * br - wi * bi;
          const ti = wr * bi + wi * br;
          const ar = re[a] ?? 0;
          const ai = im[a] ?? 0;
          re[b] = ar - tr;
          im[b] = ai - ti;
          re[a] = ar + tr;
          im[a] = ai + ti;
        }
      }
    }
  };
  const full = new Float64Array(size);
  const halfSpectrum = new Float64Array(size / 2 + 1);
  const power = (frame: ArrayLike<number>, out: Float64Array): Float64Array => {
    if (out.length < size / 2 + 1) {
      throw new SignalInputError('INVALID_ARGUMENT', 'out', 'out must hold size/2 + 1 values');
    }
    transform(frame);
    for (let k = 0; k <= size / 2; k++) {
      const r = re[k] ?? 0;
      const i = im[k] ?? 0;
      out[k] = r * r + i * i;
    }
    return out;
  };
  return {
    size,
    power,
    autocorrelation(frame, out) {
      if (frame.length > size / 2) {
        throw new SignalInputError(
          'INVALID_ARGUMENT',
          'frame',
          'frame must be at most size/2 long',
        );
      }
      power(frame, halfSpectrum);
      // The power spectrum is real and even, so its inverse transform is its forward one / size.
      for (let k = 0; k <= size / 2; k++) full[k] = halfSpectrum[k] ?? 0;
      for (let k = size / 2 + 1; k < size; k++) full[k] = halfSpectrum[size - k] ?? 0;
      transform(full);
      const n = Math.min(out.length, size / 2);
      for (let lag = 0; lag < n; lag++) out[lag] = (re[lag] ?? 0) / size;
      return out;
    },
  };
}
