/**
 * Every published threshold the 12-lead interpretation uses, in one place, with its source.
 * Nothing here was fitted to Vigil's evaluation records: each value is the number printed in the
 * cited recommendation. `widthMs` / `widthMv` are not thresholds but the measurement uncertainty
 * used to turn a hard threshold into a graded score (a value exactly at the threshold scores 0.5);
 * they are set to the between-program reproducibility of the measurement (Kligfield et al.,
 * "Comparison of automated measurements of electrocardiographic intervals and durations by
 * computer-based algorithms of digital electrocardiographs", Am Heart J 2014;167:150-159: QRS,
 * PR and QT differences between programs of about 5-10 ms; amplitudes about 0.05 mV).
 *
 * Sources (cited by key below):
 * - [AHA-III] Surawicz B, Childers R, Deal BJ, Gettes LS. AHA/ACCF/HRS recommendations for the
 *   standardization and interpretation of the electrocardiogram, part III: intraventricular
 *   conduction disturbances. Circulation 2009;119:e235-e240.
 * - [AHA-IV] Rautaharju PM, Surawicz B, Gettes LS. Part IV: the ST segment, T and U waves, and
 *   the QT interval. Circulation 2009;119:e241-e250.
 * - [AHA-V] Hancock EW, Deal BJ, Mirvis DM, et al. Part V: electrocardiogram changes associated
 *   with cardiac chamber hypertrophy. Circulation 2009;119:e251-e261.
 * - [AHA-VI] Wagner GS, Macfarlane P, Wellens H, et al. Part VI: acute ischemia/infarction.
 *   Circulation 2009;119:e262-e270.
 * - [AHA-II] Mason JW, Hancock EW, Gettes LS. Part II: electrocardiography diagnostic statement
 *   list. Circulation 2007;115:1325-1332 (normal ranges of PR, axis).
 * - [UDMI4] Thygesen K, Alpert JS, Jaffe AS, et al. Fourth universal definition of myocardial
 *   infarction (2018). Circulation 2018;138:e618-e651 (ECG manifestations, tables 4 and 5).
 * - [SOKOLOW] Sokolow M, Lyon TP. The ventricular complex in left ventricular hypertrophy as
 *   obtained by unipolar precordial and limb leads. Am Heart J 1949;37:161-186.
 * - [CORNELL] Casale PN, Devereux RB, Kligfield P, et al. Electrocardiographic detection of left
 *   ventricular hypertrophy: development and prospective validation of improved criteria.
 *   J Am Coll Cardiol 1985;6:572-580.
 * - [MORRIS] Morris JJ, Estes EH, Whalen RE, et al. P-wave analysis in valvular heart disease.
 *   Circulation 1964;29:242-252 (P terminal force in V1 ≥ 0.04 mm·s).
 * - [BAZETT] Bazett HC. Heart 1920;7:353-370. [FRIDERICIA] Fridericia LS. Acta Med Scand
 *   1920;53:469-486.
 */
