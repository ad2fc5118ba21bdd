import { SignalInputError } from '../errors.js';
import { averageBeatResidual } from './average-beat-residual.js';
import { atrialSpectrum } from './atrial-spectrum.js';
import type { AtrialSpectrum, AtrialSpectrumOptions } from './atrial-spectrum.js';

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
  /**
   * Half-width in ms of the span around the R peak whose peak-to-peak amplitude is the QRS
   * amplitude `atrialResidual` is divided by, default 50.
   */
  qrsHalfWidthMs?: number;
  /**
   * How `atrialResidual` is measured, default `'pre-qrs'`: the pre-QRS segments less their
   * average (the T wave of the previous beat, which moves with the RR, stays in). `'average-beat'`:
   * QRST cancellation over the whole RR interval (`averageBeatResidual` on the last `beats` + 1
   * beats, eligible beats only, premature ones included: the T wave is subtracted with its own
   * beat). Measured and not kept (README).
   */
  residualMethod?: 'pre-qrs' | 'average-beat';
  /**
   * Whether `atrialSpectrum` is measured (the samples of the last `beats` + 1 beats are kept for
   * it), default false. The rhythm tracker's AF model features `atrialDominantFrequency` and
   * `atrialConcentration` read it.
   */
  spectrum?: boolean;
  /**
   * `atrialSpectrum`'s options (band, `whiten`; `fs` is this tracker's), default its defaults
   * (3 – 12 Hz, not whitened). The monitor passes the AF model's `atrialSpectrum`.
   */
  spectrumOptions?: Omit<AtrialSpectrumOptions, 'fs'>;
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
  /**
   * Atrial activity left after average-beat subtraction, relative to the QRS (0 or more, or null
   * when `coherence` is): over the last `beats` eligible beats, the RMS of each pre-QRS segment
   * minus their average segment (the P wave at a fixed PR interval and the fixed part of the T
   * wave cancel), band-passed (a 50-ms moving average less a 170-ms one: keeps fibrillatory
   * waves of about 4 to 15 Hz, takes muscle noise above 20 Hz and the slow tail of a T wave that
   * moves with the RR), divided by the median QRS peak-to-peak amplitude of the beats
   * (± `qrsHalfWidthMs` around each R peak). Scale-free: an f wave of amplitude a (a sine of 4 to
   * 10 Hz, unrelated in phase to the QRS) under QRS complexes of amplitude q reads at most its RMS
   * ratio a / (√2 · q), less what the band-pass (0.86 at 6 Hz), the segment's detrending and the
   * average take; sinus beats with identical P waves read 0. Measured when first read.
   */
  readonly atrialResidual: number | null;
  /**
   * Dominant atrial frequency and spectral concentration of the last `beats` + 1 beats after
   * QRST cancellation (`averageBeatResidual` on the eligible beats, then `atrialSpectrum` over
   * the spans between them, outside the QRS complexes), or null unless `spectrum` is set, when
   * `coherence` is null or too few beats are eligible. Measured when first read.
   */
  readonly atrialSpectrum: AtrialSpectrum | null;
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
 * that works from the first beats but drops with noise. A third, `atrialResidual`, measures the
 * atrial activity itself rather than the absence of P waves: the pre-QRS segments left after
 * subtracting their average (average-beat subtraction, Slocum et al. 1992, J Electrocardiol
 * 25(1):1-8; the QRST cancellation of Stridh & Sörnmo 2001, IEEE Trans Biomed Eng 48(1):105-111,
 * on one lead and on the P region only), band-passed to the band of fibrillatory waves (dominant
 * atrial frequency 4 to 9 Hz: Bollmann et al. 2006, Europace 8(11):911-926) and scaled by the QRS
 * amplitude, so a flat baseline without P waves (coherence also low) reads apart from f waves.
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
  const qrsHalfMs = options.qrsHalfWidthMs ?? 50;
  // The spectrum's options checked now, not at the first beat that measures it (an empty signal
  // returns null once they pass).
  if (options.spectrumOptions !== undefined)
    atrialSpectrum(new Float64Array(0), [], { ...options.spectrumOptions, fs });
  if (!(qrsHalfMs > 0 && qrsHalfMs < 1000)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.qrsHalfWidthMs',
      'qrsHalfWidthMs must be a positive number of ms below 1000',
    );
  }
  const qrsHalf = Math.max(1, Math.round((qrsHalfMs * fs) / 1000));
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
  // Checked at run time too: the tools pass it from the command line.
  const residualMethod: string = options.residualMethod ?? 'pre-qrs';
  if (residualMethod !== 'pre-qrs' && residualMethod !== 'average-beat') {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.residualMethod',
      "residualMethod must be 'pre-qrs' or 'average-beat'",
    );
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
  /** QRS peak-to-peak amplitude of each ring beat (NaN when its QRS is not in the samples). */
  const ringQrs: number[] = [];
  const qrsSorted = new Float64Array(k);
  const resid = new Float64Array(nBins);
  const ringMean = new Float64Array(nBins);
  let atrialResidual: number | null = null;
  /** Whether `atrialResidual` is due for the newest beat (measured on first read). */
  let residualStale = false;
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

  // 'average-beat': the samples from 300 ms before the oldest of the last k + 1 beats to 100 ms
  // after the newest (the template window's start plus the PQ junction; the QRS for scaling).
  const histBefore = Math.round(0.3 * fs);
  const histAfter = Math.round(0.1 * fs);
  const spectrumOn = options.spectrum === true;
  let hist = new Float64Array(
    residualMethod === 'average-beat' || spectrumOn ? Math.ceil(12 * fs) : 0,
  );
  let histStart = 0;
  let histLen = 0;
  const histPeaks: number[] = [];
  const histEligible: boolean[] = [];
  const keepHistory = (x: Float64Array, offset: number, peak: number, ok: boolean): void => {
    const want = peak + histAfter;
    let from = histStart + histLen;
    if (histPeaks.length === 0 || from < offset) {
      // First beat or a gap in the samples: start again from this beat.
      histPeaks.length = 0;
      histEligible.length = 0;
      histStart = Math.max(offset, peak - histBefore);
      histLen = 0;
      from = histStart;
    }
    const to = Math.min(want, offset + x.length);
    histPeaks.push(peak);
    histEligible.push(ok);
    if (histPeaks.length > k + 1) {
      histPeaks.shift();
      histEligible.shift();
    }
    // Drop the samples before the oldest kept beat's window.
    const drop = Math.max(0, Math.min(histLen, (histPeaks[0] ?? 0) - histBefore - histStart));
    if (drop > 0) {
      hist.copyWithin(0, drop, histLen);
      histStart += drop;
      histLen -= drop;
    }
    if (to > from) {
      if (histLen + to - from > hist.length) {
        const bigger = new Float64Array(Math.max(2 * hist.length, histLen + to - from));
        bigger.set(hist.subarray(0, histLen));
        hist = bigger;
      }
      hist.set(x.subarray(from - offset, to - offset), histLen);
      histLen += to - from;
    }
  };
  /** `averageBeatResidual` of the kept beats (null with too few eligible beats). */
  const averageBeat = (): ReturnType<typeof averageBeatResidual> => {
    let eligibleBeats = 0;
    for (const e of histEligible) if (e) eligibleBeats++;
    if (eligibleBeats < Math.min(k, 4)) return null;
    const rel: number[] = [];
    const ok: boolean[] = [];
    histPeaks.forEach((p, i) => {
      if (p - histStart < histLen) {
        rel.push(p - histStart);
        ok.push(histEligible[i] === true);
      }
    });
    if (rel.length < 2) return null;
    return averageBeatResidual(hist.subarray(0, histLen), rel, { fs, beatEligible: ok });
  };
  const averageBeatRatio = (): number | null => averageBeat()?.ratio ?? null;
  let spectrum: AtrialSpectrum | null = null;
  let spectrumStale = false;
  const measureSpectrum = (): AtrialSpectrum | null => {
    const r = averageBeat();
    return r === null
      ? null
      : atrialSpectrum(r.residualMv, r.spans, { ...options.spectrumOptions, fs });
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

  /** Peak-to-peak of the samples within ± qrsHalf of the peak (NaN when not all supplied). */
  const qrsAmplitude = (x: Float64Array, offset: number, peak: number): number => {
    const from = peak - qrsHalf - offset;
    if (from < 0 || from + 2 * qrsHalf >= x.length) return NaN;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from; i <= from + 2 * qrsHalf; i++) {
      const v = x[i] ?? 0;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return hi - lo;
  };

  /** `atrialResidual` of the full ring. */
  const residualRatio = (): number | null => {
    let nq = 0;
    for (const q of ringQrs) if (Number.isFinite(q)) qrsSorted[nq++] = q;
    if (nq === 0) return null;
    const v = qrsSorted.subarray(0, nq).sort();
    const qrs =
      nq % 2 === 1 ? (v[nq >> 1] ?? 0) : ((v[(nq >> 1) - 1] ?? 0) + (v[nq >> 1] ?? 0)) / 2;
    if (!(qrs > 0)) return null;
    ringMean.fill(0);
    for (const r of ring)
      for (let i = 0; i < nBins; i++) ringMean[i] = (ringMean[i] ?? 0) + (r[i] ?? 0) / k;
    // Residual of each beat band-passed: a centred 5-bin moving average (50 ms) less a centred
    // 17-bin one (170 ms, first null at 5.9 Hz: takes the slow tail of the previous T wave, which
    // moves within the segment as the RR varies); both shorter at the segment's ends.
    let sum2 = 0;
    let count = 0;
    const avg = (from: number, to: number): number => {
      let acc = 0;
      for (let j = Math.max(0, from); j <= Math.min(nBins - 1, to); j++) acc += resid[j] ?? 0;
      return acc / (Math.min(nBins - 1, to) - Math.max(0, from) + 1);
    };
    for (const r of ring) {
      for (let i = 0; i < nBins; i++) resid[i] = (r[i] ?? 0) - (ringMean[i] ?? 0);
      for (let i = 0; i < nBins; i++) {
        sum2 += (avg(i - 2, i + 2) - avg(i - 8, i + 8)) ** 2;
        count++;
      }
    }
    return Math.sqrt(sum2 / count) / qrs;
  };

  return {
    get coherence() {
      return coherence;
    },
    get templateCorrelation() {
      return templateCorrelation;
    },
    get atrialResidual() {
      // Measured when asked for (the shipped AF model does not use it), once per beat.
      if (residualStale) {
        atrialResidual = residualMethod === 'average-beat' ? averageBeatRatio() : residualRatio();
        residualStale = false;
      }
      return atrialResidual;
    },
    get atrialSpectrum() {
      if (spectrumStale) {
        spectrum = measureSpectrum();
        spectrumStale = false;
      }
      return spectrum;
    },
    push(x, offset, peak, eligible, sinusContext = false) {
      const n = beatNo++;
      const early = premature(peak);
      if (residualMethod === 'average-beat' || spectrumOn) keepHistory(x, offset, peak, eligible);
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
        ringQrs.push(qrsAmplitude(x, offset, peak));
        if (ring.length > k) {
          spare = ring.shift() ?? null;
          ringBeat.shift();
          ringQrs.shift();
        }
      }
      // Stale evidence is no evidence: the k segments must come from the last 2k beats.
      if (ring.length < k || n - (ringBeat[0] ?? 0) >= 2 * k) {
        coherence = null;
        templateCorrelation = null;
        atrialResidual = null;
        residualStale = false;
        spectrum = null;
        spectrumStale = false;
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
      residualStale = true;
      spectrumStale = spectrumOn;
      return coherence;
    },
  };
}
