import { SignalInputError } from '../errors.js';
import { assertSamplingRate } from './assert-sampling-rate.js';
import { ROUNDING_MS } from './hrv-time-domain.js';
import { decideNnIntervals, nnDecisionReach, resolveNnRules } from './nn-interval-rules.js';

export interface RollingHrvOptions {
  /** Sampling rate of the beat positions, Hz. */
  fs: number;
  /** Fewest NN intervals for a result (default 20); more beats than this are needed too. */
  minIntervals?: number;
}

/** Time-domain HRV of the beats held, as the live analyzer reports it. */
export interface RollingHrvValue {
  /** First to last beat held, ms. */
  windowMs: number;
  nBeats: number;
  meanNnMs: number;
  sdnnMs: number;
  rmssdMs: number;
  pnn50: number;
}

export interface RollingHrv {
  /** Adds the next beat (sample index, increasing); `normal` false keeps its intervals out of NN. */
  push(sample: number, normal: boolean): void;
  /** Forgets the beats before `sample`. */
  dropBefore(sample: number): void;
  /**
   * `hrvTimeDomain` of `nnIntervals(beats, fs, { beatIsNormal })` over the beats held, exactly;
   * null with `minIntervals` beats or fewer, fewer NN intervals, or no adjacent pair of them.
   */
  value(): RollingHrvValue | null;
}

/**
 * The rolling HRV of the live analyzer: the beats of the last 5 min change by about one a second,
 * and recomputing `nnIntervals` on all of them (~360 local medians) at every packet was a quarter
 * of the analyzer's time. An interval's NN decision depends only on its neighbours within
 * `nnDecisionReach` (the local median window) and on where the series starts and ends when it is
 * that close to an end, so decisions away from both ends are made once and kept, and only the
 * intervals near the ends are decided again. The result equals `nnIntervals` + `hrvTimeDomain` on
 * the beats held (tested); the value is recomputed only when the beats change.
 */
export function createRollingHrv(options: RollingHrvOptions): RollingHrv {
  if (typeof options !== 'object') {
    throw new SignalInputError('INVALID_OPTION', 'options', 'options with fs are required');
  }
  assertSamplingRate(options.fs, 'options.fs');
  const { fs, minIntervals = 20 } = options;
  if (!Number.isInteger(minIntervals) || minIntervals < 1) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.minIntervals',
      'minIntervals must be an integer ≥ 1',
    );
  }
  const rules = resolveNnRules({});
  const reach = nnDecisionReach(rules);
  const msPerSample = 1000 / fs;
  const samples: number[] = [];
  const normal: boolean[] = [];
  /** rr[i]: interval between beats i and i + 1, ms, as `nnIntervals` computes it. */
  const rr: number[] = [];
  /** Decision of interval i when it is away from both ends: 1 kept, 0 excluded, −1 not yet made. */
  const interior: number[] = [];
  let keep = new Uint8Array(512);
  let cached: { value: RollingHrvValue | null } | null = null;

  const compute = (): RollingHrvValue | null => {
    const n = samples.length;
    if (n <= minIntervals) return null;
    const nRr = n - 1;
    if (keep.length < nRr) keep = new Uint8Array(2 * nRr);
    // Near the ends: decided on the series as it is now.
    decideNnIntervals(rr, nRr, normal, rules, 0, Math.min(reach, nRr), keep, null);
    decideNnIntervals(rr, nRr, normal, rules, Math.max(reach, nRr - reach + 1), nRr, keep, null);
    // Away from both ends, [reach, nRr − reach]: made once, as intervals become interior. Beats
    // are only appended and dropped from the front, so the intervals not yet made are the last
    // ones of that range: found from its end, without a pass over the whole window.
    const interiorEnd = nRr - reach;
    let runFrom = interiorEnd + 1;
    while (runFrom > reach && (interior[runFrom - 1] ?? -1) < 0) runFrom--;
    if (runFrom <= interiorEnd) {
      decideNnIntervals(rr, nRr, normal, rules, runFrom, interiorEnd + 1, keep, null);
      for (let j = runFrom; j <= interiorEnd; j++) interior[j] = keep[j] ?? 0;
    }
    // Decision of interval i: `interior` inside, `keep` near the ends.
    const kept = (i: number): boolean =>
      (i >= reach && i <= interiorEnd ? interior[i] : keep[i]) === 1;
    // The four statistics of `hrvTimeDomain(nn, { followsPrevious })` read straight from the kept
    // intervals, with its operations in its order (so bit for bit the same): no NN array, no
    // input checks (kept intervals are within the NN rules' 250–2000 ms) and none of the
    // statistics the analyzer does not report, at every packet.
    let count = 0;
    let sum = 0;
    let dd = 0;
    let nDiffs = 0;
    let over50 = 0;
    let previousKept = false;
    for (let i = 0; i < nRr; i++) {
      const isKept = kept(i);
      const follows = previousKept;
      previousKept = isKept;
      if (!isKept) continue;
      const v = rr[i] ?? NaN;
      count++;
      sum += v;
      // Successive differences only between adjacent kept intervals (`followsPrevious`).
      if (follows) {
        const d = v - (rr[i - 1] ?? NaN);
        dd += d * d;
        nDiffs++;
        if (Math.abs(d) > 50 + ROUNDING_MS) over50++;
      }
    }
    // hrvTimeDomain needs 2 intervals.
    if (count < minIntervals || count < 2) return null;
    const meanNnMs = sum / count;
    let ss = 0;
    for (let i = 0; i < nRr; i++) {
      if (!kept(i)) continue;
      const v = rr[i] ?? NaN;
      ss += (v - meanNnMs) * (v - meanNnMs);
    }
    // Every kept interval isolated by exclusions: no successive difference, no HRV.
    if (nDiffs === 0) return null;
    return {
      windowMs: (((samples[n - 1] ?? 0) - (samples[0] ?? 0)) * 1000) / fs,
      nBeats: n,
      meanNnMs,
      sdnnMs: Math.sqrt(ss / (count - 1)),
      rmssdMs: Math.sqrt(dd / nDiffs),
      pnn50: (100 * over50) / nDiffs,
    };
  };

  return {
    push(sample, isNormal) {
      const previous = samples[samples.length - 1];
      if (previous !== undefined) {
        rr.push((sample - previous) * msPerSample);
        interior.push(-1);
      }
      samples.push(sample);
      normal.push(isNormal);
      cached = null;
    },
    dropBefore(sample) {
      let k = 0;
      while (k < samples.length && (samples[k] ?? 0) < sample) k++;
      if (k === 0) return;
      samples.splice(0, k);
      normal.splice(0, k);
      rr.splice(0, k);
      interior.splice(0, k);
      cached = null;
    },
    value() {
      cached ??= { value: compute() };
      return cached.value;
    },
  };
}
