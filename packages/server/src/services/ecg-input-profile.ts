import type { EcgInputBody, EcgInputProfile } from '@vigil/protocol';

/**
 * The cardiac-monitor ESP32 front end (seed 000, `firmware/include/config.h` and
 * `sensor_manager.cpp`): an AD8232 module (instrumentation amplifier gain 100 × output stage 11 =
 * 1100 V/V, the SparkFun/AD8232 datasheet application circuit) into the ESP32's 12-bit ADC at
 * 11 dB attenuation, taken as 3.3 V full scale (4096 counts), filtered and re-centred at 2048 by
 * the firmware. 1 mV at the electrodes = 1.1 V at the ADC = 1.1 / 3.3 × 4096 ≈ 1365 counts. The
 * ESP32 ADC is uncalibrated and non-linear near its rails, so amplitudes are nominal (±15 %).
 */
export const AD8232_ESP32_12BIT: EcgInputProfile = {
  preset: 'ad8232-esp32-12bit',
  units: 'adc_counts',
  adc_bits: 12,
  zero_counts: 2048,
  counts_per_mv: 1365,
};

export const MV_PROFILE: EcgInputProfile = {
  preset: 'mv',
  units: 'mV',
  adc_bits: null,
  zero_counts: null,
  counts_per_mv: null,
};

const UNKNOWN_PROFILE: EcgInputProfile = {
  preset: 'unknown',
  units: 'unknown',
  adc_bits: null,
  zero_counts: null,
  counts_per_mv: null,
};

/** A device without a profile: mV or the firmware's 12-bit counts, told by the samples. */
export const AUTO_PROFILE: EcgInputProfile = { ...MV_PROFILE, preset: 'auto' };

/**
 * The profile an `auto` device is locked to by its first packet that fits one unit only (mV, or
 * the firmware's 12-bit counts), marked with when: a device's unit guessed per packet let one
 * packet of a mV stream (`[0, 80, 0]`) be stored as counts between mV neighbours (usertest 4).
 */
export function inferredProfile(profile: EcgInputProfile, atMs: number): EcgInputProfile {
  return { ...profile, inferred_at: new Date(atMs).toISOString() };
}

/** The profile a client asked for. */
export function profileFromBody(body: EcgInputBody): EcgInputProfile {
  if ('preset' in body) {
    if (body.preset === 'ad8232-esp32-12bit') return AD8232_ESP32_12BIT;
    return body.preset === 'mv' ? MV_PROFILE : UNKNOWN_PROFILE;
  }
  return {
    preset: 'custom',
    units: 'adc_counts',
    adc_bits: body.adc_bits,
    zero_counts: body.zero_counts,
    counts_per_mv: body.counts_per_mv,
  };
}

/** A device row's stored profile (JSON text, or jsonb read back as an object; null = auto). */
export function storedProfile(value: unknown): EcgInputProfile {
  if (value === null || value === undefined) return AUTO_PROFILE;
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return parsed as EcgInputProfile;
}
