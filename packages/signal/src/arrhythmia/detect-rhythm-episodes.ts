import { analyzeArrhythmia } from './analyze-arrhythmia.js';
import type { ArrhythmiaMonitorOptions } from './create-arrhythmia-monitor.js';
import type { RhythmEpisode } from './types.js';

/**
 * Rhythm episodes of one ECG lead (AF, VT, IVR, COUPLET, TRIPLET, PAUSE, BRADY, TACHY, and the
 * NOISE/PACED stretches where findings are withheld), ordered by start sample. Use
 * `analyzeArrhythmia` to also get the beats, the burden and the reason when findings are withheld.
 */
export function detectRhythmEpisodes(
  ecgMv: Float64Array,
  fs: number,
  peaks: Int32Array | readonly number[],
  options: Omit<ArrhythmiaMonitorOptions, 'fs'> = {},
): RhythmEpisode[] {
  return analyzeArrhythmia(ecgMv, fs, peaks, options).episodes;
}
