import { SignalInputError } from '../errors.js';
import { designBandpass } from '../filters/design-bandpass.js';
import type { Biquad } from '../filters/biquad.js';
import { resolveQrsOptions } from './qrs-detector-options.js';
import type { QrsDetectorOptions, ResolvedQrsOptions } from './qrs-detector-options.js';

/** A streaming QRS detector: feed chunks, get the R peaks confirmed so far. */
export interface QrsDetector {
  /**
   * Processes the next chunk of ECG (mV, sampled at `fs`) and returns the R peaks confirmed by
   * it, as absolute sample indices since the first sample pushed, in increasing order.
   * A chunk with a non-finite sample is rejected whole (typed error) and changes nothing.
   */
  push(chunk: Float64Array | Float32Array): Int32Array;
  /** Ends the stream: confirms what can still be confirmed and returns those peaks. */
  flush(): Int32Array;
  /** Number of samples pushed so far. */
  readonly samplesSeen: number;
}

/** Number of recent QRS / noise peaks and RR intervals averaged (Hamilton & Tompkins 1986). */
const HISTORY = 8;
/** Most noise peaks kept for search-back between two beats. */
const MAX_CANDIDATES = 64;
/**
 * Half-width (s) of the span around an envelope peak over which the width test of a learning
 * peak looks (see `endLearning`). 150 ms: the integration window, so a QRS's envelope hump
 * (about the QRS duration plus the window) has fallen away on both sides, while at the
 * highest sinus rates (RR ≥ 0.3 s) the dip between two beats still falls inside the span.
 */
const WIDE_SPAN_S = 0.15;
/**
 * A learning peak is wide when its envelope stays above this fraction of its peak energy over
 * the whole ±`WIDE_SPAN_S` (0.25 of the energy: half the RMS slope).
 */
const WIDE_ENERGY_FRACTION = 0.25;
/**
 * A wide learning peak is left out of the learned QRS level only when it is more than this many
 * times the largest narrow one: an artefact "a few times a QRS" (a QRS of one rhythm, a wide
 * ventricular beat included, is rarely 3 times another), not a noisy QRS that the width test
 * alone also flags: on 35 of the 4,264 CinC 2017 development strips (odd numbers) the largest
 * learning peak is wide, and leaving every wide peak out changed the beats of 6, 4 of them for
 * the worse (extra beats on the artefact, T waves); with this ratio none changes, nor any DS1
 * record (either lead, from 0 s). At 2 it changed one strip, for the worse (A03581).
 */
const WIDE_EXCLUDE_RATIO = 3;

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Group delay in samples of a biquad cascade at `f` Hz, by differentiating its phase. */
function groupDelaySamples(sections: readonly Biquad[], f: number, fs: number): number {
  const phase = (freq: number): number => {
    const w = (2 * Math.PI * freq) / fs;
    let total = 0;
    for (const s of sections) {
      const c1 = Math.cos(w);
      const s1 = Math.sin(w);
      const c2 = Math.cos(2 * w);
      const s2 = Math.sin(2 * w);
      total += Math.atan2(-(s.b1 * s1 + s.b2 * s2), s.b0 + s.b1 * c1 + s.b2 * c2);
      total -= Math.atan2(-(s.a1 * s1 + s.a2 * s2), 1 + s.a1 * c1 + s.a2 * c2);
    }
    return total;
  };
  const df = 0.01;
  let d = phase(f + df) - phase(f - df);
  while (d > Math.PI) d -= 2 * Math.PI;
  while (d < -Math.PI) d += 2 * Math.PI;
  return (-d / (2 * Math.PI * 2 * df)) * fs;
}

