import { SignalInputError } from '../errors.js';

export interface AtrialActivityOptions {
  /** Sampling rate in Hz (required). */
  fs: number;
  /** Start of the pre-QRS (P-wave) segment in ms before the R peak, default 330. */
  segmentStartMs?: number;
  /** End of the pre-QRS segment in ms before the R peak, default 70 (before the QRS onset). */
  segmentEndMs?: number;
  /** Width in ms of the bins the segment is averaged into (a low-pass), default 10. */
  binMs?: number;
  /** Number of most recent eligible beats whose segments are compared, default 8. */
  beats?: number;
  /**
   * A beat whose RR interval is below this fraction of the median of the previous 8 RR intervals
   * is premature and does not contribute, default 0.9 (0 turns the rule off). A premature
   * atrial beat's P wave is ectopic or hidden in the T wave, so in sinus rhythm with frequent
   * ectopy the premature beats would dilute the sinus P waves of the others and read as absent
   * P waves; in AF the beats that are not premature still have none.
   */
  minPrematurity?: number;
}

export interface AtrialActivityTracker {
  /**
   * Adds the next beat (R peaks in increasing order). `x[0]` is absolute sample `offset`; the
   * samples from `segmentStartMs` before the peak to `segmentEndMs` before it must be in `x`
   * (else the beat is skipped). Only `eligible` beats (conducted supraventricular beats: not
   * ventricular, fusion, paced or noise) contribute; `sinusContext` (default false) also lets the
   * beat update the sinus P template (mean of the first 32 such beats, then an exponential average
   * with a 32-beat time constant; used once 16 were seen). Returns the P-wave coherence of the last
   * `beats` eligible beats (see `coherence`).
   */
  push(
    x: Float64Array,
    offset: number,
    peak: number,
    eligible: boolean,
    sinusContext?: boolean,
  ): number | null;
  /**
   * Correlation of the average pre-QRS segment of the last `beats` eligible beats with the
   * record's running sinus P-wave template (average of segments seen in a sinus context), -1 to
   * 1, or null without a template or recent beats.
   */
  readonly templateCorrelation: number | null;
  /**
   * P-wave coherence of the last `beats` eligible beats, 0 to 1, or null unless they all lie
   * within the last 2 × `beats` beats: the energy of their average pre-QRS segment divided by the
   * average energy of the segments (each detrended). A P wave at a fixed PR interval adds up coherently (sinus rhythm:
   * near 1); fibrillatory waves and noise have no fixed phase to the QRS and average out (about
   * 1/beats).
   */
  readonly coherence: number | null;
}

/**
 * Causal atrial-activity evidence for AF detection: whether the segments before the QRS complexes
 * of the last few beats hold a P wave at a fixed PR interval or not (P waves absent, fibrillatory
 * activity). Absence of P waves is the second ECG criterion of AF besides irregular RR (ESC 2020
 * AF guidelines, Hindricks et al., Eur Heart J 42(5):373-498); detectors that combine it with RR
 * irregularity need far fewer beats: Babaeizadeh et al. 2009 (J Electrocardiol 42(6):522-526)
 * compare the P region with an averaged P template, and Ladavich & Ghoraani 2015 (Biomed Signal
 * Process Control 18:274-281) model the atrial activity of single beats. Two scores are kept:
 * `templateCorrelation`, the correlation of the average segment of the last beats with the
 * record's own sinus P template (learnt from beats the caller marks as sinus context; shape only,
 * so amplitude and noise matter little), and `coherence`, a template-free signal-averaging ratio
 * that works from the first beats but drops with noise.
 */
