import type { Rng } from '../synth/create-rng.js';

export interface RetimeBeatsOptions {
  /** Sampling rate of `ecgMv` in Hz (required). */
  fs: number;
  /** Source of randomness (required): the same seed gives the same record. */
  rng: Rng;
  /**
   * Share of the output beats that are supraventricular premature beats (0..1, below 1),
   * default 0.75. The runs of premature beats between sinus beats are geometric with mean
   * share / (1 − share) beats, so this is the expected share.
   */
  svebShare?: number;
  /** Sinus cycle of the output in s (required, > 0): the RR of two sinus beats in a row. */
  cycleS: number;
  /**
   * Coupling interval of a premature beat (its pre RR, to a sinus or a premature beat) as a
   * share of the sinus cycle, drawn uniformly in this range, default [0.65, 0.8]: atrial
   * premature beats come at 50 to 85 % of the sinus cycle (coupling of conducted APBs,
   * e.g. Killip & Gault, Am Heart J 70:172, 1965); the range stays clear of sinus arrhythmia.
   */
  couplingRange?: readonly [number, number];
  /**
   * Pause after the last premature beat of a run, before the next sinus beat, as a share of the
   * sinus cycle, drawn uniformly in this range, default [1.0, 2.5]: an APB resets the sinus node
   * (a pause of about one cycle), and in sick sinus syndrome the pauses after premature beats are
   * long (several seconds).
   */
  pauseRange?: readonly [number, number];
  /** Length of the output in s, default 180. */
  durationS?: number;
  /**
   * Respiratory sinus arrhythmia of the sinus rhythm, default none: the cycle of a sinus beat
   * following a sinus beat becomes cycleS × (1 + depth × sin(2π t / periodS + phase)), phase drawn
   * from `rng`, before the ± 5 % jitter. The RR then lengthens and shortens gradually with
   * breathing, by up to ± depth of the cycle: sinus rhythm with a gradual shortening that is not
   * premature beats. Its size grows with the depth and slowness of breathing (Hirsch & Bishop,
   * Am J Physiol 241:H620, 1981) and is largest in the young. With `svebShare` 0 the source needs
   * no SVEB.
   */
  sinusArrhythmia?: { depth: number; periodS: number };
  /**
   * Premature ventricular beats instead of SVEBs, default none (then `svebShare` must be 0): copies
   * of the source's VEBs as `share` of the output beats (0..0.5), each one premature after a sinus
   * beat at a coupling drawn uniformly in `couplingRange` of the cycle (default [0.5, 0.8]: clearly
   * premature, below the 0.85 of the deepest sinus arrhythmia probe, and later than the R-on-T
   * couplings under 0.5 that are rare), and followed by a full compensatory pause: the next sinus
   * beat comes two sinus cycles (± 5 %) after the sinus beat before the VEB, because a VEB does not
   * reset the sinus node (the sinus impulse meets a refractory ventricle; the classic sign that
   * tells a PVC from an APB, e.g. Goldberger, Clinical Electrocardiography, "Ventricular
   * arrhythmias"). `pattern` 'random' (default): after each sinus beat a VEB with probability
   * share / (1 − share), so VEBs are isolated and `share` is their expected share; 'regular': a VEB
   * after every (1 / share − 1)-th sinus beat, share 1/2 bigeminy, 1/3 trigeminy (share must be 1/k).
   */
  ventricular?: {
    share: number;
    pattern?: 'random' | 'regular';
    couplingRange?: readonly [number, number];
  };
}

export interface RetimedBeats {
  /** The re-timed ECG, mV, `fs` as the source. */
  ecgMv: Float64Array;
  /** R peaks of the output, sample indices. */
  peaks: Int32Array;
  /** Class index of each output beat: 0 (N, a sinus beat), 1 (SVEB) or 2 (VEB, with `ventricular`). */
  labels: Int32Array;
}

/** Class indices of the labels (as beat-dataset's CLASS_INDEX). */
const N = 0;
const SVEB = 1;
const VEB = 2;

