import { SignalInputError } from '../errors.js';
import { QRS_DELINEATE_CONTEXT_MS } from './qrs-delineate-context.js';

/** The settings of `qrsDelineate` (its options with their defaults applied and checked). */
export interface QrsDelineateSettings {
  onsetFraction: number;
  offsetFraction: number;
  quietMs: number;
  maxOnsetMs: number;
  maxOffsetMs: number;
}

/** Work arrays for one beat's window (`prefix` one longer). */
interface WorkArrays {
  segment: Float64Array;
  prefix: Float64Array;
  smooth1: Float64Array;
  smooth2: Float64Array;
  slope: Float64Array;
  envelope: Float64Array;
}
let work: WorkArrays | null = null;
/**
 * Work arrays of at least `length` samples, shared by all calls and beats (grown when needed, to
 * 551 samples at most: 550 ms at 1000 Hz): the live analyzer delineates each beat in a call of its
 * own, one or two a second per device, and the filters wrote six fresh arrays per beat.
 */
function workArrays(length: number): WorkArrays {
  if (work === null || work.segment.length < length) {
    work = {
      segment: new Float64Array(length),
      prefix: new Float64Array(length + 1),
      smooth1: new Float64Array(length),
      smooth2: new Float64Array(length),
      slope: new Float64Array(length),
      envelope: new Float64Array(length),
    };
  }
  return work;
}

/**
 * Centred moving average of x[0, n) (length `len`), over the samples that exist near the edges,
 * into `y` (`prefix`: n + 1 samples of work space). Returns `x` itself when len ≤ 1.
 */
function movingAverage(
  x: Float64Array,
  n: number,
  len: number,
  y: Float64Array,
  prefix: Float64Array,
): Float64Array {
  if (len <= 1) return x;
  prefix[0] = 0;
  // The running sum is carried in a local (the same additions) rather than read back.
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += x[i] ?? 0;
    prefix[i + 1] = sum;
  }
  const half = len >> 1;
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - half);
    const b = Math.min(n, i - half + len);
    y[i] = ((prefix[b] ?? 0) - (prefix[a] ?? 0)) / (b - a);
  }
  return y;
}

/**
 * The delineation of one complex by the method of `qrsDelineate` (see there), which checks its
 * input and calls this for each beat: QRS onset and offset of the beat at sample `p` of `ecgMv`
 * written to `out` (−1 when undetermined). Internal (not exported from the package): the live
 * analyzer calls it directly for each beat, on samples it has checked, without the per-call
 * checks and result arrays of `qrsDelineate`.
 */
export function delineateQrsComplex(
  ecgMv: Float64Array | Float32Array,
  fs: number,
  p: number,
  settings: QrsDelineateSettings,
  out: { onset: number; offset: number },
): void {
  const { onsetFraction, offsetFraction, quietMs, maxOnsetMs, maxOffsetMs } = settings;
  const ms = (v: number): number => Math.max(1, Math.round((v * fs) / 1000));
  const before = ms(QRS_DELINEATE_CONTEXT_MS.before);
  const after = ms(QRS_DELINEATE_CONTEXT_MS.after);
  const k = ms(4);
  const quiet = ms(quietMs);
  const maxSlopeHalf = ms(80);
  const { segment, prefix, smooth1, smooth2, slope, envelope } = workArrays(
    Math.min(ecgMv.length, before + after + 1),
  );
  out.onset = -1;
  out.offset = -1;
  const start = Math.max(0, p - before);
  const end = Math.min(ecgMv.length, p + after + 1);
  const length = end - start;
  for (let i = 0; i < length; i++) {
    const v = ecgMv[start + i] ?? NaN;
    segment[i] = v;
    if (!Number.isFinite(v)) {
      throw new SignalInputError(
        'NON_FINITE_SAMPLE',
        `ecgMv[${start + i}]`,
        `ecgMv[${start + i}] is not a finite number`,
      );
    }
  }
  const smooth = movingAverage(
    movingAverage(segment, length, Math.round(fs / 50), smooth1, prefix),
    length,
    Math.round(fs / 60),
    smooth2,
    prefix,
  );
  slope.fill(0, 0, length);
  for (let i = k; i < length - k; i++) {
    slope[i] = Math.abs((smooth[i + k] ?? 0) - (smooth[i - k] ?? 0));
  }
  const env = movingAverage(slope, length, ms(10), envelope, prefix);
  const c = p - start;
  let peakSlope = 0;
  for (let i = Math.max(0, c - maxSlopeHalf); i <= Math.min(length - 1, c + maxSlopeHalf); i++) {
    peakSlope = Math.max(peakSlope, env[i] ?? 0);
  }
  // A flat segment has no complex to delineate.
  if (!(peakSlope > 1e-9)) return;
  const onThreshold = onsetFraction * peakSlope;
  const offThreshold = offsetFraction * peakSlope;
  const lowOn = Math.max(k + quiet, c - ms(maxOnsetMs));
  for (let i = c; i >= lowOn; i--) {
    let settled = true;
    for (let j = i; j > i - quiet; j--) {
      if ((env[j] ?? 0) >= onThreshold) {
        settled = false;
        break;
      }
    }
    if (settled) {
      out.onset = start + i;
      break;
    }
  }
  const highOff = Math.min(length - k - quiet, c + ms(maxOffsetMs));
  for (let i = c; i <= highOff; i++) {
    let settled = true;
    for (let j = i; j < i + quiet; j++) {
      if ((env[j] ?? 0) >= offThreshold) {
        settled = false;
        break;
      }
    }
    if (settled) {
      out.offset = start + i;
      break;
    }
  }
}
