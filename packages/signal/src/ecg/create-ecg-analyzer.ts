import { sortSmallInPlace } from '../sort-small-in-place.js';
import { SignalInputError } from '../errors.js';
import { assertSamplingRate } from '../hrv/assert-sampling-rate.js';
import { createRollingHrv } from '../hrv/create-rolling-hrv.js';
import { createQrsDetector } from './create-qrs-detector.js';
import { averageHeartRate } from './average-heart-rate.js';
import { delineateQrsComplex } from './delineate-qrs-complex.js';
import { QRS_DELINEATE_CONTEXT_MS, QRS_DELINEATE_DEFAULTS } from './qrs-delineate-context.js';
import { QRS_MAX_FS, QRS_MIN_FS, type QrsDetectorOptions } from './qrs-detector-options.js';
import { createSignalQualityTracker } from './create-signal-quality-tracker.js';
import { slopeLag } from './quality-parts.js';
import type { SignalQualityOptions } from './signal-quality-types.js';

export interface EcgAnalyzerOptions {
  /** Sampling rate in Hz (100–1000). */
  fs: number;
  /** Span of the rolling HRV, ms (default 300 000: the Task Force 5 min short-term window). */
  hrvWindowMs?: number;
  /** Span of the heart-rate average and QRS-duration median, ms (default 10 000). */
  hrWindowMs?: number;
  /**
   * Span whose quality is assessed, ms (default `hrWindowMs + hrDelayMs`, 12 s: the HR window and
   * the newest samples after it), rounded to whole 2 s blocks (at least one).
   */
  qualityWindowMs?: number;
  /**
   * The HR window ends this long before the newest sample, ms (default 2000), so that beats the
   * detector has not confirmed yet (search-back waits up to 1.5 RR) are not missing from it.
   */
  hrDelayMs?: number;
  /**
   * A median QRS duration below this (ms, default 40) makes the signal not analysable with the
   * reason `implausible-qrs`: such "beats" are spikes or interference.
   */
  minQrsMs?: number;
  /**
   * Noise between the beats (default 0.6; 0 turns the rule off): the window is not analysable,
   * reason `interbeat-noise`, when the 90th percentile over its RR intervals of the steepest
   * slope between the beats (from 250 ms after one R peak to 100 ms before the next) exceeds this
   * fraction of the median steepest slope of its QRS complexes (R peak ± 50 ms). Electrode-motion
   * artefact has the spectrum of the ECG, so the spectrum and kurtosis rules pass it, and the
   * detector counts its deflections as beats (MIT-BIH Noise Stress Test record 118e06, 6 dB: HR
   * 100–133 bpm reported for 75). Between true beats there are only the T and P waves, whose
   * slopes are a fraction of the QRS's. Chosen on DS1 records with that electrode-motion noise
   * added at 12/6/0 dB (`npm run make:noise-stress`, then `npm run bench:analyzer`; package
   * README): rates more than 5 bpm off 34.8 → 15.7 % of those reported there, 3.3 points fewer
   * rates reported on the clean records (slopes across ±1/360 s then; with SLOPE_HALF_SPAN_S now
   * 14.4 %).
   */
  maxInterbeatSlopeRatio?: number;
  /**
   * Beats that look like their neighbours (default 0.5; 0 turns the rule off): the window is not
   * analysable, reason `unmatched-beats`, when fewer than this fraction of its beats are matched:
   * a beat is matched when its QRS slope curve (x(t + h) − x(t − h), h = 1.6 ms, over the R peak
   * ± 50 ms; see SLOPE_HALF_SPAN_S) correlates ≥ 0.9 with that of one of the 8 beats before it
   * (±1 sample of alignment). A
   * patient's beats repeat a few shapes (multiform ectopy recurs too), while the deflections of
   * electrode-motion noise that the detector takes for beats each have their own: the template
   * matching of the ECG signal quality indices (Li, Clifford & Tarassenko, Physiol Meas
   * 2008;29:15–32), on the slope rather than the samples because a smooth noise ramp correlates
   * with any other ramp. Chosen with `maxSplitRrRatio` on DS1 with electrode-motion noise added at
   * 12/6/0 dB (package README, `npm run bench:analyzer -- <dir> --matched-fraction 0
   * --split-rr-ratio 0` turns both off): rates more than 5 bpm off 15.7 → 7.7 % of those reported
   * there (±1/360 s slopes; 5.9 % with SLOPE_HALF_SPAN_S now); 1.1 points fewer rates reported on
   * the clean DS1 records, 0.6 on CPSC 2021. Below
   * 160 Hz the curve is the second difference on the signal interpolated to ≥ 250 Hz: a 100 Hz
   * signal lacks the band above 45 Hz that tells noise from beats in the slope curve (DS1 + noise
   * at 100 Hz: rates more than 5 bpm off 14.9 → 8.5 % of those reported, package README).
   */
  minMatchedBeatFraction?: number;
  /**
   * An extra beat inside a normal interval (default 1.1; 0 turns the rule off): the window is not
   * analysable, reason `extra-beat`, when one of its beats matches none of the 8 before it (see
   * `minMatchedBeatFraction`) and its two RR intervals sum to less than this multiple of the
   * window's median RR. One deflection of noise counted as a beat in a 10 s window already adds
   * ~6 bpm to the rate. A premature ectopic beat is followed by a compensatory pause (its two intervals
   * sum to ~2 RR) and the beats of atrial fibrillation, however
   * irregular, keep their QRS shape; an unmatched beat splitting one interval in two is what the
   * heart does not produce (an interpolated ectopic beat, rare, also does). Figures with
   * `minMatchedBeatFraction`.
   */
  maxSplitRrRatio?: number;
  /** Fewest NN intervals for a rolling HRV (default 20). */
  minHrvIntervals?: number;
  /** Options passed to `createQrsDetector` (its `fs` is this `fs`). */
  detector?: Omit<QrsDetectorOptions, 'fs'>;
  /** Options passed to `signalQuality` (e.g. `railsMv` of the device's ADC). */
  quality?: SignalQualityOptions;
}