/**
 * The QRS detector's whole state. One sample at a time, with no allocation per sample, so that
 * the offline `detectQrs` (this detector fed once) and any chunking of the same signal give the
 * same beats. The method follows Pan & Tompkins (IEEE TBME 32(3):230–236, 1985) with the
 * decision rules of Hamilton & Tompkins (IEEE TBME 33(12):1157–1165, 1986):
 * 1. Butterworth band-pass 5–15 Hz (the QRS energy band of Pan & Tompkins), a slope over ~10 ms,
 *    squaring and a 150 ms moving average give an energy envelope; its local maxima are
 *    candidates, valued by their square root (RMS slope), so the thresholds scale with QRS
 *    amplitude rather than its square and small ectopic beats stay above them.
 * 2. Of two candidates closer than the 200 ms refractory period only the larger survives; up to
 *    300 ms, a candidate 1.5 times the other also removes it (a P wave shortly before a QRS, an
 *    artefact next to one). A candidate is confirmed 300 ms after its peak.
 * 3. A candidate is a beat when it exceeds NPK + 0.3125 (QRSPK − NPK), the running means of the
 *    last 8 beat and noise peaks (Hamilton & Tompkins); within 360 ms of a beat it must also
 *    have at least half that beat's maximum slope, otherwise it is a T wave (Pan & Tompkins).
 * 4. When no beat has come for 1.5 mean RR, the largest noise peak above half the threshold and
 *    at least 360 ms after the last beat is taken as a beat (search-back); up to 450 ms after the
 *    beat it must also pass the slope test of 3, since after a long RR the T wave ends later
 *    (a search-back over a pause otherwise takes the T wave of a small-QRS lead such as V1).
 *    The search waits for a pending candidate that will be a beat, and a beat ending a longer
 *    gap first searches it.
 * 5. The R peak is the largest absolute band-passed value in the window that fed the envelope
 *    peak, corrected for the band-pass group delay at 10 Hz.
 * 6. Absolute guards: a band-passed amplitude below 0.02 mV is never a beat (flat line, ADC
 *    noise), nor is a spike much steeper than its amplitude allows (see `maxSpikeRatio`).
 * Levels start from the largest candidate of the first 2 s (learning period; a wide one more than
 * 3 times the largest narrow one is left out as motion artefact, see `endLearning`), whose
 * candidates are then classified in order, so the first beats are reported too. Until 8 beats
 * have been accepted with them, the levels are provisional: `relearnS` without a beat learns them
 * again from that stretch's candidates (an artefact in the first 2 s would otherwise silence the
 * detector for good).
 */
class QrsDetectorImpl implements QrsDetector {
  private readonly opts: ResolvedQrsOptions;
  /** High-pass then low-pass biquad (2nd-order Butterworth each), and their states. */
  private readonly hp: Biquad;
  private readonly lp: Biquad;
  private readonly zState = new Float64Array(4);
  private readonly lag: number;
  private readonly win: number;
  private readonly invWin: number;
  private readonly slopeScale: number;
  private readonly bp: Float64Array;
  /** The raw input, same length and indexing as `bp`, for the spike test. */
  private readonly raw: Float64Array;
  private readonly bpMask: number;
  private readonly energy: Float64Array;
  private readonly energyMask: number;
  /** The envelope (running sum of the squared slope), same length and indexing as `bp`. */
  private readonly env: Float64Array;
  private readonly wideSpan: number;
  private readonly refractory: number;
  private readonly dominance: number;
  private readonly dominanceRatio: number;
  private readonly tWave: number;
  private readonly searchTWave: number;
  private readonly learnEnd: number;
  private readonly relearn: number;
  private readonly delay: number;

  private n = 0;
  private mwiSum = 0;
  private m1 = 0;
  private m2 = 0;
  private pendVal = 0;
  private pendIdx = -1;

  private learning = true;
  private readonly qrsPeaks = new Float64Array(HISTORY);
  private readonly noisePeaks = new Float64Array(HISTORY);
  private readonly rrs = new Float64Array(HISTORY);
  private qrsMean = 0;
  private noiseMean = 0;
  private rrMean: number;
  private lastQrs = -1;
  private lastR = -1;
  private lastSlope = 0;
  private searchDue = Number.POSITIVE_INFINITY;
  /** When the last search-back found nothing: search again as soon as a new noise peak comes. */
  private searchPending = false;
  /** Beats accepted since the levels were (re)learned; they are provisional below HISTORY. */
  private levelBeats = 0;
  /** Sample at which provisional levels are learned again if no beat comes (see `relearnS`). */
  private relearnDue = Number.POSITIVE_INFINITY;
  /**
   * While the learning peaks are classified (`endLearning`), the most a peak adds to the QRS
   * history: the level learned, so an excluded wide peak taken as a beat does not raise it again.
   */
  private levelCap = Number.POSITIVE_INFINITY;

