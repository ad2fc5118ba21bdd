/** Types of the arrhythmia module (beat classes, rhythm episodes, the streaming monitor). */

/**
 * AAMI EC57 beat classes (ANSI/AAMI EC57:2012): N normal and bundle-branch-block beats, SVEB
 * supraventricular ectopic, VEB ventricular ectopic, F fusion, Q paced or unclassifiable.
 */
export type BeatClass = 'N' | 'SVEB' | 'VEB' | 'F' | 'Q';

/** Rhythm findings reported as episodes. */
export type RhythmKind =
  | 'AF'
  | 'VT'
  /** Three or more consecutive ventricular beats at 100 bpm or slower (idioventricular rhythm). */
  | 'IVR'
  | 'PAUSE'
  | 'BRADY'
  | 'TACHY'
  | 'COUPLET'
  | 'TRIPLET'
  | 'PACED'
  | 'NOISE';

/** One rhythm episode; `start`/`end` are absolute sample indices of the input. */
export interface RhythmEpisode {
  rhythm: RhythmKind;
  start: number;
  /** Last sample of the episode, or null while it is still going on (streaming only). */
  end: number | null;
  ongoing: boolean;
  /** Episode-specific detail: number of beats for runs, longest RR in ms for pauses, mean bpm. */
  beats: number;
  /** Mean heart rate over the episode in bpm (null for pauses). */
  meanBpm: number | null;
  /** Longest RR interval inside the episode in ms (pauses: the pause itself). */
  maxRrMs: number;
}

/** Ectopic burden over the beats seen so far. */
export interface EctopicBurden {
  vebPerHour: number;
  svebPerHour: number;
  /** Share of VEB among classified beats, in percent. */
  vebPercent: number;
  svebPercent: number;
}

/** One classified beat. */
export interface ClassifiedBeat {
  /** Absolute sample index of the R peak. */
  sample: number;
  class: BeatClass;
}

/** What one `push` of the arrhythmia monitor reports. */
export interface ArrhythmiaUpdate {
  /** Beats classified in this push (a beat is classified once its next beat is known). */
  beats: ClassifiedBeat[];
  /** Episodes opened, updated or closed in this push. */
  episodes: RhythmEpisode[];
  burden: EctopicBurden;
  /** Why findings are withheld right now (`too-short`, `noise`, `paced`), or null. */
  withheld: string | null;
}