/** A beat reported by the analyzer. */
export interface AnalyzedBeat {
  /** R-peak sample index since the first sample pushed. */
  sample: number;
  /** Interval from the previous beat, ms; null for the first beat. */
  rrMs: number | null;
  /** QRS duration from `qrsDelineate`, ms; null when undetermined. */
  qrsMs: number | null;
}

/** What one `push` or `flush` of the analyzer returns. */
export interface EcgAnalysisUpdate {
  fs: number;
  samplesSeen: number;
  /** Beats newly final in this call (their delineation context has arrived), oldest first. */
  beats: AnalyzedBeat[];
  /**
   * Average HR over the `hrWindowMs` ending `hrDelayMs` before the newest sample (by default
   * 12 s … 2 s ago); null when not analysable or too few beats.
   */
  heartRateBpm: number | null;
  /** Median QRS duration of the beats in the recent `hrWindowMs`; null when not analysable. */
  qrsDurationMs: number | null;
  /** Time-domain HRV over the recent `hrvWindowMs`; null when not analysable or too few beats. */
  hrv: {
    windowMs: number;
    nBeats: number;
    meanNnMs: number;
    sdnnMs: number;
    rmssdMs: number;
    pnn50: number;
  } | null;
  /**
   * Quality of the `qualityWindowMs` ending at the last complete 2 s block of the stream (blocks
   * are aligned to the first sample, so this does not depend on the packet size): the rules of
   * `signalQuality` on the whole window (combined from per-block measures, see
   * `createSignalQualityTracker`), and its saturation, noise and baseline rules on each block.
   * Reasons also include `implausible-qrs` when the recent complexes are narrower than `minQrsMs`,
   * `interbeat-noise` when the slopes between beats are too steep (`maxInterbeatSlopeRatio`),
   * `unmatched-beats` when too few beats resemble a recent one (`minMatchedBeatFraction`), and
   * `extra-beat` when an unlike beat splits a normal interval (`maxSplitRrRatio`).
   */
  quality: { analysable: boolean; score: number; reasons: string[] };
}

/** The live-path analyzer: push 1 s packets (or any chunking), get beats, HR, QRS, HRV, quality. */
export interface EcgAnalyzer {
  /** Analyses the next chunk of ECG (mV at `fs`). A chunk with a non-finite sample is rejected whole. */
  push(chunkMv: Float64Array | Float32Array): EcgAnalysisUpdate;
  /** Ends the stream: confirms the last beats (with whatever context exists) and reports them. */
  flush(): EcgAnalysisUpdate;
  readonly samplesSeen: number;
}

/** Length of the blocks whose quality is judged separately inside the quality window, ms. */
const QUALITY_BLOCK_MS = 2000;
/** Earlier beats that a beat's QRS is compared with (`minMatchedBeatFraction`). */
const MATCH_PREVIOUS = 8;
/** Correlation of the QRS slope curves above which two beats match. */
const MATCH_CORRELATION = 0.9;
/**
 * Below this rate, Hz, the QRS curves are matched as the second difference on a grid of at least
 * MATCH_GRID_FS (see `createEcgAnalyzer`, `fine`). The first difference x[j + 1] − x[j − 1] has its
 * peak gain at fs / 4: below 160 Hz that is under 40 Hz, the top of the QRS band, so the curve
 * loses the fine structure that tells beats from noise. At 200 Hz (CPSC 2021) the first difference
 * still reaches 50 Hz, and a second difference there weighs 50–100 Hz, which on those Holter
 * records is noise (rates reported 94.5 → 81.5 %, package README).
 */
const SECOND_DIFFERENCE_BELOW_FS = 160;
/** Lowest rate of the grid on which the second-difference curves are matched, Hz. */
const MATCH_GRID_FS = 250;
/** Half-width of the Lanczos kernel that interpolates the samples onto that grid, samples. */
const LANCZOS_LOBES = 4;

/**
 * Interpolation weights onto a grid `fine` times finer than the samples: row r − 1 (r = 1 …
 * fine − 1) weighs x[q − LANCZOS_LOBES + 1 … q + LANCZOS_LOBES] for the point q + r / fine.
 * Lanczos kernel sinc(t)·sinc(t / a), a = LANCZOS_LOBES (Turkowski, "Filters for common resampling
 * tasks", Graphics Gems, 1990), normalised to sum 1 so that a constant stays constant: a
 * band-limited interpolation, as the samples of a low rate are (the ADC's anti-aliasing filter).
 */
