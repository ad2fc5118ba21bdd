import { SignalInputError } from '../errors.js';
import type { AudioFrames } from './audio-frames.js';
import { createRealFft } from '../spectral/create-real-fft.js';

export interface ComputeAudioFramesOptions {
  /** Frame length, samples; a power of two. Default 256 (32 ms at 8 kHz). */
  frameLength?: number;
  /** Hop between frames, samples. Default 128 (16 ms at 8 kHz). */
  hop?: number;
  /** Mel bands. Default 20. */
  nMel?: number;
  /** Lowest mel band edge, Hz. Default 100. */
  melLowHz?: number;
  /** Highest mel band edge, Hz. Default 3800 (below the 4 kHz Nyquist of 8 kHz audio). */
  melHighHz?: number;
  /** Pitch search range, Hz. Default 75–1100: adult speech (75–300 Hz) to infant cry (250–1000 Hz). */
  f0MinHz?: number;
  f0MaxHz?: number;
}

const mel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
const melToHz = (m: number): number => 700 * (10 ** (m / 2595) - 1);

/**
 * Splits audio into overlapping Hann-windowed frames and measures each one: energy, log-mel
 * spectrum (triangular filters on the mel scale, O'Shaughnessy 1987), spectral flatness, centroid,
 * share of power above 2 kHz, and pitch with its harmonicity from the normalised autocorrelation
 * corrected for the window's own autocorrelation (Boersma 1993, "Accurate short-term analysis of
 * the fundamental frequency and the harmonics-to-noise ratio of a sampled sound"). These are the
 * inputs of the cry detector's window features.
 *
 * @param samples audio, full scale ±1
 * @param sampleRateHz sample rate, Hz (the cry model uses 8000)
 */
