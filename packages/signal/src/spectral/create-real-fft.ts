import { SignalInputError } from '../errors.js';

/** A radix-2 FFT of real frames of one fixed size, with its tables computed once. */
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
 * Creates the FFT of real frames of length `size` used across the package (the cry detector's
 * audio frames, the ECG signal-quality spectrum). A real frame of `size` samples is transformed
 * as one complex FFT of `size/2` points, z[m] = x[2m] + i·x[2m+1], whose output is split into
 * the spectrum of x (the standard real-input FFT, Numerical Recipes 3rd ed. §12.3.2):
 *   X[k] = (Z[k] + conj Z[h−k]) / 2 − i·e^(−2πik/size)·(Z[k] − conj Z[h−k]) / 2, h = size/2,
 * which halves the work of a complex FFT of the zero-imaginary frame. The complex FFT is the
 * iterative radix-2 decimation-in-time algorithm (Cooley & Tukey 1965). Twiddles (exact cos/sin
 * per index, no rotation recurrence) and the bit-reversal permutation are tabulated once, so
 * each frame pays only the butterflies.
 *
 * @param size transform length, a power of two from 2 to 65536
 */
export function createRealFft(size: number): RealFft {
  if (!Number.isInteger(size) || size < 2 || size > 65536 || (size & (size - 1)) !== 0) {
    throw new SignalInputError('INVALID_ARGUMENT', 'size', 'size must be a power of two, 2–65536');
  }
  const h = size / 2;
  const bits = Math.round(Math.log2(h));
  const reverse = new Uint32Array(h);
  for (let i = 0; i < h; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >>> b) & 1) << (bits - 1 - b);
    reverse[i] = r;
  }
  // e^(−2πik/size), k < size/2: the split step uses every k, the half-size FFT every other one.
  const cos = new Float64Array(h);
  const sin = new Float64Array(h);
  for (let k = 0; k < h; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / size);
    sin[k] = -Math.sin((2 * Math.PI * k) / size);
  }
  const zr = new Float64Array(h);
  const zi = new Float64Array(h);
  /** X[k], k = 0 … h, of the real frame (zero-padded to `size`). */
  const xr = new Float64Array(h + 1);
  const xi = new Float64Array(h + 1);

  const transform = (frame: ArrayLike<number>): void => {
    const n = Math.min(frame.length, size);
    for (let m = 0; m < h; m++) {
      const j = reverse[m] ?? 0;
      zr[j] = 2 * m < n ? (frame[2 * m] ?? 0) : 0;
      zi[j] = 2 * m + 1 < n ? (frame[2 * m + 1] ?? 0) : 0;
    }
    for (let half = 1; half < h; half *= 2) {
      // Twiddles of the h-point FFT are those of `size` at even indices.
      const step = (2 * h) / (2 * half);
      for (let start = 0; start < h; start += 2 * half) {
        for (let k = 0; k < half; k++) {
          const wr = cos[k * step] ?? 1;
          const wi = sin[k * step] ?? 0;
          const a = start + k;
          const b = a + half;
          const br = zr[b] ?? 0;
          const bi = zi[b] ?? 0;
          const tr = wr * br - wi * bi;
          const ti = wr * bi + wi * br;
          const ar = zr[a] ?? 0;
          const ai = zi[a] ?? 0;
          zr[b] = ar - tr;
          zi[b] = ai - ti;
          zr[a] = ar + tr;
          zi[a] = ai + ti;
        }
      }
    }
    const r0 = zr[0] ?? 0;
    const i0 = zi[0] ?? 0;
    xr[0] = r0 + i0;
    xi[0] = 0;
    xr[h] = r0 - i0;
    xi[h] = 0;
    for (let k = 1; k < h; k++) {
      const a = zr[k] ?? 0;
      const b = zi[k] ?? 0;
      const c = zr[h - k] ?? 0;
      const d = zi[h - k] ?? 0;
      // Even part E = (Z[k] + conj Z[h−k]) / 2, odd part O = −i(Z[k] − conj Z[h−k]) / 2.
      const er = (a + c) / 2;
      const ei = (b - d) / 2;
      const or = (b + d) / 2;
      const oi = (c - a) / 2;
      const wr = cos[k] ?? 1;
      const wi = sin[k] ?? 0;
      xr[k] = er + wr * or - wi * oi;
      xi[k] = ei + wr * oi + wi * or;
    }
  };

  const halfSpectrum = new Float64Array(h + 1);
  const full = new Float64Array(size);
  const power = (frame: ArrayLike<number>, out: Float64Array): Float64Array => {
    if (out.length < h + 1) {
      throw new SignalInputError('INVALID_ARGUMENT', 'out', 'out must hold size/2 + 1 values');
    }
    transform(frame);
    for (let k = 0; k <= h; k++) {
      const r = xr[k] ?? 0;
      const i = xi[k] ?? 0;
      out[k] = r * r + i * i;
    }
    return out;
  };
  return {
    size,
    power,
    autocorrelation(frame, out) {
      if (frame.length > h) {
        throw new SignalInputError(
          'INVALID_ARGUMENT',
          'frame',
          'frame must be at most size/2 long',
        );
      }
      power(frame, halfSpectrum);
      // The power spectrum is real and even, so its inverse transform is its forward one / size
      // (and real).
      for (let k = 0; k <= h; k++) full[k] = halfSpectrum[k] ?? 0;
      for (let k = h + 1; k < size; k++) full[k] = halfSpectrum[size - k] ?? 0;
      transform(full);
      const n = Math.min(out.length, h);
      for (let lag = 0; lag < n; lag++) out[lag] = (xr[lag] ?? 0) / size;
      return out;
    },
  };
}
