import type { Ecg12Measurements, Ecg12Probabilities } from './ecg12-types.js';
import { ECG12_CLASSES, ECG12_LEADS } from './ecg12-types.js';

const GLOBAL = [
  'heartRateBpm',
  'rrCv',
  'prMs',
  'pDurationMs',
  'qrsMs',
  'qtcBazettMs',
  'axisCos',
  'axisSin',
] as const;
const PER_LEAD_TIMES = ['qDurationMs', 'rPeakTimeMs', 'positiveWaves', 'tPolarity'] as const;
const PER_LEAD_AMPLITUDES = ['rAmplitude', 'sAmplitude', 'stJ60', 'tAmplitude'] as const;

/** Names of the features of `ecg12Features`, in order (the columns of a trained model). */
export const ECG12_FEATURE_NAMES: readonly string[] = [
  ...GLOBAL,
  'pAmplitudeII',
  'pTerminalForceV1',
  ...ECG12_LEADS.flatMap((lead) => PER_LEAD_TIMES.map((f) => `${lead}.${f}`)),
  ...ECG12_LEADS.flatMap((lead) => PER_LEAD_AMPLITUDES.map((f) => `${lead}.${f}`)),
  ...ECG12_CLASSES.map((c) => `rules.${c}`),
];

/** Indices of the features that are amplitudes (undefined unless the input is in mV). */
export const ECG12_AMPLITUDE_FEATURES: readonly number[] = ECG12_FEATURE_NAMES.flatMap((name, i) =>
  /Amplitude|stJ60|TerminalForce/.test(name) ? [i] : [],
);

/**
 * The feature vector a trained model reads from the measurements: global intervals, the axis as
 * (cos, sin), per lead the Q duration, R-peak time, number of positive waves, T polarity, R and
 * S amplitudes, ST at J+60 ms and T amplitude, and the log-odds of the published criteria's
 * score per class (`interpretEcg12Rules(m, { units })`, clipped to 0.001–0.999; the model learns
 * how far to trust each). NaN marks a missing value (the model substitutes its training mean).
 * With `units: 'relative'` the amplitude features are NaN (a model trained in mV cannot read
 * them) and `rules` must be the criteria's scores without voltage criteria.
 */
export function ecg12Features(
  m: Ecg12Measurements,
  options: { units: 'mV' | 'relative'; rules: Ecg12Probabilities },
): Float64Array {
  if (typeof m !== 'object' || !Array.isArray(m.leads) || m.leads.length !== 12) {
    throw new TypeError('ecg12Features needs the measurements of measureEcg12 (12 leads)');
  }
  const axis = (m.axisDeg * Math.PI) / 180;
  const values: number[] = [
    m.heartRateBpm,
    m.rrCv,
    m.prMs,
    m.pDurationMs,
    m.qrsMs,
    m.qtcBazettMs,
    Math.cos(axis),
    Math.sin(axis),
    m.pAmplitudeII,
    m.pTerminalForceV1,
  ];
  for (const lead of m.leads) for (const f of PER_LEAD_TIMES) values.push(lead[f]);
  for (const lead of m.leads) for (const f of PER_LEAD_AMPLITUDES) values.push(lead[f]);
  for (const c of ECG12_CLASSES) {
    const p = Math.min(0.999, Math.max(0.001, options.rules[c]));
    values.push(Math.log(p / (1 - p)));
  }
  const out = Float64Array.from(values);
  if (options.units !== 'mV') for (const i of ECG12_AMPLITUDE_FEATURES) out[i] = NaN;
  return out;
}
