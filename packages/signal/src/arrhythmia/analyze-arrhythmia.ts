import { SignalInputError } from '../errors.js';
import { createArrhythmiaMonitor } from './create-arrhythmia-monitor.js';
import type { ArrhythmiaMonitorOptions } from './create-arrhythmia-monitor.js';
import type { ClassifiedBeat, EctopicBurden, RhythmEpisode } from './types.js';

export interface ArrhythmiaAnalysis {
  fs: number;
  beats: ClassifiedBeat[];
  /** Closed episodes in order of their start. */
  episodes: RhythmEpisode[];
  burden: EctopicBurden;
  /** Why findings are withheld for this input (`too-short`, `noise`, `paced`), or null. */
  withheld: string | null;
}

/**
 * Offline arrhythmia analysis of one ECG lead: runs the streaming monitor over the whole signal,
 * so results are identical to the live path. When more than half of the beats lie in noisy or
 * paced stretches, or the input is too short, `withheld` says so and episodes other than pauses
 * and the NOISE/PACED stretches are not reported.
 *
 * @param ecgMv one ECG lead in mV
 * @param fs sampling rate in Hz
 * @param peaks R-peak sample indices (e.g. from `detectQrs`)
 */
export function analyzeArrhythmia(
  ecgMv: Float64Array,
  fs: number,
  peaks: Int32Array | readonly number[],
  options: Omit<ArrhythmiaMonitorOptions, 'fs'> = {},
): ArrhythmiaAnalysis {
  if (!(ecgMv instanceof Float64Array)) {
    throw new SignalInputError('INVALID_ARGUMENT', 'ecgMv', 'ecgMv must be a Float64Array in mV');
  }
  // A finite record: every episode is reported, however many.
  const monitor = createArrhythmiaMonitor({ ...options, fs, episodeHistory: Infinity });
  const first = monitor.push(ecgMv, peaks);
  const last = monitor.flush();
  const beats = [...first.beats, ...last.beats];
  const guarded = beats.filter((b) => b.class === 'Q').length;
  let withheld = last.withheld;
  if (withheld !== 'too-short') {
    const noise = monitor.episodes
      .filter((e) => e.rhythm === 'NOISE')
      .reduce((s, e) => s + e.beats, 0);
    const paced = monitor.episodes
      .filter((e) => e.rhythm === 'PACED')
      .reduce((s, e) => s + e.beats, 0);
    withheld =
      beats.length > 0 && guarded > beats.length / 2 ? (noise >= paced ? 'noise' : 'paced') : null;
  }
  const keep = (e: RhythmEpisode): boolean =>
    withheld === null || e.rhythm === 'PAUSE' || e.rhythm === 'NOISE' || e.rhythm === 'PACED';
  const episodes = [...monitor.episodes].filter(keep).sort((a, b) => a.start - b.start);
  return { fs, beats, episodes, burden: last.burden, withheld };
}
