/** Types and constants of the 12-lead interpretation (`interpretEcg12`). */

/** The standard lead order of every 12-lead input and output (AHA/IEC order). */
export const ECG12_LEADS = [
  'I',
  'II',
  'III',
  'aVR',
  'aVL',
  'aVF',
  'V1',
  'V2',
  'V3',
  'V4',
  'V5',
  'V6',
] as const;
export type Ecg12Lead = (typeof ECG12_LEADS)[number];

/** The PTB-XL diagnostic superclasses (Wagner et al., Sci Data 2020;7:154). */
export const ECG12_CLASSES = ['NORM', 'MI', 'STTC', 'CD', 'HYP'] as const;
export type Ecg12Class = (typeof ECG12_CLASSES)[number];

/** Per-lead measurements on the lead's median beat. Amplitudes are relative to the PR baseline. */
export interface Ecg12LeadMeasurements {
  /** Largest positive QRS deflection (R or R'), in the input's units (mV when `unitsAssessed` is 'mV'). */
  rAmplitude: number;
  /** Depth of the deepest negative QRS deflection after the R wave (S), positive number. */
  sAmplitude: number;
  /** Time the QRS spends below the baseline after its largest R wave (S-wave duration), ms. */
  sDurationMs: number;
  /** Depth of an initial negative deflection (Q), positive number; 0 when the QRS starts upwards. */
  qAmplitude: number;
  /** Duration of that initial negative deflection, ms (0 when none). */
  qDurationMs: number;
  /** True when the complex has no positive deflection above 5 % of its peak-to-peak (QS). */
  qs: boolean;
  /** Number of distinct positive waves in the QRS (2 for an RSR' pattern). */
  positiveWaves: number;
  /** Time from the global QRS onset to the peak of the last R wave (R-peak time), ms. */
  rPeakTimeMs: number;
  /** Net QRS area (sum of samples over the QRS × sample period), input units × ms. */
  netAreaUnitMs: number;
  /** ST level at J + 60 ms against the PR baseline (ST deviation). */
  stJ60: number;
  /** ST level at the J point (global QRS offset). */
  stJ: number;
  /** T-wave peak amplitude (signed, the largest deflection between J + 80 ms and T end). */
  tAmplitude: number;
  /** T-wave polarity: +1 upright, −1 inverted, 0 flat (|T| < 10 % of the QRS peak-to-peak). */
  tPolarity: -1 | 0 | 1;
  /** QRS peak-to-peak amplitude. */
  qrsPeakToPeak: number;
}

/** Global measurements of one 12-lead ECG (10 s). NaN where undeterminable. */
export interface Ecg12Measurements {
  /** Sampling rate the record was analysed at, Hz. */
  samplingRateHz: number;
  /** Number of beats averaged into the median beats (dominant morphology, whole window inside the record). */
  beatCount: number;
  /** Heart rate from the median RR interval, bpm. */
  heartRateBpm: number;
  /** Median RR interval, ms. */
  rrMs: number;
  /** Coefficient of variation of the RR intervals (irregularity). */
  rrCv: number;
  /** PR interval (P onset to global QRS onset), ms; NaN when no P wave is found. */
  prMs: number;
  /** P-wave duration in lead II, ms. */
  pDurationMs: number;
  /** P amplitude in lead II (signed). */
  pAmplitudeII: number;
  /** Terminal negative P deflection in V1 (depth × duration), input units × ms (Morris index). */
  pTerminalForceV1: number;
  /** Global QRS duration (onset to offset of the 12-lead spatial velocity, scale-free per lead), ms. */
  qrsMs: number;
  /** QT interval (global QRS onset to T end), ms. */
  qtMs: number;
  /** QT corrected by Bazett (QT / √RR[s]), ms. */
  qtcBazettMs: number;
  /** QT corrected by Fridericia (QT / ∛RR[s]), ms. */
  qtcFridericiaMs: number;
  /** Frontal QRS axis from the net areas of I and aVF, degrees (−180, 180]. */
  axisDeg: number;
  /** Axis sector from the signs of I, II and aVF only (valid for any per-lead scaling). */
  axisSector: 'normal' | 'left' | 'right' | 'extreme' | 'indeterminate';
  /** Positions in the median beat (ms relative to the beat fiducial): QRS onset, offset, T end. */
  fiducialsMs: { qrsOnset: number; qrsOffset: number; tEnd: number; pOnset: number };
  /** Per-lead QRS onset / offset (ms relative to the fiducial), in `ECG12_LEADS` order. */
  leadQrsOnsetMs: number[];
  leadQrsOffsetMs: number[];
  /** Per-lead measurements, in `ECG12_LEADS` order. */
  leads: Ecg12LeadMeasurements[];
  /** Beat fiducials (sample indices of the maximal spatial velocity) of the beats averaged. */
  beatSamples: number[];
}

/** One criterion that fired, with the class it supports. */
export interface Ecg12Finding {
  class: Ecg12Class | 'NOTE';
  /** Stable id of the criterion in `ECG12_CRITERIA`, e.g. `CRBBB`. */
  criterion: string;
  /** Human-readable statement with the measured values, e.g. "QRS 132 ms + RSR' in V1 → CD (RBBB pattern)". */
  text: string;
}

export type Ecg12Probabilities = Record<Ecg12Class, number>;

/**
 * A multi-label logistic model over `ecg12Features` (trained by `npm run train:ecg12`): for each
 * class, p = σ(bias + Σ weights[i] · (x[i] − mean[i]) / scale[i]).
 */
export interface Ecg12Model {
  kind: 'vigil-ecg12-logistic';
  version: 1;
  featureNames: string[];
  mean: number[];
  scale: number[];
  classes: Record<Ecg12Class, { bias: number; weights: number[] }>;
  /**
   * A model fitted without the amplitude features (their weights 0) and on the criteria's scores
   * without voltage criteria, used when the input is not in millivolts (`unitsAssessed`
   * 'relative'). When absent, `classes` score relative input with the amplitude features at their
   * training mean.
   */
  amplitudeFree?: {
    mean: number[];
    scale: number[];
    classes: Record<Ecg12Class, { bias: number; weights: number[] }>;
  };
  /** Provenance: data set, folds, metrics (free-form, not used for prediction). */
  trainedOn: Record<string, unknown>;
}

export interface Ecg12Result {
  measurements: Ecg12Measurements;
  probabilities: Ecg12Probabilities;
  findings: Ecg12Finding[];
  /** The most probable class. */
  topClass: Ecg12Class;
  /** 'mV' when the amplitudes are plausibly millivolts; 'relative' otherwise (voltage criteria skipped). */
  unitsAssessed: 'mV' | 'relative';
  /**
   * Which scores produced `probabilities`: the trained model (the shipped one unless another is
   * given), its amplitude-free classes for input not in mV, or the published criteria.
   */
  scoredBy: 'model' | 'model-amplitude-free' | 'rules';
}
