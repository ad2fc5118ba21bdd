import { SignalInputError } from '../errors.js';
import { createEpisodeHistory, EPISODE_HISTORY_DEFAULT } from './create-episode-history.js';
import { sortSmallInPlace } from '../sort-small-in-place.js';
import shippedAfModel from './model/af-window-model.json' with { type: 'json' };
import type { BeatClass, RhythmEpisode, RhythmKind } from './types.js';

/**
 * Names of the short-window AF features the tracker measures (an `AfWindowModel` weighs those it
 * names, in its own order). Over the window's intervals (those touching Q beats left out):
 * normalised RMSSD, share of successive differences above 8% of the mean RR, share explained by
 * ectopy, turning-point ratio, the P-wave coherence, the template correlation and whether there is
 * a template; coefficient of variation; Poincaré SD1 / SD2 (near 1 for the scatter of AF, small
 * for the slow swings of sinus arrhythmia); median |ΔRR| / mean RR; sample entropy (m = 1,
 * tolerance 8% of the mean RR, match counts smoothed by 1/2 so 12 intervals give a finite value;
 * after Lake & Moorman 2011, whose coefficient of sample entropy adds the log mean RR, the next
 * feature); ln(mean RR in s); the mean P-wave coherence over the window's beats;
 * (longest - shortest RR) / mean RR; and three measures that tell ectopy from AF: the share of
 * the window's beats the beat classifier calls ectopic (SVEB, VEB, F; capped at 1/3), the normalised RMSSD of
 * the intervals between beats it calls N (successive pairs of such intervals; the window's own
 * when fewer than 4 pairs), and the share of the sorted intervals' span lying in gaps wider than
 * 8% of the mean RR (AF fills its range, ectopy clusters); and the mean over the window's beats
 * of the atrial activity left after average-beat subtraction, relative to the QRS amplitude
 * (`createAtrialActivityTracker`'s `atrialResidual`; 0 when not passed); and the means over the
 * window's beats of the dominant atrial frequency in Hz and the spectral concentration around it
 * of the TQ residual after QRST cancellation (`createAtrialActivityTracker`'s `atrialSpectrum`;
 * 0 when not passed). The shipped model names none of the last three (README).
 */
export const AF_WINDOW_FEATURES = [
  'nrmssd',
  'largeDiffShare',
  'ectopyShare',
  'turningPointRatio',
  'coherence',
  'templateCorrelation',
  'hasTemplate',
  'cv',
  'sd1sd2',
  'medianAbsDiff',
  'sampEn',
  'logMeanRr',
  'meanCoherence',
  'rangeRatio',
  'ectopicBeatShare',
  'cleanNrmssd',
  'rrGapShare',
  'atrialResidual',
  'atrialDominantFrequency',
  'atrialConcentration',
] as const;

export type AfWindowFeature = (typeof AF_WINDOW_FEATURES)[number];

/**
 * Logistic model of the short-window AF decision: p = 1 / (1 + exp(-(bias + Σ weights[j] ·
 * (f[j] - mean[j]) / std[j]))) over the features `AF_WINDOW_FEATURES`; AF when p > threshold.
 */
export interface AfWindowLogisticModel {
  format: 'vigil-af-window-logistic-1';
  featureNames: readonly string[];
  mean: readonly number[];
  std: readonly number[];
  weights: readonly number[];
  bias: number;
  threshold: number;
  /**
   * Options of the atrial spectrum the model's `atrialDominantFrequency` / `atrialConcentration`
   * were trained on (`atrialSpectrum`'s band and `whiten`; optional, default its defaults). The
   * monitor measures the spectrum with them.
   */
  atrialSpectrum?: AfWindowSpectrumOptions;
}

/** `atrialSpectrum` options an AF window model may name (`AfWindowModel.atrialSpectrum`). */
export interface AfWindowSpectrumOptions {
  bandLowHz?: number;
  bandHighHz?: number;
  whiten?: boolean;
}

/**
 * One-hidden-layer perceptron of the short-window AF decision: with x[j] = (f[j] - mean[j]) /
 * std[j] clipped to ±8 (as in training), h[k] = tanh(b1[k] + Σ w1[k · d + j] · x[j]) and p =
 * 1 / (1 + exp(-(b2 + Σ w2[k] · h[k]))); AF when p > threshold. Feature interactions (e.g. an
 * irregular window counts as AF at a high P-wave coherence only when its order is random) are
 * beyond the logistic model.
 */
export interface AfWindowMlpModel {
  format: 'vigil-af-window-mlp-1';
  featureNames: readonly string[];
  mean: readonly number[];
  std: readonly number[];
  /** Hidden units. */
  hidden: number;
  /** `hidden` rows of `featureNames.length` weights, row-major. */
  w1: readonly number[];
  b1: readonly number[];
  /** One weight per hidden unit. */
  w2: readonly number[];
  b2: number;
  threshold: number;
  /**
   * Further members of an ensemble (optional): networks of the same shape trained on the same
   * rows (so the same `mean` / `std`) from other seeds; p is the mean of every member's p, this
   * model's own included.
   */
  members?: readonly AfWindowMlpMember[];
  /**
   * Options of the atrial spectrum the model's `atrialDominantFrequency` / `atrialConcentration`
   * were trained on (`atrialSpectrum`'s band and `whiten`; optional, default its defaults). The
   * monitor measures the spectrum with them.
   */
  atrialSpectrum?: AfWindowSpectrumOptions;
  /** How the model was trained (provenance, not read by the tracker). */
  training?: Record<string, unknown>;
}

/** Weights of one further ensemble member (shapes as in `AfWindowMlpModel`). */
export interface AfWindowMlpMember {
  w1: readonly number[];
  b1: readonly number[];
  w2: readonly number[];
  b2: number;
}

export type AfWindowModel = AfWindowLogisticModel | AfWindowMlpModel;

function isSpectrumOptions(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return (
    (o.bandLowHz === undefined || typeof o.bandLowHz === 'number') &&
    (o.bandHighHz === undefined || typeof o.bandHighHz === 'number') &&
    (o.whiten === undefined || typeof o.whiten === 'boolean')
  );
}

/** A short-window AF model (`npm run train:af`), or null when `json` is not one. */
export function asAfWindowModel(json: unknown): AfWindowModel | null {
  if (json === null || typeof json !== 'object') return null;
  const m = json as Record<string, unknown>;
  const names = m.featureNames;
  const d = Array.isArray(names) ? names.length : -1;
  const numbers = (a: unknown, n: number): boolean =>
    Array.isArray(a) && a.length === n && a.every((v) => typeof v === 'number');
  if (
    !Array.isArray(names) ||
    d === 0 ||
    !names.every((n) => AF_WINDOW_FEATURES.includes(n as AfWindowFeature)) ||
    !numbers(m.mean, d) ||
    !numbers(m.std, d) ||
    typeof m.threshold !== 'number' ||
    !(m.atrialSpectrum === undefined || isSpectrumOptions(m.atrialSpectrum))
  ) {
    return null;
  }
  if (m.format === 'vigil-af-window-logistic-1') {
    return numbers(m.weights, d) && typeof m.bias === 'number'
      ? (m as unknown as AfWindowLogisticModel)
      : null;
  }
  if (m.format === 'vigil-af-window-mlp-1') {
    const h = m.hidden;
    if (typeof h !== 'number' || !Number.isInteger(h) || h <= 0) return null;
    const net = (n: Record<string, unknown>): boolean =>
      numbers(n.w1, h * d) && numbers(n.b1, h) && numbers(n.w2, h) && typeof n.b2 === 'number';
    const members = m.members ?? [];
    return net(m) &&
      Array.isArray(members) &&
      members.every((n) => n !== null && typeof n === 'object' && net(n as Record<string, unknown>))
      ? (m as unknown as AfWindowMlpModel)
      : null;
  }
  return null;
}

