import { sortSmallInPlace } from '../sort-small-in-place.js';
import { measureBeatWindow, P_BINS, QRS_GRID_MS, WIDE_GRID_MS } from './beat-window.js';
import type { BeatWindow, BeatWindowScratch, SampleView } from './beat-window.js';

/** Names of the features, in the order of the vectors the extractor returns. */
export const BEAT_FEATURE_NAMES: readonly string[] = [
  'preRR/avgRR',
  'postRR/avgRR',
  'preRR/localRR',
  'postRR/preRR',
  'localRR/avgRR',
  'prevPreRR/avgRR',
  '(pre+post)/2localRR',
  'postRR/localRR',
  'corrQrs',
  'corrWide',
  'corrP',
  'rmsDiffQrs',
  'ptp/templatePtp',
  'width/templateWidth',
  'areaWidth/templateAreaWidth',
  'slope/templateSlope',
  'pEnergy/templatePEnergy',
  'rrIrregularity',
  'rrIrregularityPrev',
  'preRR/regularRR',
  'postRR/regularRR',
  'clusterShare',
  'clusterPrematurity',
  'clusterCorrQrs',
  'clusterWidth',
  'dominantShare',
  'preRR/upperRR',
  'localRR/upperRR',
];

/**
 * Names of the features `sinusPFeatures` appends to BEAT_FEATURE_NAMES: the correlation of the
 * beat's P-wave bins with the sinus P template (post-pause beats), its pre RR over the sinus
 * cycle (RR of consecutive beats matching that template), and the share of the last post-pause
 * beats that matched the template (a P wave that recurs after every pause: sinus rhythm with
 * ectopy, not atrial fibrillation, whose post-pause beats have no common P wave).
 */
export const SINUS_P_FEATURE_NAMES: readonly string[] = [
  'corrSinusP',
  'preRR/sinusRR',
  'sinusPConsistency',
];

export interface BeatFeatureExtractorOptions {
  /** Sampling rate in Hz (required). */
  fs: number;
  /** Beats kept for the running template (median), default 16. */
  templateBeats?: number;
  /** RR intervals behind the local RR median, default 8. */
  localBeats?: number;
  /**
   * RR intervals behind the average RR median, default 300 (about 5 min at 60 bpm, the span of
   * de Chazal et al.'s average RR; 300 raised SVEB sensitivity from 70 to 80% over 128 in the
   * DS1 cross-validation, see README).
   */
  averageBeats?: number;
  /**
   * Quantile (0..1) of the last `averageBeats` RR intervals taken as the patient's slow, sinus
   * cycle, default 0.9 (the `upperRR` of the features `preRR/upperRR` and `localRR/upperRR`). When
   * premature beats are frequent, the local and average medians are themselves premature
   * intervals and a premature beat no longer looks early against them; the upper end of the RR
   * distribution is still the underlying rhythm.
   */
  upperQuantile?: number;
  /**
   * Beats whose slope contrast (BeatWindow.slopeContrast) is below this are noise-like and do not
   * update the running RR statistics or the template, default 6 (as in createBeatClassifier).
   */
  noiseSlopeContrast?: number;
  /**
   * Morphology clusters kept per record (integer >= 1), default 8; when a new shape comes and all
   * are taken, the cluster with the least recent weight is dropped.
   */
  clusters?: number;
  /**
   * QRS correlation with a cluster's template from which a beat joins it (-1..1), default 0.8
   * (0.9 split the normal beats of noisy records into more clusters, 0.7 merged ectopic beats
   * into the normal cluster; README).
   */
  clusterCorrelation?: number;
  /**
   * Post-pause beats kept for the sinus P-wave template (median per bin), default 8. A beat
   * enters, once 8 RR intervals are in the running statistics, when its pre RR is at least
   * `pauseShare` of the running upper RR (see `upperQuantile`) and its QRS correlates with the
   * template at least `clusterCorrelation`: after a pause the sinus node fires, so
   * the template is the sinus P wave even where premature beats outnumber sinus beats and the
   * dominant template (and its P wave) is theirs.
   */
  sinusPBeats?: number;
  /** Share (0..) of the running upper RR from which a beat counts as post-pause, default 0.95. */
  pauseShare?: number;
  /**
   * P-wave correlation with the sinus P template (-1..1) from which a beat reads as sinus for
   * the sinus cycle (the RR of two such beats in a row, median of the last `localBeats`),
   * default 0.8.
   */
  sinusPCorrelation?: number;
  /**
   * Append the SINUS_P_FEATURE_NAMES features (the vectors then hold BEAT_FEATURE_NAMES followed
   * by them), default false: a sinus reference taken from the P-wave shape rather than the RR
   * distribution, for rhythms where premature beats outnumber sinus beats. Measured on the
   * SVEB-dominant probe and not in the shipped model (see the package README).
   */
  sinusPFeatures?: boolean;
}

