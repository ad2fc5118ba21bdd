import { SignalInputError } from '../errors.js';
import { createRealFft, type RealFft } from '../spectral/create-real-fft.js';
import type { SignalQuality, SignalQualityOptions } from './signal-quality-types.js';

/*
 * The pieces of `signalQuality`, shared with the live analyzer's quality tracker
 * (`createSignalQualityTracker`), which computes them once per 2 s block and combines them over
 * its window instead of recomputing the whole window at every block. Internal: not exported from
 * the package.
 */

/** `SignalQualityOptions` with defaults applied and checked. */
export interface QualityThresholds {
  flatMv: number;
  maxFlatFraction: number;
  maxClippedFraction: number;
  clipRunMs: number;
  railsMv: [number, number] | undefined;
  minKurtosis: number;
  maxHfRatio: number;
  maxBaselineRatio: number;
  minDurationS: number;
}

/** Applies the documented defaults of `SignalQualityOptions` and checks every value. */
export function resolveQualityOptions(options: SignalQualityOptions): QualityThresholds {
  const {
    flatMv = 0.05,
    maxFlatFraction = 0.25,
    maxClippedFraction = 0.02,
    clipRunMs = 20,
    railsMv,
    minKurtosis = 5,
    maxHfRatio = 0.5,
    maxBaselineRatio = 0.95,
    minDurationS = 2,
  } = options;
  for (const [name, value] of [
    ['flatMv', flatMv],
    ['maxFlatFraction', maxFlatFraction],
    ['maxClippedFraction', maxClippedFraction],
    ['clipRunMs', clipRunMs],
    ['minKurtosis', minKurtosis],
    ['maxHfRatio', maxHfRatio],
    ['maxBaselineRatio', maxBaselineRatio],
    ['minDurationS', minDurationS],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new SignalInputError('INVALID_OPTION', `options.${name}`, `${name} must be > 0`);
    }
  }
  if (railsMv !== undefined && !(railsMv[0] < railsMv[1])) {
    throw new SignalInputError('INVALID_OPTION', 'options.railsMv', 'railsMv must be [low, high]');
  }
  return {
    flatMv,
    maxFlatFraction,
    maxClippedFraction,
    clipRunMs,
    railsMv,
    minKurtosis,
    maxHfRatio,
    maxBaselineRatio,
    minDurationS,
  };
}

type Samples = Float64Array | Float32Array;

/** Sizes kept per table: callers with ever-changing lengths recompute rather than grow memory. */
const TABLES_KEPT = 64;

/**
 * The FFT of one size and its work arrays (the windowed input, the power), reused across calls:
 * the live analyzer assesses the same window lengths every 2 s for every device, and the
 * spectrum is reduced to band sums before the next call can overwrite them.
 */
interface Scratch {
  fft: RealFft;
  windowed: Float64Array;
  power: Float64Array;
}
const scratches = new Map<number, Scratch>();
function scratchOf(size: number): Scratch {
  let s = scratches.get(size);
  if (s === undefined) {
    s = {
      fft: createRealFft(size),
      windowed: new Float64Array(size),
      power: new Float64Array(size / 2 + 1),
    };
    if (scratches.size >= TABLES_KEPT) scratches.clear();
    scratches.set(size, s);
  }
  return s;
}

/** Hann window of n samples, per n (see `scratches`). */
const hannWindows = new Map<number, Float64Array>();
function hannOf(n: number): Float64Array {
  let w = hannWindows.get(n);
  if (w === undefined) {
    w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    if (hannWindows.size >= TABLES_KEPT) hannWindows.clear();
    hannWindows.set(n, w);
  }
  return w;
}

/**
 * Class of each spectrum bin k = 1..size/2 for a sampling rate: 0 baseline (< 0.5 Hz), 1 mains
 * (within 1 Hz of a 50/60 Hz harmonic, below 130 Hz), 2 mains above 130 Hz, 3 high-frequency
 * noise (> 40 Hz, not mains), 4 other.
 */