function lanczosWeights(fine: number): Float64Array[] {
  const sinc = (t: number): number => (t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t));
  const rows: Float64Array[] = [];
  for (let r = 1; r < fine; r++) {
    const row = new Float64Array(2 * LANCZOS_LOBES);
    let sum = 0;
    for (let k = 0; k < row.length; k++) {
      const t = r / fine - (k - LANCZOS_LOBES + 1);
      row[k] = sinc(t) * sinc(t / LANCZOS_LOBES);
      sum += row[k] ?? 0;
    }
    for (let k = 0; k < row.length; k++) row[k] = (row[k] ?? 0) / sum;
    rows.push(row);
  }
  return rows;
}

/**
 * Half-span of the slope that the noise rules measure, s: x(t + h) − x(t − h) with h = 1.6 ms. The
 * span sets which band the slope weighs (the gain 2 sin(2π f h) peaks at 1 / (4h)); electrode-motion
 * noise is a low-frequency artefact while the QRS has energy up to ~100 Hz, so the shorter the span,
 * the more the slope weighs the band where a beat differs from the noise between and around the
 * beats (its slopes lower against the QRS's, its deflections less like beats), up to the derivative
 * itself. The rules' thresholds were chosen with h = 1/360 s (one sample at MIT-BIH's 360 Hz, gain
 * peak 90 Hz); h = 1.6 ms (peak 156 Hz) was chosen among 2.4, 2.0 and 1.6 ms with limits set
 * beforehand, on DS1 with electrode-motion noise, lead 0, rates more than 5 bpm off: 7.7 → 5.9 % of
 * those reported at 360 Hz (2.4 ms: 6.9 %, 2.0 ms: 6.3 %), 8.2 → 7.3 % at 250 Hz (7.8, 7.5 %);
 * 0.5 point fewer rates reported on the clean DS1 records at 360 Hz, 0.3 at 250 Hz, 0.2 on CPSC 2021
 * at its 200 Hz, none of them with more wrong rates (package README). With x[j + 1] − x[j − 1] at
 * 250 Hz (±4 ms) it was 9.9 %.
 */
const SLOPE_HALF_SPAN_S = 0.0016;

/**
 * The slope across ±SLOPE_HALF_SPAN_S as an antisymmetric FIR on the samples:
 * x(j + a) − x(j − a) = Σ_{m ≥ 1} c[m − 1] (x[j + m] − x[j − m]), a = fs · SLOPE_HALF_SPAN_S, with
 * x(j ± a) interpolated by the Lanczos kernel of `lanczosWeights` (LANCZOS_LOBES lobes, each row
 * normalised to sum 1). The two interpolations share their taps' distances to j, so their
 * difference has c[m − 1] = (L(a − m) − L(a + m)) / S, S = Σ_m L(a − m), and no tap at m = 0: at
 * 250 Hz (a = 0.4) four coefficients, 0.660, −0.206, 0.066, −0.009, computed once per analyzer
 * instead of interpolating both points at every slope (16 multiplies; per-packet cost +15 % at
 * 250 Hz, measured with the former 1/360-s span). Where a > 1 (above 625 Hz) the two
 * interpolations' taps reach floor(a) + LANCZOS_LOBES samples; where a is whole (625 Hz) the slope
 * is the plain difference and no kernel is used.
 */
function slopeKernel(fs: number): Float64Array {
  const a = fs * SLOPE_HALF_SPAN_S;
  const sinc = (t: number): number => (t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t));
  const lanczos = (t: number): number =>
    Math.abs(t) < LANCZOS_LOBES ? sinc(t) * sinc(t / LANCZOS_LOBES) : 0;
  let sum = 0;
  for (let m = Math.floor(a) - LANCZOS_LOBES + 1; m <= Math.floor(a) + LANCZOS_LOBES; m++) {
    sum += lanczos(a - m);
  }
  const taps = new Float64Array(Math.floor(a) + LANCZOS_LOBES);
  for (let m = 1; m <= taps.length; m++) taps[m - 1] = (lanczos(a - m) - lanczos(a + m)) / sum;
  return taps;
}

/**
 * Median of values[0, n), sorted in place by insertion (the ~12 QRS durations of the HR window,
 * at every packet): for finite values the same order as a comparator sort, without the array
 * copy and the comparator calls.
 */
function median(values: Float64Array, n: number): number | null {
  if (n === 0) return null;
  sortSmallInPlace(values, n);
  const mid = n >> 1;
  return n % 2 === 1 ? (values[mid] ?? null) : ((values[mid - 1] ?? 0) + (values[mid] ?? 0)) / 2;
}

