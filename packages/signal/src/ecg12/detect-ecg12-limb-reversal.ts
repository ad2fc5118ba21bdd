import { SignalInputError } from '../errors.js';
import { designButterworth } from '../filters/design-butterworth.js';
import { filtfilt } from '../filters/filtfilt.js';
import { assertEcg12Input } from './assert-ecg12-input.js';
import type { Ecg12Measurements } from './ecg12-types.js';
import { measureEcg12 } from './measure-ecg12.js';
import type { Ecg12LimbSwap } from './swap-ecg12-limb-electrodes.js';

export interface DetectEcg12LimbReversalOptions {
  /** Sampling rate of every lead, Hz (250–1000). */
  samplingRateHz: number;
  /** The record's `measureEcg12` result (beats, QRS limits, P onset). Default: measured here. */
  measurements?: Ecg12Measurements | undefined;
  /**
   * Indices of flat leads (`findFlatEcg12Leads`). Default none. A flat limb lead, or V5 and V6
   * both flat, → no call; one of V5/V6 flat → the other alone is the lateral reference.
   */
  flatLeads?: readonly number[] | undefined;
  /**
   * How much more normal the limb leads must read with a swap undone than as recorded (score
   * units, each score in [−1.5, 1.5]). Default 0.8, chosen on the 50 CinC 2021 development
   * records (LUDB held out; README, "Limb electrode reversal").
   */
  minMargin?: number;
}

export interface Ecg12LimbReversal {
  /** The interchange the leads point to, or null (none suspected, or undeterminable). */
  reversal: Extract<Ecg12LimbSwap, 'LA/RA' | 'RA/LL'> | null;
  /** Normality score of the limb leads as recorded and with each interchange undone. */
  scores: { asRecorded: number; 'LA/RA': number; 'RA/LL': number };
  /** Cosine of the QRS of lead I with V6 (V5 when V6 is flat), as recorded (negative: I points away from it). */
  qrsCosineIV6: number;
  /** Cosine of the QRS of aVR with V6 (V5 when V6 is flat), as recorded (normally negative). */
  qrsCosineAvrV6: number;
  /** Signed P-wave area in I and aVR as recorded, input units × ms (NaN without a P wave). */
  pAreaI: number;
  pAreaAvr: number;
  /**
   * Whether V6 (V5 when V6 is flat) is R-dominant (R fraction > 0.5): the left-sided precordial
   * pattern an arm-electrode interchange keeps and dextrocardia loses (its R waves fall from V1
   * to V6, leaving small rS or QS complexes in V5–V6).
   */
  lateralRDominant: boolean;
  /** R fraction of V6 (V5 when V6 is flat): R / (R + the deeper of Q and S). */
  rFractionV6: number;
}

const I = 0;
const II = 1;
const III = 2;
const AVR = 3;
const AVL = 4;
const AVF = 5;
const V5 = 10;
const V6 = 11;

