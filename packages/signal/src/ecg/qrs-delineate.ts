import { SignalInputError } from '../errors.js';
import { assertPeakIndices } from '../hrv/assert-peak-indices.js';
import { assertSamplingRate } from '../hrv/assert-sampling-rate.js';

export interface QrsDelineateOptions {
  /** Onset threshold as a fraction of the largest slope of the complex (default 0.04). */
  onsetFraction?: number;
  /** Offset threshold as a fraction of the largest slope of the complex (default 0.08). */
  offsetFraction?: number;
  /** How long the slope must stay under the threshold to end the search, ms (default 8). */
  quietMs?: number;
  /** Earliest onset searched, ms before the peak (default 150). */
  maxOnsetMs?: number;
  /** Latest offset searched, ms after the peak (default 200). */
  maxOffsetMs?: number;
}

/** Delineation of each beat; index i belongs to `peaks[i]`. */
export interface QrsDelineation {
  /** QRS onset sample index, −1 when it could not be determined. */
  onset: Int32Array;
  /** QRS offset sample index, −1 when it could not be determined. */
  offset: Int32Array;
  /** (offset − onset) in ms, NaN when either is undetermined. */
  durationMs: Float64Array;
}

/**
 * Samples needed on each side of a peak (ms) for its delineation to be final: the analysis only
 * reads `[peak − QRS_DELINEATE_CONTEXT_MS.before, peak + QRS_DELINEATE_CONTEXT_MS.after]`, so a
 * streaming caller that holds this context gets exactly the offline result.
 */
export const QRS_DELINEATE_CONTEXT_MS = { before: 250, after: 300 } as const;

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
  for (let i = 0; i < n; i++) prefix[i + 1] = (prefix[i] ?? 0) + (x[i] ?? 0);
  const half = len >> 1;
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - half);
    const b = Math.min(n, i - half + len);
    y[i] = ((prefix[b] ?? 0) - (prefix[a] ?? 0)) / (b - a);
  }
  return y;
}

/**
 * QRS onset, offset and duration of each beat of a single ECG lead, by slope thresholds in the
 * manner of Laguna et al. (Comput Biomed Res 1994;27:45–60, the ECGPUWAVE method): the lead is
 * low-pass filtered, its absolute derivative is the slope envelope, and from the beat's peak the
 * search walks outwards until the slope stays below a fraction of the complex's largest slope for
 * `quietMs`.
 *
 * Filtering is two moving averages of 1/50 s and 1/60 s (zeros at 50 and 60 Hz and their
 * harmonics, so mains interference cannot hold the slope up), a central difference over ±4 ms and
 * a 10 ms envelope smoothing; all are FIR and applied to the window around each beat only, so a
 * beat's result depends on nothing outside `QRS_DELINEATE_CONTEXT_MS` (streaming = offline).
 * The thresholds were chosen on the only delineation reference available here, LUDB record 1
 * (Kalyakulina et al., IEEE Access 2020), where errors are flat within ±1.5 ms for onset
 * fractions 0.02–0.05 and offset fractions 0.05–0.1. Polarity does not matter (negative complexes
 * work the same). A beat whose slope never settles within the search range (noise, wide
 * artefact) gets −1/NaN instead of a guess.
 *
 * @param ecgMv one ECG lead in mV (Float64Array or Float32Array)
 * @param fs sampling rate in Hz (125–1000)
 * @param peaks beat positions (sample indices into `ecgMv`), e.g. from `detectQrs`
 */
export function qrsDelineate(
  ecgMv: Float64Array | Float32Array,
  fs: number,
  peaks: ArrayLike<number>,
  options: QrsDelineateOptions = {},
): QrsDelineation {
  if (!(ecgMv instanceof Float64Array || ecgMv instanceof Float32Array)) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'ecgMv',
      'ecgMv must be a Float64Array or Float32Array',
    );
  }
  assertSamplingRate(fs, 'fs', { min: 125, max: 1000 });
  assertPeakIndices(peaks, 'peaks');
  const {
    onsetFraction = 0.04,
    offsetFraction = 0.08,
    quietMs = 8,
    maxOnsetMs = 150,
    maxOffsetMs = 200,
  } = options;
  for (const [name, value, max] of [
    ['onsetFraction', onsetFraction, 1],
    ['offsetFraction', offsetFraction, 1],
    ['quietMs', quietMs, 100],
    ['maxOnsetMs', maxOnsetMs, QRS_DELINEATE_CONTEXT_MS.before - 50],
    ['maxOffsetMs', maxOffsetMs, QRS_DELINEATE_CONTEXT_MS.after - 50],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0 || value > max) {
      throw new SignalInputError(
        'INVALID_OPTION',
        `options.${name}`,
        `${name} must be in (0, ${max}], got ${value}`,
      );
    }
  }
  const last = peaks.length > 0 ? (peaks[peaks.length - 1] ?? 0) : -1;
  if (last >= ecgMv.length) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      `peaks[${peaks.length - 1}]`,
      `peak ${last} is beyond the signal (${ecgMv.length} samples)`,
    );
  }

  const ms = (v: number): number => Math.max(1, Math.round((v * fs) / 1000));
  const before = ms(QRS_DELINEATE_CONTEXT_MS.before);
  const after = ms(QRS_DELINEATE_CONTEXT_MS.after);
  const k = ms(4);
  const quiet = ms(quietMs);
  const maxSlopeHalf = ms(80);
  const n = peaks.length;
  const onset = new Int32Array(n).fill(-1);
  const offset = new Int32Array(n).fill(-1);
  const durationMs = new Float64Array(n).fill(NaN);
  const { segment, prefix, smooth1, smooth2, slope, envelope } = workArrays(
    Math.min(ecgMv.length, before + after + 1),
  );

  for (let b = 0; b < n; b++) {
    const p = peaks[b] ?? 0;
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
    if (!(peakSlope > 1e-9)) continue;
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
        onset[b] = start + i;
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
        offset[b] = start + i;
        break;
      }
    }
    const on = onset[b] ?? -1;
    const off = offset[b] ?? -1;
    if (on >= 0 && off >= 0) durationMs[b] = ((off - on) * 1000) / fs;
  }
  return { onset, offset, durationMs };
}
