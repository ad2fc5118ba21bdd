import { SignalInputError } from '../errors.js';
import { createRng } from './create-rng.js';
import { createRrProcess, type RrProcessOptions } from './create-rr-process.js';

/** Kind of a synthetic beat: `N` conducted (sinus or AF), `V` premature ventricular. */
export type SynthBeatKind = 'N' | 'V';

/** One synthetic beat, reported once its R peak has been generated. */
export interface SynthBeat {
  /** Sample index of the R peak (the model's θ = 0 crossing, rounded), counted from the start. */
  sample: number;
  /** Time of the R peak in seconds since the start. */
  timeS: number;
  /** Interval from the previous R peak in ms; null for the first beat. */
  rrMs: number | null;
  kind: SynthBeatKind;
}

export interface EcgSynthOptions extends RrProcessOptions {
  /** Output sampling rate in Hz (required). */
  fs: number;
  /** Rhythm: `sinus` (RR from the LF/HF process) or `af` (irregular RR, no P waves,
   * fibrillatory baseline). Default `sinus`. */
  rhythm?: 'sinus' | 'af';
  /** Probability that a conducted beat is followed by a PVC. Default 0. */
  pvcProbability?: number;
  /** Coupling interval of a PVC as a fraction of the current RR. Default 0.6. */
  pvcCoupling?: number;
  /** Coefficient of variation of AF RR intervals (log-normal, independent). Default 0.2. */
  afRrCv?: number;
  /** Amplitude in mV of the AF fibrillatory (f) waves, 4–8 Hz. Default 0.05. */
  fibrillatoryWaveMv?: number;
  /** Standard deviation in mV of additive white Gaussian noise. Default 0. */
  noiseMv?: number;
  /** Amplitude in mV of the respiratory baseline wander (at `hfFrequencyHz`). Default 0. */
  baselineWanderMv?: number;
}

/** A streaming ECGSYN generator: produce any number of samples, in any chunking. */
export interface EcgSynth {
  readonly fs: number;
  /** Number of samples produced so far. */
  readonly samplesGenerated: number;
  /** Mean RR interval the sinus process was asked for, in seconds. */
  readonly meanRrS: number;
  /** The next `nSamples` samples in mV. */
  next(nSamples: number): Float64Array;
  /** Beats whose R peak lies in the samples produced so far and that were not taken before. */
  takeBeats(): SynthBeat[];
}

interface Wave {
  /** Angle θ_i of the wave's centre in rad (R is at 0). */
  theta: number;
  /** Amplitude a_i. */
  a: number;
  /** Width b_i in rad. */
  b: number;
  /** True for waves timed by the following RR interval (T), false for P, Q, R, S. */
  post: boolean;
}

interface ScheduledBeat {
  /** R-peak time, s. */
  t: number;
  kind: SynthBeatKind;
  waves: Wave[];
  /** Angular velocity (rad/s) of the waves up to the R peak: 2π / preceding RR. */
  omegaPre: number;
  /** Angular velocity of the waves after the R peak (T): 2π / following RR; 0 until known. */
  omegaPost: number;
  /** Time span (s) outside which every wave of the beat is cut off; set by `setSupport`. */
  tMin: number;
  tMax: number;
}

/** Sets the span of a beat whose angular velocities are known (skips it cheaply elsewhere). */
function setSupport(beat: ScheduledBeat): ScheduledBeat {
  let tMin = Infinity;
  let tMax = -Infinity;
  for (const wave of beat.waves) {
    const omega = wave.post ? beat.omegaPost : beat.omegaPre;
    tMin = Math.min(tMin, beat.t + (wave.theta - CUTOFF_WIDTHS * wave.b) / omega);
    tMax = Math.max(tMax, beat.t + (wave.theta + CUTOFF_WIDTHS * wave.b) / omega);
  }
  beat.tMin = tMin;
  beat.tMax = tMax;
  return beat;
}

const DEG = Math.PI / 180;
/** Internal integration rate floor in Hz; ECGSYN integrates at 512 Hz for 256 Hz output. */
const MIN_INTERNAL_FS = 500;
/** Gaussian terms beyond this many widths contribute < e^-12.5 and are skipped (speed). */
const CUTOFF_WIDTHS = 5;
/** ECGSYN scales its output to this range in mV (ecgsyn.c: zmin = -0.4, zmax = 1.2). */
const OUTPUT_RANGE_MV = 1.6;
/**
 * Q, R, S centres and widths in seconds (see `sinusWaves`): Q 22 ms before R, S 24 ms after,
 * Gaussian widths 8–9 ms, a QRS of about 80 ms (normal adult 70–100 ms; Macfarlane et al.,
 * Comprehensive Electrocardiology, 2nd ed., ch. 11).
 */
