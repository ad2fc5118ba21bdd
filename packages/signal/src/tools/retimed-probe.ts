import { createRng } from '../synth/create-rng.js';
import type { Rng } from '../synth/create-rng.js';
import { retimeBeats } from './retime-beats.js';
import type { RetimedBeats } from './retime-beats.js';

/** Median RR (s) of a record's N beats preceded by an N beat (class index 0): its sinus cycle. */
export function sinusCycleS(
  peaks: Int32Array | readonly number[],
  labels: Int32Array | readonly number[],
  fs: number,
): number {
  const rr: number[] = [];
  for (let i = 1; i < peaks.length; i++) {
    if (labels[i] === 0 && labels[i - 1] === 0) {
      rr.push(((peaks[i] ?? 0) - (peaks[i - 1] ?? 0)) / fs);
    }
  }
  rr.sort((a, b) => a - b);
  return rr[rr.length >> 1] ?? 1;
}

/** Seed of a probe: `base` plus a hash of the record's name and the probe's parameter in hundredths. */
function probeSeed(base: number, record: string, parameter: number): number {
  let h = 0;
  for (const ch of record) h = (h * 31 + ch.charCodeAt(0)) % 1_000_003;
  return base + 7919 * h + Math.round(100 * parameter);
}

/** SVEB shares of the SVEB-dominant probe. */
export const PROBE_SHARES = [0.3, 0.5, 0.75] as const;

/**
 * The SVEB-dominant probe of one record (train:beats, eval:cross-db): its own sinus beats and
 * SVEBs re-timed (retimeBeats) with SVEBs as `svebShare` of the beats, a sinus cycle 1.2 times
 * the record's, 5 min, from a seed fixed by the record and the share (apart from the seeds of
 * training's re-timed views). Null when the record has fewer than 5 SVEBs or sinus beats.
 */
export function retimedProbe(
  ecgMv: Float64Array,
  fs: number,
  peaks: Int32Array | readonly number[],
  labels: Int32Array | readonly number[],
  svebShare: number,
  record: string,
): RetimedBeats | null {
  const rng = createRng(probeSeed(1_000_003, record, svebShare));
  return retimeBeats(ecgMv, peaks, labels, {
    fs,
    rng,
    cycleS: 1.2 * sinusCycleS(peaks, labels, fs),
    svebShare,
    durationS: 300,
  });
}

/**
 * A training view of one record (train:beats `--augment retime`, train:af `--ectopy-views`): its
 * own sinus beats and SVEBs re-timed (retimeBeats) with a sinus cycle 1 to 1.4 times the
 * record's (a slower sinus rhythm between the premature runs, as in sick sinus syndrome) and
 * SVEBs a share of the beats drawn uniformly in `shareRange`, from `rng` (cycle first, then
 * share). Null when the record has fewer than 5 SVEBs or sinus beats.
 */
export function randomRetimedView(
  ecgMv: Float64Array,
  fs: number,
  peaks: Int32Array | readonly number[],
  labels: Int32Array | readonly number[],
  rng: Rng,
  shareRange: readonly [number, number],
  durationS: number,
): RetimedBeats | null {
  const cycleS = sinusCycleS(peaks, labels, fs) * (1 + 0.4 * rng.uniform());
  const svebShare = shareRange[0] + (shareRange[1] - shareRange[0]) * rng.uniform();
  return retimeBeats(ecgMv, peaks, labels, { fs, rng, cycleS, svebShare, durationS });
}

/** Depths of the sinus-arrhythmia probe: the RR swings by ± 5, 10 and 15 % with breathing. */
export const SINUS_ARRHYTHMIA_DEPTHS = [0.05, 0.1, 0.15] as const;

/**
 * The sinus-arrhythmia probe of one record (eval:cross-db): its own sinus beats re-timed
 * (retimeBeats, no premature beat) at the record's sinus cycle, modulated by breathing by
 * ± `depth` of the cycle over a breath of 3 to 6 s (drawn), 5 min, from a seed fixed by the record
 * and the depth. Every beat is N: an SVEB call is false, and so is AF. Null when the record has
 * fewer than 5 sinus beats.
 */
export function sinusArrhythmiaProbe(
  ecgMv: Float64Array,
  fs: number,
  peaks: Int32Array | readonly number[],
  labels: Int32Array | readonly number[],
  depth: number,
  record: string,
): RetimedBeats | null {
  const rng = createRng(probeSeed(2_000_003, record, depth));
  const periodS = 3 + 3 * rng.uniform();
  return retimeBeats(ecgMv, peaks, labels, {
    fs,
    rng,
    cycleS: sinusCycleS(peaks, labels, fs),
    svebShare: 0,
    durationS: 300,
    sinusArrhythmia: { depth, periodS },
  });
}

/** One kind of the ventricular-ectopy probe: the share of VEBs and their pattern. */
export interface VentricularProbeKind {
  /** Row label in eval:cross-db. */
  label: string;
  share: number;
  pattern: 'random' | 'regular';
}

/**
 * Kinds of the ventricular-ectopy probe: isolated PVCs at random as 10 and 20 % of the beats
 * (frequent PVCs: burdens of that order are the ones followed in clinic, a burden above 24 % goes
 * with a weaker left ventricle, Baman et al., Heart Rhythm 7:865, 2010), trigeminy (1 in 3)
 * and bigeminy (1 in 2): the patterned ones repeat a short-long RR pair, the RR signature an
 * irregularity measure reads as high while the rhythm is regular in its pattern.
 */
export const VENTRICULAR_PROBE_KINDS: readonly VentricularProbeKind[] = [
  { label: '10 % PVC', share: 0.1, pattern: 'random' },
  { label: '20 % PVC', share: 0.2, pattern: 'random' },
  { label: 'trigeminy', share: 1 / 3, pattern: 'regular' },
  { label: 'bigeminy', share: 0.5, pattern: 'regular' },
];

/**
 * The ventricular-ectopy probe of one record (eval:cross-db): its own sinus beats and VEBs
 * re-timed (retimeBeats `ventricular`) at the record's sinus cycle, the VEBs isolated and
 * premature (coupling 0.5 to 0.8 of the cycle) with a full compensatory pause, as `kind` says,
 * 5 min, from a seed fixed by the record and the kind. No AF: an AF call there is false. Null when
 * the record has fewer than 5 VEBs or sinus beats.
 */
export function ventricularEctopyProbe(
  ecgMv: Float64Array,
  fs: number,
  peaks: Int32Array | readonly number[],
  labels: Int32Array | readonly number[],
  kind: VentricularProbeKind,
  record: string,
): RetimedBeats | null {
  if (!(kind.share > 0 && kind.share <= 0.5))
    throw new RangeError('kind.share must be in (0, 0.5]');
  const rng = createRng(
    probeSeed(3_000_003, record, kind.share + (kind.pattern === 'regular' ? 1 : 0)),
  );
  return retimeBeats(ecgMv, peaks, labels, {
    fs,
    rng,
    cycleS: sinusCycleS(peaks, labels, fs),
    svebShare: 0,
    durationS: 300,
    ventricular: { share: kind.share, pattern: kind.pattern },
  });
}
