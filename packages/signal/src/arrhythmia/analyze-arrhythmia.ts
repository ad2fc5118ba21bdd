import { SignalInputError } from '../errors.js';
import { createArrhythmiaMonitor } from './create-arrhythmia-monitor.js';
import type { ArrhythmiaMonitorOptions } from './create-arrhythmia-monitor.js';
import type { ClassifiedBeat, EctopicBurden, RhythmEpisode } from './types.js';

export interface ArrhythmiaAnalysisOptions extends Omit<
  ArrhythmiaMonitorOptions,
  'fs' | 'secondLead'
> {
  /**
   * A second lead of the same recording (mV, same samples as `ecgMv`), default none: each beat
   * is then classified from both leads (the monitor's `secondLead`, combined by
   * `classifier.leadFusion`); beat positions, RR, P-wave and noise analysis stay on `ecgMv`, and
   * the rhythm tracker reads the two-lead verdicts. Not the default: measured and not adopted
   * (README, "Evaluated accuracy (inter-patient)").
   */
  secondLeadMv?: Float64Array;
}

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
 * Offline arrhythmia analysis of one ECG lead (beats optionally classified from two,
 * `secondLeadMv`): runs the streaming monitor over the whole signal,
 * so results are identical to the live path but for one use of hindsight: with
 * `suppressSvebInAfEpisode` (default) an SVEB anywhere in an AF episode is N, where the live
 * monitor can only do so from the beat the episode opens. When more than half of the beats lie
 * in noisy or paced stretches, or the input is too short, `withheld` says so and episodes other
 * than pauses and the NOISE/PACED stretches are not reported.
 *
 * @param ecgMv one ECG lead in mV
 * @param fs sampling rate in Hz
 * @param peaks R-peak sample indices (e.g. from `detectQrs`)
 */
export function analyzeArrhythmia(
  ecgMv: Float64Array,
  fs: number,
  peaks: Int32Array | readonly number[],
  options: ArrhythmiaAnalysisOptions = {},
): ArrhythmiaAnalysis {
  if (!(ecgMv instanceof Float64Array)) {
    throw new SignalInputError('INVALID_ARGUMENT', 'ecgMv', 'ecgMv must be a Float64Array in mV');
  }
  const { secondLeadMv, ...monitorOptions } = options;
  if (
    secondLeadMv !== undefined &&
    (!(secondLeadMv instanceof Float64Array) || secondLeadMv.length !== ecgMv.length)
  ) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'options.secondLeadMv',
      `secondLeadMv must be a Float64Array in mV as long as ecgMv (${ecgMv.length} samples)`,
    );
  }
  // A finite record: every episode is reported, however many.
  const monitor = createArrhythmiaMonitor({
    ...monitorOptions,
    fs,
    episodeHistory: Infinity,
    secondLead: secondLeadMv !== undefined,
  });
  const first = monitor.push(ecgMv, peaks, secondLeadMv);
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
  let burden = last.burden;
  if (options.suppressSvebInAfEpisode ?? true) {
    const svebBefore = beats.reduce((n, b) => n + (b.class === 'SVEB' ? 1 : 0), 0);
    const svebAfter = svebAsNormalInAf(beats, episodes);
    if (svebAfter !== svebBefore) {
      // SVEB -> N leaves the classified beats as they were: the SVEB burden scales.
      const k = svebAfter / svebBefore;
      burden = {
        ...burden,
        svebPerHour: burden.svebPerHour * k,
        svebPercent: burden.svebPercent * k,
      };
    }
  }
  return { fs, beats, episodes, burden, withheld };
}

/**
 * Hindsight for `suppressSvebInAfEpisode`: the live monitor reports an SVEB as N from the beat
 * an AF episode opens, but the episode starts earlier, at the first beat of the windows that
 * opened it (the hysteresis needs several of them). A whole record is known offline, so its
 * SVEBs from the episode's start are N as well, as the MIT-BIH annotators label beats in atrial
 * fibrillation. Returns the SVEBs left. Beats and episodes in time order.
 */
function svebAsNormalInAf(beats: ClassifiedBeat[], episodes: readonly RhythmEpisode[]): number {
  const af = episodes.filter((e) => e.rhythm === 'AF');
  let k = 0;
  let left = 0;
  for (let i = 0; i < beats.length; i++) {
    const b = beats[i];
    if (b?.class !== 'SVEB') continue;
    while (k < af.length && (af[k]?.end ?? Infinity) < b.sample) k++;
    const e = af[k];
    if (e !== undefined && e.start <= b.sample) beats[i] = { sample: b.sample, class: 'N' };
    else left++;
  }
  return left;
}
