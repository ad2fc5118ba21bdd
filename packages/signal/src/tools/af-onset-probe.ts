import { resample } from '../filters/resample.js';
import { createRng } from '../synth/create-rng.js';
import { maskBeatsInIntervals } from './mask-beats-in-intervals.js';
import { retimeBeats } from './retime-beats.js';
import { sinusCycleS } from './retimed-probe.js';

/** One lead of a record with its reference beats and AF, at its own rate. */
export interface AfOnsetSource {
  /** The lead in mV. */
  ecgMv: Float64Array;
  /** Sampling rate of `ecgMv` in Hz. */
  fs: number;
  /** Reference R peaks, sample indices at `fs`. */
  peaks: Int32Array | readonly number[];
  /** Class index of each reference beat (as beat-dataset's CLASS_INDEX: 0 N, 1 SVEB, 2 VEB, ...). */
  labels: Int32Array | readonly number[];
  /** Reference AF intervals, [start, end) samples at `fs` (afIntervals). */
  af: readonly (readonly [number, number])[];
}

export interface AfOnsetProbeOptions {
  /** Seed of the prefix's rhythm and of the AF part's place in the donor's AF (required). */
  seed: number;
  /** SVEB share of the prefix's beats (retimeBeats `svebShare`, required, 0 < share < 1). */
  svebShare: number;
  /** Output rate in Hz, default 250 (the server's; eval:cross-db resamples to it too). */
  fs?: number;
  /** Length of the prefix's rhythm in s (retimeBeats `durationS`), default 90. */
  prefixS?: number;
  /** Length of the AF part in s, default 90 (with a suffix: at most this, see `suffixS`). */
  afS?: number;
  /**
   * Length in s of a suffix after the AF part, default 0 (none): more of the prefix's rhythm
   * (retimeBeats again, same source, share and cycle), so that the AF part is a run inside the
   * ectopy, as the short flutter runs amid SVEBs of CPSC 2021 record data_25_24. With a suffix
   * the AF part ends at a TQ point too (65 % into its last RR of 600 ms or more in the second
   * half of `afS`, else into its longest RR there), and its baseline is the line through its
   * medians at the two joins.
   */
  suffixS?: number;
  /**
   * Sinus cycle of the prefix as a multiple of the source's (sinusCycleS), default 1.2: as the
   * mitdb-ectopy probe (retimedProbe), a slower sinus rhythm between the premature runs.
   */
  cycleFactor?: number;
  /**
   * Seconds of the donor's AF interval left out at each end, default 5: the AF part starts
   * clear of the annotated onset (where the donor's own rhythm changes) and of its end.
   */
  marginS?: number;
}

export interface AfOnsetProbe {
  /** The probe ECG in mV at `fs`. */
  ecgMv: Float64Array;
  fs: number;
  /** R peaks of the probe, sample indices: the prefix's beats, the donor's, the suffix's. */
  peaks: Int32Array;
  /** Class index of each beat: 0 (N) and 1 (SVEB) outside the AF part, the donor's labels in it. */
  labels: Int32Array;
  /** Reference AF: [afStart, afEnd), samples; afStart is the join. */
  afStart: number;
  /** End of the AF part, samples (ecgMv.length without a suffix). */
  afEnd: number;
  /** Where the AF part starts in the donor, s (at the donor's own time axis). */
  donorStartS: number;
  /** Gain applied to the donor's AF part so that its median QRS peak-to-peak matches the prefix's. */
  gain: number;
  /** Median QRS peak-to-peak (R ± 60 ms) of the prefix's beats, mV. */
  prefixQrsMv: number;
}

/**
 * The "frequent PACs, then AF" probe (eval:af-onset): a prefix of one record's own sinus beats
 * and SVEBs re-timed (retimeBeats, SVEBs as `svebShare` of the beats, as the mitdb-ectopy probe
 * builds them), followed by a stretch of real AF from a donor record's reference AF, the two
 * joined at a TQ point. Paroxysmal AF very often starts out of frequent atrial premature beats
 * (Haïssaguerre et al., N Engl J Med 339:659, 1998: ectopic beats from the pulmonary veins
 * trigger it), and no development record holds such an onset; only the join is synthetic.
 *
 * The join: the prefix ends where its last beat's copy ends (R + 450 ms, on the copies' flat
 * baseline); the AF part starts in the donor's diastole, at 65 % of the first RR of at least
 * 600 ms after a drawn point of its AF interval (`marginS` from either end), so the join lies
 * in a TQ segment of both parts and the RR across it is 450 ms + 35 % of a donor RR (flutter
 * with 2:1 conduction has no RR that long and no TQ segment: there, 65 % into the longest RR
 * within 10 s of the drawn point). Both
 * parts are resampled to `fs` first. The AF part's baseline is its median over the 40 ms at the
 * join (the prefix's baseline there is 0), and its gain makes its median QRS peak-to-peak
 * (R ± 60 ms) the prefix's: a different record's lead and gain must not tell AF from ectopy.
 * The source's beats inside its own reference AF are not copied (maskBeatsInIntervals). With
 * `suffixS` the prefix's rhythm resumes after the AF part, 600 ms before the suffix's first beat.
 *
 * @returns null when the source has fewer than 5 SVEBs or sinus beats (retimeBeats), or the
 *   donor has no AF interval long enough for `afS` plus the margins
 */
