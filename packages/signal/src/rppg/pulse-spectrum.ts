import { SignalInputError } from '../errors.js';
import { createRealFft } from '../spectral/create-real-fft.js';

export interface PulseSpectrumOptions {
  /** Lowest pulse frequency searched, Hz. Default 0.7 (42 bpm). */
  minHz?: number;
  /** Highest pulse frequency searched, Hz. Default 4 (240 bpm). */
  maxHz?: number;
  /**
   * Minimum FFT length after zero padding. Default 4096: 200 samples at 20 Hz would give
   * 0.1 Hz (6 bpm) bins without padding; 4096 points give 0.29 bpm bins at 20 Hz, and the
   * parabolic interpolation of the peak refines that further.
   */
  minFftLength?: number;
  /**
   * Half-width of the band around the pulse peak and around its first harmonic counted as
   * signal in the SNR, Hz. Default 0.1 (±6 bpm), as in de Haan & Jeanne 2013.
   */
  signalHalfWidthHz?: number;
  /**
   * The component near twice the peak is credited to the SNR as the peak's first harmonic only
   * while its peak-bin power is below this fraction of the peak's own. Default 0.5. A pulse's
   * harmonics are much weaker than its fundamental (the contact PPG fixture: 0.15), so a
   * component at 2f about as strong as f is more likely the pulse itself, with f a slow artefact
   * near half the rate; crediting it then lifts the artefact to a confident wrong rate (UBFC-rPPG:
   * 12 numbers at half the true rate). `Infinity` restores the plain de Haan & Jeanne 2013 SNR.
   */
  maxHarmonicPowerRatio?: number;
  /** How many local maxima of the band to return in `peaks`, largest first. Default 3. */
  maxPeaks?: number;
}

/** A local maximum of the periodogram inside the band. */
export interface SpectralPeak {
  /** Its frequency × 60 (parabolic interpolation between bins), bpm. */
  bpm: number;
  /** Its bin power over the largest peak's, 0–1 (1 for the largest). */
  relativePower: number;
}

export interface PulseSpectrum {
  /** Frequency of the largest in-band peak, Hz (parabolic interpolation between bins). */
  peakHz: number;
  /** `peakHz` × 60. */
  bpm: number;
  /**
   * Signal-to-noise ratio in dB (de Haan & Jeanne, IEEE TBME 60(10), 2013, eq. 11): power within
   * ±`signalHalfWidthHz` of the peak and of its first harmonic over the rest of the
   * `minHz`–`maxHz` band (harmonic band capped at the Nyquist frequency). The harmonic band
   * counts as noise instead when it is too strong to be a harmonic (`maxHarmonicPowerRatio`).
   */
  snrDb: number;
  /** Bin spacing of the padded FFT, Hz. */
  resolutionHz: number;
  /**
   * Largest bin power within ±2 × `signalHalfWidthHz` of twice the peak over the peak bin's power;
   * 0 when twice the peak lies above the band.
   */
  harmonicPowerRatio: number;
  /** Whether that component was counted as signal in `snrDb` (ratio below `maxHarmonicPowerRatio`). */
  harmonicCredited: boolean;
  /**
   * The `maxPeaks` largest local maxima of the band, largest first, each at least
   * 2 × `signalHalfWidthHz` from a larger one (a peak's own lobe is not a second candidate):
   * the candidates of a peak tracker and, through the second one, how much the largest stands out.
   */
  peaks: SpectralPeak[];
}

/**
 * The pulse rate of a band-limited pulse signal from a Hann-windowed, zero-padded periodogram:
 * the largest peak between `minHz` and `maxHz` and the SNR of that peak. Samples are uniform at
 * `fs` Hz.
 */
