import { resample } from '../filters/resample.js';
import type { WfdbRecord } from '../io/index.js';

/** Rates the live path analyses as they come (the simulator's and ESP32 boards' 250 Hz, MIT-BIH's 360 Hz). */
export const LIVE_RATES: ReadonlySet<number> = new Set([250, 360]);

export interface LiveRateLead {
  /** The lead's samples in mV, at `fs`. */
  ecg: Float64Array;
  /** Sampling rate in Hz of `ecg`. */
  fs: number;
  /** `fs` over the record's rate: multiplies the record's annotation positions. */
  scale: number;
  /** Signal index of the lead. */
  lead: number;
}

/**
 * One lead of a record as the evaluations and trainers feed it to the analysis: lead MLII or II
 * when the record has one (limb lead II shows the largest QRS and P waves in most people), else
 * the first; resampled to 250 Hz (band-limited, `resample`) unless its rate is a live rate or
 * `nativeRate` is set, so that databases at 128, 200 or 300 Hz meet the rates the classifier and
 * the AF model were built on.
 */
export function liveRateLead(
  rec: WfdbRecord,
  options: { lead?: number; nativeRate?: boolean } = {},
): LiveRateLead {
  let lead = options.lead ?? -1;
  if (lead < 0) {
    lead = rec.signals.findIndex((s) => ['MLII', 'II'].includes(s.description.toUpperCase()));
    if (lead < 0) lead = 0;
  }
  const physical = rec.signals[lead]?.physical ?? new Float64Array(0);
  if (options.nativeRate === true || LIVE_RATES.has(rec.fs)) {
    return { ecg: physical, fs: rec.fs, scale: 1, lead };
  }
  return { ecg: resample(physical, rec.fs, 250), fs: 250, scale: 250 / rec.fs, lead };
}