/** Cosine of a and b over [from, to] against their own baselines (shape and polarity). */
function cosine(a: Float64Array, b: Float64Array, from: number, to: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = from; i <= to; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/**
 * Looks for an interchange of the left-arm (LA), right-arm (RA) and left-leg (LL) electrodes in
 * a resting 12-lead ECG, the commonest technical error of 12-lead recording (0.4–4 % of
 * recordings), which mimics dextrocardia, lateral or inferior infarction and axis deviation
 * (Batchvarov, Malik & Camm, "Incorrect electrode cable connection during electrocardiographic
 * recording", Europace 2007;9:1081).
 *
 * Principle (Kors & van Herpen, Am J Cardiol 2001;88:396; Hedén et al., Circulation
 * 1995;92:2841): an interchange among the limb electrodes permutes and inverts the six limb leads
 * but leaves V1–V6 untouched, so the limb leads stop agreeing with the precordial ones. Lead I
 * and V5/V6 both look leftward and aVR looks away from them, so on a correctly wired ECG the QRS
 * of I runs with V5/V6 and that of aVR against them; and a sinus P wave is upright in I and II
 * and inverted in aVR (P axis 0–75°). The limb leads are scored on these relations as recorded
 * and with each interchange undone; the call is the interchange whose undoing raises the score
 * by `minMargin`. LA/RA (I → −I, aVR ↔ aVL: "negative P and QRS in I with positive aVR") and
 * RA/LL (I → −III, II → −II, aVR ↔ aVF: "negative P and QRS in II") are judged; LA/LL (I ↔ II,
 * III → −III) leaves these relations nearly unchanged and is not (its signs, a P wave larger in I
 * than in II, are weak even for cardiologists: Batchvarov et al.). Interchanges involving the
 * right-leg (ground) electrode show as a near-flat I, II or III (`findFlatEcg12Leads`).
 *
 * True dextrocardia also inverts P and QRS in I, but its precordial R waves fall from V1 to V6,
 * so V5–V6 turn with lead I and the QRS relation does not fire; an arm-electrode interchange
 * keeps the R-dominant V6 of the left-sided heart (`lateralRDominant`), which the finding
 * reports.
 */
export function detectEcg12LimbReversal(
  leadsMv: readonly (Float32Array | Float64Array)[],
  options: DetectEcg12LimbReversalOptions,
): Ecg12LimbReversal {
  assertEcg12Input(leadsMv, options.samplingRateHz);
  const { samplingRateHz: fs, minMargin = 0.8, flatLeads = [] } = options;
  if (!(Number.isFinite(minMargin) && minMargin > 0)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.minMargin',
      `minMargin must be a positive number, got ${minMargin}`,
    );
  }
  const m = options.measurements ?? measureEcg12(leadsMv, { samplingRateHz: fs });
  const ms = (v: number): number => Math.round((v * fs) / 1000);
  const none: Ecg12LimbReversal = {
    reversal: null,
    scores: { asRecorded: NaN, 'LA/RA': NaN, 'RA/LL': NaN },
    qrsCosineIV6: NaN,
    qrsCosineAvrV6: NaN,
    pAreaI: NaN,
    pAreaAvr: NaN,
    lateralRDominant: false,
    rFractionV6: NaN,
  };
  const { qrsOnset, qrsOffset, pOnset } = m.fiducialsMs;
  if (
    m.beatSamples.length < 2 ||
    !Number.isFinite(qrsOnset) ||
    !Number.isFinite(qrsOffset) ||
    [I, II, III, AVR, AVL, AVF].some((l) => flatLeads.includes(l)) ||
    (flatLeads.includes(V5) && flatLeads.includes(V6))
  ) {
    return none;
  }
  // Median beats of the beats measureEcg12 averaged, band-passed 0.5–40 Hz as it does.
  const hp = designButterworth({ type: 'highpass', order: 2, cutoffHz: 0.5, fs });
  const lp = designButterworth({ type: 'lowpass', order: 2, cutoffHz: 40, fs });
  const hasP = Number.isFinite(pOnset) && Number.isFinite(m.pDurationMs);
  const from = ms(hasP ? pOnset - 20 : qrsOnset - 20);
  const to = ms(qrsOffset);
  const len = to - from + 1;
  const n = leadsMv[0]?.length ?? 0;
  const beats = m.beatSamples.filter((b) => b + from >= 0 && b + to < n);
  if (beats.length < 2) return none;
  const column = new Float64Array(beats.length);
  const beat = (l: number): Float64Array => {
    const x = filtfilt(filtfilt(leadsMv[l] ?? new Float64Array(0), hp), lp);
    const out = new Float64Array(len);
    for (let t = 0; t < len; t++) {
      beats.forEach((b, k) => (column[k] = x[b + from + t] ?? 0));
      column.sort();
      const h = beats.length >> 1;
      out[t] = beats.length % 2 ? (column[h] ?? 0) : ((column[h - 1] ?? 0) + (column[h] ?? 0)) / 2;
    }
    return out;
  };
  const used = [I, II, III, AVR, AVL, AVF, V5, V6];
  const b = new Map(used.map((l) => [l, beat(l)]));
  const at = (l: number): Float64Array => b.get(l) ?? new Float64Array(len);
  const neg = (x: Float64Array): Float64Array => x.map((v) => -v);
  // Baselines: the PR segment for the QRS, the 20 ms before the P wave for the P wave.
  const qOn = ms(qrsOnset) - from;
  const qOff = ms(qrsOffset) - from;
  const level = (x: Float64Array, a: number, c: number): number => {
    let s = 0;
    for (let i = Math.max(0, a); i <= Math.min(len - 1, c); i++) s += x[i] ?? 0;
    return s / Math.max(1, Math.min(len - 1, c) - Math.max(0, a) + 1);
  };
  const qrs = (x: Float64Array): Float64Array => {
    const base = level(x, qOn - ms(20), qOn - ms(6));
    return x.map((v) => v - base);
  };
  const pStart = ms(20);
  const pEnd = hasP ? Math.min(qOn - ms(6), pStart + ms(m.pDurationMs)) : -1;
  const pArea = (x: Float64Array): number => {
    if (!hasP || pEnd <= pStart) return NaN;
    const base = level(x, 0, pStart - ms(4));
    let s = 0;
    for (let i = pStart; i <= pEnd; i++) s += (x[i] ?? 0) - base;
    return (s * 1000) / fs;
  };
  // The lateral reference: V5 and V6, or the one of them that is not flat.
  const lateral = [V5, V6].filter((l) => !flatLeads.includes(l)).map((l) => qrs(at(l)));
  const v6 = qrs(at(flatLeads.includes(V6) ? V5 : V6));
  /** Normality of a set of limb leads (I, II, aVR) against V5/V6 and the sinus P axis. */
  const score = (leadI: Float64Array, leadII: Float64Array, leadAvr: Float64Array): number => {
    const i = qrs(leadI);
    const r = qrs(leadAvr);
    let q = 0;
    for (const v of lateral) q += cosine(i, v, qOn, qOff) - cosine(r, v, qOn, qOff);
    q /= 2 * lateral.length;
    const pI = pArea(leadI);
    const pII = pArea(leadII);
    const pR = pArea(leadAvr);
    const total = Math.abs(pI) + Math.abs(pII) + Math.abs(pR);
    const p = Number.isFinite(total) && total > 0 ? (pI + pII - pR) / total : 0;
    return q + 0.5 * p;
  };
  const scores = {
    asRecorded: score(at(I), at(II), at(AVR)),
    // Undoing LA/RA: I = −I, II = III, aVR = aVL.
    'LA/RA': score(neg(at(I)), at(III), at(AVL)),
    // Undoing RA/LL: I = −III, II = −II, aVR = aVF.
    'RA/LL': score(neg(at(III)), neg(at(II)), at(AVF)),
  };
  const best: 'LA/RA' | 'RA/LL' = scores['LA/RA'] >= scores['RA/LL'] ? 'LA/RA' : 'RA/LL';
  const rFraction = (l: number): number => {
    const lead = m.leads[l];
    if (lead === undefined) return NaN;
    const negative = Math.max(lead.qAmplitude, lead.sAmplitude);
    return lead.rAmplitude / (lead.rAmplitude + negative || 1);
  };
  const rFractionV6 = rFraction(flatLeads.includes(V6) ? V5 : V6);
  return {
    reversal: scores[best] - scores.asRecorded >= minMargin ? best : null,
    scores,
    qrsCosineIV6: cosine(qrs(at(I)), v6, qOn, qOff),
    qrsCosineAvrV6: cosine(qrs(at(AVR)), v6, qOn, qOff),
    pAreaI: pArea(at(I)),
    pAreaAvr: pArea(at(AVR)),
    lateralRDominant: rFractionV6 > 0.5,
    rFractionV6,
  };
}
