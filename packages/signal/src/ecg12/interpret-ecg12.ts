import { SignalInputError } from '../errors.js';
import { assertEcg12Input } from './assert-ecg12-input.js';
import { assessEcg12Units } from './assess-ecg12-units.js';
import { ecg12Features } from './ecg12-features.js';
import { detectEcg12LimbReversal } from './detect-ecg12-limb-reversal.js';
import { findFlatEcg12Leads } from './find-flat-ecg12-leads.js';
import type { Ecg12Class, Ecg12Model, Ecg12Result } from './ecg12-types.js';
import { ECG12_CLASSES } from './ecg12-types.js';
import { interpretEcg12Rules } from './interpret-ecg12-rules.js';
import { loadEcg12Model } from './load-ecg12-model.js';
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
  /**
   * The trained model scoring the classes (`loadEcg12Model`). Default: the shipped model
   * (`loadEcg12Model()`, PTB-XL-trained logistic regression over the measurements).
   */
  model?: Ecg12Model;
  /**
   * 'model' (default): class probabilities from the model, the published criteria supply the
   * findings. 'rules': probabilities from the criteria's own scores (`interpretEcg12Rules`).
   */
  scoring?: 'model' | 'rules';
}

/** The shipped model, validated on first use. */
let shippedModel: Ecg12Model | undefined;

/**
 * Interprets a resting 12-lead ECG (10 s, leads I II III aVR aVL aVF V1–V6 in mV): measurements
 * (`measureEcg12`), the published criteria that fired (`interpretEcg12Rules`: the findings, as
 * explanations) and a probability for each PTB-XL superclass (NORM, MI, STTC, CD, HYP;
 * multi-label) from the trained model over the same measurements (the shipped PTB-XL model
 * unless `options.model` is given; `scoring: 'rules'` uses the criteria's scores instead).
 * `topClass` is the most probable class. When the amplitudes are not plausibly millivolts
 * (z-scored, per-lead normalised, ADC counts) voltage criteria are skipped, the model's
 * amplitude-free classes score (intervals, axis, Q duration, R-peak time, wave counts, T
 * polarity) and a finding says so. Leads that carry no ECG (`findFlatEcg12Leads`) are named in a
 * `LEAD_FLAT` finding; a suspected LA/RA or RA/LL electrode interchange
 * (`detectEcg12LimbReversal`) in a `LIMB_REVERSAL` finding. Throws `SignalInputError` (code `INVALID_ARGUMENT`, field
 * `leads`) when fewer than 2 beats can be measured.
 */
export function interpretEcg12(
  leadsMv: readonly (Float32Array | Float64Array)[],
  options: InterpretEcg12Options,
): Ecg12Result {
  assertEcg12Input(leadsMv, options.samplingRateHz);
  const { samplingRateHz, age, sex, units = 'auto', scoring = 'model' } = options;
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
  if (!['model', 'rules'].includes(scoring)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.scoring',
      "scoring must be 'model' or 'rules'",
    );
  }
  if (!['auto', 'mV', 'relative'].includes(units)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.units',
      "units must be 'auto', 'mV' or 'relative'",
    );
  }
  const flatLeads = findFlatEcg12Leads(leadsMv, { samplingRateHz });
  const assessment =
    units === 'auto' ? assessEcg12Units(leadsMv, { samplingRateHz, flatLeads }) : null;
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
  const limbReversal = detectEcg12LimbReversal(leadsMv, {
    samplingRateHz,
    measurements,
    flatLeads,
  });
  const rules = interpretEcg12Rules(measurements, {
    units: unitsAssessed,
    age,
    sex,
    flatLeads,
    limbReversal,
  });
  let probabilities = rules.probabilities;
  let scoredBy: Ecg12Result['scoredBy'] = 'rules';
  if (scoring === 'model') {
    const model = options.model ?? (shippedModel ??= loadEcg12Model());
    const features = ecg12Features(measurements, {
      units: unitsAssessed,
      rules: rules.probabilities,
    });
    const free = unitsAssessed === 'relative' ? model.amplitudeFree : undefined;
    probabilities = predictEcg12Model(free === undefined ? model : { ...model, ...free }, features);
    scoredBy = free === undefined ? 'model' : 'model-amplitude-free';
  }
  const findings = rules.findings.map((f) =>
    f.criterion === 'UNITS_RELATIVE'
      ? {
          ...f,
          text: [
            ...(assessment === null ? [] : [assessment.reason]),
            f.text,
            ...(scoredBy === 'rules'
              ? []
              : [
                  scoredBy === 'model-amplitude-free'
                    ? 'class probabilities from the amplitude-free model (intervals, axis, Q duration, R-peak time, wave counts, T polarity)'
                    : 'class probabilities from the model with the amplitude features at their training mean',
                ]),
          ].join('; '),
        }
      : f,
  );
  let topClass: Ecg12Class = 'NORM';
  for (const c of ECG12_CLASSES) if (probabilities[c] > probabilities[topClass]) topClass = c;
  return {
    measurements,
    probabilities,
    findings,
    topClass,
    unitsAssessed,
    scoredBy,
  };
}