export interface BeatFeatureExtractor {
  readonly nFeatures: number;
  /**
   * Features of the beat at `peak`, given its neighbours (null at the ends of the record). Beats
   * must be passed in time order; the running RR statistics and the dominant-beat template are
   * updated after each call. `out` (nFeatures values), when given, receives the features and is
   * returned instead of a new array (the classifier reuses one: an allocation fewer per beat).
   */
  next(
    view: SampleView,
    prevPeak: number | null,
    peak: number,
    nextPeak: number | null,
    out?: Float64Array,
  ): Float64Array;
  /**
   * Measurements of the beat last passed to `next` (noise and pacing indicators), until the next
   * call: the arrays of windows no longer used are reused for later beats.
   */
  readonly last: BeatWindow | null;
  /**
   * Share (0..1) of the last `sinusPBeats` post-pause beats whose P wave matched the sinus P
   * template (`sinusPCorrelation`) before joining it, after the beat last passed to `next`; 0
   * without `sinusPFeatures` or before a post-pause beat.
   */
  readonly sinusPConsistency: number;
  /**
   * Whether the beat last passed to `next` was a post-pause beat whose P wave matched the sinus P
   * template (it counted as a match in `sinusPConsistency`); false without `sinusPFeatures`.
   */
  readonly sinusPMatch: boolean;
  /**
   * Whether the beat last passed to `next`, whatever its timing, had a P wave matching the sinus
   * P template (`sinusPCorrelation`) and no noise; false without `sinusPFeatures`. Unlike
   * `sinusPMatch` it does not wait for a post-pause beat: in sinus rhythm with frequent atrial
   * premature beats every sinus beat between them carries the sinus P wave.
   */
  readonly sinusPWave: boolean;
  /**
   * Morphology cluster of the beat last passed to `next`, as an opaque handle (the same object
   * for every beat of one cluster, so callers can keep per-cluster state in a WeakMap); null for
   * noise-like beats, which join no cluster.
   */
  readonly lastCluster: object | null;
  /**
   * The record's morphology clusters after the last beat (QRS running means on QRS_GRID_MS, mV,
   * and recent weight), the same objects as `lastCluster` returns.
   */
  readonly clusters: readonly BeatCluster[];
}

/** A morphology cluster as callers see it. */
export interface BeatCluster {
  /** Running mean of the members' QRS on QRS_GRID_MS, mV. */
  readonly qrs: Float64Array;
  /** Members decayed over `averageBeats` beats: the cluster's recent weight. */
  readonly weight: number;
}

/** Scratch for the medians below (module-private, only used synchronously inside one call). */
let medianBuf = new Float64Array(256);

/**
 * Median of the last `n` values of `values` (all of them by default); used on short windows (8
 * and 16 values), where an insertion sort beats a typed-array sort call.
 */
function median(values: readonly number[], n = values.length): number {
  const k = Math.min(n, values.length);
  if (medianBuf.length < k) medianBuf = new Float64Array(2 * k);
  const from = values.length - k;
  for (let i = 0; i < k; i++) medianBuf[i] = values[from + i] ?? 0;
  return smallMedian(medianBuf, k);
}

