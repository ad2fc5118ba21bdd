import { SignalInputError } from '../errors.js';
import { designBandpass } from '../filters/design-bandpass.js';
import { filtfilt } from '../filters/filtfilt.js';
import type { Biquad } from '../filters/biquad.js';
import { chromPulse } from './chrom-pulse.js';
import { createFaceBoxSmoother } from './create-face-box-smoother.js';
import { meanSkinRgb, type MeanSkinRgbOptions } from './mean-skin-rgb.js';
import { posPulse } from './pos-pulse.js';
import { pulseSpectrum, type SpectralPeak } from './pulse-spectrum.js';
import { resampleUniform } from './resample-uniform.js';
import type {
  FaceBox,
  PixelFrame,
  RppgConfidence,
  RppgMethod,
  RppgSignalQuality,
} from './types.js';

export interface RppgEstimatorOptions {
  /** Uniform rate the colour samples are resampled to, Hz. Default 20. */
  sampleRateHz?: number;
  /** Analysis window in samples at `sampleRateHz`. Default 200 (10 s at 20 Hz). */
  bufferSize?: number;
  /** Fraction of the buffer needed before a first estimate, default 0.5 (5 s). */
  minFill?: number;
  /** Pulse extraction: 'pos' (default; Wang et al. 2017) or 'chrom' (de Haan & Jeanne 2013). */
  method?: RppgMethod;
  /** Pass band, Hz. Default 0.7–4 (42–240 bpm). */
  minHz?: number;
  /** Default 4 Hz. */
  maxHz?: number;
  /** SNR (dB, de Haan 2013) from which confidence is 'high' (full buffer only). Default 4. */
  highSnrDb?: number;
  /** SNR (dB) from which confidence is 'medium' and a number is reported. Default 1. */
  mediumSnrDb?: number;
  /**
   * Peak tracking: below `mediumSnrDb`, a full-buffer window still gets a number (confidence
   * 'medium') when its spectral peak agrees, within `trackToleranceBpm`, with the peaks of the
   * full-buffer windows that ended this many seconds earlier. Default [5, 10]: the window of 10 s
   * before shares no sample with this one (independent evidence), the one of 5 s before half of
   * them. A pulse keeps its rate from one window to the next while noise peaks wander (the
   * temporal-consistency prior of heart-rate trackers, e.g. Zhang, Pi & Liu, IEEE TBME 62(2),
   * 2015, TROIKA's spectral peak tracking). `[]` turns tracking off.
   */
  trackLagsSeconds?: readonly number[];
  /**
   * Largest difference between the peaks of the tracked windows, bpm. Default 6: the ±0.1 Hz
   * half-width that the SNR already counts as the pulse's own peak (de Haan & Jeanne 2013).
   */
  trackToleranceBpm?: number;
  /**
   * SNR (dB) below which tracking gives no number. Default −2.5: the 90th percentile of the SNR of
   * white noise through the same band-pass and periodogram (median −5.2 dB, 2,000 trials of 10 s
   * at 20 Hz), so that nine noise windows in ten are out before the agreement test, whose own
   * chance of passing on a wandering noise peak is about 12/198 per independent window. It keeps
   * the pulse-free synthetic controls (−3.2 and −3.9 dB) below it as well.
   */
  trackMinSnrDb?: number;
  /**
   * Lowest frame rate at which an estimate is attempted, frames/s. Default 8: the pulse band
   * reaches 4 Hz, so slower sampling aliases it (Nyquist).
   */
  minFrameRateHz?: number;
  /** A face missing for longer than this clears the buffer, ms. Default 1000. */
  faceLostResetMs?: number;
  /** Face-box speed (box widths per second) above which a sample counts as motion. Default 0.6. */
  motionWidthsPerSecond?: number;
  /**
   * Fraction of motion samples in the window above which no number is given, default 0.3.
   * Below it the motion samples are replaced by interpolation between still neighbours.
   */
  maxMotionFraction?: number;
  /** Skin fraction of the face region below which the face counts as not found, default 0.05. */
  minSkinFraction?: number;
  /** Seconds of pulse waveform returned with each estimate, default 5. */
  waveformSeconds?: number;
  /** Options of the skin-colour averaging. */
  skin?: MeanSkinRgbOptions;
  /** Smooth face boxes over frames (createFaceBoxSmoother), default true. */
  smoothBoxes?: boolean;
}

