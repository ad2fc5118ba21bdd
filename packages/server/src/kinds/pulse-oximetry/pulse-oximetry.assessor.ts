import { observation, type AlertObservation } from '../../services/alert-rule-engine.js';

/** A pulse oximeter's normalised reading. */
export interface OximetryValues {
  /** %. */
  spo2: number;
  /** bpm. */
  pulseRate: number;
  /** Perfusion index (%), null when the device does not report it. */
  perfusionIndex: number | null;
  battery: number | null;
}

/**
 * What the alert rules see of a reading: SpO2 for spo2_low, the pulse rate for hr_high and hr_low
 * (thresholds and durations are the patient's rules, run by the alert engine). Pure. No risk
 * score: SpO2 and pulse are two of NEWS2's seven parameters, too few for its aggregate.
 */
export function assessOximetry(values: OximetryValues, atMs: number): AlertObservation {
  return observation(atMs, { heartRateBpm: values.pulseRate, spo2Percent: values.spo2 });
}
