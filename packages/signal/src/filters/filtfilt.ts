import { SignalInputError } from '../errors.js';
import type { Biquad } from './biquad.js';
import { sosFilter } from './sos-filter.js';

/**
 * Zero-phase filtering: the cascade is run forwards, then backwards over the result, so the
 * phase cancels and the magnitude response is squared (Gustafsson, IEEE Trans. SP 44(4), 1996;
 * the approach of MATLAB/SciPy `filtfilt`). To tame the start-up transient the signal is
 * extended at both ends by its odd reflection (`padLength` samples, default
 * 6 × sections + 1, capped at length − 1) and each section starts in its steady state for the
 * first padded sample, as SciPy's `sosfilt_zi` does.
 */
export function filtfilt(
  x: Float64Array | Float32Array,
  sections: readonly Biquad[],
  options: { padLength?: number } = {},
): Float64Array {
  const n = x.length;
  if (n === 0) throw new SignalInputError('EMPTY_INPUT', 'x', 'cannot filter an empty signal');
  const pad = Math.min(n - 1, options.padLength ?? 6 * sections.length + 1);
  if (!Number.isInteger(pad) || pad < 0) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.padLength',
      'padLength must be an integer ≥ 0',
    );
  }
  const ext = new Float64Array(n + 2 * pad);
  const first = x[0] ?? 0;
  const last = x[n - 1] ?? 0;
  for (let i = 0; i < pad; i++) ext[i] = 2 * first - (x[pad - i] ?? 0);
  ext.set(x, pad);
  for (let i = 0; i < pad; i++) ext[pad + n + i] = 2 * last - (x[n - 2 - i] ?? 0);

  const forward = sosFilter(ext, sections, steadyState(sections, ext[0] ?? 0));
  forward.reverse();
  const backward = sosFilter(forward, sections, steadyState(sections, forward[0] ?? 0));
  backward.reverse();
  return backward.slice(pad, pad + n);
}

/** Transposed-DF-II states of each section after a long constant input `level`. */
function steadyState(sections: readonly Biquad[], level: number): Float64Array {
  const state = new Float64Array(2 * sections.length);
  let input = level;
  sections.forEach((s, k) => {
    const denominator = 1 + s.a1 + s.a2;
    const gain = Math.abs(denominator) < 1e-300 ? 0 : (s.b0 + s.b1 + s.b2) / denominator;
    const output = gain * input;
    const z2 = s.b2 * input - s.a2 * output;
    state[2 * k] = s.b1 * input - s.a1 * output + z2;
    state[2 * k + 1] = z2;
    input = output;
  });
  return state;
}