export function createAtrialActivityTracker(options: AtrialActivityOptions): AtrialActivityTracker {
  if (typeof options !== 'object' || !Number.isFinite(options.fs) || options.fs <= 0) {
    throw new SignalInputError('INVALID_SAMPLE_RATE', 'options.fs', 'fs must be a positive number');
  }
  const fs = options.fs;
  const startMs = options.segmentStartMs ?? 330;
  const endMs = options.segmentEndMs ?? 70;
  const binMs = options.binMs ?? 10;
  const k = options.beats ?? 8;
  const minPrematurity = options.minPrematurity ?? 0.9;
  if (!(startMs > endMs && endMs >= 0 && binMs > 0 && startMs - endMs >= 3 * binMs)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.segmentStartMs',
      'segmentStartMs must exceed segmentEndMs (>= 0) by at least 3 bins',
    );
  }
  if (!Number.isInteger(k) || k < 2) {
    throw new SignalInputError('INVALID_OPTION', 'options.beats', 'beats must be an integer >= 2');
  }
  const nBins = Math.floor((startMs - endMs) / binMs);
  // Bin edges in samples before the R peak, each rounded from its own time in ms: a bin length
  // rounded once and repeated drifts at rates where binMs is not a whole number of samples (at
  // 250 Hz, 10 ms rounds to 3 samples and 26 bins reached 18 ms before the R peak, into the QRS,
  // whose energy is common to every beat and read as a P wave; at 300 Hz they ended at 70 ms).
  const edges = Int32Array.from({ length: nBins + 1 }, (_, b) =>
    Math.round(((startMs - b * binMs) * fs) / 1000),
  );
  for (let b = 1; b <= nBins; b++) {
    if ((edges[b] ?? 0) >= (edges[b - 1] ?? 0)) edges[b] = (edges[b - 1] ?? 0) - 1;
  }
  const startOff = edges[0] ?? 0;
  const span = startOff - (edges[nBins] ?? 0);
  // Segments of the last k eligible beats (ring buffer), detrended.
  const ring: Float64Array[] = [];
  const ringBeat: number[] = [];
  let beatNo = 0;
  let coherence: number | null = null;
  let templateCorrelation: number | null = null;
  const template = new Float64Array(nBins);
  let templateBeats = 0;

  // Least-squares line through the bin centres, removed so baseline wander does not look like a
  // wave common to all beats.
  const xm = (nBins - 1) / 2;
  let sxx = 0;
  for (let i = 0; i < nBins; i++) sxx += (i - xm) ** 2;

  // The last 8 RR intervals in samples (ring), for the prematurity rule.
  const rrRing = new Float64Array(8);
  const rrSorted = new Float64Array(8);
  let nRr = 0;
  let prevPeak: number | null = null;
  /** Whether the beat at `peak` comes early against the median of the previous 8 RR. */
  const premature = (peak: number): boolean => {
    if (prevPeak === null) {
      prevPeak = peak;
      return false;
    }
    const rr = peak - prevPeak;
    prevPeak = peak;
    let early = false;
    if (minPrematurity > 0 && nRr >= 4) {
      const n = Math.min(nRr, 8);
      for (let i = 0; i < n; i++) rrSorted[i] = rrRing[i] ?? 0;
      const v = rrSorted.subarray(0, n).sort();
      const med = n % 2 === 1 ? (v[n >> 1] ?? 0) : ((v[(n >> 1) - 1] ?? 0) + (v[n >> 1] ?? 0)) / 2;
      early = rr < minPrematurity * med;
    }
    rrRing[nRr % 8] = rr;
    nRr++;
    return early;
  };

  let spare: Float64Array | null = null;
  const segment = (x: Float64Array, offset: number, peak: number): Float64Array | null => {
    const first = peak - startOff - offset;
    if (first < 0 || first + span > x.length) return null;
    // The segment that leaves the ring next is overwritten once it has left: one array fewer
    // per beat.
    const s = spare ?? new Float64Array(nBins);
    spare = null;
    let mean = 0;
    for (let b = 0; b < nBins; b++) {
      let sum = 0;
      const from = first + startOff - (edges[b] ?? 0);
      const len = (edges[b] ?? 0) - (edges[b + 1] ?? 0);
      for (let j = 0; j < len; j++) sum += x[from + j] ?? 0;
      s[b] = sum / len;
      mean += s[b] ?? 0;
    }
    mean /= nBins;
    let sxy = 0;
    for (let i = 0; i < nBins; i++) sxy += (i - xm) * ((s[i] ?? 0) - mean);
    const slope = sxy / sxx;
    for (let i = 0; i < nBins; i++) s[i] = (s[i] ?? 0) - mean - slope * (i - xm);
    return s;
  };

  return {
    get coherence() {
      return coherence;
    },
    get templateCorrelation() {
      return templateCorrelation;
    },
    push(x, offset, peak, eligible, sinusContext = false) {
      const n = beatNo++;
      const early = premature(peak);
      const s = eligible && !early ? segment(x, offset, peak) : null;
      if (s && sinusContext) {
        // Running mean over the first 32 sinus beats, then exponential (time constant 32 beats).
        templateBeats++;
        const a = 1 / Math.min(templateBeats, 32);
        for (let i = 0; i < nBins; i++)
          template[i] = (template[i] ?? 0) + a * ((s[i] ?? 0) - (template[i] ?? 0));
      }
      if (s) {
        ring.push(s);
        ringBeat.push(n);
        if (ring.length > k) {
          spare = ring.shift() ?? null;
          ringBeat.shift();
        }
      }
      // Stale evidence is no evidence: the k segments must come from the last 2k beats.
      if (ring.length < k || n - (ringBeat[0] ?? 0) >= 2 * k) {
        coherence = null;
        templateCorrelation = null;
        return coherence;
      }
      if (!s) return coherence;
      if (templateBeats >= 16) {
        let sab = 0;
        let saa = 0;
        let sbb = 0;
        for (let i = 0; i < nBins; i++) {
          let m = 0;
          for (const r of ring) m += r[i] ?? 0;
          const t = template[i] ?? 0;
          sab += m * t;
          saa += m * m;
          sbb += t * t;
        }
        templateCorrelation = saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
      }
      let single = 0;
      let avg = 0;
      for (let i = 0; i < nBins; i++) {
        let m = 0;
        for (const r of ring) {
          const v = r[i] ?? 0;
          m += v;
          single += v * v;
        }
        m /= k;
        avg += m * m;
      }
      single /= k;
      coherence = single > 0 ? avg / single : 0;
      return coherence;
    },
  };
}