export function pulseSpectrum(
  signal: Float64Array | Float32Array,
  fs: number,
  options: PulseSpectrumOptions = {},
): PulseSpectrum {
  if (signal.length < 8) {
    throw new SignalInputError('EMPTY_INPUT', 'signal', 'pulseSpectrum needs at least 8 samples');
  }
  if (!Number.isFinite(fs) || fs <= 0) {
    throw new SignalInputError('INVALID_SAMPLE_RATE', 'fs', 'fs must be a positive number of Hz');
  }
  const minHz = options.minHz ?? 0.7;
  const maxHz = Math.min(options.maxHz ?? 4, fs / 2);
  if (!(minHz > 0 && minHz < maxHz)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.minHz',
      'minHz must be positive and below maxHz and the Nyquist frequency',
    );
  }
  const halfWidth = options.signalHalfWidthHz ?? 0.1;
  const maxHarmonicPowerRatio = options.maxHarmonicPowerRatio ?? 0.5;
  if (!(maxHarmonicPowerRatio > 0)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.maxHarmonicPowerRatio',
      'maxHarmonicPowerRatio must be positive (Infinity always credits the harmonic)',
    );
  }
  const maxPeaks = options.maxPeaks ?? 3;
  if (!Number.isInteger(maxPeaks) || maxPeaks < 1) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.maxPeaks',
      'maxPeaks must be a positive integer',
    );
  }
  let nfft = 1;
  const minLength = Math.max(options.minFftLength ?? 4096, signal.length);
  while (nfft < minLength) nfft <<= 1;

  const n = signal.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += signal[i] ?? 0;
  mean /= n;
  // Zero padding to nfft: the windowed frame is shorter than the transform.
  const windowed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    windowed[i] = ((signal[i] ?? 0) - mean) * w;
  }
  const resolutionHz = fs / nfft;
  const half = nfft >> 1;
  const power = createRealFft(nfft).power(windowed, new Float64Array(half + 1));

  const lo = Math.max(1, Math.ceil(minHz / resolutionHz));
  const hi = Math.min(half - 1, Math.floor(maxHz / resolutionHz));
  let best = lo;
  for (let k = lo; k <= hi; k++) if ((power[k] ?? 0) > (power[best] ?? 0)) best = k;
  // Parabolic interpolation on the log power refines the peak between bins.
  const a = Math.log((power[best - 1] ?? 0) + 1e-300);
  const b = Math.log((power[best] ?? 0) + 1e-300);
  const c = Math.log((power[best + 1] ?? 0) + 1e-300);
  const denom = a - 2 * b + c;
  const offset = denom < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom)) : 0;
  const peakHz = (best + offset) * resolutionHz;

  const peaks: SpectralPeak[] = [];
  const maxima: number[] = [];
  for (let k = lo; k <= hi; k++) {
    const p = power[k] ?? 0;
    // A band edge counts as a maximum when the band falls away from it (the largest bin may be one).
    if ((k === lo || p > (power[k - 1] ?? 0)) && (k === hi || p >= (power[k + 1] ?? 0)))
      maxima.push(k);
  }
  maxima.sort((x, y) => (power[y] ?? 0) - (power[x] ?? 0));
  const taken: number[] = [];
  for (const k of maxima) {
    if (taken.length >= maxPeaks) break;
    if (taken.some((j) => Math.abs(j - k) * resolutionHz < 2 * halfWidth)) continue;
    taken.push(k);
    const pa = Math.log((power[k - 1] ?? 0) + 1e-300);
    const pb = Math.log((power[k] ?? 0) + 1e-300);
    const pc = Math.log((power[k + 1] ?? 0) + 1e-300);
    const d = pa - 2 * pb + pc;
    const o = d < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (pa - pc)) / d)) : 0;
    peaks.push({
      bpm: (k + o) * resolutionHz * 60,
      relativePower: (power[k] ?? 0) / Math.max(1e-300, power[best] ?? 0),
    });
  }

  const harmonicHz = 2 * peakHz;
  let harmonicPower = 0;
  for (let k = lo; k <= hi; k++) {
    if (Math.abs(k * resolutionHz - harmonicHz) <= 2 * halfWidth) {
      harmonicPower = Math.max(harmonicPower, power[k] ?? 0);
    }
  }
  const harmonicPowerRatio = harmonicPower / Math.max(1e-300, power[best] ?? 0);
  const harmonicCredited = harmonicPowerRatio < maxHarmonicPowerRatio;

  let signalPower = 0;
  let noisePower = 0;
  for (let k = lo; k <= hi; k++) {
    const f = k * resolutionHz;
    const p = power[k] ?? 0;
    if (
      Math.abs(f - peakHz) <= halfWidth ||
      (harmonicCredited && Math.abs(f - harmonicHz) <= 2 * halfWidth)
    ) {
      signalPower += p;
    } else {
      noisePower += p;
    }
  }
  const snrDb = 10 * Math.log10((signalPower + 1e-300) / (noisePower + 1e-300));
  return {
    peakHz,
    bpm: peakHz * 60,
    snrDb,
    resolutionHz,
    harmonicPowerRatio,
    harmonicCredited,
    peaks,
  };
}