/** Median of the first `n` values of `buf`, sorted in place by insertion (n is small here). */
function smallMedian(buf: Float64Array, n: number): number {
  sortSmallInPlace(buf, n);
  const m = n >> 1;
  return n % 2 === 1 ? (buf[m] ?? 0) : ((buf[m - 1] ?? 0) + (buf[m] ?? 0)) / 2;
}

/**
 * A sorted multiset of numbers (ascending, at most `v.length`): the running medians below keep
 * one per window, so each beat costs an insertion and a removal (O(n) moves) instead of a sort
 * of the whole window. The medians are those of the same values, so identical to sorting.
 */
interface SortedWindow {
  v: Float64Array;
  n: number;
}

function sortedWindow(capacity: number): SortedWindow {
  return { v: new Float64Array(Math.max(capacity, 1)), n: 0 };
}

function insertSorted(w: SortedWindow, x: number): void {
  let lo = 0;
  let hi = w.n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((w.v[mid] ?? 0) <= x) lo = mid + 1;
    else hi = mid;
  }
  // Shifted by a loop: the windows are short (17 values for the template columns), where a
  // `copyWithin` call costs more than the moves; 54 of them run per beat.
  const v = w.v;
  for (let i = w.n; i > lo; i--) v[i] = v[i - 1] ?? 0;
  v[lo] = x;
  w.n++;
}

