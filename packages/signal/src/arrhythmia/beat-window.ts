/**
 * Morphology of one beat, measured on a locally high-passed window so that the result depends only
 * on the samples around the beat (the streaming monitor and the offline classifier then give the
 * same answer for any chunking).
 */

/** A view on a signal: `x[0]` is absolute sample `offset`; reads outside are clamped to the edges. */
export interface SampleView {
  x: Float64Array;
  offset: number;
}

/** Centres (ms from the fiducial point) of the fine QRS grid: -120..+160 ms every 10 ms. */
export const QRS_GRID_MS: readonly number[] = Array.from({ length: 29 }, (_, i) => -120 + 10 * i);
/** Centres of the coarse whole-beat grid (P wave to T wave): -300..+500 ms every 40 ms. */
export const WIDE_GRID_MS: readonly number[] = Array.from({ length: 21 }, (_, i) => -300 + 40 * i);
/** Bins of WIDE_GRID_MS that fall before the QRS (the P wave region, -300..-100 ms). */
export const P_BINS = 6;

export interface BeatWindow {
  /** Absolute sample index of the fiducial point (largest high-passed deflection near the peak). */
  fiducial: number;
  /** Bin means of the high-passed beat on QRS_GRID_MS, mV. */
  qrs: Float64Array;
  /** Bin means on WIDE_GRID_MS, mV. */
  wide: Float64Array;
  /** Peak-to-peak amplitude within ±120 ms, mV. */
  ptpMv: number;
  /** Span of steep slope (|dx/dt| above 25% of its maximum) within ±150 ms, ms: a QRS width proxy. */
  widthMs: number;
  /** Area of |x| within ±100 ms divided by the peak-to-peak amplitude, ms: a second width proxy. */
  areaWidthMs: number;
  /** Largest |dx/dt| within ±100 ms, mV/s. */
  maxSlope: number;
  /**
   * Largest |difference over 8 ms| within ±100 ms of the fiducial divided by the median
   * |difference over 8 ms| over the whole window: a QRS stands out from a smooth P-T background,
   * white noise does not.
   */
  slopeContrast: number;
  /**
   * Largest |second difference| of the raw signal from 100 ms before to 20 ms after the fiducial,
   * divided by the peak-to-peak amplitude: a pacemaker spike (a pulse of 0.5 to 2 ms) gives a
   * second difference of the order of its own amplitude, a QRS does not.
   */
  spikeRatio: number;
}

/** Moving-average half-widths of the two cascaded box filters that estimate the baseline. */
const MA1_S = 0.1;
const MA2_S = 0.3;
/** Window measured around the supplied peak (before re-alignment): 450 ms before, 600 ms after. */
const PRE_S = 0.45;
const POST_S = 0.6;
const ALIGN_S = 0.06;
/** Span of the slopes of the noise test (slope contrast), in s: 8 ms (2 samples at 250 Hz). */
const SLOPE_SPAN_S = 0.008;

/** k-th smallest value (Hoare's quickselect, in place; the array is reordered). */
function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    // Median-of-three pivot: fewer partition rounds than the middle element alone on beat windows
    // (runs of near-equal slopes); the k-th smallest value does not depend on the pivots.
    const x = a[lo] ?? 0;
    const y = a[(lo + hi) >> 1] ?? 0;
    const z = a[hi] ?? 0;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] ?? 0) < pivot) i++;
      while ((a[j] ?? 0) > pivot) j--;
      if (i <= j) {
        const t = a[i] ?? 0;
        a[i] = a[j] ?? 0;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k] ?? 0;
}

function clampedRead(view: SampleView, abs: number): number {
  const n = view.x.length;
  let j = abs - view.offset;
  if (j < 0) j = 0;
  else if (j >= n) j = n - 1;
  const v = view.x[j] ?? 0;
  return Number.isFinite(v) ? v : 0;
}

/**
 * Measures one beat. The baseline is removed with two cascaded centred moving averages (200 ms
 * then 600 ms), an inexpensive stand-in for the 200/600 ms median filters of de Chazal et al.
 * (IEEE TBME 2004), evaluated only inside this beat's window.
 *
 * @param view samples in mV (any lead), with the absolute index of its first sample
 * @param peak absolute sample index of the detected R peak
 * @param fs sampling rate in Hz
 */
/** Reusable work arrays of `measureBeatWindow` (one per stateful caller: fewer allocations). */
export interface BeatWindowScratch {
  raw: Float64Array;
  cum: Float64Array;
  cum1: Float64Array;
  hp: Float64Array;
  absDiff: Float64Array;
  /**
   * Arrays of an earlier result that the caller no longer uses, which the next result takes as
   * its `qrs` / `wide` (and clears here) instead of allocating: these arrays of 29 and 21 values
   * live outside the JS heap, so allocating and collecting two per beat costs more than filling
   * them.
   */
  spareQrs?: Float64Array | undefined;
  spareWide?: Float64Array | undefined;
}