/**
 * Creates the streaming ECG analyzer of the live path. It carries every state across packets:
 * the QRS detector (`createQrsDetector`, whose peaks do not depend on the chunking), the recent
 * samples needed to delineate a beat (`QRS_DELINEATE_CONTEXT_MS` on each side, so each beat's
 * `qrsMs` is exactly what `qrsDelineate` gives offline) and to assess quality, and the beats of
 * the HRV window.
 *
 * Beats are reported once the samples `QRS_DELINEATE_CONTEXT_MS.after` past them have arrived, so
 * the concatenated `beats` of all updates are the same for any chunking, and equal to
 * `detectQrs` + `rrIntervalsMs` + `qrsDelineate` on the whole record. Heart rate, QRS duration and
 * HRV describe the recent past at the end of each chunk and are null whenever the quality of the
 * last `qualityWindowMs` says not analysable (lead off, saturation, noise, spikes), never a number
 * computed from noise. Heart rate and quality at a given sample count do not depend on the packet
 * sizes either.
 *
 * Cost per 1 s packet is kept low for a server analysing many devices: each 2 s block's quality is
 * measured once and combined over the window (`createSignalQualityTracker`), the NN decisions of
 * the HRV window are kept between packets (`createRollingHrv`), and delineation reuses its work
 * arrays (`bench/ecg-analyzer-speed.ts`).
 */