const binClasses = new Map<string, Uint8Array>();
function binClassesOf(size: number, fs: number): Uint8Array {
  const key = `${size}:${fs}`;
  let c = binClasses.get(key);
  if (c === undefined) {
    c = new Uint8Array(size / 2 + 1);
    for (let k = 1; k <= size / 2; k++) {
      const f = (k * fs) / size;
      if (f < 0.5) {
        c[k] = 0;
        continue;
      }
      let nearMains = false;
      for (const base of [50, 60]) {
        for (let h = base; h < fs / 2 + 1; h += base) if (Math.abs(f - h) <= 1) nearMains = true;
      }
      c[k] = nearMains ? (f < 130 ? 1 : 2) : f > 40 ? 3 : 4;
    }
    if (binClasses.size >= TABLES_KEPT) binClasses.clear();
    binClasses.set(key, c);
  }
  return c;
}

/** Sums of the periodogram bins k = 1..size/2 of a segment, by band (see `binClassesOf`). */
export interface BandPowers {
  /** FFT size (the segment zero-padded to a power of two). */
  size: number;
  /** All bins. */
  total: number;
  /** Below 0.5 Hz. */
  low: number;
  /** From 0.5 Hz (total − low). */
  above: number;
  /** Above 40 Hz, mains bands excluded. */
  hf: number;
  /** Within 1 Hz of a 50/60 Hz harmonic below 130 Hz. */
  mains: number;
}

/**
 * Band sums of the Hann-windowed periodogram of x[from, from + n), its mean removed, zero-padded
 * to a power of two: the spectrum of `signalQuality`.
 */
export function bandPowers(x: Samples, from: number, n: number, fs: number): BandPowers {
  let size = 1;
  while (size < n) size <<= 1;
  // One sample has no spectrum above DC (and no Hann window).
  if (size < 2) return { size, total: 0, low: 0, above: 0, hf: 0, mains: 0 };
  const scratch = scratchOf(size);
  const windowed = scratch.windowed;
  let rawMean = 0;
  for (let i = 0; i < n; i++) rawMean += x[from + i] ?? 0;
  rawMean /= n;
  const hann = hannOf(n);
  for (let i = 0; i < n; i++) windowed[i] = ((x[from + i] ?? 0) - rawMean) * (hann[i] ?? 0);
  windowed.fill(0, n);
  const power = scratch.fft.power(windowed, scratch.power);
  const classes = binClassesOf(size, fs);
  let total = 0;
  let low = 0;
  let above = 0;
  let hf = 0;
  let mains = 0;
  for (let k = 1; k <= size / 2; k++) {
    const p = power[k] ?? 0;
    total += p;
    const c = classes[k];
    if (c === 0) {
      low += p;
      continue;
    }
    above += p;
    if (c === 1) mains += p;
    else if (c === 3) hf += p;
  }
  return { size, total, low, above, hf, mains };
}

/**
 * `BandPowers.total` of x[from, from + n) without the FFT, by Parseval: over the whole DFT of the
 * windowed segment y, Σ|X_k|² = size·Σy²; the one-sided sum k = 1..size/2 is then
 * (size·Σy² − X_0² + X_{size/2}²) / 2, with X_0 = Σy and X_{size/2} = Σ(−1)^i·y_i.
 */
export function periodogramTotal(x: Samples, from: number, n: number): number {
  let size = 1;
  while (size < n) size <<= 1;
  let rawMean = 0;
  for (let i = 0; i < n; i++) rawMean += x[from + i] ?? 0;
  rawMean /= n;
  const hann = hannOf(n);
  let energy = 0;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    const y = ((x[from + i] ?? 0) - rawMean) * (hann[i] ?? 0);
    energy += y * y;
    even += y;
  }
  for (let i = 1; i < n; i += 2) {
    const y = ((x[from + i] ?? 0) - rawMean) * (hann[i] ?? 0);
    energy += y * y;
    odd += y;
  }
  const dc = even + odd;
  const nyquist = even - odd;
  // Zero-padding beyond n adds nothing to these sums.
  return (size * energy - dc * dc + (size > 1 ? nyquist * nyquist : 0)) / 2;
}