export interface RppgFrameInput {
  frame: PixelFrame;
  /** The face box, or null when the detector found no face. */
  box: FaceBox | null;
  timestampMs: number;
}

export interface RppgMeanRgbInput {
  /** Mean skin colour, 0–255 (any positive scale works). */
  r: number;
  g: number;
  b: number;
  timestampMs: number;
  /** Default true. False marks a frame without a face. */
  faceDetected?: boolean;
  /** The face box, if the client sends it (used for motion rejection). */
  box?: FaceBox;
}

export interface RppgEstimate {
  /** Pulse rate, bpm, when the confidence is medium or high; otherwise null. */
  bpm: number | null;
  confidence: RppgConfidence;
  signalQuality: RppgSignalQuality;
  /** What the user should know: 'Face detected', 'No face detected', 'Hold still', … */
  message: string;
  faceDetected: boolean;
  /** 'count/size' of the analysis buffer, e.g. '180/200'. */
  bufferFill: string;
  bufferCount: number;
  bufferSize: number;
  /** Spectral peak whatever the confidence (diagnostics), bpm; null before any estimate. */
  candidateBpm: number | null;
  /** SNR of the spectral peak, dB; null before any estimate. */
  snrDb: number | null;
  /**
   * The largest local maxima of the window's spectrum, largest first (pulseSpectrum `peaks`;
   * diagnostics and offline gate studies); empty before any estimate.
   */
  candidatePeaks: SpectralPeak[];
  /** Power near twice the peak over the peak's (pulseSpectrum); null before any estimate. */
  harmonicPowerRatio: number | null;
  /** Frame rate measured over the buffer, frames/s. */
  frameRateHz: number | null;
  /** Fraction of the window rejected as motion, 0–1. */
  motionFraction: number;
  /** Band-passed pulse, unit variance, the last `waveformSeconds` at `waveformRateHz`. */
  waveform: number[];
  waveformRateHz: number;
  timestampMs: number;
}

export interface RppgEstimator {
  /** Pushes a frame with its face box and returns the current estimate. */
  pushFrame(input: RppgFrameInput): RppgEstimate;
  /** Privacy mode: pushes a per-frame mean skin colour computed by the client. */
  pushMeanRgb(input: RppgMeanRgbInput): RppgEstimate;
  /** Clears the buffer. */
  reset(): void;
}

interface Sample {
  t: number;
  r: number;
  g: number;
  b: number;
  /** Face-box speed, box widths per second (0 when unknown). */
  speed: number;
}

/**
 * Streaming camera heart rate (remote photoplethysmography). Each frame's face box gives the
 * mean skin colour; the colours of the last `bufferSize / sampleRateHz` seconds are resampled
 * to a uniform rate, motion samples are bridged, the pulse is extracted with POS (or CHROM),
 * band-passed (0.7–4 Hz, zero-phase Butterworth) and its rate read from a zero-padded
 * periodogram whose SNR grades the confidence. It never invents a number: without a face, with
 * too few frames per second, too much motion or a weak pulse, `bpm` is null and `message` says why.
 */
