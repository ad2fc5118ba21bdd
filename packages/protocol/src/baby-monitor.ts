import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';

/**
 * Baby monitor readings (seed 002): room temperature and humidity, optional notes and an
 * optional audio clip whose infant-cry probability the server computes, or the cry verdict of the
 * monitor itself (ESP32 over MQTT).
 */

/**
 * Accepted temperature of a baby monitor reading, °C (inclusive): seed 002's own bounds
 * (`app/routers/health.py` refuses outside -10 to 50). Its ESP32 measures the room (25.8 °C in
 * the seed's example message) and nurseries are kept at 16–20 °C (The Lullaby Trust), so a
 * lower bound at a skin temperature refused a cool nursery's every reading, cries included.
 */
export const BABY_TEMPERATURE_RANGE_C = { min: -10, max: 50 } as const;
/** Relative humidity range, % (inclusive). */
export const BABY_HUMIDITY_RANGE_PERCENT = { min: 0, max: 100 } as const;
/** Audio clips: largest accepted upload (bytes) and longest duration (s). */
export const BABY_AUDIO_LIMITS = { maxBytes: 20 * 1024 * 1024, maxSeconds: 300 } as const;
/** A clip (or a device verdict) with a cry probability at or above this is a cry. */
export const CRY_PROBABILITY_THRESHOLD = 0.5;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

export const BabyReadingSchema = Type.Object(
  {
    id: Type.String(),
    patient_id: Nullable(Type.String()),
    user_id: Nullable(
      Type.String({
        description:
          "= patient_id: seed 002's name (HealthDataRead.user_id) for the account the reading belongs to",
      }),
    ),
    device_id: Nullable(
      Type.String({ description: 'The monitor that sent it; null for a user upload' }),
    ),
    temperature: Nullable(Type.Number({ description: '°C; null when the sensor failed' })),
    humidity: Nullable(
      Type.Number({ description: 'Relative humidity, %; null when the sensor failed' }),
    ),
    audio_url: Nullable(
      Type.String({ description: '`/api/v1/readings/{id}/audio` when a clip was stored' }),
    ),
    cry_detected: Type.Boolean(),
    cry_probability: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
    cry_source: Nullable(
      Type.Enum(['server_audio', 'device'], {
        description:
          'What decided cry_detected and cry_probability: the server on the uploaded clip (it decides whenever there is one), or the monitor',
      }),
    ),
    device_cry_detected: Nullable(
      Type.Boolean({
        description:
          "The monitor's own verdict (ESP32 `FinalResult`), kept even when the server's analysis of the clip decided; null when the monitor gave none",
      }),
    ),
    device_cry_probability: Nullable(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: "The monitor's confidence (`InfantCry` / 100)",
      }),
    ),
    audio_cry_probability: Nullable(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: "The server's cry probability of the uploaded clip; null without a clip",
      }),
    ),
    sick_detected: Type.Boolean({
      description: 'Crying and temperature ≥ the infant_sick threshold',
    }),
    created_at: Type.String({ format: 'date-time' }),
    notes: Nullable(Type.String()),
  },
  { title: 'BabyReading' },
);
export type BabyReading = Static<typeof BabyReadingSchema>;

/** Longest accepted `Idempotency-Key`. */
export const IDEMPOTENCY_KEY_MAX_CHARS = 200;

export const BabyUploadHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: IDEMPOTENCY_KEY_MAX_CHARS,
      description:
        'A key the client chooses per reading (e.g. a UUID) and sends again when it retries: a reading already stored under the same key by the same uploader is answered again (201, same body) instead of being stored twice',
    }),
  ),
});

export const BabyReadingListSchema = Type.Array(BabyReadingSchema, { title: 'BabyReadingList' });

export const BabyReadingIdParamsSchema = Type.Object({ id: Type.String({ minLength: 1 }) });

/**
 * A query date-time as seed 002's clients send one: ISO 8601 with `T` or a space, seconds and
 * their fraction optional, and an offset optional. Without one it is UTC, as seed 002's Python
 * backend stores `created_at` (`datetime.utcnow()`) and compares the filters it is given. An
 * offset after a space (` 05:30`) is a `+` sent unencoded, which query decoding makes a space.
 */
const QueryDateTime = (description?: string) =>
  Type.String({
    pattern:
      '^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?([Zz]|[+-]\\d{2}(:?\\d{2})?| \\d{2}:?\\d{2})?$',
    description: `ISO 8601 date-time (2025-11-13T12:00:00Z); without an offset, UTC${description === undefined ? '' : `. ${description}`}`,
  });

