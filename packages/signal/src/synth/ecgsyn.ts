import { SignalInputError } from '../errors.js';
import { createEcgSynth, type EcgSynthOptions, type SynthBeat } from './create-ecg-synth.js';

export interface EcgsynOptions extends EcgSynthOptions {
  /** Length of the record in seconds (required). */
  durationS: number;
}

export interface EcgsynResult {
  /** Sampling rate in Hz. */
  fs: number;
  /** The ECG in mV. */
  ecgMv: Float64Array;
  /** Sample indices of the R peaks, as placed by the RR process (the analytic reference). */
  rPeaks: Int32Array;
  /** Every beat with its time, RR interval and kind (N or V). */
  beats: SynthBeat[];
}

/**
 * Synthetic ECG from the dynamical model of McSharry et al. 2003 (IEEE TBME 50(3):289–294), with
 * the RR process of its eq. 4 (LF/HF spectrum), in mV at any `fs`, reproducible from `seed`.
 * The defaults are those of ecgsyn.c: 60 ± 1 bpm, LF/HF 0.5, LF 0.1 Hz, HF 0.25 Hz; noise and
 * baseline wander default to 0 (set `noiseMv`, `baselineWanderMv`). See `createEcgSynth` for the
 * streaming form and the AF and PVC extensions.
 *
 * @example ecgsyn({ fs: 250, durationS: 60, heartRateBpm: 72, seed: 7 }).rPeaks
 */
export function ecgsyn(options: EcgsynOptions): EcgsynResult {
  if (
    typeof options !== 'object' ||
    !Number.isFinite(options.durationS) ||
    options.durationS <= 0
  ) {
    throw new SignalInputError('INVALID_OPTION', 'options.durationS', 'durationS must be > 0');
  }
  const synth = createEcgSynth(options);
  const ecgMv = synth.next(Math.round(options.durationS * synth.fs));
  const beats = synth.takeBeats();
  return { fs: synth.fs, ecgMv, rPeaks: Int32Array.from(beats, (b) => b.sample), beats };
}
