import { SignalInputError } from '../errors.js';
import { assertSamplingRate } from '../hrv/assert-sampling-rate.js';
import { QRS_MAX_FS, QRS_MIN_FS } from './qrs-detector-options.js';
import {
  bandPowers,
  countClipped,
  countFlatWindows,
  judgeQuality,
  mayClip,
  periodogramTotal,
  resolveQualityOptions,
  slopeKurtosis,
  slopeLag,
  type BandPowers,
  type QualityThresholds,
} from './quality-parts.js';
import type { SignalQuality, SignalQualityOptions } from './signal-quality-types.js';

export interface SignalQualityTrackerOptions {
  /** Sampling rate in Hz (100–1000). */
  fs: number;
  /** Samples per block (default round(2 fs), 2 s). */
  blockSamples?: number;
  /** Blocks per window (default 6: 12 s of 2 s blocks). */
  windowBlocks?: number;
  /** Thresholds of `signalQuality` (`minDurationS` applies to the window, blocks use 2 s). */
  quality?: SignalQualityOptions;
}

/** Quality of the window and its blocks, as the live analyzer reports it. */
export interface TrackedQuality {
  analysable: boolean;
  score: number;
  reasons: string[];
}

export interface SignalQualityTracker {
  /**
   * Assesses the block x[from, from + blockSamples), the next one of the stream. `x` must also
   * hold the samples of the window before it (blockSamples × (windowBlocks − 1)) and, except for
   * the first block, the `slopeLag(fs)` samples before it. Returns the new `current`.
   */
  addBlock(x: Float64Array | Float32Array, from: number): TrackedQuality;
  /** Quality of the last window (a fresh copy); `too-short` before the first block. */
  readonly current: TrackedQuality;
  /**
   * The window's own `signalQuality`-like result (without the block reasons), and the decimated
   * estimate of its baseline ratio (Infinity when none): for benchmarks that compare them with
   * `signalQuality` of the same samples. Null before the first block.
   */
  readonly window: (SignalQuality & { baselineEstimate: number }) | null;
}

/** What is kept of each block: its own verdict and the sums the window combines. */
interface Block {
  min: number;
  max: number;
  windows: number;
  flat: number;
  /** Count and power sums Σv, Σv², Σv³, Σv⁴ of the slopes v ending in this block. */
  slope: Float64Array;
  /** The same over the first of them, those that start in the previous block. */
  slopeHead: Float64Array;
  band: BandPowers;
  /** Means of the block's `subBlocks` equal parts (the decimated signal for the baseline band). */
  means: Float64Array;
  /** Saturation, noise and baseline reasons of the block alone, and its score. */
  reasons: string[];
  score: number;
}

/** Reasons judged on each block alone (kurtosis and flat line are judged on the window only). */
const BLOCK_RULES = new Set(['saturation', 'high-frequency-noise', 'baseline-wander']);

/** Divisor of `blockSamples` nearest 20 (0.1 s parts of a 2 s block); 1 when there is none. */
function subBlocksOf(blockSamples: number): number {
  let best = 1;
  for (let p = 2; p <= Math.min(blockSamples, 40); p++) {
    if (blockSamples % p === 0 && Math.abs(p - 20) < Math.abs(best - 20)) best = p;
  }
  return best;
}

/**
 * Per rate, sub-block length L and window length (m sub-block means, n = m·L samples): for each
 * bin k ≥ 1 below 0.5 Hz of the window's own periodogram (`bandPowers`: size = the power of two
 * ≥ n, bin k at k·fs/size Hz), the Hann weight times cos/sin(2πk·c/size) at the centre c of each
 * sub-block. Shared by all trackers (every device at a rate uses the same few), bounded in number.
 */
interface LowTable {
  bins: number;
  cos: Float64Array;
  sin: Float64Array;
}
const lowTables = new Map<string, LowTable>();
function lowTableOf(fs: number, subLength: number, m: number): LowTable {
  const key = `${fs}:${subLength}:${m}`;
  let table = lowTables.get(key);
  if (table === undefined) {
    const n = m * subLength;
    let size = 1;
    while (size < n) size <<= 1;
    let bins = 0;
    while (((bins + 1) * fs) / size < 0.5) bins++;
    table = { bins, cos: new Float64Array(bins * m), sin: new Float64Array(bins * m) };
    for (let p = 0; p < m; p++) {
      const c = p * subLength + (subLength - 1) / 2;
      const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * c) / (n - 1));
      for (let k = 1; k <= bins; k++) {
        table.cos[(k - 1) * m + p] = hann * Math.cos((2 * Math.PI * k * c) / size);
        table.sin[(k - 1) * m + p] = hann * Math.sin((2 * Math.PI * k * c) / size);
      }
    }
    if (lowTables.size >= 64) lowTables.clear();
    lowTables.set(key, table);
  }
  return table;
}

