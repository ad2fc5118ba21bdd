import { detectQrs } from '../ecg/detect-qrs.js';
import { delineateQrsComplex } from '../ecg/delineate-qrs-complex.js';
import { QRS_DELINEATE_DEFAULTS } from '../ecg/qrs-delineate-context.js';
import { designButterworth } from '../filters/design-butterworth.js';
import { designNotch } from '../filters/design-notch.js';
import { filtfilt } from '../filters/filtfilt.js';
import { sortSmallInPlace } from '../sort-small-in-place.js';
import { assertEcg12Input } from './assert-ecg12-input.js';
import { globalQrsLimits } from './global-qrs-limits.js';
import type { Ecg12LeadMeasurements, Ecg12Measurements } from './ecg12-types.js';

export interface MeasureEcg12Options {
  /** Sampling rate of every lead, Hz (250–1000). */
  samplingRateHz: number;
  /** Baseline high-pass cutoff, Hz (default 0.5: the AHA limit for zero-phase filtering, Kligfield et al. 2007). */
  highPassHz?: number;
  /** Low-pass cutoff, Hz (default 40: removes mains and EMG; QRS energy is below 40 Hz). */
  lowPassHz?: number;
  /** Fewest of the 12 leads that must detect a beat within 100 ms for it to count (default 4). */
  minVotes?: number;
}

const I = 0;
const II = 1;
const AVF = 5;
const V1 = 6;

function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 === 1 ? (v[m] ?? NaN) : ((v[m - 1] ?? NaN) + (v[m] ?? NaN)) / 2;
}

/** Median of work[0, n) (finite values), sorting `work` in place. */
function medianInPlace(work: Float64Array, n: number): number {
  sortSmallInPlace(work, n);
  const m = n >> 1;
  return n % 2 === 1 ? (work[m] ?? NaN) : ((work[m - 1] ?? NaN) + (work[m] ?? NaN)) / 2;
}

function quantile(values: number[], q: number): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v[Math.min(v.length - 1, Math.max(0, Math.round(q * (v.length - 1))))] ?? NaN;
}

function standardDeviation(x: Float64Array): number {
  let s = 0;
  let s2 = 0;
  for (const v of x) {
    s += v;
    s2 += v * v;
  }
  const m = s / x.length;
  return Math.sqrt(Math.max(0, s2 / x.length - m * m));
}

/** Mean of x over [a, b] (indices clamped). */
function meanOver(x: Float64Array, a: number, b: number): number {
  const lo = Math.max(0, Math.round(a));
  const hi = Math.min(x.length - 1, Math.round(b));
  if (hi < lo) return x[Math.min(x.length - 1, Math.max(0, lo))] ?? 0;
  let s = 0;
  for (let i = lo; i <= hi; i++) s += x[i] ?? 0;
  return s / (hi - lo + 1);
}

/**
 * Measures a 12-lead resting ECG the way established interpretation programs do (GE 12SL,
 * Glasgow; Macfarlane et al., "The Glasgow system", Comput Cardiol 2005): beats are found by
 * every lead voting, a median beat is formed per lead from the beats of the dominant morphology,
 * and every interval and amplitude is measured on the median beats with one global QRS onset and
 * offset for all leads (AHA/ACCF/HRS part I, Kligfield et al., Circulation 2007;115:1306).
 *
 * - Beats: `detectQrs` on each lead (scaled to a common robust amplitude, so any units work);
 *   a beat counts when ≥ `minVotes` leads detect it within 100 ms; its fiducial is the maximum
 *   of the spatial velocity Σ|dx/dt| / σ over the leads.
 * - Leads are high-passed at `highPassHz`, notched at 50 and 60 Hz and low-passed at `lowPassHz`
 *   before median beats are formed, so input already band-passed 0.5–40 Hz measures about the
 *   same (QRS a median 4 ms wider on the 50 CinC 2021 records).
 * - Global QRS onset/offset: the spatial velocity of all 12 median beats, each lead divided by
 *   its own σ (`globalQrsLimits`), as the AHA asks for one onset and offset across simultaneous
 *   leads; every interval and per-lead amplitude uses it. Per-lead onset/offset (reported in
 *   `leadQrsOnsetMs` / `leadQrsOffsetMs`): the slope-threshold method of `qrsDelineate` (Laguna
 *   et al. 1994) on each lead's median beat.
 * - T end: tangent method (the steepest T downslope's tangent meets the PR baseline; Lepeschkin
 *   & Surawicz, Circulation 1952;6:378), the 75th percentile over leads with a clear T.
 * - P wave in lead II: the largest deflection 40–320 ms before QRS onset when it exceeds 4 % of
 *   the QRS peak-to-peak, its limits where its slope settles (see below).
 */