/**
 * The model's probability that a window is AF, from the features in `AF_WINDOW_FEATURES` order
 * (`feat`), `idx` mapping the model's features to their index there and `inputs` scratch for
 * the perceptron's standardised inputs (at least `idx.length` long).
 */
function afProbability(
  model: AfWindowModel,
  feat: Float64Array,
  idx: readonly number[],
  inputs: Float64Array,
): number {
  const d = idx.length;
  if (model.format === 'vigil-af-window-logistic-1') {
    let z = model.bias;
    for (let j = 0; j < d; j++) {
      z +=
        ((model.weights[j] ?? 0) * ((feat[idx[j] ?? 0] ?? 0) - (model.mean[j] ?? 0))) /
        (model.std[j] ?? 1);
    }
    return 1 / (1 + Math.exp(-z));
  }
  for (let j = 0; j < d; j++) {
    const v = ((feat[idx[j] ?? 0] ?? 0) - (model.mean[j] ?? 0)) / (model.std[j] ?? 1);
    inputs[j] = Math.max(-8, Math.min(8, v));
  }
  const net = (n: AfWindowMlpMember): number => {
    let z = n.b2;
    for (let k = 0; k < model.hidden; k++) {
      let s = n.b1[k] ?? 0;
      const row = k * d;
      for (let j = 0; j < d; j++) s += (n.w1[row + j] ?? 0) * (inputs[j] ?? 0);
      z += (n.w2[k] ?? 0) * Math.tanh(s);
    }
    return 1 / (1 + Math.exp(-z));
  };
  let p = net(model);
  const members = model.members ?? [];
  for (const m of members) p += net(m);
  return p / (1 + members.length);
}

/**
 * Default `afMinDurationMs`: an AF run is an episode (and the live monitor's alarm) once it has
 * lasted 30 s, the clinical definition of an AF episode (ESC 2020 AF guidelines).
 */
export const AF_MIN_DURATION_MS = 30000;

