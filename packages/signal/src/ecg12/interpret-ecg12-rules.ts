import { CONTIGUOUS_LEAD_GROUPS, ECG12_CRITERIA as C } from './ecg12-criteria.js';
import type {
  Ecg12Finding,
  Ecg12LeadMeasurements,
  Ecg12Measurements,
  Ecg12Probabilities,
} from './ecg12-types.js';
import { ECG12_LEADS } from './ecg12-types.js';
import type { Ecg12LimbReversal } from './detect-ecg12-limb-reversal.js';

export interface InterpretEcg12RulesOptions {
  /** Whether amplitudes are millivolts; 'relative' skips every voltage criterion. */
  units: 'mV' | 'relative';
  /** Age in years (UDMI ST thresholds in V2–V3; voltage LVH criteria are unreliable < 35 y). */
  age?: number | undefined;
  /** Sex (UDMI ST thresholds, Cornell, QTc limits); unknown uses the male (stricter QTc: lower) limits. */
  sex?: 'male' | 'female' | undefined;
  /**
   * Indices of leads that carry no ECG (`findFlatEcg12Leads`). Default none. Each is named in a
   * `LEAD_FLAT` note; with lead II flat the rhythm is not classified from its P waves (before,
   * a dead lead II read as "no P wave": a junctional hint, or AF when the RR was irregular).
   */
  flatLeads?: readonly number[] | undefined;
  /**
   * The limb electrode check of the record (`detectEcg12LimbReversal`). Default none. A suspected
   * interchange is named in a `LIMB_REVERSAL` note.
   */
  limbReversal?: Ecg12LimbReversal | null | undefined;
}

export interface Ecg12RuleScores {
  probabilities: Ecg12Probabilities;
  findings: Ecg12Finding[];
  /** Graded evidence of each criterion (0–1), by criterion id: the features a trained model may also use. */
  evidence: Record<string, number>;
}

/** Graded threshold: 0.5 at the published threshold, spread by the measurement uncertainty. */
function soft(value: number, threshold: number, width: number): number {
  if (!Number.isFinite(value)) return 0;
  return 1 / (1 + Math.exp(-(value - threshold) / width));
}

const f0 = (v: number): string => v.toFixed(0);
/**
 * A value compared with a strict limit (`> 100 bpm`): whole units, or one decimal where the
 * whole number would be the limit itself ("100 bpm (> 100 bpm)" read as a contradiction).
 */
const fBeyond = (v: number, limit: number): string =>
  Math.round(v) === limit ? v.toFixed(1) : v.toFixed(0);
const f2 = (v: number): string => v.toFixed(2);

/** Largest over contiguous neighbour pairs of min(evidence of both): "in 2 contiguous leads". */
function contiguous(
  e: (lead: number) => number,
  allowed: (lead: number) => boolean,
): { value: number; pair: number[] } {
  let best = { value: 0, pair: [] as number[] };
  for (const group of CONTIGUOUS_LEAD_GROUPS) {
    for (let i = 0; i + 1 < group.length; i++) {
      const a = group[i] ?? 0;
      const b = group[i + 1] ?? 0;
      if (!allowed(a) || !allowed(b)) continue;
      const v = Math.min(e(a), e(b));
      if (v > best.value) best = { value: v, pair: [a, b] };
    }
  }
  return best;
}

const name = (l: number): string => ECG12_LEADS[l] ?? '?';

/**
 * The rule-based interpretation of 12-lead measurements into the PTB-XL superclasses, with the
 * criteria that fired. Each criterion is the published one of `ECG12_CRITERIA` (AHA/ACCF/HRS 2009
 * parts III–VI, the Fourth Universal Definition of MI, Sokolow–Lyon, Cornell), evaluated as a
 * graded score (0.5 at the threshold); a class's probability is the noisy-OR of its criteria
 * weighted by their prior strength (definite 0.9, probable 0.7, possible 0.5), and NORM is the
 * probability that no abnormal class applies, Π(1 − p). A criterion is reported as a finding
 * when its score reaches 0.5. Secondary repolarisation (QRS ≥ 120 ms) suppresses ST/T and Q-wave
 * criteria, as parts IV and VI direct. With `units: 'relative'` no criterion in mV is applied;
 * duration, morphology and axis-sector criteria still are.
 */
