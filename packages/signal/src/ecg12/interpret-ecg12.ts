import { SignalInputError } from '../errors.js';
import { assertEcg12Input } from './assert-ecg12-input.js';
import { assessEcg12Units } from './assess-ecg12-units.js';
import { ecg12Features } from './ecg12-features.js';
import type { Ecg12Class, Ecg12Model, Ecg12Result } from './ecg12-types.js';
import { ECG12_CLASSES } from './ecg12-types.js';
import { interpretEcg12Rules } from './interpret-ecg12-rules.js';
import { measureEcg12 } from './measure-ecg12.js';
import { predictEcg12Model } from './predict-ecg12-model.js';

export interface InterpretEcg12Options {
  /** Sampling rate of every lead, Hz (250–1000; 500 is the standard). */
  samplingRateHz: number;
  /** Age in years (optional; sharpens ST elevation and voltage criteria). */
  age?: number;
  /** Sex (optional; ST elevation in V2–V3, Cornell and QTc limits depend on it). */
  sex?: 'male' | 'female';
  /**
   * Units of the input. Default 'auto': `assessEcg12Units` decides whether the amplitudes are
   * millivolts. 'relative' forces the voltage criteria off; 'mV' asserts millivolts.
   */
  units?: 'auto' | 'mV' | 'relative';
  /** A trained model (`loadEcg12Model`); its probabilities replace the rule scores. Default none. */
  model?: Ecg12Model;
}

/**
 * Interprets a resting 12-lead ECG (10 s, leads I II III aVR aVL aVF V1–V6 in mV): measurements
 * (`measureEcg12`), the criteria that fired and a probability for each PTB-XL superclass (NORM,
 * MI, STTC, CD, HYP; multi-label), scored by the published criteria of `interpretEcg12Rules` or,
 * when `options.model` is given, by that trained model. `topClass` is the most probable class.
 * When the amplitudes are not plausibly millivolts (z-scored, per-lead normalised, ADC counts)
 * voltage criteria are skipped and a finding says so. Throws `SignalInputError` (code
 * `INVALID_ARGUMENT`, field `leads`) when fewer than 2 beats can be measured.
 */
export function interpretEcg12(
  leadsMv: readonly (Float32Array | Float64Array)[],
  options: InterpretEcg12Options,
): Ecg12Result {
  assertEcg12Input(leadsMv, options.samplingRateHz);
  const { samplingRateHz, age, sex, units = 'auto', model } = options;
  if (age !== undefined && !(Number.isFinite(age) && age >= 0 && age < 130)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.age',
      `age must be 0–130 years, got ${age}`,
    );
  }
  // Callers may pass untyped JSON: the checks below guard the runtime values.
  if (sex !== undefined && !['male', 'female'].includes(sex)) {
    throw new SignalInputError('INVALID_OPTION', 'options.sex', "sex must be 'male' or 'female'");
  }
  if (!['auto', 'mV', 'relative'].includes(units)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.units',
      "units must be 'auto', 'mV' or 'relative'",
    );
  }
  const assessment = units === 'auto' ? assessEcg12Units(leadsMv, { samplingRateHz }) : null;
  const unitsAssessed = assessment?.units ?? (units === 'relative' ? 'relative' : 'mV');
  const measurements = measureEcg12(leadsMv, { samplingRateHz });
  // Without two measurable beats every criterion would read "absent" and the answer would be a
  // confident NORM for a flat line or pure noise: refuse instead.
  if (measurements.beatCount < 2 || !Number.isFinite(measurements.qrsMs)) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'leads',
      `fewer than 2 QRS complexes could be measured (${measurements.beatCount}): flat, disconnected or too noisy leads`,
    );
  }
  const rules = interpretEcg12Rules(measurements, { units: unitsAssessed, age, sex });
  const findings = rules.findings.map((f) =>
    f.criterion === 'UNITS_RELATIVE' && assessment !== null
      ? { ...f, text: `${assessment.reason}; ${f.text}` }
      : f,
  );
  const probabilities =
    model === undefined
      ? rules.probabilities
      : predictEcg12Model(model, ecg12Features(measurements, { units: unitsAssessed }));
  let topClass: Ecg12Class = 'NORM';
  for (const c of ECG12_CLASSES) if (probabilities[c] > probabilities[topClass]) topClass = c;
  return {
    measurements,
    probabilities,
    findings,
    topClass,
    unitsAssessed,
    scoredBy: model === undefined ? 'rules' : 'model',
  };
}
