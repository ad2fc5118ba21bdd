import { SignalInputError } from '../errors.js';

/** Per-frame mean skin colour as three channel series of equal length, uniform in time. */
export interface RgbSeries {
  r: Float64Array;
  g: Float64Array;
  b: Float64Array;
}

/** Checks that the three channels have one length ≥ `minLength` and positive finite values. */
export function assertRgbSeries(rgb: RgbSeries, minLength: number, field = 'rgb'): number {
  const n = rgb.r.length;
  if (rgb.g.length !== n || rgb.b.length !== n) {
    throw new SignalInputError('INVALID_ARGUMENT', field, 'r, g and b must have the same length');
  }
  if (n < minLength) {
    throw new SignalInputError(
      'EMPTY_INPUT',
      field,
      `need at least ${minLength} samples, got ${n}`,
    );
  }
  for (const channel of [rgb.r, rgb.g, rgb.b]) {
    for (let i = 0; i < n; i++) {
      const v = channel[i] ?? Number.NaN;
      if (!Number.isFinite(v) || v <= 0) {
        throw new SignalInputError(
          'NON_FINITE_SAMPLE',
          field,
          `colour samples must be positive finite numbers (sample ${i} is ${v})`,
        );
      }
    }
  }
  return n;
}