export const BabyReadingsQuerySchema = Type.Object({
  patient_id: Type.Optional(Type.String({ minLength: 1 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
  cry_detected: Type.Optional(Type.Boolean()),
  sick_detected: Type.Optional(Type.Boolean()),
  start_date: Type.Optional(QueryDateTime()),
  end_date: Type.Optional(QueryDateTime()),
});
export type BabyReadingsQuery = Static<typeof BabyReadingsQuerySchema>;

export const BabyStatsQuerySchema = Type.Object({
  patient_id: Type.Optional(Type.String({ minLength: 1 })),
});
export type BabyStatsQuery = Static<typeof BabyStatsQuerySchema>;

export const BabyStatsSchema = Type.Object(
  {
    total_records: Type.Integer(),
    cry_detected_count: Type.Integer(),
    sick_detected_count: Type.Integer(),
    avg_temperature: Nullable(Type.Number()),
    avg_humidity: Nullable(Type.Number()),
    latest_record: Nullable(BabyReadingSchema),
  },
  { title: 'BabyStats' },
);
export type BabyStats = Static<typeof BabyStatsSchema>;

export const BABY_TIMESERIES_INTERVALS = ['1 hour', '6 hours', '1 day', '1 week'] as const;
export type BabyTimeseriesInterval = (typeof BABY_TIMESERIES_INTERVALS)[number];

export const BabyTimeseriesQuerySchema = Type.Object({
  patient_id: Type.Optional(Type.String({ minLength: 1 })),
  interval: Type.Enum(BABY_TIMESERIES_INTERVALS, { default: '1 hour' }),
  start_date: Type.Optional(QueryDateTime('Default: 7 days before end_date')),
  end_date: Type.Optional(QueryDateTime('Default: now')),
});
export type BabyTimeseriesQuery = Static<typeof BabyTimeseriesQuerySchema>;

export const BabyTimeseriesSchema = Type.Object(
  {
    data: Type.Array(
      Type.Object({
        time: Type.String({ format: 'date-time', description: 'Bucket start' }),
        avg_temperature: Nullable(Type.Number()),
        avg_humidity: Nullable(Type.Number()),
        record_count: Type.Integer(),
        cry_count: Type.Integer(),
        sick_count: Type.Integer(),
      }),
      { description: 'Newest bucket first; buckets without readings are absent' },
    ),
  },
  { title: 'BabyTimeseries' },
);
export type BabyTimeseries = Static<typeof BabyTimeseriesSchema>;

/** A sensor value of the seed-002 ESP32 firmware: a number, or `"Err"` when the sensor failed. */
const SensorValue = Type.Union([Type.Number(), Type.Literal('Err')]);

/**
 * What a monitor publishes on `vigil/devices/{device_id}/readings`: the seed-002 ESP32 payload
 * (`FinalResult`, `InfantCry` and `Snoring` confidences in %, `Temperature`, `Humidity`), with
 * optional `device_id` (must be the topic's) and `timestamp` (epoch ms; default: when received).
 */
export const BabyMonitorMessageSchema = Type.Object(
  {
    device_id: Type.Optional(Type.String({ minLength: 1 })),
    timestamp: Type.Optional(Type.Number()),
    FinalResult: Type.Optional(Type.String({ maxLength: 64 })),
    InfantCry: Type.Optional(SensorValue),
    Snoring: Type.Optional(SensorValue),
    Temperature: Type.Optional(SensorValue),
    Humidity: Type.Optional(SensorValue),
    notes: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { title: 'BabyMonitorMessage' },
);
export type BabyMonitorMessage = Static<typeof BabyMonitorMessageSchema>;

const monitorMessageValidator = Compile(BabyMonitorMessageSchema);

/** Validates an MQTT monitor message (the errors name the field, like every other validator). */
export function validateBabyMonitorMessage(input: unknown) {
  if (monitorMessageValidator.Check(input)) return { value: input };
  return { errors: monitorMessageValidator.Errors(input) };
}

/** Seed 002's `GET /health/test/endpoint`: its router check, with the cry model's state. */
export const Seed002RouterCheckSchema = Type.Object(
  {
    message: Type.Literal('Health router is working!'),
    cry_detection: Type.Literal('AI model ready', {
      description: 'The cry model loaded (a broken one answers 500)',
    }),
  },
  { title: 'Seed002RouterCheck' },
);
export type Seed002RouterCheck = Static<typeof Seed002RouterCheckSchema>;