const QRS_TIMING = {
  q: { t: -0.022, sigma: 0.008 },
  r: { t: 0, sigma: 0.009 },
  s: { t: 0.024, sigma: 0.008 },
};
/**
 * P-wave centre before R in seconds at 60 bpm (ECGSYN's −70° of a 1-s cycle), and the exponent
 * of its shortening with rate: t_P = P_CENTRE_S × (60 / HR)^0.25, so the PR interval shortens
 * mildly with rate, as it does (about 10–20 ms from 60 to 140 bpm in adults; Atterhög & Loogna,
 * J Electrocardiol 1977), instead of in proportion to the cycle.
 */
const P_CENTRE_S = -0.194;
const P_RATE_EXPONENT = 0.25;

/**
 * P, Q, R, S, T after the reference implementation (ecgsyn.c, PhysioNet): angles −70°, −15°, 0°,
 * 15°, 100°; a = 1.2, −5, 30, −7.5, 0.75; b = 0.25, 0.1, 0.1, 0.1, 0.4 rad; widths scale with
 * f = √(HR/60), as ecgsyn.c does. Three departures, all because Vigil measures what ECGSYN's rate
 * scaling distorts:
 * - The P wave is placed in time (`P_CENTRE_S`), not at −70°·√f of the cycle: ecgsyn.c's angle
 *   puts the P peak 103 ms before R at 140 bpm (PR about 60 ms), so P ran into the QRS and the
 *   QRS onset found by `qrsDelineate` moved into the P wave (QRS read 150–165 ms from 120 bpm up,
 *   100 ms below). Its width and area stay ECGSYN's.
 * - Q, R and S are placed and sized in time (`QRS_TIMING`) rather than in phase: the published
 *   parameters give a QRS of ~120 ms at 60 bpm (a conduction-delay value) that shrinks with
 *   rate, while a real QRS is ~80–100 ms at any sinus rate. Their amplitudes keep ECGSYN's wave
 *   areas (z of a wave ∝ a·b²), so the PQRST proportions are unchanged.
 * - The T angle scales with f, so the R–T interval follows Bazett's QT ∝ √RR (Bazett 1920);
 *   ecgsyn.c keeps T at 100° of the cycle, which at 140 bpm puts it 120 ms after R, fused with
 *   the QRS.
 */
function sinusWaves(heartRateBpm: number, withP: boolean): Wave[] {
  const f = Math.sqrt(heartRateBpm / 60);
  const omega = (2 * Math.PI * heartRateBpm) / 60;
  const inTime = (timing: { t: number; sigma: number }, aEcgsyn: number): Wave => {
    const b = omega * timing.sigma;
    return { theta: omega * timing.t, a: aEcgsyn * ((0.1 * f) / b) ** 2, b, post: false };
  };
  return [
    {
      theta: omega * P_CENTRE_S * (60 / heartRateBpm) ** P_RATE_EXPONENT,
      a: withP ? 1.2 : 0,
      b: 0.25 * f,
      post: false,
    },
    inTime(QRS_TIMING.q, -5),
    inTime(QRS_TIMING.r, 30),
    inTime(QRS_TIMING.s, -7.5),
    { theta: 100 * DEG * f, a: 0.75, b: 0.4 * f, post: true },
  ];
}

/**
 * A premature ventricular beat: no P wave, a QRS about 2.5× wider (≥ 120 ms at usual rates) and
 * larger, and a T wave discordant to the QRS (inverted), the textbook PVC morphology
 * (Surawicz & Knilans, Chou's Electrocardiography, ch. 17). Amplitudes are set so the R wave is
 * about 1.5× a sinus R once the wider Gaussian is integrated (z ∝ a·b²/ω).
 */
function pvcWaves(heartRateBpm: number): Wave[] {
  const f = Math.sqrt(heartRateBpm / 60);
  return [
    { theta: -30 * DEG * f, a: -1.5, b: 0.25 * f, post: false },
    { theta: 0, a: 7, b: 0.25 * f, post: false },
    { theta: 40 * DEG * f, a: -2.5, b: 0.25 * f, post: false },
    { theta: 110 * DEG, a: -1.2, b: 0.45 * f, post: true },
  ];
}

