import type { VitalsPacket } from '@vigil/protocol';
import { validationFailed } from '../../errors/catalogue.js';
import { finiteOrNull } from '../../ingest/timestamps.js';

export const DEFAULT_ECG_FS_HZ = 250;

/** An ECG vitals packet's values after normalisation (the envelope is the core's). */
export interface EcgVitalsValues {
  /** Hz. */
  fs: number;
  /** mV, oldest first, one lead. */
  samples: Float64Array;
  hr: number | null;
  spo2: number | null;
  temp: number | null;
  resp: number | null;
  battery: number | null;
  leadOff: boolean | null;
}

/**
 * Checks what the packet's JSON schema cannot: finiteness (JSON allows 1e999 = Infinity) and the
 * ranges of the device's own readings. Throws VALIDATION_FAILED naming the field.
 */
export function normalizeEcgVitals(
  p: VitalsPacket,
  field: (name: string) => string,
): EcgVitalsValues {
  const samples = new Float64Array(p.ecg_samples.length);
  for (let i = 0; i < p.ecg_samples.length; i++) {
    const v = p.ecg_samples[i];
    if (v === undefined || !Number.isFinite(v))
      throw validationFailed(
        field(`ecg_samples[${i}]`),
        `${field(`ecg_samples[${i}]`)} must be a finite number`,
      );
    samples[i] = v;
  }
  const hr = finiteOrNull(p.heart_rate_bpm, field('heart_rate_bpm'));
  if (hr !== null && (hr <= 0 || hr > 300))
    throw validationFailed(
      field('heart_rate_bpm'),
      `${field('heart_rate_bpm')} must be > 0 and ≤ 300`,
    );
  const spo2 = finiteOrNull(p.spo2_percent, field('spo2_percent'));
  if (spo2 !== null && (spo2 < 0 || spo2 > 100))
    throw validationFailed(
      field('spo2_percent'),
      `${field('spo2_percent')} must be between 0 and 100`,
    );
  return {
    fs: finiteOrNull(p.ecg_sample_rate_hz, field('ecg_sample_rate_hz')) ?? DEFAULT_ECG_FS_HZ,
    samples,
    hr,
    spo2,
    temp: finiteOrNull(p.temperature_c, field('temperature_c')),
    resp: finiteOrNull(p.respiratory_rate, field('respiratory_rate')),
    battery: finiteOrNull(p.battery_percent, field('battery_percent')),
    leadOff: p.lead_off ?? null,
  };
}
