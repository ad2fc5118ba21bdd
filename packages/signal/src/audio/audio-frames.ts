/**
 * Frame-level measures of an 8 kHz audio signal, as computed by `computeAudioFrames`: one value
 * (or `nMel` values) per analysis frame, frames `hop` samples apart.
 */
export interface AudioFrames {
  /** Sample rate of the analysed signal, Hz. */
  sampleRateHz: number;
  /** Frame length, samples. */
  frameLength: number;
  /** Hop between frame starts, samples. */
  hop: number;
  /** Number of frames. */
  count: number;
  /** Mel bands per frame. */
  nMel: number;
  /** Frame energy, dB (10·log10 of the Hann-windowed power, full scale = 1.0). */
  energyDb: Float32Array;
  /** Log-mel energies, dB, row-major `count × nMel`. */
  logMelDb: Float32Array;
  /** Normalised autocorrelation peak in the pitch lag range, 0 (noise) to 1 (periodic). */
  harmonicity: Float32Array;
  /** Fundamental frequency at that peak, Hz (meaningful where harmonicity is high). */
  f0Hz: Float32Array;
  /** Spectral flatness (geometric / arithmetic mean of the power spectrum), 0 to 1. */
  flatness: Float32Array;
  /** Spectral centroid, Hz. */
  centroidHz: Float32Array;
  /** Share of the power above 2 kHz, 0 to 1. */
  highShare: Float32Array;
}