export interface RhythmTrackerOptions {
  /** Sampling rate in Hz (required). */
  fs: number;
  /**
   * Closed episodes `episodes` keeps, default 1000 (every open one is always kept; `Infinity`
   * keeps them all, as `analyzeArrhythmia` does for a finite record). A live stream runs for days
   * and reads each push's episodes, so the history is bounded (`createEpisodeHistory`).
   */
  episodeHistory?: number;
  /** RR intervals per AF analysis window, default 32 (about 30 s at 60 bpm). */
  afWindowBeats?: number;
  /**
   * AF when the window's RMSSD / mean RR (of intervals between non-ventricular beats, the
   * 1/16 shortest and longest trimmed) exceeds this, default 0.1 (Dash et al., Ann Biomed Eng
   * 2009, use the same normalised RMSSD threshold) ...
   */
  afNrmssd?: number;
  /** ... and more than this share of successive RR differences exceed 8% of the mean RR, default 0.3. */
  afLargeDiffShare?: number;
  /** Also leave out intervals touching SVEB beats, default false. */
  afExcludeSveb?: boolean;
  /**
   * Consecutive AF (non-AF) window decisions that open (close) an AF episode, default 6 (chosen
   * with the perceptron model on the CinC 2017 development strips, DS1 and CPSC 2021: 8 bridged
   * a 14-s sinus gap between two paroxysms of a CPSC 2021 development record).
   */
  afHysteresisBeats?: number;
  /**
   * An open AF episode whose AF decisions span at least `afEndHoldAfterMs` closes only when its
   * run of consecutive non-AF decisions (at least `afHysteresisBeats` of them) also spans this
   * many ms, from the first non-AF decision's beat to the latest, default 10000 (0: the
   * hysteresis alone). Its end is still its last AF decision; only the closing waits. Why: in
   * continuous AF a stretch of less irregular RR whose pre-QRS segments line up (T-wave tails,
   * f waves; P-wave coherence 0.3 -> 0.8) reads as a few seconds of non-AF decisions, and 6 of
   * them (3 s at 110 bpm) split the simulated AF patient's AF in two (9 of 20 simulated AF
   * devices over 10 min). Development rows (README): reference AF episodes split into several
   * 5 -> 0 of 36 (DS1, CPSC 2021), every other AF figure of `eval:cross-db --only dev` the same.
   */
  afEndHoldMs?: number;
  /**
   * `afEndHoldMs` holds an episode open only once its AF decisions span this many ms (its start
   * to its latest AF decision), default 60000; a shorter episode closes on the hysteresis alone.
   */
  afEndHoldAfterMs?: number;
  /**
   * RR intervals per window of the second, short-window AF path, default 12 (0 turns the path
   * off). A short window is called AF when its intervals meet the same irregularity criteria
   * (`afNrmssd`, `afLargeDiffShare`), is not explained by ectopy (`afEctopyShare`) and P waves
   * are absent: the P-wave score passed with the
   * window's last beat is below `afPWaveScoreMax`. Because absent P waves are required, the short
   * path also uses intervals touching ventricular and fusion beats (ectopy in sinus rhythm keeps
   * its P waves; AF beats mislabelled VEB at fast rates do not hide the irregularity). Without
   * P-wave scores the path is idle.
   */
  afShortWindowBeats?: number;
  /** P-wave score (see `push`) below which P waves count as absent, default 0.5. */
  afPWaveScoreMax?: number;
  /**
   * Short-window decision by a model (default: the shipped one, an ensemble of five perceptrons
   * of 8 tanh units trained by `npm run train:af` on MIT-BIH DS1, CPSC 2021 development patients
   * and the odd-numbered CinC 2017 strips; a logistic model is accepted too) instead of the two
   * thresholds above: it weighs the window's measures named in
   * `AF_WINDOW_FEATURES` — RR irregularity (normalised RMSSD, share of large successive
   * differences, coefficient of variation, SD1 / SD2, sample entropy, range, median |ΔRR|), order
   * (turning-point ratio: near 2/3 for the random order of AF, lower for the smooth swings of
   * sinus arrhythmia), share explained by ectopy, rate, and the P-wave coherence and template
   * correlation of its last beats, so a very irregular window
   * with some residual P-wave coherence (a noisy strip in AF) and a smoothly varying one with
   * absent-looking P waves are both told apart. Uses `shortPathPWaveScore` of `push` as the
   * coherence and `pWaveScore` as the template correlation (only one given: it is the coherence);
   * idle without either. null: the threshold rule.
   */
  afShortModel?: AfWindowModel | null;
  /**
   * The model calls a window AF only while the P-wave coherence (the short path's score) of the
   * last beats, or its mean over the window's beats, is below this, default 0.9: P waves at a
   * fixed PR interval in front of the beats rule AF out however irregular the RR intervals are
   * (e.g. sinus arrhythmia with atrial ectopy). 0.9 rather than lower: on AliveCor leads the
   * coherence of AF windows is often high, and 0.8 or 0.85 lost AF strips on the CinC 2017
   * development strips; 1 turns the limit off.
   */
  afShortMaxCoherence?: number;
  /**
   * RR intervals the model's features are measured over: the last `afModelWindowBeats`, or all
   * intervals so far while there are fewer (at least `afShortWindowBeats`), default
   * `afShortWindowBeats` (12; the shipped model was trained and chosen at 12: longer windows
   * found more AF strips only with more false AF on the CinC 2017 development strips).
   */
  afModelWindowBeats?: number;
  /**
   * Whether a long-window AF decision made without a sinus P template (no atrial-activity veto)
   * also needs the model's latest short-window decision to be AF, default true (no effect
   * without a model).
   */
  afLongNeedsModel?: boolean;
  /**
   * Called with the features of every measured short window (`AF_WINDOW_FEATURES` order; the
   * array is reused) and the sample of the beat it labels: for training tools.
   */
  onAfShortWindow?: (sample: number, features: Float64Array) => void;
  /** Consecutive short-window AF decisions that open an AF episode, default 4. */
  afShortHysteresisBeats?: number;
  /**
   * The same for decisions on the record's first `afWindowBeats` beats (a cold start, before the
   * long window has ever been full), default 2: a strip of about 30 beats has only a few short
   * windows, too few for 4 in a row (chosen on the CinC 2017 development strips with the model's
   * threshold: 1 found as many AF strips with more false AF; later in a recording
   * `afShortHysteresisBeats` holds).
   */
  afShortStartHysteresisBeats?: number;
  /**
   * Up to this many consecutive windows with too few intervals between atrial-driven beats
   * (fewer than half; e.g. a VT run) neither extend nor close an open AF episode, default 16
   * (0: they count as non-AF).
   */
  afHoldBeats?: number;
  /**
   * Minimum duration in ms of uninterrupted AF window decisions before an AF episode is opened
   * (reported), default 30000: the clinical definition of AF (an episode lasting at least 30 s,
   * ESC 2020), so a few irregular beats do not raise an alert. The episode's start is still the
   * first AF decision of the run. 0 opens as soon as the hysteresis is met.
   */
  afMinDurationMs?: number;
  /**
   * Whether a long-window AF decision also needs atrial-activity evidence: the P-wave score passed
   * with the window's last beat is unknown (no sinus P template yet) or below
   * `afLongPWaveScoreMax`. Irregular RR with the patient's own sinus P waves still in place
   * (frequent ectopy, sinus arrhythmia) is then not AF. Default true.
   */
  afRequireAtrialEvidence?: boolean;
  /** P-wave score below which the long path counts P waves as absent, default 0.7. */
  afLongPWaveScoreMax?: number;
  /**
   * Irregular but not AF: an irregular window is not AF when at least this share of its
   * intervals is explained by ectopic beats in a regular rhythm (see `afEctopyTolerance`):
   * intervals near the window's median RR, premature intervals with their pause, or the phases
   * of bigeminy or trigeminy. Default 0.8; 1 turns the rule off (and `afVentricularEctopyVeto`).
   */
  afEctopyShare?: number;
  /** Tolerance of those patterns as a fraction of the median RR, default 0.1. */
  afEctopyTolerance?: number;
  /**
   * The same rule in the long window, at a stricter share, default 0.9: it vetoes a long-window AF
   * decision only while the record has no sinus P template (with one, the template's veto
   * decides), and such a window counts as regular rhythm for the template (see `regular`), so
   * frequent ectopy from a record's first beat no longer keeps the template, and with it the long
   * path's atrial-activity evidence, away.
   */
  afEctopyRegularShare?: number;
  /**
   * Frequent PVCs are not AF in the model's short window either, default true: a short window the
   * model calls AF is not AF when it holds a beat the classifier calls VEB and at least
   * `afEctopyShare` of its intervals (all of them, those touching VEBs included) are explained by
   * ectopy in a regular rhythm. Why: in sinus rhythm with frequent PVCs (trigeminy, bigeminy,
   * isolated PVCs at 20 % of the beats) the model read the premature and compensatory intervals as
   * AF (its "clean" N-N irregularity needs two N-N intervals in a row, which patterned PVCs never
   * give). Chosen on the development rows by a rule set before the run (README): re-timed DS1
   * frequent-PVC rows 3.8 -> 1.5 % of non-AF time called AF, false alarm 1 -> 0, DS1, CPSC 2021
   * and CinC 2017 AF episodes found unchanged; 0.75 instead of 0.8 lost a DS1 alarm.
   */
  afVentricularEctopyVeto?: boolean;
  /**
   * Frequent atrial premature beats in sinus rhythm are not AF in the model's short window, default
   * 1/3 (0 turns the veto off): a short window the model calls AF is not AF when at least this
   * share of its beats are SVEB (the classifier's verdicts as pushed) and a beat from the window's
   * labelled centre beat to its end came with sinus P evidence (`sinusPEvidence` of `push`). Why:
   * in sinus rhythm with frequent APBs (issue 18: an unseen patient had AF declared for most of
   * every recording) the premature and post-pause intervals read as AF to the model, but the sinus
   * beats between the APBs carry the sinus node's P wave; in AF no beat carries a consistent P
   * wave. The evidence must come at or after the beat the window labels, so the veto never
   * reaches a beat followed only by AF beats, and it lapses within half a short window of AF
   * onset. Not while an AF episode is open or its run of AF decisions met the hysteresis (in AF
   * the sinus P template the evidence is read against drifts onto AF's pre-QRS segments).
   * Measured on the development rows (`eval:cross-db --only dev`, README): non-AF time called AF
   * in sinus rhythm with frequent SVEBs (`mitdb-ectopy`) 6.2 -> 3.0 % (validation 1.4 -> 0.1 %),
   * every other row unchanged except one CinC 2017 strip of 375 (AF from its first beat, 4.6 s
   * of it found, never an alarm; retraining the AF model with other seeds alone moves that count
   * by 2).
   */
  afAtrialEctopyShare?: number;
  /** Sinus bradycardia below this rate in bpm (median of 8 RR), default 60 (AHA definition). */
  bradyBpm?: number;
  /** Sinus tachycardia above this rate in bpm, default 100. */
  tachyBpm?: number;
  /** Consecutive beats beyond the rate limit that open (or, back within, close) BRADY/TACHY, default 8. */
  rateHysteresisBeats?: number;
  /** A run of 3+ ventricular beats faster than this (bpm) is VT, default 100. */
  vtBpm?: number;
}

export interface RhythmTracker {
  /**
   * Adds the next classified beat (time order) and, optionally, a P-wave score of the beats up
   * to it: near 1 when they carry the P waves of sinus rhythm, near 0 when P waves are absent
   * (`createAtrialActivityTracker`'s template correlation or coherence; null when unknown).
   * `shortPathPWaveScore` (optional) is a second score for the short-window path only, used
   * while `pWaveScore` is null (e.g. the template-free coherence before there is a sinus
   * template); the long path's atrial-activity evidence never uses it.
   * `sinusPEvidence` (optional, default false): the beat carried the sinus P wave (see
   * `afAtrialEctopyShare`).
   * `atrialResidual` (optional): `createAtrialActivityTracker`'s atrial activity after
   * average-beat subtraction relative to the QRS, null when unknown (the model feature of that name).
   * `atrialSpectrum` (optional): `createAtrialActivityTracker`'s dominant atrial frequency and
   * spectral concentration, null when unknown (the features `atrialDominantFrequency`,
   * `atrialConcentration`).
   * Returns episodes opened, updated or closed.
   */
  push(
    sample: number,
    cls: BeatClass,
    pWaveScore?: number | null,
    shortPathPWaveScore?: number | null,
    sinusPEvidence?: boolean,
    atrialResidual?: number | null,
    atrialSpectrum?: { dominantFrequencyHz: number; concentration: number } | null,
  ): RhythmEpisode[];
  /** Closes every open episode at the last beat; returns them. */
  flush(): RhythmEpisode[];
  /** Every open episode and the newest `episodeHistory` closed ones, in opening order. */
  readonly episodes: readonly RhythmEpisode[];
  /**
   * Whether the most recent window (the last `afWindowBeats` intervals up to the latest beat,
   * leaving out intervals touching any ectopic beat) met the AF criteria, with the atrial-activity
   * evidence of `afRequireAtrialEvidence`: a causal AF flag for the next beat's classification.
   */
  readonly irregular: boolean;
  /**
   * Whether the most recent full window was measured and did not meet the AF criteria, or met
   * them only through ectopy in a regular rhythm (`afEctopyRegularShare`): false before the first
   * `afWindowBeats` intervals and in windows too ventricular to tell. What a sinus P template may
   * learn from (a record that starts in AF must not teach it AF).
   */
  readonly regular: boolean;
  /** Whether an AF episode is open (declared and not yet closed). */
  readonly afOngoing: boolean;
  /**
   * Whether `push`'s `atrialResidual` is read: the short-window model names it, or
   * `onAfShortWindow` is set (a caller may skip measuring it otherwise).
   */
  readonly usesAtrialResidual: boolean;
  /**
   * Whether the short-window model names `atrialDominantFrequency` or `atrialConcentration` (a
   * caller need not measure `push`'s `atrialSpectrum` otherwise).
   */
  readonly usesAtrialSpectrum: boolean;
  /** The AF model's `atrialSpectrum` options (`{}` when it names none). */
  readonly atrialSpectrumOptions: AfWindowSpectrumOptions;
}