/**
 * ż forcing of one beat at time `t`: every wave is timed by its own angular velocity, held for
 * the whole wave, so each Gaussian term integrates to zero and the baseline returns after every
 * beat however much RR changes (ecgsyn.c holds ω per RR interval instead, which leaves baseline
 * steps when RR jumps, as in AF or at a PVC). Amplitudes are scaled by ω/ω̄ so a wave keeps its
 * height in mV whatever the interval (z of one wave ∝ a·b²/ω).
 */
function beatForcing(t: number, beat: ScheduledBeat, omegaMean: number): number {
  if (t < beat.tMin || t > beat.tMax) return 0;
  let sum = 0;
  for (const wave of beat.waves) {
    const omega = wave.post ? beat.omegaPost : beat.omegaPre;
    const d = omega * (t - beat.t) - wave.theta;
    if (d > CUTOFF_WIDTHS * wave.b || d < -CUTOFF_WIDTHS * wave.b) continue;
    sum -= ((wave.a * omega) / omegaMean) * d * Math.exp((-0.5 * d * d) / (wave.b * wave.b));
  }
  return sum;
}

function check(field: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new SignalInputError(
      'INVALID_OPTION',
      `options.${field}`,
      `${field} must be within ${min}..${max}`,
    );
  }
}

/**
 * Streaming ECGSYN (McSharry et al., IEEE TBME 50(3):289–294, 2003). The model is a limit cycle
 * in (x, y) whose angular velocity is 2π/RR, with z pushed by Gaussian attractors at the P, Q, R,
 * S, T angles and pulled back to the baseline:
 *   ż = −Σ a_i Δθ_i exp(−Δθ_i² / 2b_i²) − (z − z0).
 * The trajectory starts on the unit circle, where the (x, y) equations reduce exactly to θ̇ = ω,
 * so θ is computed in closed form from the R-peak times (R peaks land exactly where the RR process
 * puts them; P, Q, R, S are timed by the preceding RR, T by the following one) and z is
 * integrated with classical RK4 at an internal rate ≥ 500 Hz, then decimated to `fs` as ecgsyn.c
 * does. The amplitude is scaled once, from a noise-free calibration cycle at the mean rate, to
 * ECGSYN's 1.6 mV peak-to-peak range (isoelectric line at 0 mV), so chunks of a stream are
 * consistent. Baseline wander, white noise and AF f-waves are added in mV after scaling. The
 * output is identical for any chunking of `next()`.
 *
 * Extensions for simulation (not in the paper): `rhythm: 'af'` draws independent log-normal RR
 * intervals (AF RR sequences are close to uncorrelated; Bootsma et al. 1970), drops the P wave and
 * adds 4–8 Hz fibrillatory waves; `pvcProbability` inserts premature wide beats with a full
 * compensatory pause (coupling + pause = 2 RR).
 */