export function afOnsetProbe(
  source: AfOnsetSource,
  donor: AfOnsetSource,
  options: AfOnsetProbeOptions,
): AfOnsetProbe | null {
  for (const [what, s] of [
    ['source', source],
    ['donor', donor],
  ] as const) {
    if (s.peaks.length !== s.labels.length) {
      throw new RangeError(`${what}: peaks and labels differ in length`);
    }
    if (!(s.fs > 0)) throw new RangeError(`${what}.fs must be > 0`);
  }
  const fs = options.fs ?? 250;
  const prefixS = options.prefixS ?? 90;
  const afS = options.afS ?? 90;
  const cycleFactor = options.cycleFactor ?? 1.2;
  const marginS = options.marginS ?? 5;
  const suffixS = options.suffixS ?? 0;
  if (!(fs > 0)) throw new RangeError('options.fs must be > 0');
  if (!(options.svebShare > 0 && options.svebShare < 1)) {
    throw new RangeError('options.svebShare must be within (0, 1)');
  }
  if (!(prefixS > 0 && afS > 0)) throw new RangeError('options.prefixS and afS must be > 0');
  if (!(cycleFactor > 0)) throw new RangeError('options.cycleFactor must be > 0');
  if (!(marginS >= 0)) throw new RangeError('options.marginS must be ≥ 0');
  if (!(suffixS >= 0)) throw new RangeError('options.suffixS must be ≥ 0');
  if (!Number.isFinite(options.seed)) throw new RangeError('options.seed must be finite');

  const src = atRate(source, fs);
  const rng = createRng(options.seed);
  const labels = maskBeatsInIntervals(src.peaks, src.labels, src.af);
  const cycleS = cycleFactor * sinusCycleS(src.peaks, labels, fs);
  const prefix = retimeBeats(src.ecgMv, src.peaks, labels, {
    fs,
    rng,
    cycleS,
    svebShare: options.svebShare,
    durationS: prefixS,
  });
  if (prefix === null || prefix.peaks.length === 0) return null;
  const post = Math.round(0.45 * fs);
  const afStart = Math.min(
    prefix.ecgMv.length,
    (prefix.peaks[prefix.peaks.length - 1] ?? 0) + post,
  );

  // The donor's AF part: a point drawn in the AF intervals long enough, then the first RR of at
  // least 600 ms after it (a TQ segment between the T wave and the next QRS).
  const don = atRate(donor, fs);
  const need = Math.round((afS + 2 * marginS) * fs);
  const long = don.af.filter(([s, e]) => e - s >= need);
  if (long.length === 0) return null;
  const [s0, e0] = long[Math.min(long.length - 1, Math.floor(rng.uniform() * long.length))] ?? [
    0, 0,
  ];
  const from = s0 + Math.round(marginS * fs) + Math.floor(rng.uniform() * (e0 - s0 - need + 1));
  const lastCut = e0 - Math.round((afS + marginS) * fs);
  let cut = -1;
  // Without a TQ segment (flutter with 2:1 conduction: every RR below 600 ms), the longest RR
  // whose R peak lies within 10 s of the drawn point.
  let longest = -1;
  let longestRr = 0;
  for (let k = 0; k + 1 < don.peaks.length; k++) {
    const r = don.peaks[k] ?? 0;
    const rr = (don.peaks[k + 1] ?? 0) - r;
    if (r < from) continue;
    const c = r + Math.round(0.65 * rr);
    if (c > lastCut) break;
    if (rr >= 0.6 * fs) {
      cut = c;
      break;
    }
    if (r < from + 10 * fs && rr > longestRr) {
      longest = c;
      longestRr = rr;
    }
  }
  if (cut < 0) cut = longest;
  if (cut < 0) return null;
  let afLen = Math.round(afS * fs);
  const half = Math.max(1, Math.round(0.02 * fs));
  const baseline = median(Array.from(don.ecgMv.subarray(cut - half, cut + half)));
  let endBaseline = baseline;
  if (suffixS > 0) {
    // The last RR of 600 ms or more in the part's second half, else its longest RR there.
    let end = -1;
    let longestEnd = -1;
    let longestRr = 0;
    for (let k = 0; k + 1 < don.peaks.length; k++) {
      const r = don.peaks[k] ?? 0;
      const rr = (don.peaks[k + 1] ?? 0) - r;
      const c = r + Math.round(0.65 * rr);
      if (c < cut + afLen / 2) continue;
      if (c > cut + afLen) break;
      if (rr >= 0.6 * fs) end = c;
      else if (rr >= longestRr) {
        longestEnd = c;
        longestRr = rr;
      }
    }
    if (end < 0) end = longestEnd;
    if (end <= cut) return null;
    afLen = end - cut;
    endBaseline = median(Array.from(don.ecgMv.subarray(end - half, end + half)));
  }
  const prefixQrsMv = medianQrsPeakToPeak(prefix.ecgMv, prefix.peaks, fs);
  const donorPeaks = Array.from(don.peaks).filter((p) => p >= cut && p < cut + afLen);
  const donorQrsMv = medianQrsPeakToPeak(don.ecgMv, donorPeaks, fs);
  const gain = donorQrsMv > 0 ? prefixQrsMv / donorQrsMv : 1;

  const suffix =
    suffixS > 0
      ? retimeBeats(src.ecgMv, src.peaks, labels, {
          fs,
          rng,
          cycleS,
          svebShare: options.svebShare,
          durationS: suffixS,
        })
      : null;
  if (suffixS > 0 && (suffix === null || suffix.peaks.length === 0)) return null;
  // The suffix from 600 ms before its first beat (its copies start 250 ms before the R peak).
  const suffixFrom = Math.max(0, (suffix?.peaks[0] ?? 0) - Math.round(0.6 * fs));
  const afEnd = afStart + afLen;
  const out = new Float64Array(afEnd + (suffix === null ? 0 : suffix.ecgMv.length - suffixFrom));
  out.set(prefix.ecgMv.subarray(0, afStart));
  for (let j = 0; j < afLen; j++) {
    const b = baseline + ((endBaseline - baseline) * j) / Math.max(1, afLen - 1);
    out[afStart + j] = gain * ((don.ecgMv[cut + j] ?? 0) - b);
  }
  const peaks: number[] = Array.from(prefix.peaks);
  const outLabels: number[] = Array.from(prefix.labels);
  don.peaks.forEach((p, k) => {
    if (p < cut || p >= cut + afLen) return;
    peaks.push(afStart + p - cut);
    outLabels.push(don.labels[k] ?? 0);
  });
  if (suffix !== null) {
    out.set(suffix.ecgMv.subarray(suffixFrom), afEnd);
    suffix.peaks.forEach((p, k) => {
      peaks.push(afEnd + p - suffixFrom);
      outLabels.push(suffix.labels[k] ?? 0);
    });
  }
  return {
    ecgMv: out,
    fs,
    peaks: Int32Array.from(peaks),
    labels: Int32Array.from(outLabels),
    afStart,
    afEnd,
    donorStartS: cut / fs,
    gain,
    prefixQrsMv,
  };
}

/** A source at `fs` (band-limited resampling, annotation positions scaled alike). */
function atRate(
  s: AfOnsetSource,
  fs: number,
): { ecgMv: Float64Array; peaks: Int32Array; labels: Int32Array; af: [number, number][] } {
  const k = fs / s.fs;
  const scale = (x: number): number => Math.round(x * k);
  return {
    ecgMv: s.fs === fs ? s.ecgMv : resample(s.ecgMv, s.fs, fs),
    peaks: Int32Array.from(s.peaks, scale),
    labels: Int32Array.from(s.labels),
    af: s.af.map(([a, b]) => [scale(a), scale(b)]),
  };
}

/** Median over beats of max − min of `x` within R ± 60 ms (the QRS's peak-to-peak), mV. */
function medianQrsPeakToPeak(
  x: Float64Array,
  peaks: Int32Array | readonly number[],
  fs: number,
): number {
  const w = Math.round(0.06 * fs);
  const p2p: number[] = [];
  for (const p of peaks) {
    const seg = x.subarray(Math.max(0, p - w), Math.min(x.length, p + w + 1));
    if (seg.length === 0) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of seg) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    p2p.push(hi - lo);
  }
  return median(p2p);
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1] ?? 0;
}