interface Beat {
  sample: number;
  cls: BeatClass;
  pScore: number | null;
  /** P-wave score of the short path when `pScore` is null. */
  pShort: number | null;
  /** The beat carried the sinus P wave (`sinusPEvidence` of `push`). */
  sinusP: boolean;
  /** `atrialResidual` of `push`. */
  residual: number | null;
  /** `atrialSpectrum` of `push`. */
  spectrum: { dominantFrequencyHz: number; concentration: number } | null;
}

/** Verdict on the RR intervals of one window. */
type WindowVerdict = 'regular' | 'ectopy' | 'irregular';

function median(v: Float64Array, n: number): number {
  sortSmallInPlace(v, n);
  const m = n >> 1;
  return n % 2 === 1 ? (v[m] ?? 0) : ((v[m - 1] ?? 0) + (v[m] ?? 0)) / 2;
}

/**
 * Rule-based rhythm analysis over classified beats: atrial fibrillation from RR irregularity,
 * ventricular couplets, triplets, VT (>= 3 VEB above 100 bpm) and slow idioventricular runs
 * (IVR), sinus bradycardia and tachycardia. Pauses are detected by the monitor from raw peaks
 * (they must be reported while the pause is still going on).
 */
export function createRhythmTracker(options: RhythmTrackerOptions): RhythmTracker {
  if (!Number.isFinite(options.fs) || options.fs <= 0) {
    throw new SignalInputError('INVALID_SAMPLE_RATE', 'options.fs', 'fs must be a positive number');
  }
  const fs = options.fs;
  const W = options.afWindowBeats ?? 32;
  const afNrmssd = options.afNrmssd ?? 0.1;
  const afBig = options.afLargeDiffShare ?? 0.3;
  const afHyst = options.afHysteresisBeats ?? 6;
  const endHoldSamples = ((options.afEndHoldMs ?? 10_000) * options.fs) / 1000;
  if (!(endHoldSamples >= 0)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.afEndHoldMs',
      'afEndHoldMs must be a non-negative number of ms',
    );
  }
  const endHoldAfterSamples = ((options.afEndHoldAfterMs ?? 60_000) * options.fs) / 1000;
  if (!(endHoldAfterSamples >= 0)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.afEndHoldAfterMs',
      'afEndHoldAfterMs must be a non-negative number of ms',
    );
  }
  const excludeSveb = options.afExcludeSveb ?? false;
  const Ws = options.afShortWindowBeats ?? 12;
  const pMax = options.afPWaveScoreMax ?? 0.5;
  const afModel =
    options.afShortModel === undefined ? asAfWindowModel(shippedAfModel) : options.afShortModel;
  const onShort = options.onAfShortWindow;
  const Wm = options.afModelWindowBeats ?? Ws;
  const longNeedsModel = options.afLongNeedsModel ?? true;
  if (!(Number.isInteger(Wm) && Wm >= Ws && Wm <= W)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.afModelWindowBeats',
      'afModelWindowBeats must be an integer from afShortWindowBeats to afWindowBeats',
    );
  }
  const feat = new Float64Array(AF_WINDOW_FEATURES.length);
  const usesResidual =
    onShort !== undefined || (afModel?.featureNames.includes('atrialResidual') ?? false);
  const usesSpectrum =
    afModel?.featureNames.some(
      (n) => n === 'atrialDominantFrequency' || n === 'atrialConcentration',
    ) ?? false;
  const spectrumOptions: AfWindowSpectrumOptions = { ...(afModel?.atrialSpectrum ?? {}) };
  // The model's features by their index in AF_WINDOW_FEATURES (a model may use a subset).
  const modelIdx = afModel
    ? afModel.featureNames.map((n) => AF_WINDOW_FEATURES.indexOf(n as AfWindowFeature))
    : [];
  // Standardised inputs of the perceptron (its features, at most all of AF_WINDOW_FEATURES).
  const modelScratch = new Float64Array(AF_WINDOW_FEATURES.length);
  const shortHyst = options.afShortHysteresisBeats ?? 4;
  const startHyst = options.afShortStartHysteresisBeats ?? 2;
  const maxCoherence = options.afShortMaxCoherence ?? 0.9;
  const holdMax = options.afHoldBeats ?? 16;
  const minAfSamples = ((options.afMinDurationMs ?? AF_MIN_DURATION_MS) * fs) / 1000;
  const needAtrial = options.afRequireAtrialEvidence ?? true;
  const pLongMax = options.afLongPWaveScoreMax ?? 0.7;
  const ectopyShare = options.afEctopyShare ?? 0.8;
  const ectopyTol = options.afEctopyTolerance ?? 0.1;
  const ectopyRegularShare = options.afEctopyRegularShare ?? 0.9;
  const ventricularVeto = options.afVentricularEctopyVeto ?? true;
  const atrialEctopyShare = options.afAtrialEctopyShare ?? 1 / 3;
  if (!(atrialEctopyShare >= 0 && atrialEctopyShare <= 1)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.afAtrialEctopyShare',
      'afAtrialEctopyShare must be within 0..1',
    );
  }
  if (!(minAfSamples >= 0)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.afMinDurationMs',
      'afMinDurationMs must be a non-negative number of ms',
    );
  }
  let unknownRun = 0;
  if (Ws !== 0 && !(Number.isInteger(Ws) && Ws >= 4 && Ws <= W)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.afShortWindowBeats',
      'afShortWindowBeats must be 0 or an integer from 4 to afWindowBeats',
    );
  }
  const notAtrial = (c: BeatClass, skipSveb: boolean): boolean =>
    c === 'VEB' || c === 'F' || c === 'Q' || (skipSveb && c === 'SVEB');
  const bradyBpm = options.bradyBpm ?? 60;
  const tachyBpm = options.tachyBpm ?? 100;
  const rateHyst = options.rateHysteresisBeats ?? 8;
  const vtBpm = options.vtBpm ?? 100;

  const beats: Beat[] = [];
  let first = 0; // index of beats[0] in the full sequence
  const history = createEpisodeHistory(
    options.episodeHistory ?? EPISODE_HISTORY_DEFAULT,
    'options.episodeHistory',
  );
  let updates: RhythmEpisode[] = [];
  const emit = (e: RhythmEpisode): void => {
    if (!updates.includes(e)) updates.push(e);
  };
  const open = (rhythm: RhythmKind, start: number, end: number): RhythmEpisode => {
    const e: RhythmEpisode = {
      rhythm,
      start,
      end: null,
      ongoing: true,
      beats: 0,
      meanBpm: null,
      maxRrMs: 0,
    };
    e.end = end;
    history.add(e);
    emit(e);
    return e;
  };
  const at = (i: number): Beat | undefined => beats[i - first];
  let total = 0;

  // Ventricular runs
  let runStart = -1; // global index of first VEB of the current run
  let vt: RhythmEpisode | null = null;
  // AF state
  let afRun = 0;
  let shortRun = 0;
  let nonAfRun = 0;
  // Sample of the beat of the current run's first non-AF decision.
  let nonAfFirstSample = 0;
  // Short-window decisions by beat index, kept until the long window's centre reaches the beat.
  const shortLabel = new Map<number, boolean>();
  // Beats whose decision went to the episode logic (0 .. decided - 1), in beat order. Beats below
  // `coldEnd` are centres of long windows that end before the first full one (beat W): the long
  // path can never judge them, so their short-window decision goes in when it is made instead of
  // W / 2 - Ws / 2 beats later (the same decisions in the same order; a strip in AF from its
  // first beat gets its AF call about 10 beats sooner).
  let decided = 0;
  const coldEnd = W - (W >> 1);
  let af: RhythmEpisode | null = null;
  let afFirstLabel = -1;
  let afLastLabel = -1;
  let afBeatsInEpisode = 0;
  // The current run of AF decisions met the hysteresis (it opens once it lasts afMinDurationMs).
  let afReady = false;
  let afFirstSample = 0;
  // Rate state
  let rateState: 'BRADY' | 'TACHY' | null = null;
  let rateEp: RhythmEpisode | null = null;
  let rateCount = 0;
  let rateCandidate: 'BRADY' | 'TACHY' | null = null;
  let rateCandidateStart = -1;

  const rrMs = (i: number): number | null => {
    const a = at(i - 1);
    const b = at(i);
    return a && b ? ((b.sample - a.sample) * 1000) / fs : null;
  };
  const bpmOver = (from: number, to: number): number | null => {
    // mean rate from beat `from - 1` to beat `to` (the run's intervals including its coupling).
    const a = at(from - 1) ?? at(from);
    const b = at(to);
    if (!a || !b || b.sample <= a.sample) return null;
    const n = to - (at(from - 1) ? from - 1 : from);
    return (60 * fs * n) / (b.sample - a.sample);
  };
  const maxRr = (from: number, to: number): number => {
    let m = 0;
    for (let i = from; i <= to; i++) m = Math.max(m, rrMs(i) ?? 0);
    return m;
  };

  const closeRun = (endIdx: number): void => {
    // endIdx: global index of the last VEB of the run
    if (runStart < 0) return;
    const len = endIdx - runStart + 1;
    const startBeat = at(runStart);
    const endBeat = at(endIdx);
    if (startBeat && endBeat && len >= 2) {
      const bpm = bpmOver(runStart, endIdx);
      if (vt) {
        vt.end = endBeat.sample;
        vt.ongoing = false;
        vt.beats = len;
        vt.meanBpm = bpm;
        vt.maxRrMs = maxRr(runStart + 1, endIdx);
        emit(vt);
        vt = null;
      } else {
        const kind: RhythmKind = len === 2 ? 'COUPLET' : len === 3 ? 'TRIPLET' : 'IVR';
        const e = open(kind, startBeat.sample, endBeat.sample);
        e.ongoing = false;
        e.beats = len;
        e.meanBpm = bpm;
        e.maxRrMs = maxRr(runStart + 1, endIdx);
      }
    }
    runStart = -1;
  };

  // Measures of the last window `afWindow` judged (for the model's features).
  const stat = {
    nrmssd: 0,
    big: 0,
    ectopy: 0,
    tpr: 0,
    cv: 0,
    sd1sd2: 0,
    mad: 0,
    sampEn: 0,
    logMean: 0,
    range: 0,
    gapShare: 0,
  };
  let rrScratch = new Float64Array(2 * W);
  let phaseScratch = new Float64Array(2 * W);
  let validScratch = new Float64Array(2 * W);
  let diffScratch = new Float64Array(2 * W);
  /**
   * Whether the `len` intervals up to beat endIdx meet the AF criteria, or null when too few of
   * them are between atrial-driven beats to tell (e.g. a ventricular run).
   */
  const afWindow = (
    endIdx: number,
    skipSveb: boolean,
    len = W,
    // Use intervals touching any beat except unclassifiable (Q) ones.
    all = false,
    // Also measure the ectopy share and turning-point ratio of a regular window (`stat`).
    measureAll = false,
  ): WindowVerdict | null => {
    // Up to three windows per beat: typed work arrays and an insertion sort instead of new
    // arrays, `filter` and a comparator sort (the same values in the same order).
    if (rrScratch.length < len) {
      rrScratch = new Float64Array(2 * len);
      validScratch = new Float64Array(2 * len);
      phaseScratch = new Float64Array(2 * len);
      diffScratch = new Float64Array(2 * len);
    }
    const rr = rrScratch;
    let nValid = 0;
    for (let i = endIdx - len + 1; i <= endIdx; i++) {
      const a = at(i - 1);
      const b = at(i);
      if (!a || !b) return null;
      const k = i - (endIdx - len + 1);
      // Intervals touching ventricular, fusion or unclassifiable beats are not atrial activity.
      if (
        all
          ? a.cls === 'Q' || b.cls === 'Q'
          : notAtrial(a.cls, skipSveb) || notAtrial(b.cls, skipSveb)
      ) {
        rr[k] = NaN;
        continue;
      }
      const v = ((b.sample - a.sample) * 1000) / fs;
      rr[k] = v;
      if (Number.isFinite(v)) validScratch[nValid++] = v;
    }
    sortSmallInPlace(validScratch, nValid);
    const valid = validScratch.subarray(0, nValid);
    if (valid.length < len / 2) return null;
    const trim = Math.floor(valid.length / 16);
    const lo = valid[trim] ?? 0;
    const hi = valid[valid.length - 1 - trim] ?? 0;
    let sum = 0;
    let n = 0;
    for (let i = 0; i < nValid; i++) {
      const v = valid[i] ?? 0;
      if (v >= lo && v <= hi) {
        sum += v;
        n++;
      }
    }
    const mean = sum / n;
    let d2 = 0;
    let nd = 0;
    let big = 0;
    let nb = 0;
    for (let i = 1; i < len; i++) {
      const x = rr[i] ?? NaN;
      const y = rr[i - 1] ?? NaN;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      nb++;
      if (Math.abs(x - y) > 0.08 * mean) big++;
      if (x < lo || x > hi || y < lo || y > hi) continue;
      d2 += (x - y) ** 2;
      nd++;
    }
    if (nd < 4 || nb < 4) return null;
    stat.nrmssd = Math.sqrt(d2 / nd) / mean;
    stat.big = big / nb;
    const irregular = stat.nrmssd > afNrmssd && stat.big > afBig;
    if (measureAll) {
      // Turning points: an interval longer or shorter than both neighbours.
      let tp = 0;
      let nt = 0;
      for (let i = 1; i < len - 1; i++) {
        const a = rr[i - 1] ?? NaN;
        const b = rr[i] ?? NaN;
        const c = rr[i + 1] ?? NaN;
        if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) continue;
        nt++;
        if ((b > a && b > c) || (b < a && b < c)) tp++;
      }
      stat.tpr = nt > 0 ? tp / nt : 0;
      measureMore(rr, len, valid);
    }
    if (!irregular && !measureAll) return 'regular';
    const need = all ? ectopyShare : ectopyRegularShare;
    if (need >= 1 && !measureAll) return 'irregular';
    // Irregular but not AF: most intervals explained by ectopy in an otherwise regular rhythm.
    const med =
      nValid % 2 === 1
        ? (valid[nValid >> 1] ?? 0)
        : ((valid[(nValid >> 1) - 1] ?? 0) + (valid[nValid >> 1] ?? 0)) / 2;
    const share = ectopyExplained(rr, len, med);
    stat.ectopy = share;
    if (!irregular) return 'regular';
    if (need >= 1) return 'irregular';
    return share >= need ? 'ectopy' : 'irregular';
  };
  /**
   * Share of the valid intervals of `rr` (NaN: left out) that a regular rhythm interrupted by
   * premature beats explains: an interval within `ectopyTol` of the window's median RR (the
   * underlying rhythm), a premature one (shorter) followed by a pause no longer than the full
   * compensatory pause (both intervals explained: the coupling interval and the pause of an
   * ectopic beat, with or without reset of the sinus node), or, for bigeminy and trigeminy
   * (where the median is not the sinus RR), an interval within `ectopyTol` of the median of its
   * own phase of period 2 or 3, when that explains more. In AF none of these hold for long:
   * intervals are spread evenly and their order is random.
   */
  const ectopyExplained = (rr: Float64Array, len: number, med: number): number => {
    const tol = ectopyTol * med;
    let nValid = 0;
    let explained = 0;
    let carry = false; // interval i is the pause after an explained premature interval
    for (let i = 0; i < len; i++) {
      const r = rr[i] ?? NaN;
      if (!Number.isFinite(r)) {
        carry = false;
        continue;
      }
      nValid++;
      if (carry) {
        carry = false;
        explained++;
        continue;
      }
      if (Math.abs(r - med) <= tol) {
        explained++;
        continue;
      }
      const next = rr[i + 1] ?? NaN;
      if (
        r < med - tol &&
        Number.isFinite(next) &&
        next >= med - tol &&
        r + next <= 2 * med + tol
      ) {
        explained++;
        carry = true;
      }
    }
    let best = explained;
    for (let p = 2; p <= 3; p++) {
      let inPhase = 0;
      for (let ph = 0; ph < p; ph++) {
        let n = 0;
        for (let i = ph; i < len; i += p) {
          const r = rr[i] ?? NaN;
          if (Number.isFinite(r)) phaseScratch[n++] = r;
        }
        if (n === 0) continue;
        sortSmallInPlace(phaseScratch, n);
        const m =
          n % 2 === 1
            ? (phaseScratch[n >> 1] ?? 0)
            : ((phaseScratch[(n >> 1) - 1] ?? 0) + (phaseScratch[n >> 1] ?? 0)) / 2;
        for (let i = ph; i < len; i += p) {
          const r = rr[i] ?? NaN;
          if (Number.isFinite(r) && Math.abs(r - m) <= tol) inPhase++;
        }
      }
      best = Math.max(best, inPhase);
    }
    return nValid > 0 ? best / nValid : 0;
  };

  /** The extra irregularity measures of the model (`stat`) over the window's valid intervals. */
  const measureMore = (rr: Float64Array, len: number, valid: Float64Array): void => {
    const n = valid.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += valid[i] ?? 0;
    const mean = sum / n;
    let v2 = 0;
    for (let i = 0; i < n; i++) v2 += ((valid[i] ?? 0) - mean) ** 2;
    stat.cv = Math.sqrt(v2 / n) / mean;
    stat.logMean = Math.log(mean / 1000);
    stat.range = ((valid[n - 1] ?? 0) - (valid[0] ?? 0)) / mean;
    // Share of the sorted intervals' span that lies in gaps wider than 8% of the mean RR: the
    // intervals of AF fill their range, those of ectopy (premature interval, pause, sinus cycle)
    // sit in a few tight clusters with empty space between.
    let gaps = 0;
    for (let i = 1; i < n; i++) {
      const g = (valid[i] ?? 0) - (valid[i - 1] ?? 0);
      if (g > 0.08 * mean) gaps += g;
    }
    const span = (valid[n - 1] ?? 0) - (valid[0] ?? 0);
    stat.gapShare = span > 0 ? gaps / span : 0;
    // Poincaré SD1 / SD2 over successive pairs, and the median |ΔRR|.
    let su = 0;
    let sv = 0;
    let su2 = 0;
    let sv2 = 0;
    let np = 0;
    for (let i = 1; i < len; i++) {
      const x = rr[i - 1] ?? NaN;
      const y = rr[i] ?? NaN;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const u = y - x;
      const w = y + x;
      su += u;
      sv += w;
      su2 += u * u;
      sv2 += w * w;
      diffScratch[np++] = Math.abs(u);
    }
    if (np > 0) {
      const varU = Math.max(0, su2 / np - (su / np) ** 2);
      const varV = Math.max(0, sv2 / np - (sv / np) ** 2);
      stat.sd1sd2 = varV > 0 ? Math.sqrt(varU / varV) : 0;
      sortSmallInPlace(diffScratch, np);
      const h = np >> 1;
      stat.mad =
        (np % 2 === 1
          ? (diffScratch[h] ?? 0)
          : ((diffScratch[h - 1] ?? 0) + (diffScratch[h] ?? 0)) / 2) / mean;
    } else {
      stat.sd1sd2 = 0;
      stat.mad = 0;
    }
    // Sample entropy, m = 1, tolerance 8% of the mean RR (the large-difference unit), over runs
    // of valid intervals; counts smoothed by 1/2 so a 12-interval window gives a finite value.
    const r = 0.08 * mean;
    let a = 0;
    let b = 0;
    for (let i = 0; i < len - 1; i++) {
      const xi = rr[i] ?? NaN;
      const xi1 = rr[i + 1] ?? NaN;
      if (!Number.isFinite(xi) || !Number.isFinite(xi1)) continue;
      for (let j = i + 1; j < len - 1; j++) {
        const xj = rr[j] ?? NaN;
        const xj1 = rr[j + 1] ?? NaN;
        if (!Number.isFinite(xj) || !Number.isFinite(xj1)) continue;
        if (Math.abs(xi - xj) <= r) {
          b++;
          if (Math.abs(xi1 - xj1) <= r) a++;
        }
      }
    }
    stat.sampEn = -Math.log((a + 0.5) / (b + 0.5));
  };

  let lastWindowAf = false;
  // The model's latest short-window decision (true when it could not judge).
  let modelAf = false;
  let lastWindowRegular = false;
  const stepAf = (idx: number): void => {
    // Short window ending at idx: irregular RR and no P waves label its centre beat.
    if (Ws > 0 && idx >= Ws) {
      const b = at(idx);
      const c = idx - (Ws >> 1);
      if (afModel || onShort) {
        // The template-free coherence (or, when only one score is passed, that score) and the
        // template correlation when both are.
        const coh = b?.pShort ?? b?.pScore ?? null;
        const tmpl = b?.pShort == null ? null : (b.pScore ?? null);
        const v = coh === null ? null : afWindow(idx, excludeSveb, Math.min(idx, Wm), true, true);
        let isAf = false;
        if (v !== null && coh !== null) {
          feat[0] = stat.nrmssd;
          feat[1] = stat.big;
          feat[2] = stat.ectopy;
          feat[3] = stat.tpr;
          feat[4] = coh;
          feat[5] = tmpl ?? 0;
          feat[6] = tmpl === null ? 0 : 1;
          feat[7] = stat.cv;
          feat[8] = stat.sd1sd2;
          feat[9] = stat.mad;
          feat[10] = stat.sampEn;
          feat[11] = stat.logMean;
          // Mean P-wave coherence over the window's beats (each already an 8-beat average).
          let cs = 0;
          let cn = 0;
          for (let i = idx - Math.min(idx, Wm) + 1; i <= idx; i++) {
            const q = at(i);
            const v2 = q?.pShort ?? q?.pScore ?? null;
            if (v2 !== null) {
              cs += v2;
              cn++;
            }
          }
          const meanCoh = cn > 0 ? cs / cn : coh;
          feat[12] = meanCoh;
          feat[13] = stat.range;
          // The beat classifier's ectopic share, and the irregularity of the intervals between
          // beats it calls N (successive pairs of them only): frequent ectopy in sinus rhythm
          // leaves these regular, AF does not. Too few such pairs: the window's own nRMSSD. The
          // share is capped at 1/3: the classifier calls many AF beats SVEB (a tenth of the AF
          // windows of DS1 and CinC 2017 have more than 0.4), and uncapped the perceptrons read a
          // high share as ectopy and missed a synthetic 10-s AF paroxysm (ECGSYN).
          let nEct = 0;
          let cleanSum = 0;
          let cleanN = 0;
          let d2 = 0;
          let nd = 0;
          let prev = NaN;
          for (let i = idx - Math.min(idx, Wm) + 1; i <= idx; i++) {
            const a = at(i - 1);
            const q = at(i);
            if (q && q.cls !== 'N' && q.cls !== 'Q') nEct++;
            const rr =
              a && q && a.cls === 'N' && q.cls === 'N' ? ((q.sample - a.sample) * 1000) / fs : NaN;
            if (Number.isFinite(rr)) {
              cleanSum += rr;
              cleanN++;
              if (Number.isFinite(prev)) {
                d2 += (rr - prev) ** 2;
                nd++;
              }
            }
            prev = rr;
          }
          feat[14] = Math.min(nEct / Math.min(idx, Wm), 1 / 3);
          feat[15] = nd >= 4 ? Math.sqrt(d2 / nd) / (cleanSum / cleanN) : stat.nrmssd;
          feat[16] = stat.gapShare;
          let rs = 0;
          let rn = 0;
          for (let i = idx - Math.min(idx, Wm) + 1; i <= idx; i++) {
            const q = at(i)?.residual ?? null;
            if (q !== null) {
              rs += q;
              rn++;
            }
          }
          feat[17] = rn > 0 ? rs / rn : 0;
          let dfSum = 0;
          let concSum = 0;
          let sn = 0;
          for (let i = idx - Math.min(idx, Wm) + 1; i <= idx; i++) {
            const q = at(i)?.spectrum ?? null;
            if (q !== null) {
              dfSum += q.dominantFrequencyHz;
              concSum += q.concentration;
              sn++;
            }
          }
          feat[18] = sn > 0 ? dfSum / sn : 0;
          feat[19] = sn > 0 ? concSum / sn : 0;
          onShort?.(at(c)?.sample ?? 0, feat);
          if (afModel) {
            const pAf = afProbability(afModel, feat, modelIdx, modelScratch);
            // The model gives the coherence little weight (on AliveCor leads it is often high in
            // AF); P waves clearly present over the whole window still rule AF out.
            isAf = pAf > afModel.threshold && Math.min(coh, meanCoh) < maxCoherence;
            // Frequent PVCs in a regular rhythm (afVentricularEctopyVeto): `stat.ectopy` is the
            // window's share explained by ectopy (measured with the features, all intervals).
            if (isAf && ventricularVeto && ectopyShare < 1 && stat.ectopy >= ectopyShare) {
              let veb = false;
              for (let i = idx - Math.min(idx, Wm); i <= idx && !veb; i++)
                veb = at(i)?.cls === 'VEB';
              if (veb) isAf = false;
            }
            // Frequent atrial ectopy with the sinus P wave still recurring (afAtrialEctopyShare).
            // Not while an AF episode is open or its run met the hysteresis (and waits out
            // afMinDurationMs): in AF the sinus P ring drifts onto the pre-QRS segments (T-wave
            // tails at fast rates), which then "match" it.
            if (isAf && atrialEctopyShare > 0 && af === null && !afReady) {
              const n = Math.min(idx, Wm);
              let nSveb = 0;
              for (let i = idx - n + 1; i <= idx; i++) if (at(i)?.cls === 'SVEB') nSveb++;
              if (nSveb >= atrialEctopyShare * n) {
                let sinus = false;
                for (let i = c; i <= idx && !sinus; i++) sinus = at(i)?.sinusP === true;
                if (sinus) isAf = false;
              }
            }
          }
        }
        // Unknown (no coherence, too few intervals) vetoes nothing.
        modelAf = v === null || coh === null || isAf;
        if (afModel) {
          shortLabel.set(c, isAf);
        } else {
          const p = b?.pScore ?? b?.pShort ?? null;
          shortLabel.set(c, p !== null && p < pMax && v === 'irregular');
        }
      } else {
        const coh = b?.pScore ?? b?.pShort ?? null;
        shortLabel.set(
          c,
          coh !== null && coh < pMax && afWindow(idx, excludeSveb, Ws, true) === 'irregular',
        );
      }
      // Cold start: the long window centred on c (and on every beat before it still waiting)
      // ends before beat W, so it is unknown; the short path alone decides, now.
      if (c < coldEnd) {
        for (; decided <= c; decided++) {
          const isShort = shortLabel.get(decided) ?? false;
          shortLabel.delete(decided);
          decideAf(decided, false, isShort, false);
        }
      }
    }
    // Window ending at idx labels its centre beat c. Before the first full long window (c below
    // W / 2 at idx below W) the long decision is unknown and the short path alone decides, so a
    // strip in AF from its first beat is not kept waiting for 32 intervals.
    if (idx < W >> 1) return;
    const c = idx - (W >> 1);
    const pNow = at(idx)?.pScore ?? null;
    const verdict = idx >= W ? afWindow(idx, excludeSveb) : null;
    // The long path leaves out the intervals touching ventricular beats and, once the record has
    // a sinus P template, has its veto; the ectopy rule (at the stricter long-window share) only
    // stands in for that veto while there is no template. Applied always, or at the short path's
    // share, it vetoed true AF at fast, less irregular ventricular rates on the development
    // records (AF-time Se 93 -> 57%).
    const long =
      verdict === null ? null : pNow === null ? verdict === 'irregular' : verdict !== 'regular';
    // Atrial-activity evidence: no sinus P template yet, or the recent beats' P waves unlike it.
    const atrialOk = !needAtrial || pNow === null || pNow < pLongMax;
    // Without a sinus P template the long path has no atrial-activity veto: the model (P-wave
    // coherence, turning points) stands in for it, so smooth sinus arrhythmia is not AF.
    const modelOk = !longNeedsModel || !afModel || pNow !== null || modelAf;
    const isLong = long === true && atrialOk && modelOk;
    const isShort = shortLabel.get(c) ?? false;
    shortLabel.delete(c);
    // Already decided at its short window (cold start)?
    const fresh = c >= decided;
    if (fresh) decided = c + 1;
    if (idx >= W) {
      // Irregularity of the intervals between beats not called ectopic: frequent SVEBs in sinus
      // rhythm do not make it irregular, AF does.
      // Without an SVEB among the window's beats both windows hold the same intervals: the same
      // answer, so the second is not computed (most windows; it sorts the intervals again).
      let svebInWindow = false;
      if (!excludeSveb) {
        for (let i = idx - W; i <= idx && !svebInWindow; i++) svebInWindow = at(i)?.cls === 'SVEB';
      }
      // With the same atrial-activity evidence as the AF decision: frequent atrial ectopy with the
      // sinus P waves in place is irregular but not AF. `regular` is RR only: the sinus P template
      // learns while it is true, so it must not depend on the template.
      const rrVerdict = excludeSveb || !svebInWindow ? verdict : afWindow(idx, true);
      const rrOnly = rrVerdict === null ? null : rrVerdict !== 'regular';
      // When leaving out the SVEB-touching intervals leaves too few to tell (AF, where the
      // classifier calls many irregular beats SVEB), the whole window decides: an SVEB-rich
      // irregular window must not read as "not AF" and let its SVEB verdicts through.
      lastWindowAf = (rrOnly ?? long) === true && atrialOk;
      // Irregular but explained by ectopy in a regular rhythm also counts as regular here: the
      // sinus P template may learn from its (non-premature) beats, and with a template the long
      // path's atrial-activity evidence can then veto AF in sinus rhythm with frequent ectopy.
      lastWindowRegular = rrVerdict === 'regular' || rrVerdict === 'ectopy';
    }
    if (fresh) decideAf(c, isLong, isShort, long !== null);
  };
  /**
   * Feeds the AF decision for beat c (long and short paths) to the episode state machine.
   * `longKnown` false: the long window could not tell (too few atrial-driven intervals, or not
   * yet full).
   */
  const decideAf = (c: number, isLong: boolean, isShort: boolean, longKnown: boolean): void => {
    const isAf = isLong || isShort;
    // Too few atrial-driven intervals to tell (a ventricular run): an open episode neither grows
    // nor counts towards closing; the atrial rhythm under a VT run is unknown, not sinus.
    if (!isAf && !longKnown && unknownRun < holdMax) {
      unknownRun++;
      return;
    }
    unknownRun = 0;
    const cb = at(c);
    if (!cb) return;
    if (isAf) {
      if (afRun === 0 && shortRun === 0 && !af) {
        afFirstLabel = c;
        afFirstSample = cb.sample;
      }
      afRun = isLong ? afRun + 1 : 0;
      shortRun = isShort ? shortRun + 1 : 0;
      nonAfRun = 0;
      afLastLabel = c;
      if (afRun >= afHyst || (Ws > 0 && shortRun >= (c < W ? startHyst : shortHyst)))
        afReady = true;
      if (!af && afReady && cb.sample - afFirstSample >= minAfSamples) {
        af = open('AF', afFirstSample, cb.sample);
        afBeatsInEpisode = c - afFirstLabel + 1;
      } else if (af) {
        af.end = cb.sample;
        afBeatsInEpisode = c - afFirstLabel + 1;
      }
    } else {
      if (nonAfRun === 0) nonAfFirstSample = cb.sample;
      nonAfRun++;
      afRun = 0;
      shortRun = 0;
      afReady = false;
      // A long episode waits out afEndHoldMs of non-AF decisions; a short one closes on the
      // hysteresis (af.end is its latest AF decision here).
      const held =
        af !== null &&
        (af.end ?? af.start) - af.start >= endHoldAfterSamples &&
        cb.sample - nonAfFirstSample < endHoldSamples;
      if (af && nonAfRun >= afHyst && !held) closeAf();
    }
    if (af) {
      af.beats = afBeatsInEpisode;
      const end = af.end ?? af.start;
      if (end > af.start) af.meanBpm = (60 * fs * (afLastLabel - afFirstLabel)) / (end - af.start);
      emit(af);
    }
  };
  const closeAf = (): void => {
    if (!af) return;
    af.end = at(afLastLabel)?.sample ?? af.end;
    af.ongoing = false;
    emit(af);
    af = null;
  };

  const rateScratch = new Float64Array(8);
  const stepRate = (idx: number): void => {
    // Sinus rate findings only on supraventricular rhythm outside AF.
    // No sinus-rate finding before the AF window can tell sinus rhythm from AF.
    if (idx < Math.max(8, W)) return;
    const rr = rateScratch;
    let n = 0;
    for (let i = idx - 7; i <= idx; i++) {
      const v = rrMs(i);
      if (v !== null) rr[n++] = v;
    }
    const bpm = 60000 / median(rr, n);
    const b = at(idx);
    if (!b) return;
    const sinus = b.cls === 'N' && !af && !vt && !lastWindowAf;
    const state: 'BRADY' | 'TACHY' | null = !sinus
      ? null
      : bpm < bradyBpm
        ? 'BRADY'
        : bpm > tachyBpm
          ? 'TACHY'
          : null;
    if (state === rateState) {
      rateCount = 0;
      rateCandidate = null;
      if (rateEp) {
        rateEp.end = b.sample;
        rateEp.beats++;
        rateEp.meanBpm =
          rateEp.meanBpm === null ? bpm : rateEp.meanBpm + (bpm - rateEp.meanBpm) / rateEp.beats;
        emit(rateEp);
      }
      return;
    }
    if (state !== rateCandidate) {
      rateCandidate = state;
      rateCount = 0;
      rateCandidateStart = idx;
    }
    rateCount++;
    if (rateCount >= rateHyst) {
      if (rateEp) {
        rateEp.ongoing = false;
        emit(rateEp);
        rateEp = null;
      }
      rateState = state;
      if (state) {
        const s = at(rateCandidateStart)?.sample ?? b.sample;
        rateEp = open(state, s, b.sample);
        rateEp.beats = idx - rateCandidateStart + 1;
        rateEp.meanBpm = bpm;
      }
      rateCount = 0;
      rateCandidate = null;
    }
  };

  return {
    get episodes() {
      return history.list;
    },
    get irregular() {
      return lastWindowAf;
    },
    get regular() {
      return lastWindowRegular;
    },
    get afOngoing() {
      return af !== null;
    },
    get usesAtrialResidual() {
      return usesResidual;
    },
    get usesAtrialSpectrum() {
      return usesSpectrum;
    },
    get atrialSpectrumOptions() {
      return spectrumOptions;
    },
    push(
      sample,
      cls,
      pWaveScore = null,
      shortPathPWaveScore = null,
      sinusPEvidence = false,
      atrialResidual = null,
      atrialSpectrum = null,
    ) {
      updates = [];
      const idx = total++;
      beats.push({
        sample,
        cls,
        pScore: pWaveScore,
        pShort: shortPathPWaveScore,
        sinusP: sinusPEvidence,
        residual: atrialResidual,
        spectrum: atrialSpectrum,
      });
      // Keep enough history for the AF window and the longest open run.
      const keep = Math.max(W + 2, runStart >= 0 ? idx - runStart + 2 : 0, 16);
      while (beats.length > keep) {
        beats.shift();
        first++;
      }
      if (cls === 'VEB') {
        if (runStart < 0) runStart = idx;
        const len = idx - runStart + 1;
        const bpm = bpmOver(runStart, idx);
        if (len >= 3 && bpm !== null && bpm > vtBpm) {
          const s = at(runStart)?.sample ?? sample;
          if (!vt) vt = open('VT', s, sample);
          vt.end = sample;
          vt.beats = len;
          vt.meanBpm = bpm;
          vt.maxRrMs = maxRr(runStart + 1, idx);
          emit(vt);
        }
      } else {
        closeRun(idx - 1);
      }
      stepAf(idx);
      stepRate(idx);
      return updates;
    },
    flush() {
      updates = [];
      closeRun(total - 1);
      // The last W / 2 beats were never the centre of a long window: their short-window decisions
      // are still pending; at the end of a recording they decide alone.
      for (let c = Math.max(0, total - (W >> 1)); c < total; c++) {
        const isShort = shortLabel.get(c);
        if (isShort === undefined) continue;
        shortLabel.delete(c);
        decideAf(c, false, isShort, false);
      }
      if (af) closeAf();
      if (rateEp) {
        rateEp.ongoing = false;
        emit(rateEp);
        rateEp = null;
      }
      return updates;
    },
  };
}