export function measureEcg12(
  leads: readonly (Float32Array | Float64Array)[],
  options: MeasureEcg12Options,
): Ecg12Measurements {
  assertEcg12Input(leads, options.samplingRateHz);
  const fs = options.samplingRateHz;
  const { highPassHz = 0.5, lowPassHz = 40, minVotes = 4 } = options;
  const ms = (v: number): number => Math.round((v * fs) / 1000);
  const toMs = (samples: number): number => (samples * 1000) / fs;
  const n = leads[0]?.length ?? 0;

  const hp = designButterworth({ type: 'highpass', order: 2, cutoffHz: highPassHz, fs });
  const lp = designButterworth({ type: 'lowpass', order: 2, cutoffHz: lowPassHz, fs });
  // Mains (50 and 60 Hz notches): a 40 Hz low-pass leaves a third of a 50 Hz hum, enough to
  // shift the QRS limits of the spatial velocity.
  const notches = [50, 60]
    .filter((f) => f < fs / 2)
    .map((frequencyHz) => [designNotch({ frequencyHz, fs })]);
  const raw = leads.map((lead) =>
    notches.reduce((y, notch) => filtfilt(y, notch), filtfilt(lead, hp)),
  );
  // Beats are found and compared on the low-passed leads; QRS limits read the unfiltered ones.
  const x = raw.map((lead) => filtfilt(lead, lp));
  const sigma = x.map((lead) => standardDeviation(lead) || 1);

  // 1. Beats by vote of the 12 leads.
  const all: number[] = [];
  x.forEach((lead, l) => {
    const scaled = new Float64Array(lead.length);
    const k = 0.3 / (sigma[l] ?? 1);
    for (let i = 0; i < lead.length; i++) scaled[i] = (lead[i] ?? 0) * k;
    for (const p of detectQrs(scaled, { fs })) all.push(p);
  });
  all.sort((a, b) => a - b);
  const window = ms(100);
  const voted: number[] = [];
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && (all[j + 1] ?? 0) - (all[i] ?? 0) <= window) j++;
    if (j - i + 1 >= minVotes) voted.push(median(all.slice(i, j + 1)));
    i = j + 1;
  }
  // Spatial velocity, each lead in units of its own σ (scale-free).
  const k = Math.max(1, ms(4));
  const sv = new Float64Array(n);
  for (let l = 0; l < 12; l++) {
    const lead = x[l] ?? new Float64Array(0);
    const inv = 1 / (sigma[l] ?? 1);
    for (let i = k; i < n - k; i++)
      sv[i] = (sv[i] ?? 0) + Math.abs((lead[i + k] ?? 0) - (lead[i - k] ?? 0)) * inv;
  }
  const fiducials: number[] = [];
  for (const v of voted) {
    let best = Math.round(v);
    for (
      let i = Math.max(0, Math.round(v) - ms(60));
      i <= Math.min(n - 1, Math.round(v) + ms(60));
      i++
    ) {
      if ((sv[i] ?? 0) > (sv[best] ?? 0)) best = i;
    }
    if (fiducials.length === 0 || best - (fiducials[fiducials.length - 1] ?? 0) > ms(200))
      fiducials.push(best);
  }
  const rr: number[] = [];
  for (let i = 1; i < fiducials.length; i++)
    rr.push(toMs((fiducials[i] ?? 0) - (fiducials[i - 1] ?? 0)));
  const rrMs = median(rr);
  const rrMean = rr.reduce((a, b) => a + b, 0) / Math.max(1, rr.length);
  const rrCv =
    rr.length > 1
      ? Math.sqrt(rr.reduce((a, b) => a + (b - rrMean) ** 2, 0) / rr.length) / rrMean
      : NaN;

  // 2. Median beats of the dominant morphology.
  const rrForWindow = Number.isFinite(rrMs) ? rrMs : 1000;
  const before = ms(Math.min(380, 0.6 * rrForWindow));
  const after = ms(Math.max(300, Math.min(700, rrForWindow - 100)));
  const len = before + after + 1;
  const inside = fiducials.filter((f) => f - before >= 0 && f + after < n);
  const qrsHalf = ms(60);
  // Dominant morphology: the QRS (±60 ms) of every lead correlated with the provisional median.
  const provisional = new Float64Array(12 * (2 * qrsHalf + 1));
  const column = new Float64Array(Math.max(1, inside.length));
  for (let l = 0; l < 12; l++) {
    const lead = x[l] ?? new Float64Array(0);
    for (let t = -qrsHalf; t <= qrsHalf; t++) {
      for (let b = 0; b < inside.length; b++) column[b] = lead[(inside[b] ?? 0) + t] ?? 0;
      provisional[l * (2 * qrsHalf + 1) + t + qrsHalf] = medianInPlace(column, inside.length);
    }
  }
  const selected = inside.filter((f) => {
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let l = 0; l < 12; l++) {
      const lead = x[l] ?? new Float64Array(0);
      const inv = 1 / (sigma[l] ?? 1);
      for (let t = -qrsHalf; t <= qrsHalf; t++) {
        const a = (lead[f + t] ?? 0) * inv;
        const b = (provisional[l * (2 * qrsHalf + 1) + t + qrsHalf] ?? 0) * inv;
        sxy += a * b;
        sxx += a * a;
        syy += b * b;
      }
    }
    return sxy / Math.sqrt(sxx * syy + 1e-12) >= 0.8;
  });
  const beats = selected.length >= 1 ? selected : inside;
  const rawMedianBeats = raw.map((lead) => {
    const out = new Float64Array(len);
    for (let t = 0; t < len; t++) {
      for (let b = 0; b < beats.length; b++) column[b] = lead[(beats[b] ?? 0) - before + t] ?? 0;
      out[t] = medianInPlace(column, beats.length);
    }
    return out;
  });

  const nanLead = (): Ecg12LeadMeasurements => ({
    rAmplitude: NaN,
    sAmplitude: NaN,
    sDurationMs: NaN,
    qAmplitude: NaN,
    qDurationMs: NaN,
    qs: false,
    positiveWaves: 0,
    rPeakTimeMs: NaN,
    netAreaUnitMs: NaN,
    stJ60: NaN,
    stJ: NaN,
    tAmplitude: NaN,
    tPolarity: 0,
    qrsPeakToPeak: NaN,
  });
  const heartRateBpm = Number.isFinite(rrMs) ? 60000 / rrMs : NaN;
  if (beats.length === 0) {
    return {
      samplingRateHz: fs,
      beatCount: fiducials.length,
      heartRateBpm,
      rrMs,
      rrCv,
      prMs: NaN,
      pDurationMs: NaN,
      pAmplitudeII: NaN,
      pTerminalForceV1: NaN,
      qrsMs: NaN,
      qtMs: NaN,
      qtcBazettMs: NaN,
      qtcFridericiaMs: NaN,
      axisDeg: NaN,
      axisSector: 'indeterminate',
      fiducialsMs: { qrsOnset: NaN, qrsOffset: NaN, tEnd: NaN, pOnset: NaN },
      leadQrsOnsetMs: new Array<number>(12).fill(NaN),
      leadQrsOffsetMs: new Array<number>(12).fill(NaN),
      leads: Array.from({ length: 12 }, nanLead),
      beatSamples: [],
    };
  }

  // 3. QRS onset / offset per lead (reported) and global (used for every measurement).
  const settings = { ...QRS_DELINEATE_DEFAULTS };
  const bounds = { onset: -1, offset: -1 };
  const leadOn: number[] = [];
  const leadOff: number[] = [];
  // Per-lead limits on the unfiltered median beats (the delineator smooths for itself);
  // amplitudes and the global limits on the low-passed ones.
  const medianBeats = rawMedianBeats.map((beat) => filtfilt(beat, lp));
  for (const beat of rawMedianBeats) {
    delineateQrsComplex(beat, fs, before, settings, bounds);
    leadOn.push(bounds.onset >= 0 ? bounds.onset : NaN);
    leadOff.push(bounds.offset >= 0 ? bounds.offset : NaN);
  }
  const global = globalQrsLimits(medianBeats, sigma, before, fs);
  const on = global.onset;
  const off = global.offset;

  // 4. Per-lead measurements.
  const rrS = (Number.isFinite(rrMs) ? rrMs : 1000) / 1000;
  const tSearchEnd = Math.min(len - 1, on + ms(Math.min(0.62 * rrS * 1000, 560)));
  const tEnds: number[] = [];
  const tAmps: number[] = [];
  const leadsOut: Ecg12LeadMeasurements[] = medianBeats.map((beat, l) => {
    const base = meanOver(beat, on - ms(20), on - ms(6));
    let max = -Infinity;
    let min = Infinity;
    let maxAt = on;
    for (let i = on; i <= off; i++) {
      const v = (beat[i] ?? 0) - base;
      if (v > max) {
        max = v;
        maxAt = i;
      }
      if (v < min) min = v;
    }
    const p2p = max - min;
    const significant = 0.05 * p2p;
    // Positive waves: maxima above `significant`, merged unless the valley between them falls
    // below half the smaller one (a notch, not a new wave) or below the baseline.
    const peaks: number[] = [];
    for (let i = on + 1; i < off; i++) {
      const v = (beat[i] ?? 0) - base;
      if (v > significant && v >= (beat[i - 1] ?? 0) - base && v > (beat[i + 1] ?? 0) - base) {
        const last = peaks[peaks.length - 1];
        if (last === undefined) {
          peaks.push(i);
          continue;
        }
        let valley = Infinity;
        for (let j = last; j <= i; j++) valley = Math.min(valley, (beat[j] ?? 0) - base);
        const lastV = (beat[last] ?? 0) - base;
        if (valley < Math.min(lastV, v) * 0.5 || valley < 0) peaks.push(i);
        else if (v > lastV) peaks[peaks.length - 1] = i;
      }
    }
    const qs = max < significant;
    // Initial Q: the first deflection past `significant` is negative.
    let qAmplitude = 0;
    let qDurationMs = 0;
    let firstDeflection = on;
    while (firstDeflection <= off && Math.abs((beat[firstDeflection] ?? 0) - base) < significant)
      firstDeflection++;
    if (firstDeflection <= off && (beat[firstDeflection] ?? 0) - base < 0) {
      let end = firstDeflection;
      let depth = 0;
      while (end <= off && (beat[end] ?? 0) - base < 0) {
        depth = Math.max(depth, base - (beat[end] ?? 0));
        end++;
      }
      qAmplitude = depth;
      // From the lead's own onset: leads whose QRS starts later are isoelectric until then.
      const leadOnset = leadOn[l] ?? NaN;
      qDurationMs = toMs(end - (Number.isFinite(leadOnset) ? Math.max(on, leadOnset) : on));
    }
    let sAmplitude = 0;
    let sSamples = 0;
    for (let i = maxAt; i <= off; i++) {
      const v = base - (beat[i] ?? 0);
      sAmplitude = Math.max(sAmplitude, v);
      if (v > 0) sSamples++;
    }
    const lastPeak = peaks[peaks.length - 1] ?? maxAt;
    let area = 0;
    for (let i = on; i <= off; i++) area += (beat[i] ?? 0) - base;
    const stJ = meanOver(beat, off - ms(4), off + ms(4)) - base;
    const stJ60 = meanOver(beat, off + ms(56), off + ms(64)) - base;
    // T wave: largest deflection from J + 80 ms to the search end.
    let tAt = -1;
    let tAmplitude = 0;
    for (let i = off + ms(80); i <= tSearchEnd; i++) {
      const v = (beat[i] ?? 0) - base;
      if (Math.abs(v) > Math.abs(tAmplitude)) {
        tAmplitude = v;
        tAt = i;
      }
    }
    let tEnd = NaN;
    if (tAt > 0) {
      let steepest = 0;
      let steepAt = -1;
      const sign = Math.sign(tAmplitude);
      for (let i = tAt + k; i <= Math.min(len - 1 - k, tAt + ms(150)); i++) {
        const slope = (-sign * ((beat[i + k] ?? 0) - (beat[i - k] ?? 0))) / (2 * k);
        if (slope > steepest) {
          steepest = slope;
          steepAt = i;
        }
      }
      if (steepAt > 0 && steepest > 0) {
        const height = sign * ((beat[steepAt] ?? 0) - base);
        tEnd = Math.min(tAt + ms(250), steepAt + height / steepest);
      }
    }
    tEnds.push(tEnd);
    tAmps.push(Math.abs(tAmplitude));
    const tPolarity: -1 | 0 | 1 = Math.abs(tAmplitude) < 0.1 * p2p ? 0 : tAmplitude > 0 ? 1 : -1;
    return {
      rAmplitude: Math.max(0, max),
      sAmplitude,
      sDurationMs: toMs(sSamples),
      qAmplitude,
      qDurationMs,
      qs,
      positiveWaves: peaks.length,
      rPeakTimeMs: toMs(lastPeak - on),
      netAreaUnitMs: toMs(area),
      stJ60,
      stJ,
      tAmplitude,
      tPolarity,
      qrsPeakToPeak: p2p,
    };
  });
  const maxT = Math.max(...tAmps);
  const tEnd = quantile(
    tEnds.filter((_, l) => (tAmps[l] ?? 0) >= 0.25 * maxT),
    0.75,
  );
  const qtMs = toMs(tEnd - on);

  // 5. P wave in lead II (and its terminal part in V1).
  const leadII = medianBeats[II] ?? new Float64Array(0);
  const baseII = meanOver(leadII, on - ms(20), on - ms(6));
  let pAt = -1;
  let pAmp = 0;
  for (let i = Math.max(0, on - ms(320)); i <= on - ms(40); i++) {
    const v = (leadII[i] ?? 0) - baseII;
    if (Math.abs(v) > Math.abs(pAmp)) {
      pAmp = v;
      pAt = i;
    }
  }
  let prMs = NaN;
  let pDurationMs = NaN;
  let pTerminalForceV1 = NaN;
  let pOnset = NaN;
  const p2pII = leadsOut[II]?.qrsPeakToPeak ?? 0;
  if (pAt > 0 && Math.abs(pAmp) >= 0.04 * p2pII) {
    // Limits by slope, as for the QRS (Laguna et al. 1994): from the steepest point of each limb
    // of the P wave, outwards until the slope stays under 30 % of that limb's steepest slope for
    // 6 ms, at most 120 ms before and 100 ms after the peak (a P wave lasts < 120 ms, AHA
    // part V). Slopes, not levels, so a TP segment off the PR level does not stretch the P wave;
    // a limb that never settles leaves the P wave unmeasured (no PR rather than a wrong one).
    const kP = Math.max(1, ms(8));
    const slope = (i: number): number => Math.abs((leadII[i + kP] ?? 0) - (leadII[i - kP] ?? 0));
    const quiet = Math.max(1, ms(6));
    // 30 % of the limb's slope for 6 ms: on LUDB record 1 (lead II, 5 beats; annotated PR 142 ms
    // and P 97 ms on average) this gives PR 140 ms and P 88 ms (15 %: the noise of a 5-beat
    // median never settles; 20 %: P 114 ms).
    const pSlopeFraction = 0.3;
    const settle = (from: number, step: 1 | -1, limit: number): number => {
      let steep = from;
      for (let i = from; step < 0 ? i >= limit : i <= limit; i += step)
        if (slope(i) > slope(steep)) steep = i;
      const threshold = pSlopeFraction * slope(steep);
      for (let i = steep; step < 0 ? i >= limit : i <= limit; i += step) {
        let settled = true;
        for (let q = 0; q < quiet; q++) {
          if (slope(i + step * q) >= threshold) {
            settled = false;
            break;
          }
        }
        if (settled) return i;
      }
      return -1;
    };
    const a = settle(pAt, -1, Math.max(kP + quiet, pAt - ms(120)));
    const b = settle(pAt, 1, Math.min(on - ms(4) - quiet, pAt + ms(100)));
    // A "P wave" peaking at the start of the window is the previous T wave, not a P wave.
    if (pAt > Math.max(0, on - ms(320)) + ms(10) && a >= 0 && b > a) {
      pOnset = a;
      prMs = toMs(on - a);
      pDurationMs = toMs(b - a);
      const v1 = medianBeats[V1] ?? new Float64Array(0);
      // Morris index: depth × duration of the terminal negative part of the P wave in V1, against
      // the level just before the P wave, the negative run being the one that reaches P end.
      const baseV1 = meanOver(v1, a - ms(12), a - ms(2));
      let depth = 0;
      let below = 0;
      for (let i = b; i >= a && (v1[i] ?? 0) - baseV1 < 0; i--) {
        below++;
        depth = Math.max(depth, baseV1 - (v1[i] ?? 0));
      }
      pTerminalForceV1 = depth * toMs(below);
    }
  }

  // 6. Axis.
  const areaI = leadsOut[I]?.netAreaUnitMs ?? 0;
  const areaII = leadsOut[II]?.netAreaUnitMs ?? 0;
  const areaAvf = leadsOut[AVF]?.netAreaUnitMs ?? 0;
  const axisDeg = (Math.atan2(areaAvf, areaI) * 180) / Math.PI;
  let axisSector: Ecg12Measurements['axisSector'];
  if (areaI === 0 && areaAvf === 0) axisSector = 'indeterminate';
  else if (areaI >= 0 && areaAvf >= 0) axisSector = 'normal';
  else if (areaI >= 0) axisSector = areaII >= 0 ? 'normal' : 'left';
  else if (areaAvf >= 0) axisSector = 'right';
  else axisSector = 'extreme';

  const qrsMs = toMs(off - on);
  return {
    samplingRateHz: fs,
    beatCount: beats.length,
    heartRateBpm,
    rrMs,
    rrCv,
    prMs,
    pDurationMs,
    pAmplitudeII: Number.isFinite(prMs) ? pAmp : NaN,
    pTerminalForceV1,
    qrsMs,
    qtMs,
    qtcBazettMs: qtMs / Math.sqrt(rrS),
    qtcFridericiaMs: qtMs / Math.cbrt(rrS),
    axisDeg,
    axisSector,
    fiducialsMs: {
      qrsOnset: toMs(on - before),
      qrsOffset: toMs(off - before),
      tEnd: toMs(tEnd - before),
      pOnset: toMs(pOnset - before),
    },
    leadQrsOnsetMs: leadOn.map((v) => toMs(v - before)),
    leadQrsOffsetMs: leadOff.map((v) => toMs(v - before)),
    leads: leadsOut,
    beatSamples: beats,
  };
}