export function createEcgSynth(options: EcgSynthOptions): EcgSynth {
  if (typeof options !== 'object') {
    throw new SignalInputError('INVALID_ARGUMENT', 'options', 'options must be an object');
  }
  const {
    fs,
    rhythm = 'sinus',
    pvcProbability = 0,
    pvcCoupling = 0.6,
    afRrCv = 0.2,
    fibrillatoryWaveMv = 0.05,
    noiseMv = 0,
    baselineWanderMv = 0,
    heartRateBpm = 60,
    hfFrequencyHz = 0.25,
    seed = 1,
  } = options;
  check('fs', fs, 1, 100_000);
  if (!(['sinus', 'af'] as string[]).includes(rhythm)) {
    throw new SignalInputError('INVALID_OPTION', 'options.rhythm', 'rhythm must be sinus or af');
  }
  check('pvcProbability', pvcProbability, 0, 1);
  check('pvcCoupling', pvcCoupling, 0.3, 0.95);
  check('afRrCv', afRrCv, 0, 1);
  check('fibrillatoryWaveMv', fibrillatoryWaveMv, 0, 10);
  check('noiseMv', noiseMv, 0, 10);
  check('baselineWanderMv', baselineWanderMv, 0, 10);
  const rr = createRrProcess({ ...options, heartRateBpm, hfFrequencyHz, seed });
  // Separate streams so that, e.g., adding noise does not change the RR sequence.
  const beatRng = createRng(seed ^ 0x5bd1e995);
  const noiseRng = createRng(seed ^ 0x27d4eb2f);
  const decimation = Math.max(1, Math.ceil(MIN_INTERNAL_FS / fs));
  const h = 1 / (fs * decimation);
  const normal = sinusWaves(heartRateBpm, rhythm === 'sinus');
  const pvc = pvcWaves(heartRateBpm);
  const wanderPhase = 2 * Math.PI * noiseRng.uniform();
  const fWaves = [5.1, 6.3, 7.4].map((hz) => ({
    omega: 2 * Math.PI * (hz + 0.4 * (noiseRng.uniform() - 0.5)),
    phase: 2 * Math.PI * noiseRng.uniform(),
  }));

  // Gain from one noise-free cycle at the mean rate, after two to settle the baseline.
  const { gain, offsetMv } = calibrate(normal, 60 / heartRateBpm, h);

  let pendingPvcPause: number | null = null;
  const drawRr = (at: number, previousKind: SynthBeatKind): { rr: number; kind: SynthBeatKind } => {
    if (pendingPvcPause !== null) {
      const pause = pendingPvcPause;
      pendingPvcPause = null;
      return { rr: pause, kind: 'N' };
    }
    let base: number;
    if (rhythm === 'af') {
      const sigma = Math.sqrt(Math.log(1 + afRrCv * afRrCv));
      base = rr.meanRrS * Math.exp(sigma * beatRng.normal() - (sigma * sigma) / 2);
      base = Math.min(Math.max(base, 0.25), 3);
    } else {
      base = rr.rrAt(at);
    }
    if (previousKind === 'N' && pvcProbability > 0 && beatRng.uniform() < pvcProbability) {
      const coupling = base * pvcCoupling;
      pendingPvcPause = 2 * base - coupling;
      return { rr: coupling, kind: 'V' };
    }
    return { rr: base, kind: 'N' };
  };

  const omegaMean = (2 * Math.PI) / rr.meanRrS;
  // The stream starts at a random point of a beat so the first R peak is not at sample 0.
  // `schedule` holds the beat before the current time and the next ones, at least two ahead, so
  // a beat's T wave (timed by the following RR) is known before it starts.
  const first = drawRr(0, 'N');
  const schedule: ScheduledBeat[] = [
    setSupport({
      t: -beatRng.uniform() * first.rr,
      kind: 'N',
      waves: normal,
      omegaPre: omegaMean,
      omegaPost: (2 * Math.PI) / first.rr,
      tMin: 0,
      tMax: 0,
    }),
  ];
  let nextKind = first.kind;
  let nextRr = first.rr;
  const extend = (): void => {
    const last = schedule[schedule.length - 1];
    if (last === undefined) return;
    const beat: ScheduledBeat = {
      t: last.t + nextRr,
      kind: nextKind,
      waves: nextKind === 'V' ? pvc : normal,
      omegaPre: (2 * Math.PI) / nextRr,
      omegaPost: 0,
      tMin: 0,
      tMax: 0,
    };
    const drawn = drawRr(beat.t, beat.kind);
    beat.omegaPost = (2 * Math.PI) / drawn.rr;
    nextKind = drawn.kind;
    nextRr = drawn.rr;
    schedule.push(setSupport(beat));
  };
  let previousR: number | null = null;
  const beats: SynthBeat[] = [];
  /** Reports beats whose R peak is at or before `t` and keeps the schedule two beats ahead. */
  const advance = (t: number): void => {
    for (;;) {
      while (schedule.length < 4) extend();
      // schedule[0] is already reported (or before the start); schedule[1] is the next R peak.
      const next = schedule[1];
      if (next === undefined || next.t > t) return;
      if (next.t >= 0) {
        beats.push({
          sample: Math.round(next.t * fs),
          timeS: next.t,
          rrMs: previousR === null ? null : (next.t - previousR) * 1000,
          kind: next.kind,
        });
        previousR = next.t;
      }
      schedule.shift();
    }
  };
  const dzdt = (t: number, z: number): number => {
    let sum = -z;
    for (const beat of schedule) sum += beatForcing(t, beat, omegaMean);
    return sum;
  };

  let z = 0;
  let step = 0;
  let produced = 0;
  // Samples produced in the past whose beats have not been taken; beats are reported only once
  // their sample has been produced.
  return {
    fs,
    meanRrS: rr.meanRrS,
    get samplesGenerated(): number {
      return produced;
    },
    next(nSamples: number): Float64Array {
      if (!Number.isInteger(nSamples) || nSamples < 0) {
        throw new SignalInputError(
          'INVALID_ARGUMENT',
          'nSamples',
          'nSamples must be an integer >= 0',
        );
      }
      const out = new Float64Array(nSamples);
      for (let i = 0; i < nSamples; i++) {
        const t0 = (produced + i) / fs;
        let value = gain * z + offsetMv;
        if (baselineWanderMv > 0) {
          value += baselineWanderMv * Math.sin(2 * Math.PI * hfFrequencyHz * t0 + wanderPhase);
        }
        if (rhythm === 'af' && fibrillatoryWaveMv > 0) {
          // Slow amplitude modulation keeps the f-waves from looking like a pure tone.
          const envelope = 0.6 + 0.4 * Math.sin(2 * Math.PI * 0.13 * t0 + wanderPhase);
          let f = 0;
          for (const wave of fWaves) f += Math.sin(wave.omega * t0 + wave.phase);
          value += (fibrillatoryWaveMv * envelope * f) / fWaves.length;
        }
        if (noiseMv > 0) value += noiseMv * noiseRng.normal();
        out[i] = value;
        for (let k = 0; k < decimation; k++) {
          const t = step * h;
          advance(t);
          const k1 = dzdt(t, z);
          const k2 = dzdt(t + h / 2, z + (h / 2) * k1);
          const k3 = dzdt(t + h / 2, z + (h / 2) * k2);
          const k4 = dzdt(t + h, z + h * k3);
          z += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
          step++;
        }
      }
      produced += nSamples;
      advance(produced / fs - h / 2);
      return out;
    },
    takeBeats(): SynthBeat[] {
      const ready: SynthBeat[] = [];
      while (beats.length > 0 && (beats[0]?.sample ?? Infinity) < produced) {
        const beat = beats.shift();
        if (beat) ready.push(beat);
      }
      return ready;
    },
  };
}