/** Bin edges in samples from the fiducial point, per sampling rate (the same for every beat). */
interface BinEdges {
  qrsFrom: Int32Array;
  qrsTo: Int32Array;
  wideFrom: Int32Array;
  wideTo: Int32Array;
}
const binEdges = new Map<number, BinEdges>();
/**
 * The edges of the bins of QRS_GRID_MS (±5 ms) and WIDE_GRID_MS (±20 ms) at `fs`, rounded as
 * `Math.round(ms · fs / 1000)`: computed once per rate rather than 100 roundings per beat.
 */
function binEdgesOf(fs: number): BinEdges {
  let e = binEdges.get(fs);
  if (e === undefined) {
    const edges = (grid: readonly number[], halfMs: number, sign: number): Int32Array =>
      Int32Array.from(grid, (t) => Math.round(((t + sign * halfMs) * fs) / 1000));
    e = {
      qrsFrom: edges(QRS_GRID_MS, 5, -1),
      qrsTo: edges(QRS_GRID_MS, 5, 1),
      wideFrom: edges(WIDE_GRID_MS, 20, -1),
      wideTo: edges(WIDE_GRID_MS, 20, 1),
    };
    if (binEdges.size >= 16) binEdges.clear();
    binEdges.set(fs, e);
  }
  return e;
}

function grow(a: Float64Array, n: number): Float64Array {
  return a.length >= n ? a : new Float64Array(n);
}