export function createRppgEstimator(options: RppgEstimatorOptions = {}): RppgEstimator {
  const fs = options.sampleRateHz ?? 20;
  const bufferSize = options.bufferSize ?? 200;
  if (!Number.isFinite(fs) || fs < 8 || fs > 120) {
    throw new SignalInputError(
      'SAMPLE_RATE_OUT_OF_RANGE',
      'options.sampleRateHz',
      'sampleRateHz must be 8–120 Hz',
    );
  }
  if (!Number.isInteger(bufferSize) || bufferSize < 4 * fs) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.bufferSize',
      'bufferSize must be an integer of at least 4 s of samples',
    );
  }
  const minFill = options.minFill ?? 0.5;
  const method = options.method ?? 'pos';
  const minHz = options.minHz ?? 0.7;
  const maxHz = options.maxHz ?? 4;
  const highSnrDb = options.highSnrDb ?? 4;
  const mediumSnrDb = options.mediumSnrDb ?? 1;
  const trackLagsMs = (options.trackLagsSeconds ?? [5, 10]).map((s) => s * 1000);
  const trackToleranceBpm = options.trackToleranceBpm ?? 6;
  const trackMinSnrDb = options.trackMinSnrDb ?? -2.5;
  if (trackLagsMs.some((lag) => !(lag > 0)) || !(trackToleranceBpm >= 0)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.trackLagsSeconds',
      'trackLagsSeconds must be positive and trackToleranceBpm non-negative',
    );
  }
  const longestLagMs = Math.max(0, ...trackLagsMs);
  const minFrameRateHz = options.minFrameRateHz ?? 8;
  const faceLostResetMs = options.faceLostResetMs ?? 1000;
  const motionThreshold = options.motionWidthsPerSecond ?? 0.6;
  const maxMotionFraction = options.maxMotionFraction ?? 0.3;
  const minSkinFraction = options.minSkinFraction ?? 0.05;
  const waveformSeconds = options.waveformSeconds ?? 5;
  const smoother = options.smoothBoxes === false ? null : createFaceBoxSmoother();
  const sections: Biquad[] = designBandpass({
    lowHz: minHz,
    highHz: Math.min(maxHz, 0.45 * fs),
    fs,
  });
  const windowMs = ((bufferSize - 1) * 1000) / fs;

  let samples: Sample[] = [];
  /** Spectral peaks of earlier full-buffer windows (tracking), oldest first. */
  let peaks: { t: number; bpm: number }[] = [];
  let lastTimestamp = -Infinity;
  let lastFaceMs: number | null = null;
  let lastBox: FaceBox | null = null;

  const fillOf = (): number => {
    const first = samples[0];
    const last = samples[samples.length - 1];
    if (first === undefined || last === undefined) return 0;
    return Math.min(bufferSize, Math.floor(((last.t - first.t) * fs) / 1000 + 1e-9) + 1);
  };

  const base = (timestampMs: number, faceDetected: boolean): RppgEstimate => {
    const count = fillOf();
    return {
      bpm: null,
      confidence: 'low',
      signalQuality: 'poor',
      message: '',
      faceDetected,
      bufferFill: `${count}/${bufferSize}`,
      bufferCount: count,
      bufferSize,
      candidateBpm: null,
      snrDb: null,
      candidatePeaks: [],
      harmonicPowerRatio: null,
      frameRateHz: null,
      motionFraction: 0,
      waveform: [],
      waveformRateHz: fs,
      timestampMs,
    };
  };

  const checkTimestamp = (timestampMs: number): void => {
    if (!Number.isFinite(timestampMs) || timestampMs <= lastTimestamp) {
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        'timestampMs',
        `timestampMs must be finite and increase (got ${timestampMs} after ${lastTimestamp})`,
      );
    }
    lastTimestamp = timestampMs;
  };

  const noFace = (timestampMs: number): RppgEstimate => {
    smoother?.reset();
    lastBox = null;
    if (lastFaceMs === null || timestampMs - lastFaceMs > faceLostResetMs) {
      samples = [];
      peaks = [];
    }
    return { ...base(timestampMs, false), message: 'No face detected' };
  };

  const speedOf = (box: FaceBox | undefined, timestampMs: number): number => {
    if (box === undefined) return 0;
    const prev = lastBox;
    lastBox = { ...box };
    const prevT = samples[samples.length - 1]?.t;
    if (prev === null || prevT === undefined || timestampMs - prevT > faceLostResetMs) return 0;
    const d =
      Math.hypot(
        box.x + box.width / 2 - (prev.x + prev.width / 2),
        box.y + box.height / 2 - (prev.y + prev.height / 2),
      ) + Math.abs(box.width - prev.width);
    return d / Math.max(1, prev.width) / ((timestampMs - prevT) / 1000);
  };

  const add = (sample: Sample): RppgEstimate => {
    if (lastFaceMs !== null && sample.t - lastFaceMs > faceLostResetMs) {
      samples = [];
      peaks = [];
    }
    lastFaceMs = sample.t;
    samples.push(sample);
    const keepFrom = sample.t - windowMs - 2000;
    let drop = 0;
    while (drop < samples.length - 1 && (samples[drop]?.t ?? 0) < keepFrom) drop++;
    if (drop > 0) samples.splice(0, drop);
    return estimate(sample.t);
  };

  const estimate = (timestampMs: number): RppgEstimate => {
    const out = base(timestampMs, true);
    const n = samples.length;
    const first = samples[0];
    if (n < 2 || first === undefined)
      return { ...out, message: `Face detected, collecting signal (${out.bufferFill})` };
    // Frame rate from the median interval (robust to a dropped frame or a stall).
    const recent = samples.slice(Math.max(0, n - 64));
    const intervals = recent
      .slice(1)
      .map((s, i) => s.t - (recent[i]?.t ?? 0))
      .sort((a, b) => a - b);
    const median = intervals[intervals.length >> 1] ?? Infinity;
    const frameRateHz = 1000 / median;
    out.frameRateHz = frameRateHz;
    if (frameRateHz < minFrameRateHz) {
      return {
        ...out,
        message: `Frame rate too low (${frameRateHz.toFixed(1)} fps); at least ${minFrameRateHz} fps is needed for a heart rate`,
      };
    }
    if (out.bufferCount < Math.ceil(minFill * bufferSize)) {
      return { ...out, message: `Face detected, collecting signal (${out.bufferFill})` };
    }
    const count = out.bufferCount;
    const times = new Float64Array(n);
    const r = new Float64Array(n);
    const g = new Float64Array(n);
    const b = new Float64Array(n);
    const speed = new Float64Array(n);
    samples.forEach((s, i) => {
      times[i] = s.t;
      r[i] = s.r;
      g[i] = s.g;
      b[i] = s.b;
      speed[i] = s.speed;
    });
    const grid = { endMs: timestampMs, count };
    const rgb = {
      r: resampleUniform(times, r, fs, grid),
      g: resampleUniform(times, g, fs, grid),
      b: resampleUniform(times, b, fs, grid),
    };
    const motion = resampleUniform(times, speed, fs, grid);
    let moving = 0;
    for (let i = 0; i < count; i++) if ((motion[i] ?? 0) > motionThreshold) moving++;
    out.motionFraction = moving / count;
    if (out.motionFraction > maxMotionFraction) {
      return { ...out, message: 'Too much movement: hold still to measure the heart rate' };
    }
    if (moving > 0) bridgeMotion(rgb, motion, motionThreshold);
    const raw = method === 'chrom' ? chromPulse(rgb, fs, { minHz, maxHz }) : posPulse(rgb, fs);
    const pulse = filtfilt(raw, sections);
    const spectrum = pulseSpectrum(pulse, fs, { minHz, maxHz });
    out.candidateBpm = spectrum.bpm;
    out.snrDb = spectrum.snrDb;
    out.candidatePeaks = spectrum.peaks;
    out.harmonicPowerRatio = spectrum.harmonicPowerRatio;
    out.waveform = unitWaveform(pulse, Math.min(count, Math.round(waveformSeconds * fs)));
    const full = count >= bufferSize;
    if (spectrum.snrDb >= highSnrDb && full && out.motionFraction < 0.1) out.confidence = 'high';
    else if (spectrum.snrDb >= mediumSnrDb) out.confidence = 'medium';
    else if (
      full &&
      spectrum.snrDb >= trackMinSnrDb &&
      spectrum.harmonicCredited &&
      trackLagsMs.length > 0 &&
      trackLagsMs.every((lag) => {
        const earlier = peakNear(peaks, timestampMs - lag);
        return earlier !== null && Math.abs(earlier - spectrum.bpm) <= trackToleranceBpm;
      })
    ) {
      // A weak peak that agrees with the earlier windows (tracking, above). Not when a component
      // at twice the peak is too strong to be its harmonic: a steady artefact near half the rate
      // agrees with itself as well as a pulse does.
      out.confidence = 'medium';
      out.signalQuality = 'fair';
    }
    if (full) {
      peaks.push({ t: timestampMs, bpm: spectrum.bpm });
      let drop = 0;
      while (drop < peaks.length && (peaks[drop]?.t ?? 0) < timestampMs - longestLagMs - 1000)
        drop++;
      if (drop > 0) peaks.splice(0, drop);
    }
    if (spectrum.snrDb >= highSnrDb && out.motionFraction < 0.1) out.signalQuality = 'good';
    else if (spectrum.snrDb >= mediumSnrDb) out.signalQuality = 'fair';
    if (out.confidence === 'low') {
      return {
        ...out,
        message:
          'Face detected, but the pulse signal is too weak for a reading (light the face evenly and hold still)',
      };
    }
    return { ...out, bpm: Math.round(spectrum.bpm * 10) / 10, message: 'Face detected' };
  };

  return {
    pushFrame(input: RppgFrameInput): RppgEstimate {
      checkTimestamp(input.timestampMs);
      if (input.box === null) return noFace(input.timestampMs);
      const box = smoother === null ? input.box : smoother.update(input.box);
      const skin = meanSkinRgb(input.frame, box, options.skin);
      if (skin.skinPixels === 0 || skin.skinFraction < minSkinFraction)
        return noFace(input.timestampMs);
      return add({
        t: input.timestampMs,
        r: skin.r,
        g: skin.g,
        b: skin.b,
        speed: speedOf(box, input.timestampMs),
      });
    },
    pushMeanRgb(input: RppgMeanRgbInput): RppgEstimate {
      checkTimestamp(input.timestampMs);
      if (input.faceDetected === false) return noFace(input.timestampMs);
      for (const key of ['r', 'g', 'b'] as const) {
        const v = input[key];
        if (!Number.isFinite(v) || v <= 0) {
          throw new SignalInputError(
            'NON_FINITE_SAMPLE',
            key,
            `${key} must be a positive finite number`,
          );
        }
      }
      return add({
        t: input.timestampMs,
        r: input.r,
        g: input.g,
        b: input.b,
        speed: speedOf(
          input.box === undefined ? undefined : (smoother?.update(input.box) ?? input.box),
          input.timestampMs,
        ),
      });
    },
    reset(): void {
      samples = [];
      peaks = [];
      lastFaceMs = null;
      lastBox = null;
      lastTimestamp = -Infinity;
      smoother?.reset();
    },
  };
}