/**
 * Gain (mV per unit z) mapping one settled noise-free cycle at `rrS` onto 1.6 mV peak to peak,
 * and the offset that puts the isoelectric line (TP segment) at 0 mV. The −z term makes z zero-mean over
 * a cycle (a 0.16 Hz high-pass), so without the offset the baseline sits below 0 by the P and T
 * areas.
 */
function calibrate(waves: Wave[], rrS: number, h: number): { gain: number; offsetMv: number } {
  const omega = (2 * Math.PI) / rrS;
  const beats: ScheduledBeat[] = [-1, 0, 1, 2, 3, 4].map((k) =>
    setSupport({
      t: k * rrS,
      kind: 'N',
      waves,
      omegaPre: omega,
      omegaPost: omega,
      tMin: 0,
      tMax: 0,
    }),
  );
  const f = (t: number, z: number): number => {
    let sum = -z;
    for (const beat of beats) sum += beatForcing(t, beat, omega);
    return sum;
  };
  let z = 0;
  let min = Infinity;
  let max = -Infinity;
  let isoelectric = 0;
  const steps = Math.round(rrS / h);
  let quietest = Infinity;
  // Three cycles settle the baseline; the fourth (starting half a cycle before an R) is measured.
  for (let s = 0; s < 4 * steps; s++) {
    const t = s * h - rrS / 2;
    const k1 = f(t, z);
    const k2 = f(t + h / 2, z + (h / 2) * k1);
    const k3 = f(t + h / 2, z + (h / 2) * k2);
    const k4 = f(t + h, z + h * k3);
    z += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    if (s >= 3 * steps) {
      min = Math.min(min, z);
      max = Math.max(max, z);
    }
    if (s >= 3 * steps) {
      // The isoelectric level is read where the waves are quietest (the TP segment, or the
      // P–T junction when they overlap at high rates).
      let envelope = 0;
      for (const beat of beats) {
        for (const wave of beat.waves) {
          const d = omega * (t + h - beat.t) - wave.theta;
          envelope += Math.abs(wave.a) * Math.exp((-0.5 * d * d) / (wave.b * wave.b));
        }
      }
      if (envelope < quietest) {
        quietest = envelope;
        isoelectric = z;
      }
    }
  }
  const gain = OUTPUT_RANGE_MV / (max - min);
  return { gain, offsetMv: -gain * isoelectric };
}