export function interpretEcg12Rules(
  m: Ecg12Measurements,
  options: InterpretEcg12RulesOptions,
): Ecg12RuleScores {
  if (typeof m !== 'object' || !Array.isArray(m.leads) || m.leads.length !== 12) {
    throw new TypeError('interpretEcg12Rules needs the measurements of measureEcg12 (12 leads)');
  }
  const mv = options.units === 'mV';
  const female = options.sex === 'female';
  const L = (l: number): Ecg12LeadMeasurements => m.leads[l] as Ecg12LeadMeasurements;
  const findings: Ecg12Finding[] = [];
  const evidence: Record<string, number> = {};
  const terms: Record<'MI' | 'STTC' | 'CD' | 'HYP', number[]> = {
    MI: [],
    STTC: [],
    CD: [],
    HYP: [],
  };
  const add = (
    cls: 'MI' | 'STTC' | 'CD' | 'HYP',
    criterion: string,
    score: number,
    strength: number,
    text: () => string,
  ): void => {
    evidence[criterion] = score;
    terms[cls].push(score * strength);
    // A soft limit scores 0.5 at the limit itself: a criterion on one limit fires from value ≥
    // limit, which is what its text states ("QRS 110 ms (> 110 ms)" read as a contradiction).
    if (score >= 0.5) findings.push({ class: cls, criterion, text: text() });
  };
  const S = C.strength;
  if (!mv) {
    findings.push({
      class: 'NOTE',
      criterion: 'UNITS_RELATIVE',
      text: 'amplitudes are not plausibly in mV: voltage criteria (Sokolow–Lyon, Cornell, ST and T thresholds in mV, Q depth) were not applied; durations, morphology and axis sector only',
    });
  }
  if (m.beatCount < 2 || !Number.isFinite(m.qrsMs)) {
    findings.push({
      class: 'NOTE',
      criterion: 'TOO_FEW_BEATS',
      text: `only ${m.beatCount} beats could be measured: no interpretation`,
    });
  }

  const deadLeads = options.flatLeads ?? [];
  if (deadLeads.length > 0) {
    const names = deadLeads.map((l) => ECG12_LEADS[l] ?? `lead ${l}`);
    findings.push({
      class: 'NOTE',
      criterion: 'LEAD_FLAT',
      text: `${names.length === 1 ? 'lead' : 'leads'} ${names.join(', ')} flat: disconnected electrode or lead not recorded; no criterion can fire in ${names.length === 1 ? 'it' : 'them'}`,
    });
  }
  const flatII = deadLeads.includes(1);
  const reversal = options.limbReversal;
  if (reversal?.reversal != null) {
    const r = reversal;
    const swap = reversal.reversal;
    const signs =
      swap === 'LA/RA'
        ? `QRS of I opposite to V6 (cosine ${f2(r.qrsCosineIV6)}), aVR ${r.qrsCosineAvrV6 > 0 ? 'with' : 'against'} it (${f2(r.qrsCosineAvrV6)})${r.pAreaI < 0 ? ', P inverted in I' : ''}${r.pAreaAvr > 0 ? ', P upright in aVR' : ''}`
        : `QRS of aVR ${r.qrsCosineAvrV6 > 0 ? 'with' : 'against'} V6 (cosine ${f2(r.qrsCosineAvrV6)}), of I ${r.qrsCosineIV6 > 0 ? 'with' : 'against'} it (${f2(r.qrsCosineIV6)}): as if II were inverted and aVR and aVF interchanged`;
    const progression = r.lateralRDominant
      ? `V6 R-dominant (R/(R+S) ${f2(r.rFractionV6)}) as in a left-sided heart, unlike dextrocardia, whose R waves fall from V1 to V6`
      : `V6 not R-dominant (R/(R+S) ${f2(r.rFractionV6)}): dextrocardia is possible too (right-sided chest leads tell them apart)`;
    findings.push({
      class: 'NOTE',
      criterion: 'LIMB_REVERSAL',
      text: `${swap} electrode reversal suspected: ${signs}; with ${swap} swapped back the limb leads agree with V1–V6 (score ${f2(r.scores[swap])} against ${f2(r.scores.asRecorded)} as recorded); ${progression}. Check the limb electrodes and repeat the recording: axis and limb-lead findings may be wrong`,
    });
  }

  // --- Rhythm statements [AHA-II] (no PTB-XL superclass: reported as notes).
  if (flatII && m.beatCount >= 2 && Number.isFinite(m.heartRateBpm)) {
    findings.push({
      class: 'NOTE',
      criterion: 'RHYTHM_UNDETERMINED',
      text: `${f0(m.heartRateBpm)} bpm; lead II is flat, so its P waves cannot be judged: rhythm not classified`,
    });
  } else if (m.beatCount >= 2 && Number.isFinite(m.heartRateBpm)) {
    const hr = m.heartRateBpm;
    const irregular = Number.isFinite(m.rrCv) && m.rrCv > C.afRrCv.value;
    // A sinus P wave is upright in lead II; the sign survives any per-lead scaling.
    const sinusP = Number.isFinite(m.prMs) && m.pAmplitudeII > 0;
    if (sinusP) {
      const [criterion, what] =
        hr < C.sinusBradycardiaBpm.value
          ? ['SINUS_BRADYCARDIA', `sinus bradycardia (< ${C.sinusBradycardiaBpm.value} bpm)`]
          : hr > C.sinusTachycardiaBpm.value
            ? ['SINUS_TACHYCARDIA', `sinus tachycardia (> ${C.sinusTachycardiaBpm.value} bpm)`]
            : ['SINUS_RHYTHM', 'sinus rhythm'];
      findings.push({
        class: 'NOTE',
        criterion,
        text: `${what}: ${criterion === 'SINUS_RHYTHM' ? f0(hr) : fBeyond(hr, hr > C.sinusTachycardiaBpm.value ? C.sinusTachycardiaBpm.value : C.sinusBradycardiaBpm.value)} bpm, upright P in II before every QRS (PR ${f0(m.prMs)} ms)${irregular ? `, RR irregular (CV ${f2(m.rrCv)}): sinus arrhythmia or ectopic beats` : ''}`,
      });
    } else if (irregular) {
      findings.push({
        class: 'NOTE',
        criterion: 'ATRIAL_FIBRILLATION',
        text: `irregular RR (CV ${f2(m.rrCv)} > ${C.afRrCv.value}) and no P wave → atrial fibrillation possible, ${f0(hr)} bpm`,
      });
    } else {
      findings.push({
        class: 'NOTE',
        criterion: 'RHYTHM_UNDETERMINED',
        text: `regular rhythm at ${f0(hr)} bpm without a measurable upright P wave in II (P hidden in T, junctional or ectopic atrial): rhythm not classified`,
      });
    }
  }

  // --- CD: intraventricular and AV conduction [AHA-III], [AHA-II].
  const qrs = m.qrsMs;
  const wide = soft(qrs, C.completeBbbQrsMs.value, C.completeBbbQrsMs.widthMs);
  const broad = soft(qrs, C.incompleteBbbQrsMs.value, C.incompleteBbbQrsMs.widthMs);
  const v1 = L(6);
  const lI = L(0);
  const v6 = L(11);
  const v5 = L(10);
  const rsrV1 = v1.positiveWaves >= 2 || L(7).positiveWaves >= 2;
  // [AHA-III] asks for a wide S (> 40 ms) in I and V6; one of the two suffices here, because in a
  // lead with a small QRS (often I) the S is too shallow for its duration to be measured reliably.
  const terminalS = Math.max(
    soft(lI.sDurationMs, C.rbbbSWaveMs.value, C.rbbbSWaveMs.widthMs),
    soft(v6.sDurationMs, C.rbbbSWaveMs.value, C.rbbbSWaveMs.widthMs),
  );
  const rbbb = rsrV1 ? terminalS : 0;
  const lbbbMorph =
    // [AHA-III] absent q waves in I, V5 and V6; QS or rS in V1.
    v1.sAmplitude > v1.rAmplitude &&
    lI.qAmplitude === 0 &&
    v5.qAmplitude === 0 &&
    v6.qAmplitude === 0
      ? Math.max(
          soft(v5.rPeakTimeMs, C.lbbbRPeakTimeMs.value, C.lbbbRPeakTimeMs.widthMs),
          soft(v6.rPeakTimeMs, C.lbbbRPeakTimeMs.value, C.lbbbRPeakTimeMs.widthMs),
        )
      : 0;
  add(
    'CD',
    'CRBBB',
    wide * rbbb,
    S.definite,
    () =>
      `QRS ${f0(qrs)} ms + RSR' in V1/V2 with wide S in I/V6 (${f0(Math.max(lI.sDurationMs, v6.sDurationMs))} ms) → CD (complete RBBB pattern)`,
  );
  add(
    'CD',
    'CLBBB',
    wide * lbbbMorph,
    S.definite,
    () =>
      `QRS ${f0(qrs)} ms, QS/rS in V1, no q in I/V5/V6, R-peak time ${f0(Math.max(v5.rPeakTimeMs, v6.rPeakTimeMs))} ms in V5/V6 → CD (complete LBBB pattern)`,
  );
  add(
    'CD',
    'IRBBB',
    broad * (1 - wide) * rbbb,
    S.probable,
    () => `QRS ${f0(qrs)} ms + RSR' in V1/V2 → CD (incomplete RBBB)`,
  );
  const bbb = Math.max(rbbb, lbbbMorph);
  add(
    'CD',
    'IVCD',
    broad * (1 - bbb),
    S.definite,
    () =>
      `QRS ${f0(qrs)} ms (≥ ${C.incompleteBbbQrsMs.value} ms) without a bundle branch block pattern → CD (nonspecific intraventricular conduction delay)`,
  );
  add(
    'CD',
    'AVB1',
    soft(m.prMs, C.firstDegreeAvBlockPrMs.value, C.firstDegreeAvBlockPrMs.widthMs),
    S.definite,
    () =>
      `PR ${f0(m.prMs)} ms (≥ ${C.firstDegreeAvBlockPrMs.value} ms) → CD (first-degree AV block)`,
  );
  const lafb = mv
    ? soft(-m.axisDeg, -C.lafbAxisDeg.value, C.lafbAxisDeg.widthDeg) * (m.axisDeg > -120 ? 1 : 0)
    : m.axisSector === 'left'
      ? 0.6
      : 0;
  add('CD', 'LAFB', lafb * (1 - wide), mv ? S.probable : S.possible, () =>
    mv
      ? `frontal axis ${f0(m.axisDeg)}° (−45° to −90°) → CD (left anterior fascicular block)`
      : 'left axis sector (I positive, II and aVF negative) → CD (left anterior fascicular block possible)',
  );

  // --- HYP: chamber hypertrophy [AHA-V], [SOKOLOW], [CORNELL], [MORRIS].
  const young = options.age !== undefined && options.age < 35;
  const voltageStrength = young ? S.possible : S.probable;
  if (mv) {
    const sokolow = v1.sAmplitude + Math.max(v5.rAmplitude, v6.rAmplitude);
    add(
      'HYP',
      'SOKOLOW_LYON',
      soft(sokolow, C.sokolowLyonMv.value, C.sokolowLyonMv.widthMv),
      voltageStrength,
      () =>
        `Sokolow–Lyon S(V1) + R(V5/V6) = ${f2(sokolow)} mV (≥ ${C.sokolowLyonMv.value}) → HYP (LVH voltage)`,
    );
    const cornell = L(4).rAmplitude + L(8).sAmplitude;
    const cornellLimit = female ? C.cornellWomenMv : C.cornellMenMv;
    add(
      'HYP',
      'CORNELL',
      soft(cornell, cornellLimit.value, cornellLimit.widthMv),
      voltageStrength,
      () =>
        `Cornell R(aVL) + S(V3) = ${f2(cornell)} mV (≥ ${cornellLimit.value}) → HYP (LVH voltage)`,
    );
    add(
      'HYP',
      'R_AVL',
      soft(L(4).rAmplitude, C.rAvlMv.value, C.rAvlMv.widthMv),
      voltageStrength,
      () => `R(aVL) ${f2(L(4).rAmplitude)} mV (≥ ${C.rAvlMv.value}) → HYP (LVH voltage)`,
    );
    const rvh =
      soft(v1.rAmplitude, C.rvhRV1Mv.value, C.rvhRV1Mv.widthMv) *
      (v1.rAmplitude > v1.sAmplitude ? 1 : 0) *
      (1 - wide);
    add(
      'HYP',
      'RVH_V1',
      rvh,
      S.probable,
      () => `R(V1) ${f2(v1.rAmplitude)} mV with R/S > 1 → HYP (RVH)`,
    );
    add(
      'HYP',
      'RAE_P_II',
      soft(m.pAmplitudeII, C.pAmplitudeIIMv.value, C.pAmplitudeIIMv.widthMv),
      S.possible,
      () =>
        `P amplitude in II ${f2(m.pAmplitudeII)} mV (≥ ${C.pAmplitudeIIMv.value}) → HYP (right atrial abnormality)`,
    );
  }
  // Left atrial abnormality [AHA-V][MORRIS]: each P criterion alone has a specificity too low for
  // a screening statement (AHA-V: P duration and P terminal force are insensitive and nonspecific
  // markers of left atrial enlargement), so a left atrial finding needs two of them to agree:
  // P ≥ 120 ms in II and, in mV, a P terminal force in V1 ≥ 4 mV·ms. Without mV, P duration
  // alone is only a possible finding at a lower strength.
  const pLong = soft(m.pDurationMs, C.pDurationMs.value, C.pDurationMs.widthMs);
  const ptf = mv
    ? soft(m.pTerminalForceV1, C.pTerminalForceMvMs.value, C.pTerminalForceMvMs.widthMvMs)
    : 0;
  add('HYP', 'LAE', mv ? Math.min(pLong, ptf) : pLong, mv ? S.probable : S.possible / 2, () =>
    mv
      ? `P duration ${f0(m.pDurationMs)} ms (≥ ${C.pDurationMs.value}) and P terminal force in V1 ${f2(m.pTerminalForceV1)} mV·ms (≥ ${C.pTerminalForceMvMs.value}) → HYP (left atrial abnormality)`
      : `P duration ${f0(m.pDurationMs)} ms (≥ ${C.pDurationMs.value}) → HYP (left atrial abnormality possible)`,
  );
  const rad = mv
    ? soft(m.axisDeg, C.lpfbAxisDeg.value, C.lpfbAxisDeg.widthDeg)
    : m.axisSector === 'right'
      ? 0.6
      : 0;
  add('HYP', 'RIGHT_AXIS', rad * (1 - rbbb * wide), S.possible, () =>
    mv
      ? `frontal axis ${f0(m.axisDeg)}° (> +90°) → HYP (right ventricular overload possible)`
      : 'right axis sector → HYP (right ventricular overload possible)',
  );

  // --- MI: ST elevation and pathological Q waves [UDMI4], [AHA-VI]; not with QRS ≥ 120 ms.
  const primary = 1 - wide;
  if (mv) {
    const stThreshold = (l: number): { value: number; widthMv: number } => {
      if (l !== 7 && l !== 8) return C.stElevationMv;
      if (female) return C.stElevationV2V3WomenMv;
      return options.age !== undefined && options.age < 40
        ? C.stElevationV2V3YoungMenMv
        : C.stElevationV2V3MenMv;
    };
    const ste = contiguous(
      (l) => soft(L(l).stJ, stThreshold(l).value, stThreshold(l).widthMv),
      (l) => l !== 3,
    );
    add(
      'MI',
      'ST_ELEVATION',
      ste.value * primary,
      S.definite,
      () =>
        `ST elevation ${ste.pair.map((l) => `${f2(L(l).stJ)} mV in ${name(l)}`).join(', ')} (2 contiguous leads) → MI`,
    );
  }
  // Every lead but aVR and V1 (a QS there is normal). III counts: an isolated Q in III is a normal
  // variant, which the 2-contiguous-leads rule already excludes; Q in III and aVF is inferior MI.
  const qLeads = new Set([0, 1, 2, 4, 5, 7, 8, 9, 10, 11]);
  const qScore = (l: number): number => {
    const lead = L(l);
    if (lead.qs && l !== 6) return 1;
    const v2v3 = l === 7 || l === 8;
    const dur = v2v3
      ? soft(lead.qDurationMs, C.qWaveV2V3Ms.value, C.qWaveV2V3Ms.widthMs)
      : soft(lead.qDurationMs, C.qWaveMs.value, C.qWaveMs.widthMs);
    const deep = v2v3 || !mv ? 1 : lead.qAmplitude >= C.qWaveMv.value ? 1 : 0;
    return dur * deep;
  };
  const q = contiguous(qScore, (l) => qLeads.has(l));
  add(
    'MI',
    'PATHOLOGICAL_Q',
    q.value * primary,
    S.definite,
    () =>
      `pathological Q/QS in ${q.pair.map((l) => `${name(l)} (${f0(L(l).qDurationMs)} ms)`).join(', ')} → MI`,
  );

  // --- STTC: ST depression, T inversion, flat T, long QT [AHA-IV], [UDMI4]; primary only.
  const dominantR = (l: number): boolean => L(l).rAmplitude > L(l).sAmplitude;
  if (mv) {
    const std = contiguous(
      // [UDMI4] horizontal or downsloping: depressed at J and still at J+60 ms. An upsloping
      // segment (J depressed, recovering by J+60, as in sinus tachycardia) does not count.
      (l) =>
        soft(-Math.max(L(l).stJ, L(l).stJ60), C.stDepressionMv.value, C.stDepressionMv.widthMv),
      (l) => l !== 3,
    );
    add(
      'STTC',
      'ST_DEPRESSION',
      std.value * primary,
      S.probable,
      () =>
        `horizontal/downsloping ST depression ${std.pair.map((l) => `${f2(-L(l).stJ60)} mV in ${name(l)}`).join(', ')} at J+60 ms → STTC`,
    );
  }
  const normalInverted = new Set([2, 3, 6]);
  const tinv = contiguous(
    (l) =>
      (mv
        ? soft(-L(l).tAmplitude, C.tInversionMv.value, C.tInversionMv.widthMv)
        : L(l).tPolarity < 0
          ? 1
          : 0) * (dominantR(l) ? 1 : 0),
    (l) => !normalInverted.has(l),
  );
  add(
    'STTC',
    'T_INVERSION',
    tinv.value * primary,
    S.probable,
    () => `T inversion in ${tinv.pair.map((l) => name(l)).join(', ')} with dominant R → STTC`,
  );
  const flatLeads = [0, 1, 9, 10, 11].filter(
    (l) => dominantR(l) && Math.abs(L(l).tAmplitude) < C.flatTFractionOfR.value * L(l).rAmplitude,
  );
  add(
    'STTC',
    'FLAT_T',
    flatLeads.length >= 2 ? primary : 0,
    S.possible,
    () => `low/flat T (< 10 % of R) in ${flatLeads.map(name).join(', ')} → STTC`,
  );
  const qtcLimit = female ? C.longQtcWomenMs : C.longQtcMenMs;
  add(
    'STTC',
    'LONG_QTC',
    soft(m.qtcBazettMs, qtcLimit.value, qtcLimit.widthMs) * primary,
    S.probable,
    () => `QTc (Bazett) ${f0(m.qtcBazettMs)} ms (≥ ${qtcLimit.value}) → STTC (prolonged QT)`,
  );

  const noisyOr = (t: number[]): number => 1 - t.reduce((p, v) => p * (1 - v), 1);
  const MI = noisyOr(terms.MI);
  const STTC = noisyOr(terms.STTC);
  const CD = noisyOr(terms.CD);
  const HYP = noisyOr(terms.HYP);
  const NORM = (1 - MI) * (1 - STTC) * (1 - CD) * (1 - HYP);
  return { probabilities: { NORM, MI, STTC, CD, HYP }, findings, evidence };
}