/**
 * Quality of a sliding window of whole blocks, updated block by block: the live analyzer's
 * replacement for calling `signalQuality` on the whole window (12 s, a 4096-point FFT at 250 Hz)
 * every 2 s. Each block is measured once when it completes (its own `signalQuality`, bit for bit,
 * for the block rules) and the window's metrics are combined from the block sums:
 * - flat-line windows, extremes: exact (1 s windows tile 2 s blocks at integer rates; otherwise
 *   each block is tiled on its own);
 * - clipping: exact, scanning only the blocks that reach the window's extremes or the rails;
 * - slope kurtosis: exact up to rounding, from per-block power sums Σv…Σv⁴ of the slopes;
 * - high-frequency and mains ratios: Welch's estimator (Welch, IEEE Trans Audio Electroacoust
 *   1967;15:70–3), the average of the blocks' Hann-windowed periodograms, instead of one
 *   periodogram of the whole window: the same band powers, with 2 s resolution (0.5 Hz bins,
 *   enough for the ±1 Hz mains bands and the 40 Hz edge);
 * - baseline ratio (power below 0.5 Hz): needs the window's length for its resolution, so it is
 *   first estimated: the total by Parseval (exact, one pass), the low bins of the window's
 *   periodogram from its 0.1 s means (a DFT of ~120 points at those ~8 bin frequencies). Only when
 *   the estimate exceeds `2·maxBaselineRatio − 1 − 0.1` (0.8 by default) is the exact periodogram
 *   of the window computed. Below it the exact ratio cannot reach the value where the baseline
 *   score drops under 1 (0.9), so decision and score are those of the exact ratio (on MIT-BIH DS1,
 *   at 250 and 360 Hz, the estimate is within 0.008 of it and the exact ratio is computed for
 *   0.9 % of windows: `npm run bench:analyzer -- <mitdb> --check-quality`).
 * The window's reasons are its own plus each block's saturation, noise and baseline reasons; a
 * block with such a reason makes the window not analysable with at most the block's score.
 */