  private readonly cVal = new Float64Array(MAX_CANDIDATES);
  private readonly cIdx = new Float64Array(MAX_CANDIDATES);
  private readonly cR = new Float64Array(MAX_CANDIDATES);
  private readonly cSlope = new Float64Array(MAX_CANDIDATES);
  /** 1 when the candidate's envelope is wide (see `WIDE_SPAN_S`), else 0. */
  private readonly cWide = new Uint8Array(MAX_CANDIDATES);
  private cCount = 0;

  private out: number[] = [];

  constructor(options: QrsDetectorOptions) {
    const o = resolveQrsOptions(options);
    this.opts = o;
    const { fs } = o;
    const sections = designBandpass({ lowHz: o.bandLowHz, highHz: o.bandHighHz, fs, order: 2 });
    const [hp, lp] = sections;
    if (hp === undefined || lp === undefined || sections.length !== 2) {
      throw new Error('band-pass design must give two biquads');
    }
    this.hp = hp;
    this.lp = lp;
    this.lag = Math.max(1, Math.round(0.01 * fs));
    this.win = Math.max(2, Math.round(o.integrationS * fs));
    this.invWin = 1 / this.win;
    this.slopeScale = fs / this.lag;
    this.refractory = Math.round(o.refractoryS * fs);
    this.dominance = Math.max(this.refractory, Math.round(o.dominanceS * fs));
    this.dominanceRatio = o.dominanceRatio;
    this.tWave = Math.round(o.tWaveS * fs);
    this.searchTWave = Math.round(o.searchBackTWaveS * fs);
    this.learnEnd = Math.round(2 * fs);
    this.relearn = Math.round(o.relearnS * fs);
    this.rrMean = fs;
    this.delay = Math.round(groupDelaySamples(sections, 10, fs));
    // History of the band-passed signal: enough for the integration window, the filter delay,
    // the refractory wait before a candidate is confirmed, and margins.
    this.bp = new Float64Array(
      nextPow2(this.win + this.delay + this.dominance + this.lag + Math.round(0.3 * fs)),
    );
    this.bpMask = this.bp.length - 1;
    this.raw = new Float64Array(this.bp.length);
    this.env = new Float64Array(this.bp.length);
    // The forward side of the span must be in by the time a candidate is confirmed.
    this.wideSpan = Math.max(1, Math.min(Math.round(WIDE_SPAN_S * fs), this.dominance));
    this.energy = new Float64Array(nextPow2(this.win + 1));
    this.energyMask = this.energy.length - 1;
  }

  get samplesSeen(): number {
    return this.n;
  }