/**
 * The peak of the tracked window that ended nearest `timeMs`, if one ended within half a second
 * of it (frames come at 8 per second or more); otherwise null.
 */
function peakNear(peaks: readonly { t: number; bpm: number }[], timeMs: number): number | null {
  let best: { t: number; bpm: number } | null = null;
  for (const p of peaks) {
    if (best === null || Math.abs(p.t - timeMs) < Math.abs(best.t - timeMs)) best = p;
  }
  return best !== null && Math.abs(best.t - timeMs) <= 500 ? best.bpm : null;
}

/** Replaces the colour at motion samples by linear interpolation between still neighbours. */
function bridgeMotion(
  rgb: { r: Float64Array; g: Float64Array; b: Float64Array },
  motion: Float64Array,
  threshold: number,
): void {
  const n = motion.length;
  let i = 0;
  while (i < n) {
    if ((motion[i] ?? 0) <= threshold) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && (motion[j] ?? 0) > threshold) j++;
    const left = i - 1;
    const right = j;
    for (const c of [rgb.r, rgb.g, rgb.b]) {
      const a = left >= 0 ? (c[left] ?? 0) : (c[right] ?? 0);
      const z = right < n ? (c[right] ?? 0) : a;
      for (let k = i; k < j; k++) c[k] = a + ((z - a) * (k - left)) / (right - left);
    }
    i = j;
  }
}

function unitWaveform(pulse: Float64Array, length: number): number[] {
  const tail = pulse.subarray(pulse.length - length);
  let mean = 0;
  for (const v of tail) mean += v;
  mean /= tail.length || 1;
  let variance = 0;
  for (const v of tail) variance += (v - mean) ** 2;
  const sd = Math.sqrt(variance / (tail.length || 1)) || 1;
  return Array.from(tail, (v) => Math.round(((v - mean) / sd) * 1000) / 1000);
}