/**
 * A semi-synthetic record in which supraventricular premature beats may outnumber sinus beats,
 * built from one real record's own beats: each output beat is a copy of a real sinus beat (an N
 * beat between two N beats) or of a real SVEB of the source, from 250 ms before its R peak (its P
 * wave) to 450 ms after it (its T wave), baseline-corrected, placed at a new R time. The rhythm
 * is a sinus beat, then a run of premature beats at coupling intervals, then a pause, then the
 * next sinus beat; with no run, the next sinus beat follows at the sinus cycle (± 5 %).
 *
 * Why: the beat features are relative to the patient's running rhythm (median RR), which is the
 * premature beats' own when they outnumber sinus beats, as in sick sinus syndrome with frequent
 * atrial premature beats (issue 18: one unseen record held 1,382 SVEBs and few sinus beats, and
 * 19 of its SVEBs were found). No such record is in the development data (the most SVEB-rich
 * holds 18 %), so re-timed real beats let the model learn, and the cross-validation measure,
 * that context. Only the timing is synthetic: every QRS, P and T wave is the source's.
 *
 * With `ventricular`, the premature beats are the source's VEBs, isolated, each followed by a
 * compensatory pause: sinus rhythm with frequent PVCs (random, bigeminy, trigeminy), the other
 * "irregular but not AF" case of a clinic (issue 18).
 *
 * @returns null when the source has fewer than 5 usable sinus beats, or fewer than 5 SVEBs while
 *   `svebShare` > 0, or fewer than 5 VEBs with `ventricular`
 */