export function measureBeatWindow(
  view: SampleView,
  peak: number,
  fs: number,
  scratch?: BeatWindowScratch,
): BeatWindow {
  const h1 = Math.max(1, Math.round(MA1_S * fs));
  const h2 = Math.max(1, Math.round(MA2_S * fs));
  const pre = Math.ceil(PRE_S * fs);
  const post = Math.ceil(POST_S * fs);
  const a = peak - pre;
  const len = pre + post + 1;
  const margin = h1 + h2;
  const rawLen = len + 2 * margin;
  // raw[i] = x(a - margin + i)
  const work = scratch ?? {
    raw: new Float64Array(0),
    cum: new Float64Array(0),
    cum1: new Float64Array(0),
    hp: new Float64Array(0),
    absDiff: new Float64Array(0),
  };
  const cum = (work.cum = grow(work.cum, rawLen + 1));
  const raw = (work.raw = grow(work.raw, rawLen));
  // ma1[k] = mean raw over [k - h1, k + h1], for k in [h1, rawLen - h1); cum1 is its running sum.
  const ma1Len = rawLen - 2 * h1;
  const cum1 = (work.cum1 = grow(work.cum1, ma1Len + 1));
  const w1 = 2 * h1 + 1;
  cum[0] = 0;
  cum1[0] = 0;
  // The whole window is inside the view for every beat but those at the ends of a record: read
  // directly there instead of clamping each index (the same values, non-finite ones read as 0).
  const from = a - margin - view.offset;
  const inside = from >= 0 && from + rawLen <= view.x.length;
  const x = view.x;
  // One pass for both running sums (each carried in a local, the same additions in the same
  // order as two passes): ma1 at k needs the raw sum up to k + 2·h1, so cum1 follows 2·h1 behind.
  let c = 0;
  let c1 = 0;
  for (let i = 0; i < rawLen; i++) {
    let v: number;
    if (inside) {
      const xi = x[from + i] ?? 0;
      v = Number.isFinite(xi) ? xi : 0;
    } else v = clampedRead(view, a - margin + i);
    raw[i] = v;
    c += v;
    cum[i + 1] = c;
    const k = i - 2 * h1;
    if (k >= 0) {
      c1 += (c - (cum[k] ?? 0)) / w1;
      cum1[k + 1] = c1;
    }
  }
  // hp[i] = raw[margin + i] - mean(ma1 over ±h2), i in [0, len)
  const hp = (work.hp = grow(work.hp, len));
  const w2 = 2 * h2 + 1;
  for (let i = 0; i < len; i++) {
    const k = margin + i - h1; // index into ma1
    const base = ((cum1[k + h2 + 1] ?? 0) - (cum1[k - h2] ?? 0)) / w2;
    hp[i] = (raw[margin + i] ?? 0) - base;
  }
  // Re-align on the largest deflection within ±60 ms so reference and detected peaks agree.
  const al = Math.round(ALIGN_S * fs);
  let fi = pre;
  let best = -1;
  for (let i = pre - al; i <= pre + al; i++) {
    const v = Math.abs(hp[i] ?? 0);
    if (v > best) {
      best = v;
      fi = i;
    }
  }
  const bins = binEdgesOf(fs);
  // Mean of hp over bin b (edges relative to the fiducial point, clipped to the window).
  const binMean = (from: Int32Array, to: Int32Array, b: number): number => {
    let lo = fi + (from[b] ?? 0);
    let hi = fi + (to[b] ?? 0);
    if (hi <= lo) hi = lo + 1;
    if (lo < 0) lo = 0;
    if (hi > len) hi = len;
    let s = 0;
    for (let i = lo; i < hi; i++) s += hp[i] ?? 0;
    return hi > lo ? s / (hi - lo) : 0;
  };
  let qrs = work.spareQrs;
  if (qrs?.length === QRS_GRID_MS.length) work.spareQrs = undefined;
  else qrs = new Float64Array(QRS_GRID_MS.length);
  for (let i = 0; i < qrs.length; i++) qrs[i] = binMean(bins.qrsFrom, bins.qrsTo, i);
  let wide = work.spareWide;
  if (wide?.length === WIDE_GRID_MS.length) work.spareWide = undefined;
  else wide = new Float64Array(WIDE_GRID_MS.length);
  for (let i = 0; i < wide.length; i++) wide[i] = binMean(bins.wideFrom, bins.wideTo, i);
  const span = (ms: number): [number, number] => {
    const d = Math.round((ms * fs) / 1000);
    return [Math.max(1, fi - d), Math.min(len - 2, fi + d)];
  };
  let [lo, hi] = span(120);
  let mx = -Infinity;
  let mn = Infinity;
  for (let i = lo; i <= hi; i++) {
    const v = hp[i] ?? 0;
    if (v > mx) mx = v;
    if (v < mn) mn = v;
  }
  const ptpMv = Math.max(mx - mn, 1e-6);
  [lo, hi] = span(100);
  let area = 0;
  let maxSlope = 0;
  for (let i = lo; i <= hi; i++) {
    area += Math.abs(hp[i] ?? 0);
    const d = Math.abs((hp[i + 1] ?? 0) - (hp[i - 1] ?? 0));
    if (d > maxSlope) maxSlope = d;
  }
  // Slope contrast: steepest slope of the QRS against the median slope of the whole window. A
  // median ignores a neighbouring beat (bigeminy), white noise keeps the ratio near 4. Slopes are
  // differences over SLOPE_SPAN_S, not one sample: over one sample, broadband noise of 0.05 mV
  // (a handheld recording's) swamped the QRS slope, most beats of the development AF records
  // 201 and 203 read as noise and their AF was withheld (AF found in 37 of 110 30-s strips, 110
  // with the span; `npm run eval:af -- ... --strips 30 --noise-mv 0.05`). Noise alone keeps its
  // ratio (numerator and denominator scale alike), so white noise is still withheld.
  const dS = Math.max(1, Math.round(SLOPE_SPAN_S * fs));
  const nDiff = Math.max(1, len - dS);
  const absDiff = (work.absDiff = grow(work.absDiff, nDiff)).subarray(0, nDiff);
  for (let i = 0; i < nDiff; i++) absDiff[i] = Math.abs((hp[i + dS] ?? 0) - (hp[i] ?? 0));
  let qrsSlope = 0;
  for (let i = lo; i <= hi; i++) qrsSlope = Math.max(qrsSlope, absDiff[i] ?? 0);
  const medDiff = selectKth(absDiff, absDiff.length >> 1);
  const slopeContrast = medDiff > 0 ? qrsSlope / medDiff : qrsSlope > 0 ? 1e3 : 0;
  let spike = 0;
  const sLo = Math.max(1, fi - Math.round(0.1 * fs));
  const sHi = Math.min(len - 2, fi + Math.round(0.02 * fs));
  for (let i = sLo; i <= sHi; i++) {
    const r = margin + i;
    const d2 = Math.abs((raw[r + 1] ?? 0) - 2 * (raw[r] ?? 0) + (raw[r - 1] ?? 0));
    if (d2 > spike) spike = d2;
  }
  [lo, hi] = span(150);
  let dMax = 0;
  for (let i = lo; i <= hi; i++) {
    const d = Math.abs((hp[i + 1] ?? 0) - (hp[i - 1] ?? 0));
    if (d > dMax) dMax = d;
  }
  let first = fi;
  let last = fi;
  for (let i = lo; i <= hi; i++) {
    const d = Math.abs((hp[i + 1] ?? 0) - (hp[i - 1] ?? 0));
    if (d > 0.25 * dMax) {
      if (i < first) first = i;
      if (i > last) last = i;
    }
  }
  return {
    fiducial: a + fi,
    qrs,
    wide,
    ptpMv,
    widthMs: ((last - first + 1) * 1000) / fs,
    areaWidthMs: ((area / ptpMv) * 1000) / fs,
    maxSlope: (maxSlope * fs) / 2,
    slopeContrast,
    spikeRatio: spike / ptpMv,
  };
}