export function computeAudioFrames(
  samples: Float32Array | Float64Array,
  sampleRateHz: number,
  options: ComputeAudioFramesOptions = {},
): AudioFrames {
  if (!Number.isFinite(sampleRateHz) || sampleRateHz < 4000) {
    throw new SignalInputError(
      'INVALID_SAMPLE_RATE',
      'sampleRateHz',
      'sampleRateHz must be at least 4000 Hz',
    );
  }
  const frameLength = options.frameLength ?? 256;
  const hop = options.hop ?? 128;
  const nMel = options.nMel ?? 20;
  const melLowHz = options.melLowHz ?? 100;
  const melHighHz = Math.min(options.melHighHz ?? 3800, sampleRateHz / 2);
  const f0MinHz = options.f0MinHz ?? 75;
  const f0MaxHz = options.f0MaxHz ?? 1100;
  if (!Number.isInteger(hop) || hop < 1) {
    throw new SignalInputError('INVALID_OPTION', 'options.hop', 'hop must be a positive integer');
  }
  const fft = createRealFft(frameLength);
  const acfFft = createRealFft(2 * frameLength);
  const nBins = frameLength / 2 + 1;
  const binHz = sampleRateHz / frameLength;
  const count =
    samples.length < frameLength ? 0 : Math.floor((samples.length - frameLength) / hop) + 1;

  const window = new Float64Array(frameLength);
  for (let i = 0; i < frameLength; i++) {
    window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frameLength);
  }
  const lagMin = Math.max(2, Math.floor(sampleRateHz / f0MaxHz));
  const lagMax = Math.min(frameLength - 2, Math.ceil(sampleRateHz / f0MinHz));
  // Autocorrelation of the window itself, by which the frame's is divided (Boersma 1993, eq. 9).
  const windowAcf = new Float64Array(lagMax + 2);
  for (let lag = 0; lag <= lagMax + 1; lag++) {
    let s = 0;
    for (let i = 0; i + lag < frameLength; i++) s += (window[i] ?? 0) * (window[i + lag] ?? 0);
    windowAcf[lag] = s;
  }
  // Triangular mel filters as (first bin, weights) pairs.
  const edges: number[] = [];
  for (let m = 0; m < nMel + 2; m++) {
    edges.push(melToHz(mel(melLowHz) + ((mel(melHighHz) - mel(melLowHz)) * m) / (nMel + 1)));
  }
  const filters: { first: number; weights: Float64Array }[] = [];
  for (let m = 0; m < nMel; m++) {
    const lo = edges[m] ?? 0;
    const mid = edges[m + 1] ?? 0;
    const hi = edges[m + 2] ?? 0;
    const first = Math.max(1, Math.ceil(lo / binHz));
    const last = Math.min(nBins - 1, Math.floor(hi / binHz));
    const weights = new Float64Array(Math.max(1, last - first + 1));
    for (let k = first; k <= last; k++) {
      const f = k * binHz;
      weights[k - first] = f <= mid ? (f - lo) / (mid - lo) : (hi - f) / (hi - mid);
    }
    // A band narrower than one bin would be empty: give it its nearest bin.
    if (last < first) weights[0] = 1;
    filters.push({ first, weights });
  }
  const lowBin = Math.max(1, Math.round(melLowHz / binHz));
  const highBin = Math.min(nBins - 1, Math.round(melHighHz / binHz));
  const splitBin = Math.round(2000 / binHz);

  const energyDb = new Float32Array(count);
  const logMelDb = new Float32Array(count * nMel);
  const harmonicity = new Float32Array(count);
  const f0Hz = new Float32Array(count);
  const flatness = new Float32Array(count);
  const centroidHz = new Float32Array(count);
  const highShare = new Float32Array(count);
  const frame = new Float64Array(frameLength);
  const power = new Float64Array(nBins);
  const acf = new Float64Array(lagMax + 2);
  // Far below any real signal (−200 dB), so that levels and ratios do not depend on gain.
  const eps = 1e-20;

  for (let t = 0; t < count; t++) {
    const start = t * hop;
    let mean = 0;
    for (let i = 0; i < frameLength; i++) mean += samples[start + i] ?? 0;
    mean /= frameLength;
    for (let i = 0; i < frameLength; i++) {
      frame[i] = ((samples[start + i] ?? 0) - mean) * (window[i] ?? 0);
    }
    fft.power(frame, power);
    let total = 0;
    let weighted = 0;
    let high = 0;
    let logSum = 0;
    for (let k = lowBin; k <= highBin; k++) {
      const p = power[k] ?? 0;
      total += p;
      weighted += p * k * binHz;
      if (k >= splitBin) high += p;
      logSum += Math.log(p + eps);
    }
    const nBand = highBin - lowBin + 1;
    energyDb[t] = 10 * Math.log10(total / frameLength + eps);
    centroidHz[t] = total > 0 ? weighted / total : 0;
    highShare[t] = total > 0 ? high / total : 0;
    flatness[t] = total > 0 ? Math.exp(logSum / nBand) / (total / nBand + eps) : 1;
    for (let m = 0; m < nMel; m++) {
      const f = filters[m];
      if (f === undefined) continue;
      let e = 0;
      for (let j = 0; j < f.weights.length; j++)
        e += (f.weights[j] ?? 0) * (power[f.first + j] ?? 0);
      logMelDb[t * nMel + m] = 10 * Math.log10(e / frameLength + eps);
    }
    // Normalised, window-corrected autocorrelation over the pitch lags.
    let r0 = 0;
    for (let i = 0; i < frameLength; i++) r0 += (frame[i] ?? 0) ** 2;
    let bestLag = 0;
    let best = 0;
    if (r0 > eps) {
      const w0 = windowAcf[0] ?? 1;
      acfFft.autocorrelation(frame, acf);
      for (let lag = lagMin - 1; lag <= lagMax + 1; lag++) {
        acf[lag] = (acf[lag] ?? 0) / r0 / ((windowAcf[lag] ?? 1) / w0);
      }
      let peak = 0;
      for (let lag = lagMin; lag <= lagMax; lag++) {
        const v = acf[lag] ?? 0;
        if (v > peak && v >= (acf[lag - 1] ?? 0) && v >= (acf[lag + 1] ?? 0)) peak = v;
      }
      // The shortest lag whose local maximum is within 10 % of the highest: avoids the
      // sub-octave errors of the plain maximum (a period of 2T correlates as well as T).
      for (let lag = lagMin; lag <= lagMax; lag++) {
        const v = acf[lag] ?? 0;
        if (v >= 0.9 * peak && v >= (acf[lag - 1] ?? 0) && v >= (acf[lag + 1] ?? 0) && v > 0) {
          bestLag = lag;
          best = v;
          break;
        }
      }
    }
    if (bestLag > 0) {
      const a = acf[bestLag - 1] ?? 0;
      const c = acf[bestLag + 1] ?? 0;
      const denom = a - 2 * best + c;
      const shift = denom < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom)) : 0;
      f0Hz[t] = sampleRateHz / (bestLag + shift);
      harmonicity[t] = Math.min(1, best);
    }
  }
  return {
    sampleRateHz,
    frameLength,
    hop,
    count,
    nMel,
    energyDb,
    logMelDb,
    harmonicity,
    f0Hz,
    flatness,
    centroidHz,
    highShare,
  };
}