export function retimeBeats(
  ecgMv: Float64Array,
  peaks: Int32Array | readonly number[],
  labels: Int32Array | readonly number[],
  options: RetimeBeatsOptions,
): RetimedBeats | null {
  if (peaks.length !== labels.length) throw new RangeError('peaks and labels differ in length');
  const { fs, rng, cycleS } = options;
  if (!(fs > 0)) throw new RangeError('options.fs must be > 0');
  if (!(cycleS > 0)) throw new RangeError('options.cycleS must be > 0');
  const share = options.svebShare ?? 0.75;
  if (!(share >= 0 && share < 1)) throw new RangeError('options.svebShare must be within 0..1');
  const [c0, c1] = options.couplingRange ?? [0.65, 0.8];
  const [p0, p1] = options.pauseRange ?? [1.0, 2.5];
  if (!(c0 > 0 && c1 >= c0)) throw new RangeError('options.couplingRange must be 0 < lo <= hi');
  if (!(p0 > 0 && p1 >= p0)) throw new RangeError('options.pauseRange must be 0 < lo <= hi');
  const durationS = options.durationS ?? 180;
  if (!(durationS > 0)) throw new RangeError('options.durationS must be > 0');
  const rsa = options.sinusArrhythmia ?? { depth: 0, periodS: 1 };
  if (!(rsa.depth >= 0 && rsa.depth < 1)) {
    throw new RangeError('options.sinusArrhythmia.depth must be within 0..1');
  }
  if (!(rsa.periodS > 0)) throw new RangeError('options.sinusArrhythmia.periodS must be > 0');
  const ven = options.ventricular;
  const vebShare = ven?.share ?? 0;
  const regularEvery = ven?.pattern === 'regular' ? Math.round(1 / vebShare) : 0;
  if (ven !== undefined) {
    if (!(vebShare > 0 && vebShare <= 0.5)) {
      throw new RangeError('options.ventricular.share must be within (0, 0.5]');
    }
    if (share !== 0) throw new RangeError('options.svebShare must be 0 with options.ventricular');
    if (regularEvery > 0 && Math.abs(1 / regularEvery - vebShare) > 0.01) {
      throw new RangeError('options.ventricular.share must be 1/k with the regular pattern');
    }
  }
  const [v0, v1] = ven?.couplingRange ?? [0.5, 0.8];
  if (!(v0 > 0 && v1 >= v0 && v1 < 1)) {
    throw new RangeError('options.ventricular.couplingRange must be 0 < lo <= hi < 1');
  }

  const pre = Math.round(0.25 * fs);
  const post = Math.round(0.45 * fs);
  const edge = Math.max(1, Math.round(0.02 * fs));
  const taper = Math.max(1, Math.round(0.04 * fs));
  const sinus: Float64Array[] = [];
  const premature: Float64Array[] = [];
  for (let i = 1; i < peaks.length - 1; i++) {
    const label = labels[i];
    const p = peaks[i] ?? 0;
    if (p - pre < 0 || p + post > ecgMv.length) continue;
    const isSinus = label === N && labels[i - 1] === N && labels[i + 1] === N;
    if (!isSinus && label !== (ven === undefined ? SVEB : VEB)) continue;
    // The copy reaches into the neighbours only when they are closer than 250 / 450 ms; a
    // premature beat's own P wave may sit on the previous T wave, as in the source.
    const x = ecgMv.slice(p - pre, p + post);
    // Baseline: the line through the medians of the first and last 20 ms, so that copies join
    // a flat baseline without steps.
    const a = edgeMedian(x, 0, edge);
    const b = edgeMedian(x, x.length - edge, x.length);
    for (let j = 0; j < x.length; j++) x[j] = (x[j] ?? 0) - (a + ((b - a) * j) / (x.length - 1));
    // Raised-cosine ends (40 ms): where copies overlap (couplings under 700 ms) they cross-fade
    // instead of stacking two copies of the same stretch at full height.
    for (let j = 0; j < taper; j++) {
      const w = 0.5 - 0.5 * Math.cos((Math.PI * (j + 0.5)) / taper);
      x[j] = (x[j] ?? 0) * w;
      x[x.length - 1 - j] = (x[x.length - 1 - j] ?? 0) * w;
    }
    (isSinus ? sinus : premature).push(x);
  }
  if (sinus.length < 5 || ((share > 0 || ven !== undefined) && premature.length < 5)) return null;

  const pick = (from: Float64Array[]): Float64Array =>
    from[Math.min(from.length - 1, Math.floor(rng.uniform() * from.length))] ?? new Float64Array(0);
  const uniform = (lo: number, hi: number): number => lo + (hi - lo) * rng.uniform();
  const continueRun = share; // P(run goes on): a geometric run of mean share / (1 - share)
  const times: number[] = [];
  const classes: number[] = [];
  const copies: Float64Array[] = [];
  // Drawn only with a modulation, so that the records without one keep their seeds' draws.
  const phase = rsa.depth > 0 ? 2 * Math.PI * rng.uniform() : 0;
  /** The sinus cycle (s) at time t, with the breathing modulation. */
  const sinusCycleAt = (time: number): number =>
    cycleS * (1 + rsa.depth * Math.sin((2 * Math.PI * time) / rsa.periodS + phase));
  let t = 1;
  // VEB after a sinus beat: with probability share / (1 - share) (random), or after every
  // (k - 1)-th sinus beat (regular, share 1/k).
  const vebAfterSinus = vebShare / (1 - vebShare);
  let sinceVeb = 0;
  while (t < durationS - 1) {
    times.push(t);
    classes.push(N);
    copies.push(pick(sinus));
    if (ven !== undefined) {
      const cycle = sinusCycleAt(t);
      sinceVeb++;
      const veb = regularEvery > 0 ? sinceVeb >= regularEvery - 1 : rng.uniform() < vebAfterSinus;
      if (!veb) {
        t += cycle * uniform(0.95, 1.05);
        continue;
      }
      sinceVeb = 0;
      const coupling = cycle * uniform(v0, v1);
      // Full compensatory pause: the sinus node keeps its rhythm through the VEB.
      const twoCycles = 2 * cycle * uniform(0.95, 1.05);
      if (t + coupling < durationS - 1) {
        times.push(t + coupling);
        classes.push(VEB);
        copies.push(pick(premature));
      }
      t += twoCycles;
      continue;
    }
    let run = 0;
    while (rng.uniform() < continueRun) run++;
    if (run === 0) {
      t += sinusCycleAt(t) * uniform(0.95, 1.05);
      continue;
    }
    for (let j = 0; j < run && t < durationS - 1; j++) {
      t += cycleS * uniform(c0, c1);
      times.push(t);
      classes.push(SVEB);
      copies.push(pick(premature));
    }
    t += cycleS * uniform(p0, p1);
  }
  const out = new Float64Array(Math.ceil((t + 1) * fs) + post);
  const outPeaks = new Int32Array(times.length);
  times.forEach((tt, k) => {
    const r = Math.round(tt * fs);
    outPeaks[k] = r;
    const x = copies[k] ?? new Float64Array(0);
    for (let j = 0; j < x.length; j++) {
      const at = r - pre + j;
      if (at >= 0 && at < out.length) out[at] = (out[at] ?? 0) + (x[j] ?? 0);
    }
  });
  return { ecgMv: out, peaks: outPeaks, labels: Int32Array.from(classes) };
}

/** Median of x[from, to). */
function edgeMedian(x: Float64Array, from: number, to: number): number {
  const v = Array.from(x.subarray(from, to)).sort((p, q) => p - q);
  return v[v.length >> 1] ?? 0;
}
