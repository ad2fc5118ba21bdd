import type { VitalsPacket } from '@vigil/protocol';
import { validationFailed } from '../../errors/catalogue.js';
import { finiteOrNull } from '../../ingest/timestamps.js';

export const DEFAULT_ECG_FS_HZ = 250;
/**
 * Largest ECG sample magnitude accepted, mV. Body-surface ECG is a few mV (QRS rarely above 5 mV)
 * and an electrode offset that large saturates any ECG front end long before; a value beyond it
 * is a unit mistake (raw ADC counts, µV) or garbage. It also bounds the stored chunk's int16
 * scale (ecg-codec: max |sample| / 32767, so 1.5 µV at worst): one absurd sample (−1e308) used to
 * set the scale so that every other sample of its packet was stored as 0.
 */
export const MAX_ECG_MV = 50;

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
 * Checks what the packet's JSON schema cannot: finiteness (JSON allows 1e999 = Infinity), the
 * ECG range, the ranges of the device's own readings and the agreement of the two names of the
 * ECG rate. Throws VALIDATION_FAILED naming the field.
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
    if (Math.abs(v) > MAX_ECG_MV)
      throw validationFailed(
        field(`ecg_samples[${i}]`),
        `${field(`ecg_samples[${i}]`)} must be within ±${String(MAX_ECG_MV)} mV`,
      );
    samples[i] = v;
  }
  // The seed-000 firmware sends 0 for a pulse oximeter that has no reading (finger out, sensor
  // off): no reading, stored as absent, never a measured 0 (nor a refused packet).
  const reading = (v: number | null): number | null => (v === 0 ? null : v);
  const hr = reading(finiteOrNull(p.heart_rate_bpm, field('heart_rate_bpm')));
  if (hr !== null && (hr < 0 || hr > 300))
    throw validationFailed(
      field('heart_rate_bpm'),
      `${field('heart_rate_bpm')} must be ≥ 0 and ≤ 300`,
    );
  const spo2 = reading(finiteOrNull(p.spo2_percent, field('spo2_percent')));
  if (spo2 !== null && (spo2 < 0 || spo2 > 100))
    throw validationFailed(
      field('spo2_percent'),
      `${field('spo2_percent')} must be between 0 and 100`,
    );
  // `sample_rate_hz` is the seed-000 firmware's name for the ECG rate. Ignoring it analysed a
  // 100 Hz stream as 250 Hz (60 bpm read as 150 bpm), so it is read, and must agree with
  // `ecg_sample_rate_hz` when both are sent.
  const fsNamed = finiteOrNull(p.ecg_sample_rate_hz, field('ecg_sample_rate_hz'));
  const fsAlias = finiteOrNull(p.sample_rate_hz, field('sample_rate_hz'));
  if (fsNamed !== null && fsAlias !== null && fsNamed !== fsAlias)
    throw validationFailed(
      field('sample_rate_hz'),
      `${field('sample_rate_hz')} (${String(fsAlias)} Hz) contradicts ${field('ecg_sample_rate_hz')} (${String(fsNamed)} Hz)`,
    );
  return {
    fs: fsNamed ?? fsAlias ?? DEFAULT_ECG_FS_HZ,
    samples,
    hr,
    spo2,
    temp: finiteOrNull(p.temperature_c, field('temperature_c')),
    resp: finiteOrNull(p.respiratory_rate, field('respiratory_rate')),
    battery: finiteOrNull(p.battery_percent, field('battery_percent')),
    leadOff: p.lead_off ?? null,
  };
}