function removeSorted(w: SortedWindow, x: number): void {
  let lo = 0;
  let hi = w.n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((w.v[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo < w.n && w.v[lo] === x) {
    const v = w.v;
    for (let i = lo + 1; i < w.n; i++) v[i - 1] = v[i] ?? 0;
    w.n--;
  }
}

function sortedMedian(w: SortedWindow): number {
  const m = w.n >> 1;
  return w.n % 2 === 1 ? (w.v[m] ?? 0) : ((w.v[m - 1] ?? 0) + (w.v[m] ?? 0)) / 2;
}

function correlation(a: Float64Array, b: Float64Array, from: number, to: number): number {
  const ma = meanOf(a, from, to);
  return correlationCentred(a, ma, centredEnergy(a, from, to, ma), b, from, to);
}

/** Mean of a[from, to) (summed in order). */
function meanOf(a: Float64Array, from: number, to: number): number {
  let sa = 0;
  for (let i = from; i < to; i++) sa += a[i] ?? 0;
  return sa / (to - from);
}

/** Σ (a[i] − mean)² over [from, to), in order. */
function centredEnergy(a: Float64Array, from: number, to: number, mean: number): number {
  let saa = 0;
  for (let i = from; i < to; i++) {
    const da = (a[i] ?? 0) - mean;
    saa += da * da;
  }
  return saa;
}

/**
 * Pearson correlation of a and b over [from, to), given a's mean and centred energy: a beat's QRS
 * is correlated with the template and with every cluster, so its part is computed once. Each sum
 * is formed term by term in index order, as in one pass over both, so the result is the same.
 */
function correlationCentred(
  a: Float64Array,
  ma: number,
  saa: number,
  b: Float64Array,
  from: number,
  to: number,
): number {
  const mb = meanOf(b, from, to);
  let sab = 0;
  let sbb = 0;
  for (let i = from; i < to; i++) {
    const da = (a[i] ?? 0) - ma;
    const db = (b[i] ?? 0) - mb;
    sab += da * db;
    sbb += db * db;
  }
  const d = Math.sqrt(saa * sbb);
  return d > 1e-12 ? sab / d : 0;
}

function irregularity(rr: readonly number[], n: number): number {
  const from = Math.max(1, rr.length - n);
  const k = rr.length - from;
  if (k <= 0) return 0;
  if (medianBuf.length < k) medianBuf = new Float64Array(2 * k);
  for (let i = 0; i < k; i++) {
    medianBuf[i] = Math.abs((rr[from + i] ?? 0) - (rr[from + i - 1] ?? 0));
  }
  return smallMedian(medianBuf, k);
}

/**
 * One morphology cluster of a record: the running mean of its beats' QRS (fine grid, mV), a
 * decayed member count and running means of per-beat features of its members.
 */
interface Cluster {
  qrs: Float64Array;
  /** Members, decayed by (1 - 1/averageBeats) per beat: the cluster's weight in the recent past. */
  weight: number;
  /** Members ever added (sets the running-mean step, capped at CLUSTER_MEMORY). */
  members: number;
  prematurity: number;
  corrQrs: number;
  width: number;
}

/** Beats after which a cluster's running means become exponential (step 1/CLUSTER_MEMORY). */
const CLUSTER_MEMORY = 32;
/** Positions of the per-beat features whose cluster means are features too. */
const PREMATURITY = BEAT_FEATURE_NAMES.indexOf('preRR/localRR');
const CORR_QRS = BEAT_FEATURE_NAMES.indexOf('corrQrs');
const WIDTH = BEAT_FEATURE_NAMES.indexOf('width/templateWidth');

interface Template {
  qrs: Float64Array;
  wide: Float64Array;
  ptpMv: number;
  widthMs: number;
  areaWidthMs: number;
  maxSlope: number;
}

/**
 * Creates the stateful beat feature extractor shared by `classifyBeats` and the streaming monitor.
 *
 * Inter-patient generalisation comes from normalising every feature by the record's own running
 * statistics: RR intervals by the median of recent RRs (local, 8 beats) and of the longer past
 * (300 beats), in the spirit of de Chazal et al. 2004 and Llamedo & Martínez 2011; morphology
 * by the median template of recent regular beats (the patient's dominant beat), so that a VEB is
 * "wide and unlike this patient's usual beat", whatever the lead or patient. No feature is in
 * absolute units (seconds, milliseconds): absolute RR intervals and QRS widths depend on the
 * patient, the lead and the detector, and dropping them improved every figure of the
 * leave-one-record-out cross-validation on DS1 (VEB +P 71 -> 79%, SVEB Se 66 -> 70%; README).
 */
export function createBeatFeatureExtractor(
  options: BeatFeatureExtractorOptions,
): BeatFeatureExtractor {
  if (!Number.isFinite(options.fs) || options.fs <= 0)
    throw new RangeError('options.fs must be > 0');
  const fs = options.fs;
  const templateBeats = options.templateBeats ?? 16;
  const localBeats = options.localBeats ?? 8;
  const averageBeats = options.averageBeats ?? 300;
  const noiseSlopeContrast = options.noiseSlopeContrast ?? 6;
  const upperQuantile = options.upperQuantile ?? 0.9;
  if (!(upperQuantile >= 0 && upperQuantile <= 1)) {
    throw new RangeError('options.upperQuantile must be within 0..1');
  }
  let prevNoisy = false;
  const rrHistory: number[] = [];
  const rrSorted = sortedWindow(averageBeats + 1);
  const ring: BeatWindow[] = [];
  let template: Template | null = null;
  let templateDirty = true;
  let prevPreRR: number | null = null;
  let lastIrregularity: number | null = null;
  const regularRr: number[] = [];
  const maxClusters = options.clusters ?? 8;
  const clusterCorrelation = options.clusterCorrelation ?? 0.8;
  if (!Number.isInteger(maxClusters) || maxClusters < 1) {
    throw new RangeError('options.clusters must be an integer >= 1');
  }
  if (!(clusterCorrelation >= -1 && clusterCorrelation <= 1)) {
    throw new RangeError('options.clusterCorrelation must be within -1..1');
  }
  const clusters: Cluster[] = [];
  const sinusPBeats = options.sinusPBeats ?? 8;
  const pauseShare = options.pauseShare ?? 0.95;
  const sinusPCorrelation = options.sinusPCorrelation ?? 0.8;
  if (!Number.isInteger(sinusPBeats) || sinusPBeats < 1) {
    throw new RangeError('options.sinusPBeats must be an integer >= 1');
  }
  if (!(pauseShare >= 0)) throw new RangeError('options.pauseShare must be >= 0');
  if (!(sinusPCorrelation >= -1 && sinusPCorrelation <= 1)) {
    throw new RangeError('options.sinusPCorrelation must be within -1..1');
  }
  // Sinus P template: the P-wave bins of the last `sinusPBeats` post-pause beats (a ring, filled
  // in place), their per-bin median rebuilt only when a beat enters.
  const sinusPRing = Array.from({ length: sinusPBeats }, () => new Float64Array(P_BINS));
  let sinusPCount = 0;
  const sinusP = new Float64Array(P_BINS);
  const sinusPColumn = new Float64Array(sinusPBeats);
  let sinusPDirty = false;
  /** Whether each of the last `sinusPBeats` post-pause beats matched the template (1) or not. */
  const sinusPMatched = new Uint8Array(sinusPBeats);
  let sinusPConsistency = 0;
  let sinusPMatch = false;
  let sinusPWave = false;
  /** RR intervals (s) between consecutive beats that both match the sinus P template. */
  const sinusRr: number[] = [];
  let prevSinusMatch = false;
  const decay = 1 - 1 / averageBeats;
  const sinusPFeatures = options.sinusPFeatures ?? false;
  const nFeatures = BEAT_FEATURE_NAMES.length + (sinusPFeatures ? SINUS_P_FEATURE_NAMES.length : 0);
  const nQ = QRS_GRID_MS.length;
  const nW = WIDE_GRID_MS.length;

  // Sorted windows over the template ring: one per QRS bin, per whole-beat bin and per scalar
  // (peak-to-peak, width, area width, slope), updated as beats enter and leave the ring.
  const ringCols = Array.from({ length: nQ + nW + 4 }, () => sortedWindow(templateBeats + 1));
  /**
   * Enters (or removes) a beat's values in the ring's columns: its QRS bins, whole-beat bins,
   * peak-to-peak, width, area width and slope, in that order (one loop, no accessor call per
   * column).
   */
  const updateRingCols = (b: BeatWindow, insert: boolean): void => {
    const nCols = ringCols.length;
    for (let k = 0; k < nCols; k++) {
      const col = ringCols[k];
      if (col === undefined) continue;
      const v =
        k < nQ
          ? (b.qrs[k] ?? 0)
          : k < nQ + nW
            ? (b.wide[k - nQ] ?? 0)
            : k === nQ + nW
              ? b.ptpMv
              : k === nQ + nW + 1
                ? b.widthMs
                : k === nQ + nW + 2
                  ? b.areaWidthMs
                  : b.maxSlope;
      if (insert) insertSorted(col, v);
      else removeSorted(col, v);
    }
  };
  // The template is only read inside `next`, before it is rebuilt: one object, rebuilt in place
  // (two arrays fewer per beat).
  const built: Template = {
    qrs: new Float64Array(nQ),
    wide: new Float64Array(nW),
    ptpMv: 0,
    widthMs: 0,
    areaWidthMs: 0,
    maxSlope: 0,
  };
  const buildTemplate = (): Template | null => {
    if (ring.length === 0) return null;
    const { qrs, wide } = built;
    for (let k = 0; k < nQ; k++) qrs[k] = sortedMedian(ringCols[k] ?? sortedWindow(1));
    for (let k = 0; k < nW; k++) wide[k] = sortedMedian(ringCols[nQ + k] ?? sortedWindow(1));
    const scalar = (k: number): number => sortedMedian(ringCols[nQ + nW + k] ?? sortedWindow(1));
    built.ptpMv = scalar(0);
    built.widthMs = scalar(1);
    built.areaWidthMs = scalar(2);
    built.maxSlope = scalar(3);
    return built;
  };

  let last: BeatWindow | null = null;
  /** Whether `last` is held by the template ring. */
  let lastInRing = false;
  let lastCluster: Cluster | null = null;
  /** Hands the arrays of a window nothing refers to any more to the next measurement. */
  const recycle = (old: BeatWindow): void => {
    scratch.spareQrs = old.qrs;
    scratch.spareWide = old.wide;
  };
  const scratch: BeatWindowScratch = {
    raw: new Float64Array(0),
    cum: new Float64Array(0),
    cum1: new Float64Array(0),
    hp: new Float64Array(0),
    absDiff: new Float64Array(0),
  };
  return {
    nFeatures,
    get last() {
      return last;
    },
    get sinusPConsistency() {
      return sinusPConsistency;
    },
    get sinusPMatch() {
      return sinusPMatch;
    },
    get sinusPWave() {
      return sinusPWave;
    },
    get lastCluster() {
      return lastCluster;
    },
    clusters,
    next(view, prevPeak, peak, nextPeak, out) {
      // The previous beat's window, unless the template ring kept it, is no longer used (`last`
      // describes only the beat last passed): its arrays are filled again.
      if (last !== null && !lastInRing) recycle(last);
      const w = measureBeatWindow(view, peak, fs, scratch);
      lastInRing = false;
      last = w;
      const preRaw = prevPeak === null ? null : (peak - prevPeak) / fs;
      const postRaw = nextPeak === null ? null : (nextPeak - peak) / fs;
      const preRR = preRaw ?? postRaw ?? 1;
      const postRR = postRaw ?? preRR;
      const localRR = rrHistory.length > 0 ? median(rrHistory, localBeats) : preRR;
      // rrSorted holds the same values as rrHistory (at most averageBeats of them).
      const avgRR = rrHistory.length > 0 ? sortedMedian(rrSorted) : localRR;
      const prev = prevPreRR ?? preRR;

      if (templateDirty) {
        template = buildTemplate();
        templateDirty = false;
      }
      const t: Template = template ?? { ...w };
      // Every entry is written below, in order.
      const f = out?.length === nFeatures ? out : new Float64Array(nFeatures);
      let k = 0;
      f[k++] = preRR / avgRR;
      f[k++] = postRR / avgRR;
      f[k++] = preRR / localRR;
      f[k++] = postRR / preRR;
      f[k++] = localRR / avgRR;
      f[k++] = prev / avgRR;
      f[k++] = (preRR + postRR) / (2 * localRR);
      f[k++] = postRR / localRR;
      const qrsMean = meanOf(w.qrs, 0, nQ);
      const qrsEnergy = centredEnergy(w.qrs, 0, nQ, qrsMean);
      f[k++] = correlationCentred(w.qrs, qrsMean, qrsEnergy, t.qrs, 0, nQ);
      f[k++] = correlation(w.wide, t.wide, 0, nW);
      f[k++] = correlation(w.wide, t.wide, 0, P_BINS);
      const scale = Math.max(t.ptpMv, 1e-3);
      let d2 = 0;
      for (let i = 0; i < nQ; i++) d2 += ((w.qrs[i] ?? 0) - (t.qrs[i] ?? 0)) ** 2;
      f[k++] = Math.sqrt(d2 / nQ) / scale;
      f[k++] = w.ptpMv / scale;
      f[k++] = w.widthMs / Math.max(t.widthMs, 1);
      f[k++] = w.areaWidthMs / Math.max(t.areaWidthMs, 1);
      f[k++] = w.maxSlope / Math.max(t.maxSlope, 1e-3);
      let pe = 0;
      let pt = 0;
      for (let i = 0; i < P_BINS; i++) {
        pe += (w.wide[i] ?? 0) ** 2;
        pt += (t.wide[i] ?? 0) ** 2;
      }
      f[k++] = Math.sqrt(pe / Math.max(pt, 1e-9));
      // Irregularity of the recent rhythm (median absolute successive RR difference relative to
      // the average RR): in atrial fibrillation a short RR is not evidence of an ectopic beat.
      const irr = irregularity(rrHistory, 16) / avgRR;
      f[k++] = irr;
      f[k++] = lastIrregularity ?? irr;
      lastIrregularity = irr;
      // RR of the recent non-premature beats: the underlying (sinus) rate, which a run of
      // supraventricular beats does not drag down the way it drags the local median.
      const regRR = regularRr.length > 0 ? median(regularRr) : localRR;
      f[k++] = preRR / regRR;
      f[k++] = postRR / regRR;

      // Record-level consistency without labels (cf. the patient-adapted clustering of Llamedo &
      // Martinez, IEEE TBME 59(8), 2012, here with no expert): beats are grouped on line by QRS
      // shape (correlation with each cluster's running mean), and each beat also carries its
      // cluster's share of the recent beats and the running means of its members' prematurity,
      // correlation with the template and width. A large cluster is the patient's usual beat; a
      // small cluster of wide, premature beats is ectopy, even for a member whose own measures
      // are noisy. Noise-like beats join no cluster. Causal, so streaming equals offline.
      let best: Cluster | null = null;
      let bestCorr = -Infinity;
      for (const c of clusters) {
        const r = correlationCentred(w.qrs, qrsMean, qrsEnergy, c.qrs, 0, nQ);
        if (r > bestCorr) {
          bestCorr = r;
          best = c;
        }
      }
      const corrQrs = f[CORR_QRS] ?? 0;
      const width = f[WIDTH] ?? 1;
      const prematurity = f[PREMATURITY] ?? 1;
      const noisyBeat = w.slopeContrast < noiseSlopeContrast;
      let own: Cluster;
      if (best !== null && bestCorr >= clusterCorrelation) {
        own = best;
      } else {
        // `slice`, not `Float64Array.from` (which walks an iterator): the same copy, and this
        // runs for every beat unlike any cluster, noise included.
        own = { qrs: w.qrs.slice(), weight: 0, members: 0, prematurity, corrQrs, width };
        if (!noisyBeat) {
          if (clusters.length >= maxClusters) {
            let smallest = 0;
            clusters.forEach((c, i) => {
              if (c.weight < (clusters[smallest]?.weight ?? Infinity)) smallest = i;
            });
            clusters.splice(smallest, 1);
          }
          clusters.push(own);
        }
      }
      lastCluster = noisyBeat ? null : own;
      if (!noisyBeat) {
        for (const c of clusters) c.weight *= decay;
        own.weight += 1;
        own.members += 1;
        const a = 1 / Math.min(own.members, CLUSTER_MEMORY);
        for (let i = 0; i < nQ; i++) {
          own.qrs[i] = (own.qrs[i] ?? 0) + a * ((w.qrs[i] ?? 0) - (own.qrs[i] ?? 0));
        }
        own.prematurity += a * (prematurity - own.prematurity);
        own.corrQrs += a * (corrQrs - own.corrQrs);
        own.width += a * (width - own.width);
      }
      let dominant: Cluster = own;
      let total = 0;
      for (const c of clusters) {
        total += c.weight;
        if (c.weight > dominant.weight) dominant = c;
      }
      f[k++] = total > 0 ? own.weight / total : 0;
      f[k++] = own.prematurity;
      f[k++] = own.corrQrs;
      f[k++] = own.width;
      // How much of the record the largest cluster holds: a record whose normal beats vary in
      // shape (noise, axis shifts) spreads them over several clusters, so a small cluster there
      // is weaker evidence of ectopy than in a record with one tight dominant morphology.
      f[k++] = total > 0 ? dominant.weight / total : 1;
      // The slow end of the recent RR distribution (see `upperQuantile`).
      const upperRR =
        rrSorted.n > 0
          ? (rrSorted.v[Math.min(rrSorted.n - 1, Math.floor(upperQuantile * rrSorted.n))] ??
            localRR)
          : localRR;
      f[k++] = preRR / upperRR;
      f[k++] = localRR / upperRR;

      // The sinus reference from the P wave rather than from the RR distribution: in sinus
      // rhythm with more premature beats than sinus beats, every RR statistic above is the
      // premature beats' (or the pauses'), and so is the dominant template with its P wave.
      let corrSinusP = 0;
      if (sinusPFeatures) {
        if (sinusPDirty) {
          const n = Math.min(sinusPCount, sinusPBeats);
          for (let b = 0; b < P_BINS; b++) {
            for (let j = 0; j < n; j++) sinusPColumn[j] = sinusPRing[j]?.[b] ?? 0;
            sinusP[b] = smallMedian(sinusPColumn, n);
          }
          sinusPDirty = false;
        }
        // Before any post-pause beat, the dominant template's P wave stands in.
        corrSinusP = correlation(w.wide, sinusPCount > 0 ? sinusP : t.wide, 0, P_BINS);
        const sinusRR = sinusRr.length > 0 ? median(sinusRr, localBeats) : avgRR;
        f[k++] = corrSinusP;
        f[k++] = preRR / sinusRR;
        f[k++] = sinusPConsistency;
      }

      // Update running statistics after measuring, so a beat is never compared with itself.
      // Template beats: not premature (an ectopic beat usually is). Late beats are accepted, so
      // the conducted beats of a bigeminy, which follow a compensatory pause, keep the template.
      const regular = rrHistory.length < 3 || preRR / localRR > 0.9;
      // Beats without a QRS standing out of their window (noise, flutter waves, false detections)
      // are not the patient's rhythm: neither they nor the interval ending at the next beat enter
      // the running statistics, so a noisy stretch does not shorten the average RR of the beats
      // that follow it.
      const noisy = w.slopeContrast < noiseSlopeContrast;
      const clean = !noisy && !prevNoisy;
      prevNoisy = noisy;
      if (regular && clean && preRaw !== null) {
        regularRr.push(preRaw);
        if (regularRr.length > templateBeats) regularRr.shift();
      }
      if ((regular && !noisy) || ring.length < 4) {
        ring.push(w);
        lastInRing = true;
        updateRingCols(w, true);
        if (ring.length > templateBeats) {
          const out = ring.shift();
          if (out !== undefined) {
            updateRingCols(out, false);
            if (out !== w) recycle(out);
            else lastInRing = false;
          }
        }
        templateDirty = true;
      }
      const sinusMatch = sinusPFeatures && !noisy && corrSinusP >= sinusPCorrelation;
      if (sinusMatch && prevSinusMatch && clean && preRaw !== null) {
        sinusRr.push(preRaw);
        if (sinusRr.length > localBeats) sinusRr.shift();
      }
      prevSinusMatch = sinusMatch;
      sinusPWave = sinusMatch;
      sinusPMatch = false;
      // Post-pause beat (pre RR near the slow end of the recent RRs, a QRS like the template):
      // after a pause the sinus node fires, so its P wave joins the sinus P template.
      if (
        sinusPFeatures &&
        clean &&
        preRaw !== null &&
        rrHistory.length >= 8 &&
        preRaw >= pauseShare * upperRR &&
        corrQrs >= clusterCorrelation
      ) {
        const at = sinusPCount % sinusPBeats;
        const slot = sinusPRing[at];
        if (slot !== undefined) for (let b = 0; b < P_BINS; b++) slot[b] = w.wide[b] ?? 0;
        sinusPMatched[at] = sinusPCount > 0 && corrSinusP >= sinusPCorrelation ? 1 : 0;
        sinusPMatch = sinusPMatched[at] === 1;
        sinusPCount++;
        let m = 0;
        const n = Math.min(sinusPCount, sinusPBeats);
        for (let j = 0; j < n; j++) m += sinusPMatched[j] ?? 0;
        sinusPConsistency = m / n;
        sinusPDirty = true;
      }
      if (clean && preRaw !== null) {
        rrHistory.push(preRaw);
        insertSorted(rrSorted, preRaw);
        if (rrHistory.length > averageBeats) removeSorted(rrSorted, rrHistory.shift() ?? 0);
      }
      prevPreRR = preRR;
      return f;
    },
  };
}
