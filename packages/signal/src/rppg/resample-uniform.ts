import { SignalInputError } from '../errors.js';

export interface ResampleUniformOptions {
  /** Time of the last output sample, ms. Default: the last input time. */
  endMs?: number;
  /** Number of output samples. Default: as many as fit between the first input time and `endMs`. */
  count?: number;
}

/**
 * Linear interpolation of samples taken at irregular times onto a uniform grid at `fs` Hz that
 * ends at `endMs` (camera frames arrive with jitter and drops; the spectrum needs a uniform
 * rate). Outside the input span the first or last value is held.
 *
 * @param timesMs strictly increasing sample times, ms.
 * @param values one value per time.
 * @param fs output rate, Hz.
 */
export function resampleUniform(
  timesMs: Float64Array | readonly number[],
  values: Float64Array | readonly number[],
  fs: number,
  options: ResampleUniformOptions = {},
): Float64Array {
  if (timesMs.length === 0 || timesMs.length !== values.length) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'timesMs',
      'timesMs and values must be non-empty and of the same length',
    );
  }
  if (!Number.isFinite(fs) || fs <= 0) {
    throw new SignalInputError('INVALID_SAMPLE_RATE', 'fs', 'fs must be a positive number of Hz');
  }
  const n = timesMs.length;
  for (let i = 1; i < n; i++) {
    if (!((timesMs[i] ?? 0) > (timesMs[i - 1] ?? 0))) {
      throw new SignalInputError('INVALID_ARGUMENT', 'timesMs', 'times must strictly increase');
    }
  }
  const first = timesMs[0] ?? 0;
  const endMs = options.endMs ?? timesMs[n - 1] ?? 0;
  const stepMs = 1000 / fs;
  const count = options.count ?? Math.floor((endMs - first) / stepMs + 1e-9) + 1;
  if (!Number.isInteger(count) || count < 1) {
    throw new SignalInputError('INVALID_OPTION', 'options.count', 'count must be an integer ≥ 1');
  }
  const out = new Float64Array(count);
  let j = 0;
  for (let k = 0; k < count; k++) {
    const t = endMs - (count - 1 - k) * stepMs;
    while (j < n - 2 && (timesMs[j + 1] ?? 0) < t) j++;
    const t0 = timesMs[j] ?? 0;
    if (n === 1 || t <= t0) {
      out[k] = values[j] ?? 0;
      continue;
    }
    const t1 = timesMs[j + 1] ?? t0;
    if (t >= t1) {
      out[k] = values[j + 1] ?? 0;
      continue;
    }
    const v0 = values[j] ?? 0;
    const v1 = values[j + 1] ?? 0;
    out[k] = v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
  }
  return out;
}
