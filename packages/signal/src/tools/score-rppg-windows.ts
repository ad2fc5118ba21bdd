import { SignalInputError } from '../errors.js';

/** One analysis window: the camera's reported number (null when it gave none) and the truth. */
export interface RppgWindow {
  bpm: number | null;
  referenceBpm: number;
}

export interface RppgWindowScoreOptions {
  /** An estimate this close to the reference counts as a hit, bpm. Default 5. */
  toleranceBpm?: number;
}

export interface RppgWindowScore {
  windows: number;
  /** Windows given a number. */
  reported: number;
  /** reported / windows. */
  coverage: number;
  /** Over the reported windows, bpm; NaN when none was reported. */
  maeBpm: number;
  rmseBpm: number;
  /** Reported windows within the tolerance / reported windows; NaN when none was reported. */
  withinTolerance: number;
  /** Windows reported AND within the tolerance / all windows: accuracy and coverage in one. */
  hitRate: number;
}

/**
 * Scores camera heart-rate windows against their references: error over the windows that got a
 * number, and how many windows got one. Coverage is reported beside the error because an
 * estimator can always lower its error by answering less often.
 */
export function scoreRppgWindows(
  windows: readonly RppgWindow[],
  options: RppgWindowScoreOptions = {},
): RppgWindowScore {
  const bad = windows.findIndex(
    (w) => !Number.isFinite(w.referenceBpm) || (w.bpm !== null && !Number.isFinite(w.bpm)),
  );
  if (bad >= 0) {
    throw new SignalInputError(
      'NON_FINITE_SAMPLE',
      `windows[${bad}]`,
      'referenceBpm must be finite, bpm finite or null',
    );
  }
  const tolerance = options.toleranceBpm ?? 5;
  let reported = 0;
  let absolute = 0;
  let squared = 0;
  let hits = 0;
  for (const w of windows) {
    if (w.bpm === null) continue;
    const error = w.bpm - w.referenceBpm;
    reported++;
    absolute += Math.abs(error);
    squared += error * error;
    if (Math.abs(error) <= tolerance) hits++;
  }
  const n = windows.length;
  return {
    windows: n,
    reported,
    coverage: n === 0 ? NaN : reported / n,
    maeBpm: reported === 0 ? NaN : absolute / reported,
    rmseBpm: reported === 0 ? NaN : Math.sqrt(squared / reported),
    withinTolerance: reported === 0 ? NaN : hits / reported,
    hitRate: n === 0 ? NaN : hits / n,
  };
}
