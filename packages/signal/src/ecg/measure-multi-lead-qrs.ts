import { SignalInputError } from '../errors.js';
import { designButterworth } from '../filters/design-butterworth.js';
import { designNotch } from '../filters/design-notch.js';
import { filtfilt } from '../filters/filtfilt.js';
import { assertSamplingRate } from '../hrv/assert-sampling-rate.js';
import { globalQrsLimits } from '../ecg12/global-qrs-limits.js';
import { sortSmallInPlace } from '../sort-small-in-place.js';

export interface MeasureMultiLeadQrsOptions {
  /** Sampling rate of every lead, Hz (100–1000). */
  samplingRateHz: number;
  /** Baseline high-pass cutoff, Hz (default 0.5, as `measureEcg12`). */
  highPassHz?: number;
  /** Low-pass cutoff, Hz (default 40, as `measureEcg12`). */
  lowPassHz?: number;
}

export interface MultiLeadQrs {
  /** QRS duration from the global onset to the global offset, ms; NaN without a usable beat. */
  qrsMs: number;
  /** Beats whose median beat was measured (those with enough signal on both sides). */
  beats: number;
}

/** Most leads accepted (12-lead plus a few extra, e.g. Frank or right-sided leads). */
const MAX_LEADS = 16;

/** Median of work[0, n), sorting `work` in place. */
function medianInPlace(work: Float64Array, n: number): number {
  sortSmallInPlace(work, n);
  const m = n >> 1;
  return n % 2 === 1 ? (work[m] ?? NaN) : ((work[m - 1] ?? NaN) + (work[m] ?? NaN)) / 2;
}

function standardDeviation(x: Float64Array): number {
  let s = 0;
  let s2 = 0;
  for (const v of x) {
    s += v;
    s2 += v * v;
  }
  const m = s / x.length;
  return Math.sqrt(Math.max(0, s2 / x.length - m * m));
}

/**
 * QRS duration of simultaneous leads (any number, 1–16) from one global onset and offset, the way
 * `measureEcg12` measures a 12-lead ECG (AHA/ACCF/HRS, Kligfield et al. 2007: one onset and
 * offset across simultaneous leads): the leads are filtered as there (zero-phase high-pass
 * `highPassHz`, 50/60 Hz notches, and `lowPassHz` for the median beats), a median beat is
 * formed per lead at the given beat positions, and the onset / offset are where the spatial
 * velocity of all the median beats settles (`globalQrsLimits`). A QRS that begins early in one
 * lead and ends late in another is measured whole, which one lead alone narrows.
 *
 * `beatSamples` are the beat fiducials (e.g. R peaks of the rhythm lead), ascending sample
 * indices into the leads; the median beat spans 0.6 RR (at most 380 ms) before the fiducial and
 * RR − 100 ms (300–700 ms) after it, and only beats with that much signal around them count.
 */
export function measureMultiLeadQrs(
  leadsMv: readonly (Float32Array | Float64Array)[],
  beatSamples: ArrayLike<number>,
  options: MeasureMultiLeadQrsOptions,
): MultiLeadQrs {
  assertSamplingRate(options.samplingRateHz, 'options.samplingRateHz', { min: 100, max: 1000 });
  const input: unknown = leadsMv;
  const isArray = Array.isArray(input);
  if (!isArray || leadsMv.length < 1 || leadsMv.length > MAX_LEADS)
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'leadsMv',
      `expected 1 to ${MAX_LEADS} leads, got ${isArray ? leadsMv.length : typeof leadsMv}`,
    );
  const n = leadsMv[0]?.length ?? 0;
  leadsMv.forEach((lead, l) => {
    if (!(lead instanceof Float32Array || lead instanceof Float64Array) || lead.length !== n)
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        `leadsMv[${l}]`,
        `leadsMv[${l}] must be a Float32Array or Float64Array of ${n} samples`,
      );
    for (const v of lead)
      if (!Number.isFinite(v))
        throw new SignalInputError('NON_FINITE_SAMPLE', `leadsMv[${l}]`, 'non-finite sample');
  });
  for (let i = 0; i < beatSamples.length; i++) {
    const b = beatSamples[i] as number;
    if (!Number.isInteger(b) || b < 0 || b >= n || (i > 0 && b <= (beatSamples[i - 1] as number)))
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        `beatSamples[${i}]`,
        'beat samples must be ascending integer indices into the leads',
      );
  }
  const fs = options.samplingRateHz;
  const { highPassHz = 0.5, lowPassHz = 40 } = options;
  const ms = (v: number): number => Math.round((v * fs) / 1000);

  const rr: number[] = [];
  for (let i = 1; i < beatSamples.length; i++)
    rr.push((((beatSamples[i] as number) - (beatSamples[i - 1] as number)) * 1000) / fs);
  const rrWork = Float64Array.from(rr);
  const rrMs = rr.length > 0 ? medianInPlace(rrWork, rr.length) : 1000;
  const before = ms(Math.min(380, 0.6 * rrMs));
  const after = ms(Math.max(300, Math.min(700, rrMs - 100)));
  const len = before + after + 1;
  const inside: number[] = [];
  for (let i = 0; i < beatSamples.length; i++) {
    const b = beatSamples[i] as number;
    if (b - before >= 0 && b + after < n) inside.push(b);
  }
  if (inside.length === 0) return { qrsMs: NaN, beats: 0 };

  const hp = designButterworth({ type: 'highpass', order: 2, cutoffHz: highPassHz, fs });
  const lp = designButterworth({ type: 'lowpass', order: 2, cutoffHz: lowPassHz, fs });
  const notches = [50, 60]
    .filter((f) => f < fs / 2)
    .map((frequencyHz) => [designNotch({ frequencyHz, fs })]);
  const column = new Float64Array(inside.length);
  const sigma: number[] = [];
  const medianBeats = leadsMv.map((lead) => {
    const raw = notches.reduce((y, notch) => filtfilt(y, notch), filtfilt(lead, hp));
    sigma.push(standardDeviation(filtfilt(raw, lp)) || 1);
    const beat = new Float64Array(len);
    for (let t = 0; t < len; t++) {
      for (let b = 0; b < inside.length; b++) column[b] = raw[(inside[b] ?? 0) - before + t] ?? 0;
      beat[t] = medianInPlace(column, inside.length);
    }
    return filtfilt(beat, lp);
  });
  const { onset, offset } = globalQrsLimits(medianBeats, sigma, before, fs);
  return { qrsMs: ((offset - onset) * 1000) / fs, beats: inside.length };
}
