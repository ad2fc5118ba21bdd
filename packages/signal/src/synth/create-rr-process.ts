import { SignalInputError } from '../errors.js';
import { createRng } from './create-rng.js';

export interface RrProcessOptions {
  /** Mean heart rate in bpm. Default 60. */
  heartRateBpm?: number;
  /** Standard deviation of the heart rate in bpm (ECGSYN's `hrstd`). Default 1. */
  heartRateStdBpm?: number;
  /** Ratio of LF to HF power (σ1²/σ2² in McSharry et al.). Default 0.5. */
  lfHfRatio?: number;
  /** Centre of the LF (Mayer wave) peak in Hz. Default 0.1. */
  lfFrequencyHz?: number;
  /** Centre of the HF (respiratory sinus arrhythmia) peak in Hz. Default 0.25. */
  hfFrequencyHz?: number;
  /** Standard deviation (width) of the LF peak in Hz. Default 0.01. */
  lfStdHz?: number;
  /** Standard deviation (width) of the HF peak in Hz. Default 0.01. */
  hfStdHz?: number;
  /** Seed of the random phases. Default 1. */
  seed?: number;
}

/** A stationary RR-interval process that can be evaluated at any time. */
export interface RrProcess {
  /** Mean RR interval in seconds (60 / heartRateBpm). */
  readonly meanRrS: number;
  /** Standard deviation of the RR interval in seconds, 60·hrstd/hrmean² as in ECGSYN. */
  readonly stdRrS: number;
  /** RR interval in seconds of a beat starting at time `tS` (seconds). */
  rrAt(tS: number): number;
}

/** Spacing of the spectral lines: 1/1024 Hz, so the process repeats only after ~17 minutes. */
const LINE_SPACING_HZ = 1 / 1024;
/** The RR tachogram is band limited to 0.5 Hz, the Nyquist rate of a 1 Hz tachogram in ECGSYN. */
const MAX_FREQUENCY_HZ = 0.5;

/**
 * RR process of ECGSYN (McSharry, Clifford, Tarassenko, Smith, "A dynamical model for generating
 * synthetic electrocardiogram signals", IEEE TBME 50(3):289–294, 2003, eq. 4): a bimodal power
 * spectrum, the sum of two Gaussians centred on the Mayer-wave (LF, ~0.1 Hz) and respiratory (HF,
 * ~0.25 Hz) frequencies with power ratio `lfHfRatio`, turned into a time series through random
 * phases. ECGSYN does this with an inverse FFT of fixed length; here the same spectral lines are
 * summed as cosines, so the process can be evaluated at any time and a simulator can stream it
 * indefinitely from a seed. The result is scaled to the requested mean and standard deviation.
 */
export function createRrProcess(options: RrProcessOptions = {}): RrProcess {
  if (typeof options !== 'object') {
    throw new SignalInputError('INVALID_ARGUMENT', 'options', 'options must be an object');
  }
  const {
    heartRateBpm = 60,
    heartRateStdBpm = 1,
    lfHfRatio = 0.5,
    lfFrequencyHz = 0.1,
    hfFrequencyHz = 0.25,
    lfStdHz = 0.01,
    hfStdHz = 0.01,
    seed = 1,
  } = options;
  const positive: [string, number][] = [
    ['heartRateBpm', heartRateBpm],
    ['lfHfRatio', lfHfRatio],
    ['lfFrequencyHz', lfFrequencyHz],
    ['hfFrequencyHz', hfFrequencyHz],
    ['lfStdHz', lfStdHz],
    ['hfStdHz', hfStdHz],
  ];
  for (const [name, value] of positive) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new SignalInputError('INVALID_OPTION', `options.${name}`, `${name} must be > 0`);
    }
  }
  if (heartRateBpm < 20 || heartRateBpm > 300) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.heartRateBpm',
      'heartRateBpm must be within 20..300',
    );
  }
  if (!Number.isFinite(heartRateStdBpm) || heartRateStdBpm < 0) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.heartRateStdBpm',
      'heartRateStdBpm must be >= 0',
    );
  }
  const meanRrS = 60 / heartRateBpm;
  const stdRrS = (60 * heartRateStdBpm) / (heartRateBpm * heartRateBpm);
  const rng = createRng(seed);
  const nLines = Math.round(MAX_FREQUENCY_HZ / LINE_SPACING_HZ);
  const omega = new Float64Array(nLines);
  const amplitude = new Float64Array(nLines);
  const phase = new Float64Array(nLines);
  // σ1² = ratio·σ2², normalised so σ1² + σ2² = 1 before the final scaling.
  const lfPower = lfHfRatio / (1 + lfHfRatio);
  const hfPower = 1 / (1 + lfHfRatio);
  let variance = 0;
  for (let k = 0; k < nLines; k++) {
    const f = (k + 1) * LINE_SPACING_HZ;
    const density =
      (lfPower / Math.sqrt(2 * Math.PI * lfStdHz * lfStdHz)) *
        Math.exp(-((f - lfFrequencyHz) ** 2) / (2 * lfStdHz * lfStdHz)) +
      (hfPower / Math.sqrt(2 * Math.PI * hfStdHz * hfStdHz)) *
        Math.exp(-((f - hfFrequencyHz) ** 2) / (2 * hfStdHz * hfStdHz));
    omega[k] = 2 * Math.PI * f;
    amplitude[k] = Math.sqrt(2 * density * LINE_SPACING_HZ);
    phase[k] = 2 * Math.PI * rng.uniform();
    variance += (amplitude[k] ?? 0) ** 2 / 2;
  }
  // Scale the lines so the process has exactly the requested standard deviation; lines whose
  // amplitude is negligible are dropped so each evaluation stays cheap.
  const scale = variance > 0 ? stdRrS / Math.sqrt(variance) : 0;
  const kept: number[] = [];
  const peak = Math.max(...amplitude);
  for (let k = 0; k < nLines; k++) {
    if ((amplitude[k] ?? 0) > peak * 1e-6) kept.push(k);
  }
  const w = Float64Array.from(kept, (k) => omega[k] ?? 0);
  const a = Float64Array.from(kept, (k) => (amplitude[k] ?? 0) * scale);
  const p = Float64Array.from(kept, (k) => phase[k] ?? 0);
  return {
    meanRrS,
    stdRrS,
    rrAt(tS: number): number {
      let value = meanRrS;
      for (let k = 0; k < w.length; k++) {
        value += (a[k] ?? 0) * Math.cos((w[k] ?? 0) * tS + (p[k] ?? 0));
      }
      return value;
    },
  };
}
