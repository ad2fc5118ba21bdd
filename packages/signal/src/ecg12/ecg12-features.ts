import type { Ecg12Measurements } from './ecg12-types.js';
import { ECG12_LEADS } from './ecg12-types.js';

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
];

/** Indices of the features that are amplitudes (undefined unless the input is in mV). */
export const ECG12_AMPLITUDE_FEATURES: readonly number[] = ECG12_FEATURE_NAMES.flatMap((name, i) =>
  /Amplitude|stJ60|TerminalForce/.test(name) ? [i] : [],
);

/**
 * The feature vector a trained model reads from the measurements: global intervals, the axis as
 * (cos, sin), and per lead the Q duration, R-peak time, number of positive waves, T polarity, R and
 * S amplitudes, ST at J+60 ms and T amplitude. NaN marks a missing value (the model substitutes
 * its training mean). With `units: 'relative'` the amplitude features are NaN: a model trained
 * in mV cannot read them.
 */
export function ecg12Features(
  m: Ecg12Measurements,
  options: { units: 'mV' | 'relative' },
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
  const out = Float64Array.from(values);
  if (options.units !== 'mV') for (const i of ECG12_AMPLITUDE_FEATURES) out[i] = NaN;
  return out;
}
