import { SignalInputError } from '../errors.js';
import { assertSamplingRate } from '../hrv/assert-sampling-rate.js';

/** Lowest and highest sampling rates accepted for 12-lead interpretation, Hz. */
export const ECG12_MIN_FS = 250;
export const ECG12_MAX_FS = 1000;
/** Shortest and longest records accepted, s (the standard resting ECG is 10 s). */
export const ECG12_MIN_SECONDS = 5;
export const ECG12_MAX_SECONDS = 60;

/**
 * Checks a 12-lead input: exactly 12 Float32Array/Float64Array leads (I, II, III, aVR, aVL, aVF,
 * V1–V6) of equal length, 5–60 s at 250–1000 Hz, every sample finite. Throws `SignalInputError`
 * naming the first field at fault.
 */
export function assertEcg12Input(leads: unknown, samplingRateHz: unknown): void {
  assertSamplingRate(samplingRateHz, 'options.samplingRateHz', {
    min: ECG12_MIN_FS,
    max: ECG12_MAX_FS,
  });
  if (!Array.isArray(leads) || leads.length !== 12) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'leads',
      `expected 12 leads (I II III aVR aVL aVF V1-V6), got ${Array.isArray(leads) ? leads.length : typeof leads}`,
    );
  }
  const first: unknown = leads[0];
  const n = first instanceof Float32Array || first instanceof Float64Array ? first.length : -1;
  const seconds = n / samplingRateHz;
  for (let l = 0; l < 12; l++) {
    const lead: unknown = leads[l];
    if (!(lead instanceof Float32Array || lead instanceof Float64Array)) {
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        `leads[${l}]`,
        `leads[${l}] must be a Float32Array or Float64Array`,
      );
    }
    if (lead.length !== n) {
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        `leads[${l}]`,
        `all leads must have the same length: leads[0] has ${n} samples, leads[${l}] ${lead.length}`,
      );
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(lead[i])) {
        throw new SignalInputError(
          'NON_FINITE_SAMPLE',
          `leads[${l}][${i}]`,
          `leads[${l}][${i}] is not a finite number`,
        );
      }
    }
  }
  if (seconds < ECG12_MIN_SECONDS || seconds > ECG12_MAX_SECONDS) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'leads[0]',
      `a 12-lead record must last ${ECG12_MIN_SECONDS}-${ECG12_MAX_SECONDS} s, got ${seconds.toFixed(2)} s (${n} samples at ${samplingRateHz} Hz)`,
    );
  }
}
