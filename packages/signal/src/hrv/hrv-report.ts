import { SignalInputError } from '../errors.js';
import { assertPeakIndices } from './assert-peak-indices.js';
import { assertSamplingRate } from './assert-sampling-rate.js';
import { hrvFrequencyDomain, type HrvFrequencyDomainOptions } from './hrv-frequency-domain.js';
import { hrvTimeDomain } from './hrv-time-domain.js';
import type { HrvFrequencyDomain, HrvTimeDomain, Poincare } from './hrv-types.js';
import { nnIntervals, type NnIntervalsOptions } from './nn-intervals.js';
import { poincare } from './poincare.js';

export interface HrvReportOptions extends NnIntervalsOptions {
  /** Options of the Lomb–Scargle spectrum (bands, grid). */
  frequency?: HrvFrequencyDomainOptions;
}

/** Every HRV measure of a beat series, as printed by `vigil-signal ecg hrv`. */
export interface HrvReport {
  fs: number;
  nBeats: number;
  /** Record span covered by the beats, ms (first to last beat). */
  durationMs: number;
  /** How many RR intervals the NN rules kept and why the others went. */
  nn: { nRr: number; nKept: number; excluded: ReturnType<typeof nnIntervals>['excluded'] };
  /** Time domain over all RR intervals (no exclusion): what a plain beat counter sees. */
  rrAll: HrvTimeDomain | null;
  /** Time domain over NN intervals; null when fewer than 2 adjacent NN intervals. */
  timeDomain: HrvTimeDomain | null;
  /** Frequency domain (without the spectrum arrays); null when the NN series is under the minimum duration. */
  frequencyDomain: Omit<HrvFrequencyDomain, 'frequenciesHz' | 'psdMs2PerHz'> | null;
  poincare: Poincare | null;
  /** Why a section is null, e.g. `frequencyDomain: series spans 42000 ms, less than ...`. */
  notes: string[];
}

function attempt<T>(section: string, notes: string[], fn: () => T): T | null {
  try {
    return fn();
  } catch (error) {
    // Too-short or gap-only series are an expected outcome for a section, not a failure of the
    // report; anything else is a bug and propagates.
    if (error instanceof SignalInputError) {
      notes.push(`${section}: ${error.message}`);
      return null;
    }
    throw error;
  }
}

/**
 * All HRV measures of a beat series in one call: NN intervals by `nnIntervals` (ectopic-aware),
 * `hrvTimeDomain` on them and on all RR intervals, `hrvFrequencyDomain` (Lomb–Scargle) and
 * `poincare`. Sections that the data cannot support (too few beats, too short) are null with a
 * note instead of throwing; the beat positions and `fs` themselves are still checked.
 *
 * @param peaks beat positions (sample indices), e.g. from `detectQrs` or reference annotations
 * @param fs sampling rate of `peaks` in Hz
 */
export function hrvReport(
  peaks: ArrayLike<number>,
  fs: number,
  options: HrvReportOptions = {},
): HrvReport {
  assertPeakIndices(peaks, 'peaks');
  assertSamplingRate(fs, 'fs');
  const { frequency, ...nnOptions } = options;
  const notes: string[] = [];
  const nn = nnIntervals(peaks, fs, nnOptions);
  const rr = new Float64Array(Math.max(0, peaks.length - 1));
  for (let i = 0; i < rr.length; i++) rr[i] = (((peaks[i + 1] ?? 0) - (peaks[i] ?? 0)) * 1000) / fs;
  const rrAll = attempt('rrAll', notes, () => hrvTimeDomain(rr));
  const timeDomain = attempt('timeDomain', notes, () =>
    hrvTimeDomain(nn.nnMs, { followsPrevious: nn.followsPrevious }),
  );
  const spectrum = attempt('frequencyDomain', notes, () =>
    hrvFrequencyDomain(nn.nnMs, nn.timesMs, frequency),
  );
  let frequencyDomain: HrvReport['frequencyDomain'] = null;
  if (spectrum !== null) {
    const { frequenciesHz: _f, psdMs2PerHz: _p, ...bands } = spectrum;
    frequencyDomain = bands;
  }
  const p = attempt('poincare', notes, () =>
    poincare(nn.nnMs, { followsPrevious: nn.followsPrevious }),
  );
  const first = peaks[0] ?? 0;
  const last = peaks[peaks.length - 1] ?? first;
  return {
    fs,
    nBeats: peaks.length,
    durationMs: ((last - first) * 1000) / fs,
    nn: { nRr: nn.nRr, nKept: nn.nnMs.length, excluded: nn.excluded },
    rrAll,
    timeDomain,
    frequencyDomain,
    poincare: p,
    notes,
  };
}