/**
 * Flat-line windows of x[from, from + n): 1 s windows of `win` samples (the last one extended to
 * the end) whose peak-to-peak amplitude is below `flatMv`.
 */
export function countFlatWindows(
  x: Samples,
  from: number,
  n: number,
  win: number,
  flatMv: number,
): { windows: number; flat: number } {
  let windows = 0;
  let flat = 0;
  for (let start = 0; start + win <= n; start += win) {
    const end = start + 2 * win > n ? n : start + win;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from + start; i < from + end; i++) {
      const v = x[i] ?? 0;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    windows++;
    if (hi - lo < flatMv) flat++;
  }
  return { windows, flat };
}

/**
 * Samples of x[from, to) stuck at the extremes `min`/`max` of the segment they belong to (runs of
 * at least `minRun` samples within `eps` of one extreme, exact ADC codes repeat there), or at the
 * ADC rails when known. A run never spans two calls.
 */
export function countClipped(
  x: Samples,
  from: number,
  to: number,
  extremes: { min: number; max: number },
  t: QualityThresholds,
  fs: number,
): number {
  const { min, max } = extremes;
  const { railsMv, flatMv } = t;
  const eps = Math.max(1e-9, 1e-3 * (max - min));
  const minRun = Math.max(2, Math.round((t.clipRunMs * fs) / 1000));
  const railTol = railsMv === undefined ? 0 : 0.005 * (railsMv[1] - railsMv[0]);
  let clipped = 0;
  let run = 0;
  let runSide = 0;
  for (let i = from; i < to; i++) {
    const v = x[i] ?? 0;
    if (railsMv !== undefined && (v <= railsMv[0] + railTol || v >= railsMv[1] - railTol)) {
      if (run >= minRun) clipped += run;
      run = 0;
      clipped++;
      continue;
    }
    const side = max - min > flatMv ? (v >= max - eps ? 1 : v <= min + eps ? -1 : 0) : 0;
    if (side !== 0 && side === runSide) run++;
    else {
      if (run >= minRun) clipped += run;
      run = side === 0 ? 0 : 1;
    }
    runSide = side;
  }
  if (run >= minRun) clipped += run;
  return clipped;
}

/** True when x[from, to), whose extremes are `lo`/`hi`, may hold clipped samples (`countClipped`). */
export function mayClip(
  lo: number,
  hi: number,
  extremes: { min: number; max: number },
  t: QualityThresholds,
): boolean {
  const { min, max } = extremes;
  const eps = Math.max(1e-9, 1e-3 * (max - min));
  if (max - min > t.flatMv && (hi >= max - eps || lo <= min + eps)) return true;
  const rails = t.railsMv;
  if (rails === undefined) return false;
  const railTol = 0.005 * (rails[1] - rails[0]);
  return lo <= rails[0] + railTol || hi >= rails[1] - railTol;
}

/**
 * Length of the moving average before the slope: 25 ms (1/40 s), see `slopeKurtosis`.
 * Successive moving averages of length L differ by (x[i + L] − x[i]) / L.
 */
export function slopeLag(fs: number): number {
  return Math.max(1, Math.round(fs / 40));
}

/**
 * Kurtosis (non-excess) of the slope of x[from, from + n): the first difference of a 25 ms moving
 * average, (x[i + L] − x[i]) / L for i < n − L. The difference removes baseline wander; on MIT-BIH
 * DS1 it separates ECG (5th percentile ≈ 7) from noise (≈ 3) better than the kurtosis of the
 * amplitude, which drops to 4–5 in clean segments with tall T waves or wide complexes.
 */
