import { SignalInputError } from '../errors.js';
import type { Biquad } from './biquad.js';

/**
 * Runs a biquad cascade causally over `x` (transposed direct form II, zero initial state) and
 * returns the filtered copy. `state`, when given, holds 2 values per section and is read and
 * updated, which is how `createSosFilter` carries state across chunks.
 */
export function sosFilter(
  x: Float64Array | Float32Array,
  sections: readonly Biquad[],
  state: Float64Array = new Float64Array(2 * sections.length),
): Float64Array {
  if (state.length !== 2 * sections.length) {
    throw new SignalInputError('INVALID_ARGUMENT', 'state', 'state needs 2 values per section');
  }
  const y = Float64Array.from(x);
  const n = y.length;
  sections.forEach((s, k) => {
    const { b0, b1, b2, a1, a2 } = s;
    let z1 = state[2 * k] ?? 0;
    let z2 = state[2 * k + 1] ?? 0;
    for (let i = 0; i < n; i++) {
      const xi = y[i] ?? 0;
      const yi = b0 * xi + z1;
      z1 = b1 * xi - a1 * yi + z2;
      z2 = b2 * xi - a2 * yi;
      y[i] = yi;
    }
    state[2 * k] = z1;
    state[2 * k + 1] = z2;
  });
  return y;
}
