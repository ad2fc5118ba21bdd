import { SignalInputError } from '../errors.js';

export interface ResampleOptions {
  /** Zero crossings of the sinc kernel on each side. Default 16. */
  zeroCrossings?: number;
  /** Pass-band edge as a fraction of the lower Nyquist frequency. Default 0.9. */
  rolloff?: number;
}

/**
 * Band-limited resampling from `fsIn` to `fsOut` Hz by windowed-sinc interpolation (Smith,
 * "Digital Audio Resampling Home Page", CCRMA, 2002): each output sample is the input convolved
 * with a Blackman-windowed sinc whose cutoff is `rolloff` × the lower of the two Nyquist
 * frequencies, which also serves as the anti-aliasing filter when decimating. Output length is
 * round(n × fsOut / fsIn); output sample j sits at time j / fsOut s like input sample j·fsIn/fsOut.
 * Edges are treated as zero beyond the signal.
 */
export function resample(
  x: Float64Array | Float32Array,
  fsIn: number,
  fsOut: number,
  options: ResampleOptions = {},
): Float64Array {
  if (!Number.isFinite(fsIn) || fsIn <= 0) {
    throw new SignalInputError(
      'INVALID_SAMPLE_RATE',
      'fsIn',
      'fsIn must be a positive number of Hz',
    );
  }
  if (!Number.isFinite(fsOut) || fsOut <= 0) {
    throw new SignalInputError(
      'INVALID_SAMPLE_RATE',
      'fsOut',
      'fsOut must be a positive number of Hz',
    );
  }
  const zeros = options.zeroCrossings ?? 16;
  const rolloff = options.rolloff ?? 0.9;
  const n = x.length;
  const nOut = Math.round((n * fsOut) / fsIn);
  const out = new Float64Array(nOut);
  if (fsIn === fsOut) {
    out.set(x);
    return out;
  }
  const ratio = fsIn / fsOut;
  // Cutoff in cycles per input sample.
  const fc = 0.5 * rolloff * Math.min(1, fsOut / fsIn);
  const halfWidth = zeros / (2 * fc);
  for (let j = 0; j < nOut; j++) {
    const t = j * ratio;
    const lo = Math.max(0, Math.ceil(t - halfWidth));
    const hi = Math.min(n - 1, Math.floor(t + halfWidth));
    let acc = 0;
    for (let i = lo; i <= hi; i++) {
      const d = i - t;
      const u = d / halfWidth; // −1 … 1
      const window = 0.42 + 0.5 * Math.cos(Math.PI * u) + 0.08 * Math.cos(2 * Math.PI * u);
      const arg = 2 * fc * d;
      const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
      acc += (x[i] ?? 0) * 2 * fc * sinc * window;
    }
    out[j] = acc;
  }
  return out;
}