  push(chunk: Float64Array | Float32Array): Int32Array {
    if (!(chunk instanceof Float64Array || chunk instanceof Float32Array)) {
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        'chunk',
        'chunk must be a Float64Array or Float32Array',
      );
    }
    const len = chunk.length;
    for (let i = 0; i < len; i++) {
      if (!Number.isFinite(chunk[i])) {
        throw new SignalInputError(
          'NON_FINITE_SAMPLE',
          'chunk',
          `sample ${this.n + i} is not a finite number (NaN or ±Infinity)`,
        );
      }
    }
    this.run(chunk);
    return this.drain();
  }

  flush(): Int32Array {
    if (this.pendIdx >= 0) {
      this.confirm(this.pendVal, this.pendIdx);
      this.pendIdx = -1;
    }
    if (this.learning) this.endLearning();
    if (this.n >= this.searchDue) this.searchBack();
    return this.drain();
  }

  private drain(): Int32Array {
    const peaks = Int32Array.from(this.out);
    this.out = [];
    return peaks;
  }

  private run(chunk: Float64Array | Float32Array): void {
    const { b0: hb0, b1: hb1, b2: hb2, a1: ha1, a2: ha2 } = this.hp;
    const { b0: lb0, b1: lb1, b2: lb2, a1: la1, a2: la2 } = this.lp;
    const z = this.zState;
    let h1 = z[0] ?? 0;
    let h2 = z[1] ?? 0;
    let l1 = z[2] ?? 0;
    let l2 = z[3] ?? 0;
    const bp = this.bp;
    const raw = this.raw;
    const bpMask = this.bpMask;
    const energy = this.energy;
    const eMask = this.energyMask;
    const env = this.env;
    const lag = this.lag;
    const win = this.win;
    const scale = this.slopeScale;
    const invWin = this.invWin;
    const len = chunk.length;
    if (this.n === 0 && len > 0) {
      // Start as if the signal had been constant at its first value: the high-pass section's
      // steady state for that input (zero output), so an ECG offset makes no start-up transient.
      // With y = 0 in transposed direct form II: z2 = b2·x0, z1 = b1·x0 + z2.
      const x0 = chunk[0] ?? 0;
      h2 = hb2 * x0;
      h1 = hb1 * x0 + h2;
    }
    let n = this.n;
    let sum = this.mwiSum;
    let m1 = this.m1;
    let m2 = this.m2;
    // Sample index of the next decision (confirmation, search-back, end of learning), so the
    // loop tests one number per sample.
    let next = this.nextEvent();
    for (let i = 0; i < len; i++) {
      // Band-pass: two biquads, transposed direct form II, state in locals.
      const x = chunk[i] ?? 0;
      const u = hb0 * x + h1;
      h1 = hb1 * x - ha1 * u + h2;
      h2 = hb2 * x - ha2 * u;
      const v = lb0 * u + l1;
      l1 = lb1 * u - la1 * v + l2;
      l2 = lb2 * u - la2 * v;
      bp[n & bpMask] = v;
      raw[n & bpMask] = x;
      // Slope over `lag` samples in mV/s, squared, integrated over `win` samples.
      const d = (v - (bp[(n - lag) & bpMask] ?? 0)) * scale;
      const e = d * d;
      sum += e - (energy[(n - win) & eMask] ?? 0);
      energy[n & eMask] = e;
      env[n & bpMask] = sum;
      // A local maximum of the envelope (the running sum) at n − 1. The envelope is the RMS
      // slope over the window: its square root is taken only at maxima, so thresholds scale
      // with QRS amplitude (not its square) and small ectopic beats stay above them.
      if (m1 > m2 && m1 >= sum) {
        this.n = n;
        this.candidate(Math.sqrt(m1 > 0 ? m1 * invWin : 0), n - 1);
        next = this.nextEvent();
      }
      m2 = m1;
      m1 = sum;
      if (n >= next) {
        this.events(n);
        next = this.nextEvent();
      }
      n++;
    }
    z[0] = h1;
    z[1] = h2;
    z[2] = l1;
    z[3] = l2;
    this.n = n;
    this.mwiSum = sum;
    this.m1 = m1;
    this.m2 = m2;
  }

  private nextEvent(): number {
    let next = Math.min(this.searchDue, this.relearnDue);
    if (this.pendIdx >= 0) next = Math.min(next, this.pendIdx + this.dominance);
    if (this.learning) next = Math.min(next, this.learnEnd - 1);
    return next;
  }

  /** The decisions due at sample n, in a fixed order (same for any chunking). */
  private events(n: number): void {
    this.n = n;
    if (this.pendIdx >= 0 && n - this.pendIdx >= this.dominance) {
      this.confirm(this.pendVal, this.pendIdx);
      this.pendIdx = -1;
    }
    // Search back only when no peak that will be a beat is still waiting for confirmation:
    // a beat arriving just after 1.5 RR must not lose to an earlier T wave.
    if (n >= this.searchDue && !(this.pendIdx >= 0 && this.pendVal > this.threshold())) {
      this.searchBack();
    }
    if (this.learning && n + 1 === this.learnEnd) {
      this.n = n + 1;
      this.endLearning();
    } else if (!this.learning && n >= this.relearnDue) {
      this.relearnLevels(n);
    }
  }

  /** A local maximum of the envelope; keeps the larger of peaks closer than the refractory. */
  private candidate(value: number, index: number): void {
    if (this.pendIdx < 0) {
      this.pendVal = value;
      this.pendIdx = index;
    } else if (index - this.pendIdx < this.refractory) {
      if (value > this.pendVal) {
        this.pendVal = value;
        this.pendIdx = index;
      }
    } else if (
      index - this.pendIdx < this.dominance &&
      value > this.dominanceRatio * this.pendVal
    ) {
      this.pendVal = value;
      this.pendIdx = index;
    } else if (
      index - this.pendIdx < this.dominance &&
      this.pendVal > this.dominanceRatio * value
    ) {
      // A much smaller peak shortly after: not a beat, and not search-back material either.
    } else {
      this.confirm(this.pendVal, this.pendIdx);
      this.pendVal = value;
      this.pendIdx = index;
    }
  }

  /** R peak (sample index) and maximum slope of the QRS that produced the envelope peak. */
  private locate(index: number): { r: number; slope: number; amplitude: number; rawSlope: number } {
    const bp = this.bp;
    const raw = this.raw;
    const mask = this.bpMask;
    let rawSlope = 0;
    const end = index - this.delay;
    const begin = Math.max(0, end - this.win - this.lag, this.n - bp.length + 2);
    let best = -1;
    let bestAbs = -1;
    let slope = 0;
    for (let k = Math.max(begin, 1); k <= end; k++) {
      const v = bp[k & mask] ?? 0;
      const a = Math.abs(v);
      if (a > bestAbs) {
        bestAbs = a;
        best = k;
      }
      const s = Math.abs(v - (bp[(k - 1) & mask] ?? 0));
      if (s > slope) slope = s;
      const rs = Math.abs((raw[k & mask] ?? 0) - (raw[(k - 1) & mask] ?? 0));
      if (rs > rawSlope) rawSlope = rs;
    }
    return {
      r: best - this.delay,
      slope,
      amplitude: bestAbs,
      rawSlope: rawSlope * this.opts.fs,
    };
  }

  private threshold(): number {
    return this.noiseMean + this.opts.thresholdFraction * (this.qrsMean - this.noiseMean);
  }

  /** A candidate that survived the refractory comparison: beat, T wave or noise. */
  private confirm(value: number, index: number): void {
    const { r, slope, amplitude, rawSlope } = this.locate(index);
    // Below the absolute floor a peak is electronic noise, not a beat, whatever the adaptive
    // levels say: a flat line with ADC noise must give no beats, not a noise "heart rate".
    if (amplitude < this.opts.minAmplitudeMv) return;
    // A maximum that the filter delay places at or before the first sample is the edge of the
    // data (a start-up step, or the tail of a complex before the recording began).
    if (r <= 0) return;
    // A spike (pacemaker pulse without capture, electrostatic discharge) is far steeper than a
    // QRS of the same band-passed amplitude could be: on MIT-BIH DS1 beats the raw slope is at
    // most ~1800 /s times the band-passed amplitude, a lone 1-sample spike at 1000 Hz ~32 000 /s.
    if (rawSlope > this.opts.maxSpikeRatio * amplitude) return;
    // The width only matters to learning: the first 2 s and, while the levels are provisional,
    // the candidates a re-learning would use.
    const wide =
      (this.learning || (this.relearn > 0 && this.levelBeats < HISTORY)) && this.isWide(index);
    if (this.learning) {
      this.addCandidate(value, index, r, slope, wide);
      return;
    }
    this.classify(value, index, r, slope, wide);
  }

  /**
   * Whether the envelope stays above `WIDE_ENERGY_FRACTION` of its value at `index` over the
   * whole ±`WIDE_SPAN_S` (the forward side up to the last sample seen). A QRS's envelope is a
   * hump about as wide as the QRS plus the integration window; motion artefact keeps it up for
   * longer. (Elgendi et al., PLoS ONE 8(9):e73557, 2013, likewise judge their candidate "blocks
   * of interest" by their duration against the expected QRS width.)
   */
  private isWide(index: number): boolean {
    const env = this.env;
    const mask = this.bpMask;
    const floor = WIDE_ENERGY_FRACTION * (env[index & mask] ?? 0);
    if (!(floor > 0)) return false;
    const begin = index - this.wideSpan;
    const end = Math.min(index + this.wideSpan, this.n - 1);
    if (begin < 0 || end < index + this.wideSpan) return false;
    for (let k = begin; k <= end; k++) if ((env[k & mask] ?? 0) < floor) return false;
    return true;
  }

  private classify(value: number, index: number, r: number, slope: number, wide: boolean): void {
    if (value > this.threshold()) {
      const isTWave =
        this.lastQrs >= 0 && index - this.lastQrs < this.tWave && slope < 0.5 * this.lastSlope;
      if (!isTWave) {
        // A beat after a gap longer than the search-back interval: first search the gap, as
        // the timed search-back would have done had this beat not been waiting for confirmation.
        if (this.lastQrs >= 0 && index - this.lastQrs > this.opts.searchBackRr * this.rrMean) {
          this.searchBack();
        }
        this.accept(value, index, r, slope);
        return;
      }
    }
    this.noisePeak(value);
    if (this.lastQrs < 0 || index - this.lastQrs >= this.tWave) {
      this.addCandidate(value, index, r, slope, wide);
      if (this.searchPending) this.searchBack();
    }
  }

  private noisePeak(value: number): void {
    this.noiseMean += (value - (this.noisePeaks[0] ?? 0)) / HISTORY;
    this.noisePeaks.copyWithin(0, 1);
    this.noisePeaks[HISTORY - 1] = value;
  }

  private addCandidate(
    value: number,
    index: number,
    r: number,
    slope: number,
    wide: boolean,
  ): void {
    if (this.cCount === MAX_CANDIDATES) {
      // Keep the most recent; the oldest can no longer be the best search-back choice often.
      this.cVal.copyWithin(0, 1);
      this.cIdx.copyWithin(0, 1);
      this.cR.copyWithin(0, 1);
      this.cSlope.copyWithin(0, 1);
      this.cWide.copyWithin(0, 1);
      this.cCount--;
    }
    const c = this.cCount++;
    this.cVal[c] = value;
    this.cIdx[c] = index;
    this.cR[c] = r;
    this.cSlope[c] = slope;
    this.cWide[c] = wide ? 1 : 0;
  }

  private accept(value: number, index: number, r: number, slope: number): void {
    const level = Math.min(value, this.levelCap);
    this.qrsMean += (level - (this.qrsPeaks[0] ?? 0)) / HISTORY;
    this.qrsPeaks.copyWithin(0, 1);
    this.qrsPeaks[HISTORY - 1] = level;
    if (this.lastQrs >= 0) {
      const rr = index - this.lastQrs;
      this.rrMean += (rr - (this.rrs[0] ?? 0)) / HISTORY;
      this.rrs.copyWithin(0, 1);
      this.rrs[HISTORY - 1] = rr;
    }
    this.lastQrs = index;
    this.lastSlope = slope;
    if (this.relearn > 0 && this.levelBeats < HISTORY) {
      this.levelBeats++;
      // Wait for the candidates up to the due time to be confirmed (dominance wait).
      this.relearnDue =
        this.levelBeats < HISTORY
          ? index + this.relearn + this.dominance
          : Number.POSITIVE_INFINITY;
    }
    if (r > this.lastR) {
      this.out.push(r);
      this.lastR = r;
    }
    // Candidates before this beat are no longer search-back material.
    this.keepCandidatesFrom(index + this.tWave);
    this.searchPending = false;
    // Search back only once every peak up to the due time has been confirmed (dominance wait).
    this.searchDue = index + Math.round(this.opts.searchBackRr * this.rrMean) + this.dominance;
  }

  /** Drops the candidates whose envelope peak is before `from`; returns how many are left. */
  private keepCandidatesFrom(from: number): number {
    let keep = 0;
    for (let c = 0; c < this.cCount; c++) {
      if ((this.cIdx[c] ?? 0) >= from) {
        this.cVal[keep] = this.cVal[c] ?? 0;
        this.cIdx[keep] = this.cIdx[c] ?? 0;
        this.cR[keep] = this.cR[c] ?? 0;
        this.cSlope[keep] = this.cSlope[c] ?? 0;
        this.cWide[keep] = this.cWide[c] ?? 0;
        keep++;
      }
    }
    this.cCount = keep;
    return keep;
  }

  private searchBack(): void {
    const half = 0.5 * this.threshold();
    const halfSlope = 0.5 * this.lastSlope;
    let best = -1;
    for (let c = 0; c < this.cCount; c++) {
      const v = this.cVal[c] ?? 0;
      // The Pan & Tompkins T-wave test, over the longer window of a long RR: a small peak
      // soon after the last beat with less than half its slope is its T wave, not a missed beat.
      if (
        this.lastQrs >= 0 &&
        (this.cIdx[c] ?? 0) - this.lastQrs < this.searchTWave &&
        (this.cSlope[c] ?? 0) < halfSlope
      ) {
        continue;
      }
      if (v > half && (best < 0 || v > (this.cVal[best] ?? 0))) best = c;
    }
    if (best < 0) {
      // Nothing to take now; look again when a new noise peak arrives.
      this.searchDue = Number.POSITIVE_INFINITY;
      this.searchPending = true;
      return;
    }
    this.searchPending = false;
    this.accept(
      this.cVal[best] ?? 0,
      this.cIdx[best] ?? 0,
      this.cR[best] ?? 0,
      this.cSlope[best] ?? 0,
    );
  }

  /**
   * Provisional levels and no beat for `relearnS` (see the option): the candidates of that
   * stretch are the learning peaks, as after the first 2 s. Older candidates (the artefact that
   * set the levels) are dropped; with no candidate in the stretch (a flat line) the levels stay.
   */
  private relearnLevels(n: number): void {
    if (this.keepCandidatesFrom(n - this.relearn) === 0) {
      this.relearnDue = n + this.relearn;
      return;
    }
    // The RR history is as unreliable as the levels: start again from 1 s, as at the start.
    this.rrMean = this.opts.fs;
    this.endLearning();
  }

  /** After the first 2 s (or `relearnLevels`): levels from the peaks seen, then classify them. */
  private endLearning(): void {
    this.learning = false;
    this.levelBeats = 0;
    this.relearnDue = this.relearn > 0 ? this.n + this.relearn : Number.POSITIVE_INFINITY;
    const count = this.cCount;
    // The QRS level is the largest learning peak (Pan & Tompkins 1985 learn it from the peaks of
    // the first 2 s), leaving out a wide one (see `isWide`) more than `WIDE_EXCLUDE_RATIO` times
    // the largest narrow one: motion artefact at the start, a few times a QRS, otherwise sets
    // the threshold above the beats that follow. Where no peak is wide, or all are (flutter,
    // noise), the largest peak as before.
    let maxNarrow = 0;
    for (let c = 0; c < count; c++) {
      if (this.cWide[c] === 0) maxNarrow = Math.max(maxNarrow, this.cVal[c] ?? 0);
    }
    const ceiling = maxNarrow > 0 ? WIDE_EXCLUDE_RATIO * maxNarrow : Number.POSITIVE_INFINITY;
    let max = 0;
    for (let c = 0; c < count; c++) {
      const v = this.cVal[c] ?? 0;
      if (this.cWide[c] === 0 || v <= ceiling) max = Math.max(max, v);
    }
    this.qrsPeaks.fill(max);
    this.qrsMean = max;
    this.noisePeaks.fill(0);
    this.noiseMean = 0;
    this.rrs.fill(this.rrMean);
    const vals = this.cVal.slice(0, count);
    const idxs = this.cIdx.slice(0, count);
    const rs = this.cR.slice(0, count);
    const slopes = this.cSlope.slice(0, count);
    const wides = this.cWide.slice(0, count);
    this.cCount = 0;
    this.levelCap = max;
    for (let c = 0; c < count; c++) {
      this.classify(vals[c] ?? 0, idxs[c] ?? 0, rs[c] ?? 0, slopes[c] ?? 0, wides[c] === 1);
    }
    this.levelCap = Number.POSITIVE_INFINITY;
  }
}

/**
 * Creates a streaming QRS detector (see `QrsDetectorImpl` for the method). Pushing a record in
 * chunks of any size yields exactly the peaks `detectQrs` finds on the whole record.
 */
export function createQrsDetector(options: QrsDetectorOptions): QrsDetector {
  return new QrsDetectorImpl(options);
}
