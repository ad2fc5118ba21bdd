import { analyzeArrhythmia } from './analyze-arrhythmia.js';
import type { ArrhythmiaAnalysisOptions } from './analyze-arrhythmia.js';
import type { BeatClass } from './types.js';

/**
 * AAMI class of every beat of one ECG lead (N, SVEB, VEB, F; Q for beats in noisy or paced
 * stretches), in the order of `peaks`.
 *
 * @param ecgMv one ECG lead in mV
 * @param fs sampling rate in Hz
 * @param peaks R-peak sample indices, increasing
 * @param options model and guards (see ArrhythmiaAnalysisOptions; defaults: the shipped model;
 *   `secondLeadMv` classifies from two leads)
 */
export function classifyBeats(
  ecgMv: Float64Array,
  fs: number,
  peaks: Int32Array | readonly number[],
  options: ArrhythmiaAnalysisOptions = {},
): BeatClass[] {
  return analyzeArrhythmia(ecgMv, fs, peaks, options).beats.map((b) => b.class);
}
