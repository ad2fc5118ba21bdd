import { SignalInputError } from '../errors.js';
import { assertPeakIndices } from '../hrv/assert-peak-indices.js';
import { assertSamplingRate } from '../hrv/assert-sampling-rate.js';
import { QRS_MAX_FS, QRS_MIN_FS } from './qrs-detector-options.js';
import { delineateQrsComplex } from './delineate-qrs-complex.js';
import { QRS_DELINEATE_CONTEXT_MS, QRS_DELINEATE_DEFAULTS } from './qrs-delineate-context.js';

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

export { QRS_DELINEATE_CONTEXT_MS } from './qrs-delineate-context.js';

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
 * @param fs sampling rate in Hz (100–1000)
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
  assertSamplingRate(fs, 'fs', { min: QRS_MIN_FS, max: QRS_MAX_FS });
  assertPeakIndices(peaks, 'peaks');
  const {
    onsetFraction = QRS_DELINEATE_DEFAULTS.onsetFraction,
    offsetFraction = QRS_DELINEATE_DEFAULTS.offsetFraction,
    quietMs = QRS_DELINEATE_DEFAULTS.quietMs,
    maxOnsetMs = QRS_DELINEATE_DEFAULTS.maxOnsetMs,
    maxOffsetMs = QRS_DELINEATE_DEFAULTS.maxOffsetMs,
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

  const n = peaks.length;
  const onset = new Int32Array(n).fill(-1);
  const offset = new Int32Array(n).fill(-1);
  const durationMs = new Float64Array(n).fill(NaN);
  const settings = { onsetFraction, offsetFraction, quietMs, maxOnsetMs, maxOffsetMs };
  const bounds = { onset: -1, offset: -1 };
  for (let b = 0; b < n; b++) {
    delineateQrsComplex(ecgMv, fs, peaks[b] ?? 0, settings, bounds);
    onset[b] = bounds.onset;
    offset[b] = bounds.offset;
    if (bounds.onset >= 0 && bounds.offset >= 0) {
      durationMs[b] = ((bounds.offset - bounds.onset) * 1000) / fs;
    }
  }
  return { onset, offset, durationMs };
}
