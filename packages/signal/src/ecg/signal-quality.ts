import { SignalInputError } from '../errors.js';
import { assertSamplingRate } from '../hrv/assert-sampling-rate.js';

export interface SignalQualityOptions {
  /** A 1 s window whose peak-to-peak amplitude is below this is flat, mV (default 0.05). */
  flatMv?: number;
  /** Largest tolerated fraction of flat 1 s windows (default 0.25). */
  maxFlatFraction?: number;
  /** Largest tolerated fraction of samples stuck at the segment's extremes (default 0.02). */
  maxClippedFraction?: number;
  /** A run of samples at an extreme counts as clipping from this length, ms (default 20). */
  clipRunMs?: number;
  /** ADC rails in mV, when known: samples within 0.5 % of the span of a rail count as saturated. */
  railsMv?: [number, number];
  /** Smallest kurtosis of an ECG segment (default 5, Li, Mark & Clifford 2008 kSQI). */
  minKurtosis?: number;
  /** Largest tolerated fraction of power above 40 Hz, mains bands excluded (default 0.5). */
  maxHfRatio?: number;
  /**
   * Largest tolerated fraction of power below 0.5 Hz (default 0.95). Exceeded in 12 of 9878
   * 12 s windows of MIT-BIH DS1, all in baseline excursions of several mV (electrode motion,
   * amplifier recovery) during which beats are lost.
   */
  maxBaselineRatio?: number;
  /** Shortest segment assessed, s (default 2); shorter gives `too-short`, not analysable. */
  minDurationS?: number;
}

/** Outcome of `signalQuality`. */
export interface SignalQuality {
  /** 0 (unusable) … 1 (clean): the lowest of the component scores in `metrics`. */
  score: number;
  /** False when any hard rule fails; then no heart rate, beat or HRV should be reported. */
  analysable: boolean;
  /**
   * Stable reason codes: `too-short`, `flat-line`, `saturation`, `low-kurtosis`,
   * `high-frequency-noise`, `baseline-wander`; plus `mains-interference` as a warning that does
   * not by itself make the segment unanalysable (filters remove it).
   */
  reasons: string[];
  metrics: {
    /** Fraction of 1 s windows with peak-to-peak below `flatMv`. */
    flatFraction: number;
    /** Fraction of samples stuck at an extreme (runs ≥ `clipRunMs`) or at a rail. */
    clippedFraction: number;
    /** Kurtosis (non-excess; 3 for Gaussian noise) of the low-passed slope of the segment. */
    kurtosis: number;
    /** Power above 40 Hz (mains bands excluded) / power above 0.5 Hz. */
    hfRatio: number;
    /** Power below 0.5 Hz / total power (1 − basSQI of Clifford et al. 2012, wider band). */
    baselineRatio: number;
    /** Power within ±1 Hz of 50/60 Hz / power above 0.5 Hz. */
    mainsRatio: number;
  };
}

/**
 * Twiddle factors cos/sin(−2πk/n), k < n/2, per FFT size. The live analyzer assesses the same
 * window lengths every 2 s for every device, so the tables (and the Hann windows and bin classes
 * below) are computed once; exact cos/sin also avoid the error a rotation recurrence accumulates.
 */
/** Sizes kept per table: callers with ever-changing lengths recompute rather than grow memory. */
const TABLES_KEPT = 64;
const twiddles = new Map<number, { cos: Float64Array; sin: Float64Array }>();
function twiddlesOf(n: number): { cos: Float64Array; sin: Float64Array } {
  let t = twiddles.get(n);
  if (t === undefined) {
    t = { cos: new Float64Array(n / 2), sin: new Float64Array(n / 2) };
    for (let k = 0; k < n / 2; k++) {
      t.cos[k] = Math.cos((-2 * Math.PI * k) / n);
      t.sin[k] = Math.sin((-2 * Math.PI * k) / n);
    }
    if (twiddles.size >= TABLES_KEPT) twiddles.clear();
    twiddles.set(n, t);
  }
  return t;
}

