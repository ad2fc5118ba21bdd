import { Type, type Static } from 'typebox';
import { IsoDateTime, PaginationQuerySchema } from './common.js';

/** What firmware reports as its id (seed 000 `device_id`), e.g. `ESP32-A1B2C3`. */
export const DeviceIdSchema = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$',
  description: 'Hardware id: letters, digits and . _ : -, at most 64 characters',
});

const NullableUuid = Type.Union([Type.String({ format: 'uuid' }), Type.Null()]);

/**
 * The kinds of signal a device sends, as the server's ingest names them: `ecg-vitals` (seed 000
 * packets: ECG, heart rate, SpO2, … at /api/v1/vitals), `pulse-oximetry` (/api/v1/oximetry),
 * `baby-monitor` (seed 002 readings at /api/v1/readings).
 */
export const DEVICE_KINDS = ['ecg-vitals', 'pulse-oximetry', 'baby-monitor'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
export const DeviceKindSchema = Type.Enum(DEVICE_KINDS);

/** The built-in ECG front ends a device may name instead of spelling its conversion out. */
export const ECG_INPUT_PRESETS = ['mv', 'ad8232-esp32-12bit', 'unknown'] as const;
export type EcgInputPreset = (typeof ECG_INPUT_PRESETS)[number];

/**
 * How a device's `ecg_samples` become millivolts (converted once, at ingest; everything
 * downstream is mV). `units`:
 * - `mV`: samples are millivolts (Vigil's own devices; each within ±50 mV);
 * - `adc_counts`: integer ADC counts, mV = (count − zero_counts) / counts_per_mv, each within
 *   0 … 2^adc_bits − 1. `preset: "ad8232-esp32-12bit"` is the cardiac-monitor ESP32 (seed 000):
 *   AD8232 (gain 1100 V/V) into the ESP32's 12-bit ADC, re-centred at 2048 by the firmware;
 * - `unknown`: the gain is not known; the ECG is analysed for timing only (heart rate, rhythm)
 *   and amplitude-based findings (flat line, ADC saturation) are suppressed.
 * A device registered without a profile is `auto` until its first packet that fits one unit
 * only: mV (every sample within ±50 mV, one negative or fractional) or the ad8232-esp32-12bit
 * preset (every sample an integer count in 0 … 4095, one above 50: the firmware's payload). That
 * packet locks the device to its unit (stored as its profile, with `inferred_at`): later packets
 * are read in it, and one that does not fit it is refused (400 naming the sample), never read in
 * another unit. Until then a packet that fits both (integers 0 … 50) is read as mV, and one that
 * fits neither is refused. Setting `ecg_input` replaces the lock; null clears it (auto again).
 */
export const EcgInputProfileSchema = Type.Object(
  {
    preset: Type.Enum(['mv', 'ad8232-esp32-12bit', 'unknown', 'custom', 'auto'], {
      description: 'A built-in profile, `custom` (the fields below), or `auto` (none set)',
    }),
    units: Type.Enum(['mV', 'adc_counts', 'unknown']),
    adc_bits: Type.Union([Type.Integer({ minimum: 8, maximum: 24 }), Type.Null()]),
    zero_counts: Type.Union([Type.Number(), Type.Null()], {
      description: 'ADC count of 0 mV',
    }),
    counts_per_mv: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], {
      description: 'Overall gain of the front end in ADC counts per mV at the electrodes',
    }),
    inferred_at: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          "Present when Vigil set this profile: when an `auto` device's first packet that fits one unit only locked it to that unit (absent for a profile set by a user)",
      }),
    ),
  },
  { title: 'EcgInputProfile' },
);
export type EcgInputProfile = Static<typeof EcgInputProfileSchema>;

/** What a client sends: a preset, or a custom ADC front end. */
export const EcgInputBodySchema = Type.Union(
  [
    Type.Object(
      { preset: Type.Enum(['mv', 'ad8232-esp32-12bit', 'unknown']) },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        units: Type.Literal('adc_counts'),
        adc_bits: Type.Integer({ minimum: 8, maximum: 24 }),
        zero_counts: Type.Number({ minimum: 0 }),
        counts_per_mv: Type.Number({ exclusiveMinimum: 0, maximum: 1e7 }),
      },
      { additionalProperties: false },
    ),
  ],
  { title: 'EcgInputBody', description: 'A built-in profile by name, or a custom ADC front end' },
);
export type EcgInputBody = Static<typeof EcgInputBodySchema>;

export const DeviceSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    device_id: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    patient_id: NullableUuid,
    owner_id: NullableUuid,
    api_key_prefix: Type.String({ description: 'Start of the current key, to recognise it' }),
    created_at: IsoDateTime,
    updated_at: IsoDateTime,
    last_seen_at: Type.Union([IsoDateTime, Type.Null()]),
    ecg_input: EcgInputProfileSchema,
    label: Type.Union([Type.String(), Type.Null()], {
      description: 'Same as name (what the cardiac-monitor app reads)',
    }),
    registered_at: Type.String({
      format: 'date-time',
      description: 'Same as created_at (what the cardiac-monitor app reads)',
    }),
    kinds: Type.Array(DeviceKindSchema, {
      description:
        'The kinds of signal the device has sent, in this order (none before its first reading)',
    }),
    retired_at: Type.Union([IsoDateTime, Type.Null()], {
      description:
        "When the device was retired (DELETE): its key no longer works and it takes no data, but its readings stay in its patients' records; null while in service",
    }),
  },
  { title: 'Device' },
);
export type Device = Static<typeof DeviceSchema>;

export const DeviceWithKeySchema = Type.Object(
  {
    ...DeviceSchema.properties,
    api_key: Type.String({ description: 'Shown once: only its hash is stored' }),
  },
  { title: 'DeviceWithKey' },
);

export const RegisterDeviceBodySchema = Type.Object({
  device_id: DeviceIdSchema,
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  patient_id: Type.Optional(NullableUuid),
  ecg_input: Type.Optional(EcgInputBodySchema),
});
export type RegisterDeviceBody = Static<typeof RegisterDeviceBodySchema>;

export const UpdateDeviceBodySchema = Type.Object(
  {
    name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    patient_id: Type.Optional(NullableUuid),
    ecg_input: Type.Optional(Type.Union([EcgInputBodySchema, Type.Null()])),
  },
  { additionalProperties: false },
);
export type UpdateDeviceBody = Static<typeof UpdateDeviceBodySchema>;

export const DeviceListSchema = Type.Array(DeviceSchema);
export const DeviceListQuerySchema = Type.Object({
  ...PaginationQuerySchema.properties,
  include_retired: Type.Boolean({
    default: false,
    description:
      'Also list retired devices (retired_at set), e.g. to name the device behind old readings',
  }),
});
export type DeviceListQuery = Static<typeof DeviceListQuerySchema>;
