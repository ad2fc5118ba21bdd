import { SignalInputError } from '../errors.js';
import type { AudioFrames } from './audio-frames.js';

/** Number of MFCCs (c1 … c12; c0, the level, is left out so the features ignore gain). */
const N_MFCC = 12;
/** A frame is analysed when its energy is within this many dB of the window's loudest frame. */
const ACTIVE_RANGE_DB = 35;
/** Harmonicity above which a frame counts as voiced (periodic). */
const VOICED_HARMONICITY = 0.6;
/** Modulation bands of the energy envelope, Hz: breathing/cry rhythm, syllables, laughter, flutter. */
const MODULATION_BANDS: readonly [number, number][] = [
  [0.4, 2.1],
  [2.4, 5.1],
  [5.4, 10.1],
  [10.4, 16.1],
];

/** DCT-II rows for c1 … c12 over 20 mel bands, scaled so the values are of order 1. */
function dctTable(nMel: number): Float64Array {
  const table = new Float64Array(N_MFCC * nMel);
  for (let c = 1; c <= N_MFCC; c++) {
    for (let m = 0; m < nMel; m++) {
      table[(c - 1) * nMel + m] =
        (Math.sqrt(2 / nMel) / 10) * Math.cos((Math.PI * c * (m + 0.5)) / nMel);
    }
  }
  return table;
}
const dctTables = new Map<number, Float64Array>();

/** Names of the values `cryWindowFeatures` returns, in order (stored in the model file). */
export const CRY_FEATURE_NAMES: readonly string[] = [
  ...Array.from({ length: N_MFCC }, (_, i) => `mfcc${i + 1}Mean`),
  ...Array.from({ length: N_MFCC }, (_, i) => `mfcc${i + 1}Std`),
  'activeShare',
  'energyStdDb',
  'voicedShare',
  'harmonicityMean',
  'f0MedianOct',
  'f0CryBandShare',
  'f0LowShare',
  'f0HighShare',
  'f0StdSemitones',
  'f0StepSemitones',
  'voicedRunMeanS',
  'voicedRunMaxS',
  'flatnessMean',
  'centroidMeanKHz',
  'highShareMean',
  'fluxMeanDb',
  ...MODULATION_BANDS.map(([lo, hi]) => `modulation${lo}-${hi}Hz`),
];

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/**
 * Statistics of frames `from` … `to` − 1 of an analysis (`computeAudioFrames`) that describe
 * crying without depending on recording gain: MFCC means and spreads (Davis & Mermelstein 1980),
 * the share of voiced frames and where their pitch lies (infant cry F0 is mostly 250–600 Hz,
 * adult speech 85–255 Hz; LaGasse, Neal & Lester 2005), pitch steadiness and the length of voiced
 * runs (a cry holds phonation for 0.5–1.5 s, laughter and babble in 0.1–0.3 s bursts), spectral
 * shape, and how the energy envelope is modulated (cry rhythm near 0.5–2 Hz, syllables and
 * laughter at 3–8 Hz). Only frames within 35 dB of the loudest count as active, so silence
 * between bursts does not dilute the statistics.
 *
 * @returns one value per name in `CRY_FEATURE_NAMES`
 */