/** In-place iterative radix-2 FFT of (re, im), length a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i] ?? 0;
      re[i] = re[j] ?? 0;
      re[j] = tr;
      const ti = im[i] ?? 0;
      im[i] = im[j] ?? 0;
      im[j] = ti;
    }
  }
  const { cos, sin } = twiddlesOf(n);
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < half; k++) {
        const cr = cos[k * step] ?? 1;
        const ci = sin[k * step] ?? 0;
        const a = i + k;
        const b = a + half;
        const br = re[b] ?? 0;
        const bi = im[b] ?? 0;
        const xr = br * cr - bi * ci;
        const xi = br * ci + bi * cr;
        const ar = re[a] ?? 0;
        const ai = im[a] ?? 0;
        re[b] = ar - xr;
        im[b] = ai - xi;
        re[a] = ar + xr;
        im[a] = ai + xi;
      }
    }
  }
}

/**
 * Power |X[k]|², k = 0..n/2, of the DFT of the real sequence x (length n, a power of two), from
 * one complex FFT of half the length: z[m] = x[2m] + i·x[2m+1], then
 * X[k] = (Z[k] + conj Z[n/2−k]) / 2 − i·e^(−2πik/n)·(Z[k] − conj Z[n/2−k]) / 2
 * (the standard real-input FFT, e.g. Numerical Recipes 3rd ed. §12.3.2).
 */
function realPowerSpectrum(x: Float64Array): Float64Array {
  const n = x.length;
  const power = new Float64Array((n >> 1) + 1);
  if (n < 2) return power;
  const h = n >> 1;
  const re = new Float64Array(h);
  const im = new Float64Array(h);
  for (let m = 0; m < h; m++) {
    re[m] = x[2 * m] ?? 0;
    im[m] = x[2 * m + 1] ?? 0;
  }
  fft(re, im);
  const { cos, sin } = twiddlesOf(n);
  const r0 = re[0] ?? 0;
  const i0 = im[0] ?? 0;
  power[0] = (r0 + i0) ** 2;
  power[h] = (r0 - i0) ** 2;
  for (let k = 1; k < h; k++) {
    const a = re[k] ?? 0;
    const b = im[k] ?? 0;
    const c = re[h - k] ?? 0;
    const d = im[h - k] ?? 0;
    const er = (a + c) / 2;
    const ei = (b - d) / 2;
    const or = (b + d) / 2;
    const oi = (c - a) / 2;
    const wr = cos[k] ?? 1;
    const wi = sin[k] ?? 0;
    const xr = er + wr * or - wi * oi;
    const xi = ei + wr * oi + wi * or;
    power[k] = xr * xr + xi * xi;
  }
  return power;
}

/** Hann window of n samples, per n (see `twiddles`). */
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

/**
 * Signal-quality index of one ECG segment (a few seconds to a few minutes of one lead), from rules
 * that each catch a failure seen on wearable ECG:
 * - flat line (lead off, amplifier off): fraction of 1 s windows with peak-to-peak < `flatMv`;
 * - saturation/clipping: samples stuck at the segment's extreme values in runs ≥ `clipRunMs`, or
 *   at the ADC rails when `railsMv` is given;
 * - kurtosis (kSQI, Li, Mark & Clifford, Physiol Meas 2008;29:15–32), here of the slope: QRS
 *   complexes make it strongly super-Gaussian (kurtosis ≫ 5), noise and artefact are near
 *   Gaussian (3);
 * - high-frequency noise: share of the power spectrum above 40 Hz (EMG, electrode noise), with
 *   the 50/60 Hz mains bands excluded (those are filterable and reported as a warning);
 * - baseline excursion: share of the power below 0.5 Hz (basSQI of Clifford et al. 2012 uses
 *   1 Hz), which only passes 0.95 when the baseline moves by several mV.
 * The spectrum is a Hann-windowed periodogram of the whole segment. `score` is the lowest
 * component score; `analysable` is false when any hard rule fails (Clifford et al., Physiol Meas
 * 2012;33:1419–33 and Behar et al., IEEE TMI 2013;32:1660–6 combine similar indices).
 *
 * @param ecgMv one ECG lead in mV (Float64Array or Float32Array)
 * @param fs sampling rate in Hz (125–1000)
 */