export const ECG12_CRITERIA = {
  /** [AHA-III] complete bundle branch block: QRS ≥ 120 ms in adults. */
  completeBbbQrsMs: { value: 120, widthMs: 5, source: 'AHA-III' },
  /** [AHA-III] incomplete RBBB and nonspecific IVCD: QRS 110-119 ms / > 110 ms in adults. */
  incompleteBbbQrsMs: { value: 110, widthMs: 5, source: 'AHA-III' },
  /** [AHA-III] LBBB: R-peak time > 60 ms in V5 and V6. */
  lbbbRPeakTimeMs: { value: 60, widthMs: 8, source: 'AHA-III' },
  /** [AHA-III] RBBB: S wave of greater duration than the R wave or > 40 ms in leads I and V6. */
  rbbbSWaveMs: { value: 40, widthMs: 5, source: 'AHA-III' },
  /** [AHA-III] LAFB: frontal axis between −45° and −90°; LPFB: +90° to +180°. */
  lafbAxisDeg: { value: -45, widthDeg: 5, source: 'AHA-III' },
  lpfbAxisDeg: { value: 90, widthDeg: 5, source: 'AHA-III' },
  /** [AHA-II] normal frontal axis −30° to +90°; left axis deviation < −30°. */
  leftAxisDeg: { value: -30, source: 'AHA-II' },
  /** [AHA-II] sinus rhythm 60-100 bpm; sinus bradycardia < 60, sinus tachycardia > 100 bpm. */
  sinusBradycardiaBpm: { value: 60, source: 'AHA-II' },
  sinusTachycardiaBpm: { value: 100, source: 'AHA-II' },
  /**
   * Atrial fibrillation = irregularly irregular RR without P waves [AHA-II]. The irregularity
   * limit is not a guideline number: a coefficient of variation of RR > 0.1 is the usual
   * separation of AF from sinus rhythm in RR-interval detectors (Tateno & Glass, Med Biol Eng
   * Comput 2001;39:664; sinus rhythm at rest has an RR CV around 0.03-0.06).
   */
  afRrCv: { value: 0.1, source: 'AHA-II' },
  /** [AHA-II] first-degree AV block: PR > 200 ms. */
  firstDegreeAvBlockPrMs: { value: 200, widthMs: 8, source: 'AHA-II' },
  /** [AHA-IV] prolonged QTc: ≥ 450 ms in men, ≥ 460 ms in women (Bazett). */
  longQtcMenMs: { value: 450, widthMs: 10, source: 'AHA-IV' },
  longQtcWomenMs: { value: 460, widthMs: 10, source: 'AHA-IV' },
  /** [AHA-IV] QTc is not interpreted with QRS ≥ 120 ms (the QT includes the wide QRS). */
  qtcNotWithQrsMs: { value: 120, source: 'AHA-IV' },
  /** [UDMI4] ST elevation at J in 2 contiguous leads: ≥ 0.1 mV except V2-V3. */
  stElevationMv: { value: 0.1, widthMv: 0.03, source: 'UDMI4' },
  /** [UDMI4] V2-V3: ≥ 0.2 mV men ≥ 40 y, ≥ 0.25 mV men < 40 y, ≥ 0.15 mV women. */
  stElevationV2V3MenMv: { value: 0.2, widthMv: 0.04, source: 'UDMI4' },
  stElevationV2V3YoungMenMv: { value: 0.25, widthMv: 0.04, source: 'UDMI4' },
  stElevationV2V3WomenMv: { value: 0.15, widthMv: 0.04, source: 'UDMI4' },
  /**
   * [UDMI4] new horizontal or downsloping ST depression ≥ 0.05 mV in 2 contiguous leads (read as:
   * at least this deep both at J and at J + 60 ms, so an upsloping segment does not count).
   */
  stDepressionMv: { value: 0.05, widthMv: 0.02, source: 'UDMI4' },
  /** [UDMI4] T inversion > 0.1 mV in 2 contiguous leads with prominent R or R/S > 1. */
  tInversionMv: { value: 0.1, widthMv: 0.03, source: 'UDMI4' },
  /** [AHA-IV] flat / low T: |T| < 10 % of the R wave in leads with a dominant R (relative criterion). */
  flatTFractionOfR: { value: 0.1, source: 'AHA-IV' },
  /** [UDMI4] pathological Q: ≥ 30 ms and ≥ 0.1 mV deep (or QS) in 2 contiguous leads of a group. */
  qWaveMs: { value: 30, widthMs: 5, source: 'UDMI4' },
  qWaveMv: { value: 0.1, source: 'UDMI4' },
  /** [UDMI4] any Q ≥ 20 ms or QS complex in V2 and V3. */
  qWaveV2V3Ms: { value: 20, widthMs: 4, source: 'UDMI4' },
  /** [SOKOLOW][AHA-V] S(V1) + max R(V5, V6) ≥ 3.5 mV. */
  sokolowLyonMv: { value: 3.5, widthMv: 0.2, source: 'SOKOLOW' },
  /** [SOKOLOW][AHA-V] R(aVL) ≥ 1.1 mV. */
  rAvlMv: { value: 1.1, widthMv: 0.1, source: 'SOKOLOW' },
  /** [CORNELL][AHA-V] R(aVL) + S(V3) > 2.8 mV men, > 2.0 mV women. */
  cornellMenMv: { value: 2.8, widthMv: 0.2, source: 'CORNELL' },
  cornellWomenMv: { value: 2.0, widthMv: 0.2, source: 'CORNELL' },
  /** [AHA-V] RVH: R(V1) ≥ 0.7 mV with R/S(V1) ≥ 1, right axis deviation > +90° supports. */
  rvhRV1Mv: { value: 0.7, widthMv: 0.1, source: 'AHA-V' },
  /** [AHA-V][MORRIS] left atrial abnormality: P terminal force in V1 ≥ 0.04 mm·s = 4 mV·ms. */
  pTerminalForceMvMs: { value: 4, widthMvMs: 1, source: 'MORRIS' },
  /** [AHA-V] left atrial abnormality: P duration ≥ 120 ms in lead II. */
  pDurationMs: { value: 120, widthMs: 8, source: 'AHA-V' },
  /** [AHA-V] right atrial abnormality: P amplitude ≥ 0.25 mV in lead II. */
  pAmplitudeIIMv: { value: 0.25, widthMv: 0.03, source: 'AHA-V' },
  /**
   * Prior strengths (not fitted): how far one fired criterion moves the class probability in the
   * noisy-OR of `interpretEcg12Rules`. Definite standardized criteria (complete BBB, ST
   * elevation in 2 contiguous leads, pathological Q) 0.9; criteria with known low specificity
   * (voltage-only LVH, isolated T inversion, axis deviation) 0.6-0.7; soft signs 0.4-0.5.
   */
  strength: { definite: 0.9, probable: 0.7, possible: 0.5 },
} as const;

/**
 * Contiguous lead groups of [UDMI4] (indices into `ECG12_LEADS`): inferior, lateral,
 * anterior/septal; neighbours in a group are contiguous. The inferior leads are in the Cabrera
 * order (II, aVF, III: aVF lies between II and III), so that II–aVF and aVF–III are both pairs.
 */
export const CONTIGUOUS_LEAD_GROUPS: readonly (readonly number[])[] = [
  [1, 5, 2], // II, aVF, III
  [0, 4, 10, 11], // I, aVL, V5, V6
  [6, 7, 8, 9, 10, 11], // V1-V6, contiguous in order
];

/** PTB-XL superclass descriptions used in findings. */
export const ECG12_CLASS_NAMES = {
  NORM: 'normal ECG',
  MI: 'myocardial infarction',
  STTC: 'ST/T change',
  CD: 'conduction disturbance',
  HYP: 'hypertrophy',
} as const;