export function slopeKurtosis(
  x: Samples,
  from: number,
  n: number,
  fs: number,
  slopeSum?: number,
): number {
  const lpLen = slopeLag(fs);
  const count = n - lpLen;
  let mean = 0;
  // `slopeSum`: the sum below when the caller has already made it (the same terms in the same
  // order, so the same number), e.g. the signal-quality tracker's power sums of each block.
  if (slopeSum !== undefined) mean = slopeSum;
  else {
    for (let i = from; i < from + count; i++) mean += ((x[i + lpLen] ?? 0) - (x[i] ?? 0)) / lpLen;
  }
  mean /= count;
  let m2 = 0;
  let m4 = 0;
  for (let i = from; i < from + count; i++) {
    const v = ((x[i + lpLen] ?? 0) - (x[i] ?? 0)) / lpLen;
    const d = (v - mean) * (v - mean);
    m2 += d;
    m4 += d * d;
  }
  m2 /= count;
  m4 /= count;
  return m2 > 0 ? m4 / (m2 * m2) : 0;
}

/** Largest share of the power above 0.5 Hz that mains and noise above 40 Hz may carry together. */
const MAX_OUT_OF_BAND_RATIO = 0.8;

/** The rules of `signalQuality` applied to its metrics: score, analysable and reasons. */
export function judgeQuality(
  metrics: SignalQuality['metrics'],
  t: QualityThresholds,
): SignalQuality {
  const { maxClippedFraction, minKurtosis, maxHfRatio, maxBaselineRatio } = t;
  const reasons: string[] = [];
  const clamp = (v: number): number => Math.min(1, Math.max(0, v));
  // Five scores taken as named values, not an array spread into Math.min (the live analyzer
  // judges two windows every 2 s for every device).
  const flatScore = clamp(1 - metrics.flatFraction);
  const clipScore = clamp(1 - metrics.clippedFraction / (2 * maxClippedFraction));
  const kurtosisScore = clamp((metrics.kurtosis - 3) / (2 * (minKurtosis - 3)));
  const hfScore = clamp(1 - metrics.hfRatio / (2 * maxHfRatio));
  const baselineScore = clamp(
    (1 - metrics.baselineRatio) / (2 * (1 - Math.min(maxBaselineRatio, 0.999))),
  );
  let analysable = true;
  if (metrics.flatFraction > t.maxFlatFraction) {
    reasons.push('flat-line');
    analysable = false;
  }
  if (metrics.clippedFraction > maxClippedFraction) {
    reasons.push('saturation');
    analysable = false;
  }
  // A flat segment has no meaningful kurtosis or spectrum; report only the flat line for it.
  if (analysable || !reasons.includes('flat-line')) {
    if (metrics.kurtosis < minKurtosis) {
      reasons.push('low-kurtosis');
      analysable = false;
    }
    if (metrics.hfRatio > maxHfRatio) {
      reasons.push('high-frequency-noise');
      analysable = false;
    }
    if (metrics.baselineRatio > maxBaselineRatio) {
      reasons.push('baseline-wander');
      analysable = false;
    }
    if (metrics.mainsRatio > 0.3) reasons.push('mains-interference');
    // Mains hum is only a warning while the ECG dominates (a filter removes it), but when mains
    // and out-of-band noise carry most of the power above 0.5 Hz there is no ECG left to filter:
    // an unattached AD8232 on the cardiac-monitor ESP32 (seed 000) sampled at 100 Hz gives a
    // 50 Hz hum at exactly the Nyquist rate, alternating samples, in which noise bursts pass for
    // QRS complexes. A body-surface ECG has nearly all its power below 40 Hz (AHA monitoring band).
    if (metrics.mainsRatio + metrics.hfRatio > MAX_OUT_OF_BAND_RATIO) {
      if (!reasons.includes('high-frequency-noise')) reasons.push('high-frequency-noise');
      analysable = false;
    }
  }
  const least = Math.min(flatScore, clipScore, kurtosisScore, hfScore, baselineScore);
  const score = analysable ? least : Math.min(0.49, least);
  return { score, analysable, reasons, metrics };
}