export function signalQuality(
  ecgMv: Float64Array | Float32Array,
  fs: number,
  options: SignalQualityOptions = {},
): SignalQuality {
  if (!(ecgMv instanceof Float64Array || ecgMv instanceof Float32Array)) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'ecgMv',
      'ecgMv must be a Float64Array or Float32Array',
    );
  }
  assertSamplingRate(fs, 'fs', { min: 125, max: 1000 });
  if (ecgMv.length === 0) throw new SignalInputError('EMPTY_INPUT', 'ecgMv', 'ecgMv is empty');
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
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < ecgMv.length; i++) {
    const v = ecgMv[i] ?? NaN;
    if (!Number.isFinite(v)) {
      throw new SignalInputError('NON_FINITE_SAMPLE', `ecgMv[${i}]`, `ecgMv[${i}] is not finite`);
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const n = ecgMv.length;
  const reasons: string[] = [];
  const metrics = {
    flatFraction: 0,
    clippedFraction: 0,
    kurtosis: NaN,
    hfRatio: NaN,
    baselineRatio: NaN,
    mainsRatio: NaN,
  };
  if (n < minDurationS * fs) {
    return { score: 0, analysable: false, reasons: ['too-short'], metrics };
  }

  // Flat line: 1 s windows (the last one extended to the end).
  const win = Math.round(fs);
  let windows = 0;
  let flat = 0;
  for (let start = 0; start + win <= n; start += win) {
    const end = start + 2 * win > n ? n : start + win;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      const v = ecgMv[i] ?? 0;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    windows++;
    if (hi - lo < flatMv) flat++;
  }
  metrics.flatFraction = flat / windows;

  // Clipping: runs at the extremes (exact ADC codes repeat there), or samples at the rails.
  const eps = Math.max(1e-9, 1e-3 * (max - min));
  const minRun = Math.max(2, Math.round((clipRunMs * fs) / 1000));
  const railTol = railsMv === undefined ? 0 : 0.005 * (railsMv[1] - railsMv[0]);
  let clipped = 0;
  let run = 0;
  let runSide = 0;
  const closeRun = (): void => {
    if (run >= minRun) clipped += run;
    run = 0;
  };
  for (let i = 0; i < n; i++) {
    const v = ecgMv[i] ?? 0;
    if (railsMv !== undefined && (v <= railsMv[0] + railTol || v >= railsMv[1] - railTol)) {
      closeRun();
      clipped++;
      continue;
    }
    const side = max - min > flatMv ? (v >= max - eps ? 1 : v <= min + eps ? -1 : 0) : 0;
    if (side !== 0 && side === runSide) run++;
    else {
      closeRun();
      run = side === 0 ? 0 : 1;
    }
    runSide = side;
  }
  closeRun();
  metrics.clippedFraction = clipped / n;

  // Kurtosis of the slope: first difference of a 25 ms (1/40 s) moving average. The difference
  // removes baseline wander; on MIT-BIH DS1 it separates ECG (5th percentile ≈ 7) from noise (≈ 3)
  // better than the kurtosis of the amplitude, which drops to 4–5 in clean segments with tall T
  // waves or wide complexes.
  const lpLen = Math.max(1, Math.round(fs / 40));
  // Successive moving averages of length L differ by (x[i + L] − x[i]) / L.
  const slope = new Float64Array(n - lpLen);
  for (let i = 0; i < slope.length; i++) {
    slope[i] = ((ecgMv[i + lpLen] ?? 0) - (ecgMv[i] ?? 0)) / lpLen;
  }
  let mean = 0;
  for (const v of slope) mean += v;
  mean /= slope.length;
  let m2 = 0;
  let m4 = 0;
  for (const v of slope) {
    const d = (v - mean) * (v - mean);
    m2 += d;
    m4 += d * d;
  }
  m2 /= slope.length;
  m4 /= slope.length;
  metrics.kurtosis = m2 > 0 ? m4 / (m2 * m2) : 0;

  // Spectrum of the raw segment (Hann window, zero-padded to a power of two).
  let size = 1;
  while (size < n) size <<= 1;
  const windowed = new Float64Array(size);
  let rawMean = 0;
  for (let i = 0; i < n; i++) rawMean += ecgMv[i] ?? 0;
  rawMean /= n;
  const hann = hannOf(n);
  for (let i = 0; i < n; i++) windowed[i] = ((ecgMv[i] ?? 0) - rawMean) * (hann[i] ?? 0);
  const power = realPowerSpectrum(windowed);
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
  metrics.hfRatio = above > 0 ? hf / above : 0;
  metrics.baselineRatio = total > 0 ? low / total : 0;
  metrics.mainsRatio = above > 0 ? mains / above : 0;

  const clamp = (v: number): number => Math.min(1, Math.max(0, v));
  const scores = [
    clamp(1 - metrics.flatFraction),
    clamp(1 - metrics.clippedFraction / (2 * maxClippedFraction)),
    clamp((metrics.kurtosis - 3) / (2 * (minKurtosis - 3))),
    clamp(1 - metrics.hfRatio / (2 * maxHfRatio)),
    clamp((1 - metrics.baselineRatio) / (2 * (1 - Math.min(maxBaselineRatio, 0.999)))),
  ];
  let analysable = true;
  if (metrics.flatFraction > maxFlatFraction) {
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
  }
  const score = analysable ? Math.min(...scores) : Math.min(0.49, ...scores);
  return { score, analysable, reasons, metrics };
}
