import {
  BABY_HUMIDITY_RANGE_PERCENT,
  BABY_TEMPERATURE_RANGE_C,
  CRY_PROBABILITY_THRESHOLD,
  type BabyMonitorMessage,
} from '@vigil/protocol';
import { validationFailed } from '../../errors/catalogue.js';
import { MIN_REAL_MAGNITUDE } from '../../ingest/timestamps.js';
import { observation, type AlertObservation } from '../../services/alert-rule-engine.js';

/** The cry evidence of a reading: what decided, and how sure it was. */
export interface CryEvidence {
  /** 0–1, null when the decider gave no confidence. */
  probability: number | null;
  detected: boolean;
  source: 'server_audio' | 'device' | null;
}

/** The measurements of a baby monitor reading, checked. */
export interface BabyValues {
  /** °C, null when not measured (or the sensor failed). */
  temperatureC: number | null;
  /** Relative humidity, %, null when not measured. */
  humidityPercent: number | null;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A form or JSON value as a number in range, or null when absent. Form fields arrive as strings;
 * an empty or blank string is absent. Anything else fails naming the field.
 */
export function parseMeasurement(
  value: unknown,
  field: string,
  range: { min: number; max: number },
  unit: string,
): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.trim() === '') return null;
  // Decimal only: Number() also reads "0x10" (16), "0b1" and "  " (0).
  const n = typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw validationFailed(field, `${field} must be a number`);
  if (n !== 0 && Math.abs(n) < MIN_REAL_MAGNITUDE)
    throw validationFailed(
      field,
      `${field} must be 0 or at least 1.2e-38 in magnitude (stored as a 32-bit float)`,
    );
  if (n < range.min || n > range.max)
    throw validationFailed(field, `${field} must be between ${range.min} and ${range.max} ${unit}`);
  return n;
}

/** Temperature and humidity of an upload (both required there, per seed 002). */
export function parseUploadValues(fields: {
  temperature?: unknown;
  humidity?: unknown;
}): BabyValues {
  const temperatureC = parseMeasurement(
    fields.temperature,
    'temperature',
    BABY_TEMPERATURE_RANGE_C,
    '°C',
  );
  if (temperatureC === null) throw validationFailed('temperature', 'temperature is required');
  const humidityPercent = parseMeasurement(
    fields.humidity,
    'humidity',
    BABY_HUMIDITY_RANGE_PERCENT,
    '%',
  );
  if (humidityPercent === null) throw validationFailed('humidity', 'humidity is required');
  return { temperatureC, humidityPercent };
}

/**
 * Probabilities are kept to 1e-4: PostgreSQL's `real` holds about 7 digits, and a reading read
 * back (a retry's answer, the history) must say exactly what the first answer said.
 */
export function roundProbability(p: number): number {
  return Math.round(p * 1e4) / 1e4;
}

/** The server's verdict on an uploaded clip's cry probability. */
export function cryFromAudio(raw: number): CryEvidence {
  const probability = roundProbability(raw);
  return {
    probability,
    detected: probability >= CRY_PROBABILITY_THRESHOLD,
    source: 'server_audio',
  };
}

/**
 * A monitor's own cry verdict: `FinalResult` (`InfantCry` = crying, anything else = not) and the
 * `InfantCry` confidence in % (0–100; `"Err"` = none). With no verdict the confidence decides at
 * 50 %; with neither, null (no device evidence).
 */
export function parseDeviceVerdict(finalResult: unknown, infantCry: unknown): CryEvidence | null {
  const confidence = parseMeasurement(
    infantCry === 'Err' ? undefined : infantCry,
    'InfantCry',
    { min: 0, max: 100 },
    '%',
  );
  const probability = confidence === null ? null : roundProbability(confidence / 100);
  if (finalResult !== undefined && finalResult !== null && typeof finalResult !== 'string')
    throw validationFailed('FinalResult', 'FinalResult must be a string');
  const verdict = finalResult?.trim();
  if (verdict !== undefined && verdict !== '' && verdict.toLowerCase() !== 'err')
    return { probability, detected: /^infant[_ ]?cry$/i.test(verdict), source: 'device' };
  if (probability !== null)
    return { probability, detected: probability >= CRY_PROBABILITY_THRESHOLD, source: 'device' };
  return null;
}

/** No cry evidence at all: nothing decided. */
export const NO_CRY_EVIDENCE: CryEvidence = { probability: null, detected: false, source: null };

/**
 * What decides a reading's cry when both the server's analysis of a clip and the monitor's own
 * verdict exist (the seed-002 nursery ESP32 sends its own): the server's, whose model and its error rates are known (model card);
 * the monitor's verdict is kept beside it. Either alone decides; neither, nothing.
 */
export function decideCry(audio: CryEvidence | null, device: CryEvidence | null): CryEvidence {
  return audio ?? device ?? NO_CRY_EVIDENCE;
}

/**
 * A seed-002 ESP32 message: `"Err"` (a failed sensor) is no reading, never a default; a number
 * written as a string (`"25.8"`, what Python's `float()` read in the seed) is that number; an
 * out-of-range value fails naming the field. The cry verdict is `parseDeviceVerdict`'s.
 */
export function parseMonitorMessage(m: BabyMonitorMessage): BabyValues & { cry: CryEvidence } {
  // A numeric string ("25.8") passed the message schema's decimal pattern; parseMeasurement reads
  // it as its number before the range rule.
  const sensor = (v: number | string | undefined) => (v === 'Err' ? undefined : v);
  const temperatureC = parseMeasurement(
    sensor(m.Temperature),
    'Temperature',
    BABY_TEMPERATURE_RANGE_C,
    '°C',
  );
  const humidityPercent = parseMeasurement(
    sensor(m.Humidity),
    'Humidity',
    BABY_HUMIDITY_RANGE_PERCENT,
    '%',
  );
  const cry = parseDeviceVerdict(m.FinalResult, m.InfantCry) ?? NO_CRY_EVIDENCE;
  return { temperatureC, humidityPercent, cry };
}

/** Seed 002's `sick_detected`: crying at or above the patient's infant_sick threshold (°C). */
export function isSick(values: BabyValues, cry: CryEvidence, thresholdC: number): boolean {
  return cry.detected && values.temperatureC !== null && values.temperatureC >= thresholdC;
}

/** What the alert rules see of a reading (infant_sick, infant_fever, humidity_high/low). */
export function babyObservation(
  values: BabyValues,
  cry: CryEvidence,
  atMs: number,
): AlertObservation {
  return observation(atMs, {
    infantTemperatureC: values.temperatureC,
    // Without cry evidence infant_sick cannot be judged (its state does not move).
    cryDetected: cry.source === null ? null : cry.detected,
    humidityPercent: values.humidityPercent,
  });
}