export function createEcgAnalyzer(options: EcgAnalyzerOptions): EcgAnalyzer {
  if (typeof options !== 'object') {
    throw new SignalInputError('INVALID_OPTION', 'options', 'options with fs are required');
  }
  assertSamplingRate(options.fs, 'options.fs', { min: QRS_MIN_FS, max: QRS_MAX_FS });
  const {
    fs,
    hrvWindowMs = 300_000,
    hrWindowMs = 10_000,
    minHrvIntervals = 20,
    minQrsMs = 40,
    maxInterbeatSlopeRatio = 0.6,
    minMatchedBeatFraction = 0.5,
    maxSplitRrRatio = 1.1,
    hrDelayMs = 2000,
    qualityWindowMs = hrWindowMs + hrDelayMs,
    detector: detectorOptions = {},
    quality: qualityOptions = {},
  } = options;
  for (const [name, value] of [
    ['hrvWindowMs', hrvWindowMs],
    ['hrWindowMs', hrWindowMs],
    ['qualityWindowMs', qualityWindowMs],
    ['minHrvIntervals', minHrvIntervals],
    ['minQrsMs', minQrsMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new SignalInputError('INVALID_OPTION', `options.${name}`, `${name} must be > 0`);
    }
  }
  if (!Number.isFinite(maxInterbeatSlopeRatio) || maxInterbeatSlopeRatio < 0) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.maxInterbeatSlopeRatio',
      'maxInterbeatSlopeRatio must be ≥ 0',
    );
  }
  if (
    !Number.isFinite(minMatchedBeatFraction) ||
    minMatchedBeatFraction < 0 ||
    minMatchedBeatFraction > 1
  ) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.minMatchedBeatFraction',
      'minMatchedBeatFraction must be in [0, 1]',
    );
  }
  if (!Number.isFinite(maxSplitRrRatio) || maxSplitRrRatio < 0) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.maxSplitRrRatio',
      'maxSplitRrRatio must be ≥ 0',
    );
  }
  const matching = minMatchedBeatFraction > 0 || maxSplitRrRatio > 0;
  if (!Number.isFinite(hrDelayMs) || hrDelayMs < 0) {
    throw new SignalInputError('INVALID_OPTION', 'options.hrDelayMs', 'hrDelayMs must be ≥ 0');
  }
  const detector = createQrsDetector({ ...detectorOptions, fs });
  const toSamples = (ms: number): number => Math.round((ms * fs) / 1000);
  const before = toSamples(QRS_DELINEATE_CONTEXT_MS.before);
  const after = toSamples(QRS_DELINEATE_CONTEXT_MS.after);
  // Quality is assessed each time a 2 s block, aligned to the stream (not to packets, so the
  // result does not depend on chunking), is complete: over the window of the last
  // `qualityWindowMs` (in whole blocks) ending there, and over the block alone. Noise, clipping or
  // a baseline jump in any block of the window makes it unanalysable at once, where the
  // whole-window statistics would need several seconds of it. Kurtosis and flat-line are judged on
  // the whole window only: a block without a QRS (a pause) is neither noise nor a lead-off.
  const blockSamples = toSamples(QUALITY_BLOCK_MS);
  const windowBlocks = Math.max(1, Math.round(toSamples(qualityWindowMs) / blockSamples));
  const windowSamples = windowBlocks * blockSamples;
  const lag = slopeLag(fs);
  const tracker = createSignalQualityTracker({
    fs,
    blockSamples,
    windowBlocks,
    quality: qualityOptions,
  });
  // Samples kept behind the newest one: the quality window, or the delineation context of a peak
  // that the detector confirms late (its search-back waits 1.5 mean RR; 10 s covers RR ≤ 6 s).
  const keepSamples = Math.max(windowSamples + lag, toSamples(10_000) + before + after);

  // Recent samples: buffer[i] is sample bufferStart + i, up to the newest one. Samples before
  // `keptFrom` are no longer needed; they are moved out only when the buffer is full, so the
  // buffer is compacted every ~keepSamples samples rather than copied whole at every packet.
  let buffer = new Float64Array(2 * keepSamples);
  let bufferStart = 0;
  let keptFrom = 0;
  let samplesSeen = 0;
  /** Confirmed peaks not yet reported (waiting for their delineation context). */
  const pending: number[] = [];
  /**
   * Reported beats of the HRV window: sample, QRS duration, steepest slope of the QRS and of the
   * stretch between the previous beat and this one (NaN when too short or the first beat).
   */
  const recent: {
    sample: number;
    qrsMs: number | null;
    clean: boolean;
    qrsSlope: number;
    gapSlope: number;
    matched: boolean;
  }[] = [];
  let lastReported: number | null = null;
  /** The beats of the HRV window, their NN decisions kept between packets. */
  const rollingHrv = createRollingHrv({ fs, minIntervals: minHrvIntervals });

  let nextBlockStart = 0;
  const assessBlocks = (): void => {
    while (nextBlockStart + blockSamples <= samplesSeen) {
      tracker.addBlock(buffer, nextBlockStart - bufferStart);
      nextBlockStart += blockSamples;
    }
  };

  const append = (chunk: Float64Array | Float32Array): void => {
    const oldestNeeded = Math.min(
      samplesSeen + chunk.length - keepSamples,
      (pending[0] ?? samplesSeen) - before,
      // the quality window of the next block to complete, and the slope context before it
      nextBlockStart + blockSamples - windowSamples,
      nextBlockStart - lag,
    );
    keptFrom = Math.max(keptFrom, Math.min(samplesSeen, oldestNeeded));
    if (samplesSeen + chunk.length - bufferStart > buffer.length) {
      const drop = keptFrom - bufferStart;
      if (drop > 0) {
        buffer.copyWithin(0, drop, samplesSeen - bufferStart);
        bufferStart = keptFrom;
      }
      const length = samplesSeen - bufferStart;
      if (length + chunk.length > buffer.length) {
        const grown = new Float64Array(Math.max(2 * buffer.length, length + chunk.length));
        grown.set(buffer.subarray(0, length));
        buffer = grown;
      }
    }
    buffer.set(chunk, samplesSeen - bufferStart);
    samplesSeen += chunk.length;
  };

  // The slope across ±SLOPE_HALF_SPAN_S: from SECOND_DIFFERENCE_BELOW_FS up, the interpolated
  // difference of `slopeKernel`, reaching slopeReach samples on each side; where fs · h is whole
  // (625 Hz) the plain x[j + slopeStep] − x[j − slopeStep]. Below SECOND_DIFFERENCE_BELOW_FS
  // the between-beat slope is x[j + 1] − x[j − 1] and the beat curves are matched on a finer grid
  // (a 100 Hz signal has no band above 45 Hz for a shorter span to weigh).
  const slopeSpan = fs * SLOPE_HALF_SPAN_S;
  const slopeStep = Math.max(1, Math.round(slopeSpan));
  const kernel =
    fs < SECOND_DIFFERENCE_BELOW_FS || Math.abs(slopeSpan - Math.round(slopeSpan)) < 1e-9
      ? null
      : slopeKernel(fs);
  // At most LANCZOS_LOBES + 1 taps: h · fs < 2 up to QRS_MAX_FS (1000 Hz), so `steepest` needs
  // only its unrolled loop.
  const slopeReach = kernel === null ? slopeStep : kernel.length;
  const qrsHalf = toSamples(50);
  const gapAfter = toSamples(250);
  const gapBefore = toSamples(100);
  const gapMin = toSamples(50);
  const gapLongest = toSamples(8000);
  /** Largest |slope| for j in [from, to), samples kept in `buffer`. */
  const steepest = (from: number, to: number): number => {
    const lo = Math.max(from, keptFrom + slopeReach);
    const hi = Math.min(to, samplesSeen - slopeReach);
    let m = 0;
    if (kernel !== null) {
      // 4 taps (160–624 Hz) or 5 (above 625 Hz, 1 < h · fs < 2), unrolled with their 11 samples
      // slid along in locals: this loop runs over most samples, one buffer read per slope (a
      // generic loop over the taps cost 12 % more per packet at 1000 Hz). With 4 taps c5 is 0 and
      // adds exactly 0 (the samples are finite; reads past the buffer's ends give 0 too).
      const [c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0] = kernel;
      const end = hi - bufferStart;
      let i = lo - bufferStart;
      if (i >= end) return 0;
      let xm5 = buffer[i - 5] ?? 0;
      let xm4 = buffer[i - 4] ?? 0;
      let xm3 = buffer[i - 3] ?? 0;
      let xm2 = buffer[i - 2] ?? 0;
      let xm1 = buffer[i - 1] ?? 0;
      let x0 = buffer[i] ?? 0;
      let xp1 = buffer[i + 1] ?? 0;
      let xp2 = buffer[i + 2] ?? 0;
      let xp3 = buffer[i + 3] ?? 0;
      let xp4 = buffer[i + 4] ?? 0;
      for (; i < end; i++) {
        const xp5 = buffer[i + 5] ?? 0;
        const d =
          c1 * (xp1 - xm1) +
          c2 * (xp2 - xm2) +
          c3 * (xp3 - xm3) +
          c4 * (xp4 - xm4) +
          c5 * (xp5 - xm5);
        if (d > m) m = d;
        else if (-d > m) m = -d;
        xm5 = xm4;
        xm4 = xm3;
        xm3 = xm2;
        xm2 = xm1;
        xm1 = x0;
        x0 = xp1;
        xp1 = xp2;
        xp2 = xp3;
        xp3 = xp4;
        xp4 = xp5;
      }
      return m;
    }
    for (let j = lo; j < hi; j++) {
      const d = Math.abs(
        (buffer[j + slopeStep - bufferStart] ?? 0) - (buffer[j - slopeStep - bufferStart] ?? 0),
      );
      if (d > m) m = d;
    }
    return m;
  };
  // Below SECOND_DIFFERENCE_BELOW_FS (100 Hz from the ESP32 firmware) the curves are matched on the signal
  // interpolated to `fine` points per sample, and they are the second difference rather than the
  // first. At 360 Hz the first difference x[j + 1] − x[j − 1] is a derivative up to ~90 Hz: most of
  // its energy, and of the correlation, lies above 45 Hz, where a beat's fine structure repeats and
  // a noise deflection's does not. A 100 Hz signal has nothing above 45 Hz (anti-aliasing), and
  // there x[j + 1] − x[j − 1] peaks at 25 Hz: the 11-sample curves are smooth bumps that noise
  // deflections match as well as beats (DS1 + electrode-motion noise, the unmatched-beats rule
  // alone: rates reported in 83.4 % of the updates at 360 Hz, 96.9 % at 100 Hz, and 95.9 % at
  // 360 Hz on the records band-limited through 100 Hz: the lost band, not the coarse grid). The
  // second difference weights the band that is left by f² (its top, 25–45 Hz, as the first
  // difference weights 45–150 Hz at 360 Hz); on the 300 Hz grid the ±1 sample of alignment is
  // searched in 3.3 ms steps. At ≥ SECOND_DIFFERENCE_BELOW_FS nothing changes (`fine` = 1).
  // Package README.
  const fine = fs < SECOND_DIFFERENCE_BELOW_FS ? Math.ceil(MATCH_GRID_FS / fs) : 1;
  const fineWeights = lanczosWeights(fine);
  const matchHalf = Math.round((50 * fs * fine) / 1000);
  // Curves of the newest beat and the MATCH_PREVIOUS before it, x[m + step] − x[m − step] (or
  // xf[m + 1] − 2 xf[m] + xf[m − 1] on the grid) for m from p − matchHalf − fine to
  // p + matchHalf + fine (the ±1 sample of alignment), in a ring.
  const matchLength = 2 * matchHalf + 1;
  const ringLength = matchLength + 2 * fine;
  const ringBeatsKept = MATCH_PREVIOUS + 1;
  const ring = new Float64Array(ringBeatsKept * ringLength);
  /** Offsets in the ring of the compared curve: aligned first, then outwards to ±1 sample. */
  const matchLags: number[] = [fine];
  for (let d = 1; d <= fine; d++) matchLags.push(fine - d, fine + d);
  /** The signal on the grid around the newest beat, from grid point −matchHalf − fine − 1. */
  const fineSignal = new Float64Array(fine === 1 ? 0 : ringLength + 2);
  let ringBeats = 0;
  /** The newest beat's slope curve (its middle matchLength values), centred, unit norm. */
  const probe = new Float64Array(matchLength);
  const at = (j: number): number =>
    j >= keptFrom && j < samplesSeen ? (buffer[j - bufferStart] ?? 0) : 0;
  /** The signal at grid point m after sample p (time p + m / fine samples). */
  const onGrid = (p: number, m: number): number => {
    const q = Math.floor(m / fine);
    const r = m - q * fine;
    if (r === 0) return at(p + q);
    const w = fineWeights[r - 1];
    if (w === undefined) return 0;
    let v = 0;
    for (let k = 0; k < w.length; k++) v += (w[k] ?? 0) * at(p + q + k - LANCZOS_LOBES + 1);
    return v;
  };
  /**
   * Stores the slope curve of the beat at p and tells whether it correlates ≥ MATCH_CORRELATION
   * with that of one of the MATCH_PREVIOUS beats before it (true for the first beat). Reads samples within the
   * delineation context of p only, so the answer does not depend on the chunking.
   */
  const matchesPrevious = (p: number): boolean => {
    const slot = (ringBeats % ringBeatsKept) * ringLength;
    const j0 = p - matchHalf - 1;
    if (fine === 1 && kernel === null) {
      for (let k = 0; k < ringLength; k++) {
        const j = j0 + k;
        ring[slot + k] = at(j + slopeStep) - at(j - slopeStep);
      }
    } else if (fine === 1 && kernel !== null) {
      // ~30 points a beat: `at` (0 for samples no longer kept) costs nothing worth unrolling.
      for (let k = 0; k < ringLength; k++) {
        const j = j0 + k;
        let d = 0;
        for (let m = 1; m <= kernel.length; m++) {
          d += (kernel[m - 1] ?? 0) * (at(j + m) - at(j - m));
        }
        ring[slot + k] = d;
      }
    } else {
      const m0 = -matchHalf - fine - 1;
      for (let k = 0; k < fineSignal.length; k++) fineSignal[k] = onGrid(p, m0 + k);
      for (let k = 0; k < ringLength; k++) {
        ring[slot + k] =
          (fineSignal[k + 2] ?? 0) - 2 * (fineSignal[k + 1] ?? 0) + (fineSignal[k] ?? 0);
      }
    }
    let mean = 0;
    for (let k = 0; k < matchLength; k++) mean += ring[slot + fine + k] ?? 0;
    mean /= matchLength;
    let norm = 0;
    for (let k = 0; k < matchLength; k++) {
      const v = (ring[slot + fine + k] ?? 0) - mean;
      probe[k] = v;
      norm += v * v;
    }
    const previous = Math.min(ringBeats, MATCH_PREVIOUS);
    ringBeats++;
    // The first beat of the stream has nothing to differ from.
    if (previous === 0) return true;
    if (norm <= 0) return false;
    const scale = 1 / Math.sqrt(norm);
    for (let k = 0; k < matchLength; k++) probe[k] = (probe[k] ?? 0) * scale;
    // The probe is centred, so its dot product with the other curve is their covariance.
    for (let back = 1; back <= previous; back++) {
      const other = ((ringBeats - 1 - back) % ringBeatsKept) * ringLength;
      for (const lag of matchLags) {
        let dot = 0;
        let sum = 0;
        let squares = 0;
        for (let k = 0; k < matchLength; k++) {
          const v = ring[other + lag + k] ?? 0;
          dot += (probe[k] ?? 0) * v;
          sum += v;
          squares += v * v;
        }
        const variance = squares - (sum * sum) / matchLength;
        if (variance > 0 && dot >= MATCH_CORRELATION * Math.sqrt(variance)) return true;
      }
    }
    return false;
  };
  const bounds = { onset: -1, offset: -1 };
  /** `clean`: the quality of the current window, stored with each beat for the HRV. */
  const finalize = (final: boolean, clean: boolean): AnalyzedBeat[] => {
    const out: AnalyzedBeat[] = [];
    while (pending.length > 0) {
      const p = pending[0] ?? 0;
      if (!final && samplesSeen < p + after + 1) break;
      pending.shift();
      // keptFrom > p − before only for a peak confirmed over 10 s late (never seen); it is then
      // delineated on the context that is kept (whether or not older samples are still in the
      // buffer, so the result does not depend on when it was compacted).
      const from = Math.max(0, keptFrom, p - before);
      const to = Math.min(samplesSeen, p + after + 1);
      const segment = buffer.subarray(from - bufferStart, to - bufferStart);
      // `qrsDelineate(segment, fs, [p - from]).durationMs[0]` (NaN → null), without its checks
      // and result arrays: the samples were checked on arrival.
      delineateQrsComplex(segment, fs, p - from, QRS_DELINEATE_DEFAULTS, bounds);
      const qrsMs =
        bounds.onset >= 0 && bounds.offset >= 0
          ? ((bounds.offset - bounds.onset) * 1000) / fs
          : null;
      out.push({
        sample: p,
        rrMs: lastReported === null ? null : ((p - lastReported) * 1000) / fs,
        qrsMs,
      });
      // The stretch between beats starts at most 8 s before the peak: those samples are always
      // kept (`keepSamples`), so the slope does not depend on the chunking.
      const gapFrom = lastReported === null ? p : Math.max(lastReported + gapAfter, p - gapLongest);
      const gapSlope = p - gapBefore - gapFrom >= gapMin ? steepest(gapFrom, p - gapBefore) : NaN;
      const qrsSlope = steepest(p - qrsHalf, p + qrsHalf + 1);
      const matched = matching && matchesPrevious(p);
      recent.push({ sample: p, qrsMs, clean, qrsSlope, gapSlope, matched });
      rollingHrv.push(p, clean);
      lastReported = p;
    }
    const oldest = samplesSeen - toSamples(Math.max(hrvWindowMs, hrWindowMs));
    while (recent.length > 0 && (recent[0]?.sample ?? 0) < oldest) recent.shift();
    return out;
  };

  /** Work array of the QRS durations whose median is reported (the HR window's beats). */
  let qrsScratch = new Float64Array(64);
  /** Work arrays of the QRS and between-beat slopes of the HR window's beats. */
  let qrsSlopes = new Float64Array(64);
  let gapSlopes = new Float64Array(64);
  /** Work array of the RR intervals between the HR window's beats, samples. */
  let rrScratch = new Float64Array(64);
  /** Work array of the beats in the HR window (sample indices), `nHr` of them. */
  let hrPeaks = new Float64Array(64);
  const summarize = (final: boolean): EcgAnalysisUpdate => {
    const quality = tracker.current;
    const beats = finalize(final, quality.analysable);
    const update: EcgAnalysisUpdate = {
      fs,
      samplesSeen,
      beats,
      heartRateBpm: null,
      qrsDurationMs: null,
      hrv: null,
      quality,
    };
    if (!quality.analysable) return update;
    // HR over the `hrWindowMs` that end `hrDelayMs` before the newest sample: the detector
    // confirms a beat up to ~1.5 RR late, and that latency must not read as a slower rate. A
    // longer silence (a pause, asystole) makes the rate fall: heartRate counts the open interval.
    const hrEnd = samplesSeen - 1 - toSamples(hrDelayMs);
    const hrStart = hrEnd - toSamples(hrWindowMs);
    // `recent` holds the whole HRV window (~360 beats at 5 min); the HR window is its tail, so
    // it is read from the end rather than filtered whole at every packet.
    let first = recent.length;
    while (first > 0 && (recent[first - 1]?.sample ?? 0) >= hrStart) first--;
    const inWindow = recent.length - first + pending.length;
    if (qrsScratch.length < inWindow) qrsScratch = new Float64Array(2 * inWindow);
    if (hrPeaks.length < inWindow) hrPeaks = new Float64Array(2 * inWindow);
    if (qrsSlopes.length < inWindow) {
      qrsSlopes = new Float64Array(2 * inWindow);
      gapSlopes = new Float64Array(2 * inWindow);
      rrScratch = new Float64Array(2 * inWindow);
    }
    let nHr = 0;
    let nQrs = 0;
    let nQrsSlopes = 0;
    let nGapSlopes = 0;
    let nMatched = 0;
    let nRr = 0;
    for (let i = first; i < recent.length; i++) {
      const b = recent[i];
      if (b === undefined) continue;
      if (b.matched) nMatched++;
      if (i > first) rrScratch[nRr++] = b.sample - (recent[i - 1]?.sample ?? 0);
      if (b.sample <= hrEnd) hrPeaks[nHr++] = b.sample;
      if (b.qrsMs !== null) qrsScratch[nQrs++] = b.qrsMs;
      qrsSlopes[nQrsSlopes++] = b.qrsSlope;
      // The stretch before the window's first beat lies outside the window.
      if (i > first && !Number.isNaN(b.gapSlope)) gapSlopes[nGapSlopes++] = b.gapSlope;
    }
    if (maxInterbeatSlopeRatio > 0 && nQrsSlopes >= 3 && nGapSlopes >= 2) {
      sortSmallInPlace(gapSlopes, nGapSlopes);
      const gap = gapSlopes[Math.min(nGapSlopes - 1, Math.floor(0.9 * nGapSlopes))] ?? 0;
      const qrs = median(qrsSlopes, nQrsSlopes) ?? 0;
      if (gap > maxInterbeatSlopeRatio * qrs) {
        update.quality = {
          analysable: false,
          score: Math.min(quality.score, 0.49),
          reasons: [...quality.reasons, 'interbeat-noise'],
        };
        return update;
      }
    }
    // The deflections of electrode-motion noise taken for beats have shapes of their own.
    if (
      minMatchedBeatFraction > 0 &&
      nQrsSlopes >= 3 &&
      nMatched < minMatchedBeatFraction * nQrsSlopes
    ) {
      update.quality = {
        analysable: false,
        score: Math.min(quality.score, 0.49),
        reasons: [...quality.reasons, 'unmatched-beats'],
      };
      return update;
    }
    // An unmatched beat between two others closer than one interval apart: noise counted as a beat.
    if (maxSplitRrRatio > 0 && nRr >= 2 && nMatched < nQrsSlopes) {
      const limit = maxSplitRrRatio * (median(rrScratch, nRr) ?? 0);
      for (let i = Math.max(first, 1); i < recent.length - 1; i++) {
        if (recent[i]?.matched !== false) continue;
        if ((recent[i + 1]?.sample ?? 0) - (recent[i - 1]?.sample ?? 0) < limit) {
          update.quality = {
            analysable: false,
            score: Math.min(quality.score, 0.49),
            reasons: [...quality.reasons, 'extra-beat'],
          };
          return update;
        }
      }
    }
    for (const s of pending) if (s >= hrStart && s <= hrEnd) hrPeaks[nHr++] = s;
    const qrsMs = median(qrsScratch, nQrs);
    // Complexes narrower than any QRS (the narrowest, in neonates, last ~50 ms) are spikes or
    // interference that the spectrum and kurtosis rules let through at low sampling rates.
    if (qrsMs !== null && qrsMs < minQrsMs) {
      update.quality = {
        analysable: false,
        score: Math.min(quality.score, 0.49),
        reasons: [...quality.reasons, 'implausible-qrs'],
      };
      return update;
    }
    update.qrsDurationMs = qrsMs;
    if (hrEnd >= 0) {
      // `heartRate(hrPeaks, fs, { endSample: hrEnd, windowMs: hrWindowMs }).averageBpm`, without
      // its input checks (the peaks are increasing and end by hrEnd by construction) and its
      // instantaneous rates, which are not reported.
      update.heartRateBpm = averageHeartRate(hrPeaks, nHr, fs, hrEnd, hrWindowMs, 3).averageBpm;
    }
    // Beats confirmed while the signal was not analysable do not form NN intervals (`clean`).
    rollingHrv.dropBefore(samplesSeen - toSamples(hrvWindowMs));
    update.hrv = rollingHrv.value();
    return update;
  };

  return {
    push(chunkMv) {
      if (!(chunkMv instanceof Float64Array || chunkMv instanceof Float32Array)) {
        throw new SignalInputError(
          'INVALID_ARGUMENT',
          'chunkMv',
          'chunkMv must be a Float64Array or Float32Array',
        );
      }
      for (let i = 0; i < chunkMv.length; i++) {
        if (!Number.isFinite(chunkMv[i])) {
          throw new SignalInputError(
            'NON_FINITE_SAMPLE',
            `chunkMv[${i}]`,
            `chunkMv[${i}] is not a finite number`,
          );
        }
      }
      const peaks = detector.push(chunkMv);
      for (const p of peaks) pending.push(p);
      append(chunkMv);
      assessBlocks();
      return summarize(false);
    },
    flush() {
      for (const p of detector.flush()) pending.push(p);
      return summarize(true);
    },
    get samplesSeen() {
      return samplesSeen;
    },
  };
}
