import type { EcgSynthOptions } from '@vigil/signal';

export const SCENARIO_NAMES = [
  'normal',
  'tachycardia',
  'bradycardia',
  'af',
  'pvc',
  'desaturation',
  'fever',
  'lead-off',
  'silent',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** A value that moves from `start` to `target` linearly over `rampS` seconds after `onsetS`. */
export interface Ramp {
  start: number;
  target: number;
  /** Seconds from the device's start before the ramp begins. */
  onsetS: number;
  /** Seconds the ramp lasts. */
  rampS: number;
}

export interface Scenario {
  name: ScenarioName;
  description: string;
  /** ECGSYN options (fs and seed are set by the device). */
  ecg: Omit<EcgSynthOptions, 'fs' | 'seed'>;
  spo2Percent: Ramp;
  temperatureC: Ramp;
  respiratoryRate: number;
  /** Seconds after start when the electrodes come off (flat ECG, `lead_off: true`); null never. */
  leadOffAfterS: number | null;
  /** Seconds after start when the device stops sending; null never. */
  silentAfterS: number | null;
}

const steady = (value: number): Ramp => ({ start: value, target: value, onsetS: 0, rampS: 1 });
const base = {
  spo2Percent: steady(97.5),
  temperatureC: steady(36.8),
  respiratoryRate: 14,
  leadOffAfterS: null,
  silentAfterS: null,
};
// Mild noise and respiratory wander so detectors see a plausible ambulatory trace.
const ecgBase = { noiseMv: 0.01, baselineWanderMv: 0.05 };

/**
 * The simulator's clinical scenarios. Thresholds they are meant to cross are those of NEWS2
 * (Royal College of Physicians 2017): HR ≤ 40 / ≥ 131 scores 3, SpO2 ≤ 91% scores 3,
 * temperature ≥ 39.1 °C scores 2, RR ≥ 25 scores 3.
 */
export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  normal: {
    ...base,
    name: 'normal',
    description: 'Sinus rhythm 72 bpm with normal HRV, SpO2 97-98%, 36.8 °C',
    ecg: { ...ecgBase, heartRateBpm: 72, heartRateStdBpm: 2 },
  },
  tachycardia: {
    ...base,
    name: 'tachycardia',
    description: 'Sinus tachycardia 140 bpm, RR 22/min',
    ecg: { ...ecgBase, heartRateBpm: 140, heartRateStdBpm: 1 },
    respiratoryRate: 22,
  },
  bradycardia: {
    ...base,
    name: 'bradycardia',
    description: 'Sinus bradycardia 38 bpm',
    ecg: { ...ecgBase, heartRateBpm: 38, heartRateStdBpm: 0.5 },
    respiratoryRate: 12,
  },
  af: {
    ...base,
    name: 'af',
    description: 'Atrial fibrillation ~110 bpm: irregular RR, no P waves, f-waves',
    ecg: { ...ecgBase, heartRateBpm: 110, rhythm: 'af', afRrCv: 0.22, fibrillatoryWaveMv: 0.06 },
    respiratoryRate: 18,
  },
  pvc: {
    ...base,
    name: 'pvc',
    description: 'Sinus 75 bpm with frequent PVCs (~15% of beats) and compensatory pauses',
    ecg: { ...ecgBase, heartRateBpm: 75, heartRateStdBpm: 1.5, pvcProbability: 0.15 },
  },
  desaturation: {
    ...base,
    name: 'desaturation',
    description: 'SpO2 falls from 97% to 86% over 2 min after 10 s; HR 96 bpm',
    ecg: { ...ecgBase, heartRateBpm: 96, heartRateStdBpm: 1.5 },
    spo2Percent: { start: 97, target: 86, onsetS: 10, rampS: 120 },
    respiratoryRate: 24,
  },
  fever: {
    ...base,
    name: 'fever',
    description: 'Temperature rises from 37.0 to 39.4 °C over 2 min after 10 s; HR 104 bpm',
    ecg: { ...ecgBase, heartRateBpm: 104, heartRateStdBpm: 1.5 },
    temperatureC: { start: 37, target: 39.4, onsetS: 10, rampS: 120 },
    respiratoryRate: 20,
  },
  'lead-off': {
    ...base,
    name: 'lead-off',
    description:
      'Normal for 10 s, then electrodes off: flat ECG and lead_off true (SpO2 HR goes on)',
    ecg: { ...ecgBase, heartRateBpm: 78, heartRateStdBpm: 2 },
    leadOffAfterS: 10,
  },
  silent: {
    ...base,
    name: 'silent',
    description: 'Normal for 30 s, then the device stops sending (battery, Wi-Fi)',
    ecg: { ...ecgBase, heartRateBpm: 70, heartRateStdBpm: 2 },
    silentAfterS: 30,
  },
};

export function isScenarioName(value: string): value is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(value);
}