export function cryWindowFeatures(frames: AudioFrames, from: number, to: number): Float64Array {
  if (
    !Number.isInteger(from) ||
    !Number.isInteger(to) ||
    from < 0 ||
    to > frames.count ||
    to <= from
  ) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'from',
      'from and to must select at least one frame of the analysis',
    );
  }
  const { nMel, energyDb, logMelDb } = frames;
  const frameS = frames.hop / frames.sampleRateHz;
  let maxDb = -Infinity;
  for (let t = from; t < to; t++) maxDb = Math.max(maxDb, energyDb[t] ?? -Infinity);
  const active: number[] = [];
  for (let t = from; t < to; t++) {
    if ((energyDb[t] ?? -Infinity) >= maxDb - ACTIVE_RANGE_DB) active.push(t);
  }
  const nActive = active.length;

  // MFCC c1..c12 of each active frame (DCT-II of the log-mel energies).
  const sum = new Float64Array(N_MFCC);
  const sumSq = new Float64Array(N_MFCC);
  let dct = dctTables.get(nMel);
  if (dct === undefined) {
    dct = dctTable(nMel);
    dctTables.set(nMel, dct);
  }
  for (const t of active) {
    for (let c = 1; c <= N_MFCC; c++) {
      let v = 0;
      for (let m = 0; m < nMel; m++) {
        v += (logMelDb[t * nMel + m] ?? 0) * (dct[(c - 1) * nMel + m] ?? 0);
      }
      sum[c - 1] = (sum[c - 1] ?? 0) + v;
      sumSq[c - 1] = (sumSq[c - 1] ?? 0) + v * v;
    }
  }
  const out: number[] = [];
  for (let c = 0; c < N_MFCC; c++) out.push((sum[c] ?? 0) / nActive);
  for (let c = 0; c < N_MFCC; c++) {
    const mean = (sum[c] ?? 0) / nActive;
    out.push(Math.sqrt(Math.max(0, (sumSq[c] ?? 0) / nActive - mean * mean)));
  }

  let eSum = 0;
  let eSq = 0;
  for (let t = from; t < to; t++) {
    const e = Math.max(energyDb[t] ?? 0, maxDb - 60);
    eSum += e;
    eSq += e * e;
  }
  const n = to - from;
  const eMean = eSum / n;
  out.push(nActive / n);
  out.push(Math.sqrt(Math.max(0, eSq / n - eMean * eMean)) / 10);

  const f0: number[] = [];
  let harmonicitySum = 0;
  let cryBand = 0;
  let low = 0;
  let high = 0;
  let stepSum = 0;
  let steps = 0;
  let run = 0;
  let runs = 0;
  let runTotal = 0;
  let runMax = 0;
  let previousVoiced = -2;
  for (const t of active) {
    const h = frames.harmonicity[t] ?? 0;
    harmonicitySum += h;
    const voiced = h >= VOICED_HARMONICITY;
    if (voiced) {
      const f = frames.f0Hz[t] ?? 0;
      f0.push(f);
      if (f >= 250 && f <= 600) cryBand++;
      else if (f < 250) low++;
      else high++;
      if (previousVoiced === t - 1) {
        const before = frames.f0Hz[t - 1] ?? f;
        stepSum += Math.min(12, Math.abs(12 * Math.log2(f / before)));
        steps++;
        run++;
      } else {
        if (run > 0) {
          runs++;
          runTotal += run;
          runMax = Math.max(runMax, run);
        }
        run = 1;
      }
      previousVoiced = t;
    }
  }
  if (run > 0) {
    runs++;
    runTotal += run;
    runMax = Math.max(runMax, run);
  }
  const nVoiced = f0.length;
  out.push(nVoiced / nActive);
  out.push(harmonicitySum / nActive);
  const octaves = f0.map((f) => Math.log2(f / 440));
  out.push(nVoiced === 0 ? -1.5 : median(octaves));
  out.push(nVoiced === 0 ? 0 : cryBand / nVoiced);
  out.push(nVoiced === 0 ? 0 : low / nVoiced);
  out.push(nVoiced === 0 ? 0 : high / nVoiced);
  let oMean = 0;
  for (const o of octaves) oMean += o;
  oMean = nVoiced === 0 ? 0 : oMean / nVoiced;
  let oVar = 0;
  for (const o of octaves) oVar += (o - oMean) ** 2;
  out.push(nVoiced === 0 ? 0 : Math.min(12, 12 * Math.sqrt(oVar / nVoiced)) / 6);
  out.push(steps === 0 ? 0 : stepSum / steps);
  out.push(runs === 0 ? 0 : (runTotal / runs) * frameS);
  out.push(runMax * frameS);

  let flat = 0;
  let centroid = 0;
  let highShare = 0;
  let flux = 0;
  let fluxN = 0;
  for (const t of active) {
    flat += frames.flatness[t] ?? 0;
    centroid += frames.centroidHz[t] ?? 0;
    highShare += frames.highShare[t] ?? 0;
    if (t > from) {
      let f = 0;
      for (let m = 0; m < nMel; m++) {
        f += Math.max(0, (logMelDb[t * nMel + m] ?? 0) - (logMelDb[(t - 1) * nMel + m] ?? 0));
      }
      flux += f / nMel;
      fluxN++;
    }
  }
  out.push(flat / nActive);
  out.push(centroid / nActive / 1000);
  out.push(highShare / nActive);
  out.push(fluxN === 0 ? 0 : flux / fluxN / 10);

  // Modulation spectrum of the energy envelope (dB, floored 60 dB below the peak, mean removed).
  const frameRate = 1 / frameS;
  const bandPower = MODULATION_BANDS.map(([lo, hi]) => {
    let p = 0;
    for (let f = lo; f <= hi; f += 0.5) {
      let re = 0;
      let im = 0;
      for (let t = from; t < to; t++) {
        const e = Math.max(energyDb[t] ?? 0, maxDb - 60) - eMean;
        const phase = (2 * Math.PI * f * (t - from)) / frameRate;
        re += e * Math.cos(phase);
        im += e * Math.sin(phase);
      }
      p += (re * re + im * im) / (n * n);
    }
    return p;
  });
  const totalPower = bandPower.reduce((a, b) => a + b, 0);
  for (const p of bandPower) out.push(totalPower > 0 ? p / totalPower : 0);
  return Float64Array.from(out);
}