export function createSignalQualityTracker(
  options: SignalQualityTrackerOptions,
): SignalQualityTracker {
  if (typeof options !== 'object') {
    throw new SignalInputError('INVALID_OPTION', 'options', 'options with fs are required');
  }
  assertSamplingRate(options.fs, 'options.fs', { min: QRS_MIN_FS, max: QRS_MAX_FS });
  const { fs, blockSamples = Math.round(2 * fs), windowBlocks = 6, quality = {} } = options;
  if (!Number.isInteger(blockSamples) || blockSamples < 2 * slopeLag(fs)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.blockSamples',
      'blockSamples must be an integer of at least 50 ms',
    );
  }
  if (!Number.isInteger(windowBlocks) || windowBlocks < 1) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.windowBlocks',
      'windowBlocks must be an integer ≥ 1',
    );
  }
  const t = resolveQualityOptions(quality);
  const tBlock: QualityThresholds = { ...t, minDurationS: 2 };
  const win = Math.round(fs);
  const lag = slopeLag(fs);
  const subBlocks = subBlocksOf(blockSamples);
  const subLength = blockSamples / subBlocks;
  const exactBaselineFrom = 2 * Math.min(t.maxBaselineRatio, 0.999) - 1 - 0.1;
  const blocks: Block[] = [];
  let blocksSeen = 0;
  let current: TrackedQuality = { analysable: false, score: 0, reasons: ['too-short'] };
  let lastWindow: (SignalQuality & { baselineEstimate: number }) | null = null;
  const decimated = new Float64Array(windowBlocks * subBlocks);
  let spareMeans: Float64Array | null = null;

  /**
   * The window periodogram's power below 0.5 Hz (`BandPowers.low`), from its 0.1 s means: over a
   * sub-block of L samples, the Hann window and the complex exponential of a bin below 0.5 Hz
   * change by less than 2 % and 0.16 rad, so each DFT term of the sub-block is ≈ L × its mean
   * times their value at its centre (the sub-block's other content averages out).
   */
  const lowBandEstimate = (means: Float64Array, m: number): number => {
    const { bins, cos, sin } = lowTableOf(fs, subLength, m);
    let mean = 0;
    for (let p = 0; p < m; p++) mean += means[p] ?? 0;
    mean /= m;
    let low = 0;
    for (let k = 0; k < bins; k++) {
      let re = 0;
      let im = 0;
      for (let p = 0; p < m; p++) {
        const v = (means[p] ?? 0) - mean;
        re += v * (cos[k * m + p] ?? 0);
        im += v * (sin[k * m + p] ?? 0);
      }
      low += re * re + im * im;
    }
    return subLength * subLength * low;
  };

  const measureBlock = (x: Float64Array | Float32Array, from: number): Block => {
    let min = Infinity;
    let max = -Infinity;
    for (let i = from; i < from + blockSamples; i++) {
      const v = x[i] ?? 0;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const flat = countFlatWindows(x, from, blockSamples, win, t.flatMv);
    // Slopes (x[i + lag] − x[i]) / lag are assigned to the block of x[i + lag]; those with i
    // before the block are also summed apart, to be removed when the block starts a window.
    const powerSums = (start: number, end: number): Float64Array => {
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let s4 = 0;
      for (let i = start; i < end; i++) {
        const v = ((x[i + lag] ?? 0) - (x[i] ?? 0)) / lag;
        const v2 = v * v;
        s1 += v;
        s2 += v2;
        s3 += v2 * v;
        s4 += v2 * v2;
      }
      return Float64Array.of(Math.max(0, end - start), s1, s2, s3, s4);
    };
    const slopeHead = blocksSeen === 0 ? new Float64Array(5) : powerSums(from - lag, from);
    const slope = powerSums(from, from + blockSamples - lag);
    // Σ of this block's own slopes: exactly the first pass of `slopeKurtosis` of the block.
    const ownSlopeSum = slope[1] ?? 0;
    for (let k = 0; k < 5; k++) slope[k] = (slope[k] ?? 0) + (slopeHead[k] ?? 0);
    // The means array of the block that left the window is refilled (it is no longer read).
    const means = spareMeans ?? new Float64Array(subBlocks);
    spareMeans = null;
    for (let p = 0; p < subBlocks; p++) {
      let sum = 0;
      for (let i = from + p * subLength; i < from + (p + 1) * subLength; i++) sum += x[i] ?? 0;
      means[p] = sum / subLength;
    }
    const band = bandPowers(x, from, blockSamples, fs);
    // The block's own verdict: exactly `signalQuality(block, fs, { ...quality, minDurationS: 2 })`.
    let reasons: string[] = [];
    let score = 0;
    if (blockSamples >= tBlock.minDurationS * fs) {
      const q = judgeQuality(
        {
          flatFraction: flat.flat / flat.windows,
          clippedFraction:
            countClipped(x, from, from + blockSamples, { min, max }, t, fs) / blockSamples,
          kurtosis: slopeKurtosis(x, from, blockSamples, fs, ownSlopeSum),
          hfRatio: band.above > 0 ? band.hf / band.above : 0,
          baselineRatio: band.total > 0 ? band.low / band.total : 0,
          mainsRatio: band.above > 0 ? band.mains / band.above : 0,
        },
        tBlock,
      );
      reasons = q.reasons.filter((r) => BLOCK_RULES.has(r));
      score = q.score;
    }
    return { min, max, ...flat, slope, slopeHead, band, means, reasons, score };
  };

  const assessWindow = (
    x: Float64Array | Float32Array,
    windowFrom: number,
  ): SignalQuality & { baselineEstimate: number } => {
    const n = blocks.length * blockSamples;
    const metrics = {
      flatFraction: 0,
      clippedFraction: 0,
      kurtosis: NaN,
      hfRatio: NaN,
      baselineRatio: NaN,
      mainsRatio: NaN,
    };
    if (n < t.minDurationS * fs) {
      return {
        score: 0,
        analysable: false,
        reasons: ['too-short'],
        metrics,
        baselineEstimate: Infinity,
      };
    }
    let min = Infinity;
    let max = -Infinity;
    let windows = 0;
    let flat = 0;
    let hf = 0;
    let above = 0;
    let mains = 0;
    const s = [0, 0, 0, 0, 0];
    for (const b of blocks) {
      if (b.min < min) min = b.min;
      if (b.max > max) max = b.max;
      windows += b.windows;
      flat += b.flat;
      hf += b.band.hf;
      above += b.band.above;
      mains += b.band.mains;
      for (let k = 0; k < 5; k++) s[k] = (s[k] ?? 0) + (b.slope[k] ?? 0);
    }
    metrics.flatFraction = flat / windows;

    // Clipping: a block that does not reach an extreme (or a rail) holds no clipped sample and
    // ends any run, so only the stretches of consecutive blocks that do are scanned.
    let clipped = 0;
    let runFrom = -1;
    for (let j = 0; j <= blocks.length; j++) {
      const b = blocks[j];
      const candidate = b !== undefined && mayClip(b.min, b.max, { min, max }, t);
      if (candidate && runFrom < 0) runFrom = j;
      if (!candidate && runFrom >= 0) {
        clipped += countClipped(
          x,
          windowFrom + runFrom * blockSamples,
          windowFrom + j * blockSamples,
          { min, max },
          t,
          fs,
        );
        runFrom = -1;
      }
    }
    metrics.clippedFraction = clipped / n;

    // Kurtosis from power sums: central moments m2 = E[v²] − μ², m4 = E[v⁴] − 4μE[v³] + 6μ²E[v²]
    // − 3μ⁴. The slope's mean μ is ~0 (a difference), so nothing cancels.
    const head = blocks[0]?.slopeHead;
    for (let k = 0; k < 5; k++) s[k] = (s[k] ?? 0) - (head?.[k] ?? 0);
    const count = s[0] ?? 0;
    const mu = (s[1] ?? 0) / count;
    const e2 = (s[2] ?? 0) / count;
    const e3 = (s[3] ?? 0) / count;
    const e4 = (s[4] ?? 0) / count;
    const m2 = e2 - mu * mu;
    const m4 = e4 - 4 * mu * e3 + 6 * mu * mu * e2 - 3 * mu ** 4;
    metrics.kurtosis = m2 > 0 ? m4 / (m2 * m2) : 0;

    metrics.hfRatio = above > 0 ? hf / above : 0;
    metrics.mainsRatio = above > 0 ? mains / above : 0;

    // Baseline: the exact total (Parseval) and an estimate of the low band, then the exact low
    // band only when the estimate comes near the rule.
    let estimate = Infinity;
    if (subBlocks > 1) {
      const total = periodogramTotal(x, windowFrom, n);
      const m = blocks.length * subBlocks;
      blocks.forEach((b, j) => {
        decimated.set(b.means, j * subBlocks);
      });
      const low = lowBandEstimate(decimated, m);
      estimate = total > 0 ? low / total : 0;
    }
    if (estimate > exactBaselineFrom) {
      const exact = bandPowers(x, windowFrom, n, fs);
      metrics.baselineRatio = exact.total > 0 ? exact.low / exact.total : 0;
    } else {
      metrics.baselineRatio = estimate;
    }
    // Fields copied, not spread: an object spread costs more than the rest of this return.
    const q = judgeQuality(metrics, t);
    return {
      score: q.score,
      analysable: q.analysable,
      reasons: q.reasons,
      metrics: q.metrics,
      baselineEstimate: estimate,
    };
  };

  return {
    addBlock(x, from) {
      blocks.push(measureBlock(x, from));
      blocksSeen++;
      if (blocks.length > windowBlocks) spareMeans = blocks.shift()?.means ?? null;
      const windowFrom = from + blockSamples - blocks.length * blockSamples;
      const w = assessWindow(x, windowFrom);
      lastWindow = w;
      const reasons = new Set(w.reasons);
      let score = w.score;
      let analysable = w.analysable;
      for (const b of blocks) {
        for (const r of b.reasons) reasons.add(r);
        if (b.reasons.length > 0) {
          analysable = false;
          score = Math.min(score, b.score);
        }
      }
      current = { analysable, score, reasons: [...reasons] };
      return this.current;
    },
    get current() {
      return {
        analysable: current.analysable,
        score: current.score,
        reasons: current.reasons.slice(),
      };
    },
    get window() {
      return lastWindow;
    },
  };
}
