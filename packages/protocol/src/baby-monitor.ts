import { Type, type Static } from 'typebox';
import { OffsetParam } from './common.js';
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
/**
 * Audio clips: largest accepted upload (bytes), longest and shortest duration (s). The shortest is
 * one analysis frame of the cry model (256 samples at 8 kHz): anything shorter cannot be analysed.
 */
export const BABY_AUDIO_LIMITS = {
  maxBytes: 20 * 1024 * 1024,
  maxSeconds: 300,
  minSeconds: 0.032,
} as const;
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
 * The seed declared these `Optional[datetime]` (FastAPI, pydantic 2), which also takes a date
 * alone (its midnight) and Unix time as a number: seconds, or milliseconds beyond 2e10.
 */
const QueryDateTime = (description?: string) =>
  Type.String({
    pattern:
      '^(\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?([Zz]|[+-]\\d{2}(:?\\d{2})?| \\d{2}:?\\d{2})?)?|-?\\d{1,16}(\\.\\d{1,9})?)$',
    description: `ISO 8601 date-time (2025-11-13T12:00:00Z; without an offset, UTC), a date (2025-11-13: its midnight, UTC) or Unix time (seconds, or milliseconds beyond 2e10), as seed 002's pydantic took them${description === undefined ? '' : `. ${description}`}`,
  });

export const BabyReadingsQuerySchema = Type.Object({
  patient_id: Type.Optional(Type.String({ minLength: 1 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: OffsetParam,
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

/** Most babies whose latest reading one request returns. */
export const BABY_LATEST_MAX_PATIENTS = 1000;

export const BabyLatestQuerySchema = Type.Object({
  limit: Type.Integer({
    minimum: 1,
    maximum: BABY_LATEST_MAX_PATIENTS,
    default: BABY_LATEST_MAX_PATIENTS,
    description: 'At most this many babies, those heard from most recently first',
  }),
});
export type BabyLatestQuery = Static<typeof BabyLatestQuerySchema>;

export const BabyLatestSchema = Type.Array(BabyReadingSchema, {
  title: 'BabyLatestReadings',
  description:
    'The newest reading of each patient the caller may see who has one (admin: all, doctor: own patients, patient: self), however old; newest first',
});
export type BabyLatest = Static<typeof BabyLatestSchema>;

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

/**
 * A number written as a JSON string (`"25.8"`), as seed 002's Python `float()` read it: an
 * optional sign, digits, an optional fraction, an optional exponent. Strict where `float()` is
 * lenient: no surrounding whitespace, no `"nan"` / `"inf"` / `"Infinity"`, no `"1_000"`, not empty.
 */
export const DECIMAL_STRING_PATTERN = '^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?$';

/**
 * A sensor value of the seed-002 ESP32 firmware: a number, a number written as a string (read
 * as the number before its range is checked), or `"Err"` when the sensor failed.
 */
const SensorValue = Type.Union([
  Type.Number(),
  Type.String({ pattern: DECIMAL_STRING_PATTERN, maxLength: 64 }),
  Type.Literal('Err'),
]);

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

/**
 * Seed 002's chart endpoints (`GET /health/charts/…`, its app/routers/health.py): the caller's
 * readings since `days` × 24 h ago (a rolling window, not calendar days; the line and bar charts
 * also end at now, as the seed's do), bucketed in UTC from TimescaleDB's origin (Monday
 * 2000-01-03 00:00 UTC) as its `time_bucket` does.
 */
const ChartDays = (defaultDays: number) =>
  Type.Integer({
    minimum: 1,
    maximum: 30,
    default: defaultDays,
    description: `Days to look back (× 24 h ending now), 1–30; default ${defaultDays}`,
  });
const ChartPatient = Type.Optional(
  Type.String({
    minLength: 1,
    description: "Whose readings (a doctor's or admin's choice); a patient's own by default",
  }),
);

export const SEED002_TEMPERATURE_CHART_INTERVALS = ['1 hour', '6 hours', '1 day'] as const;
export type Seed002TemperatureChartInterval = (typeof SEED002_TEMPERATURE_CHART_INTERVALS)[number];
export const SEED002_CRY_CHART_INTERVALS = ['1 hour', '1 day'] as const;
export type Seed002CryChartInterval = (typeof SEED002_CRY_CHART_INTERVALS)[number];

export const Seed002TemperatureChartQuerySchema = Type.Object({
  patient_id: ChartPatient,
  interval: Type.Enum(SEED002_TEMPERATURE_CHART_INTERVALS, { default: '1 hour' }),
  days: ChartDays(1),
});
export type Seed002TemperatureChartQuery = Static<typeof Seed002TemperatureChartQuerySchema>;

export const Seed002TemperatureChartSchema = Type.Object(
  {
    labels: Type.Array(Type.String(), {
      description:
        'Bucket start, UTC, `MM/DD HH:MM`; oldest first; buckets without readings are absent',
    }),
    temperature: Type.Array(Nullable(Type.Number()), {
      description: 'Mean °C per bucket, 1 decimal; null when no reading of the bucket had one',
    }),
    humidity: Type.Array(Nullable(Type.Number()), {
      description: 'Mean relative humidity, %, per bucket, 1 decimal; null likewise',
    }),
  },
  { title: 'Seed002TemperatureChart' },
);
export type Seed002TemperatureChart = Static<typeof Seed002TemperatureChartSchema>;

export const Seed002CryChartQuerySchema = Type.Object({
  patient_id: ChartPatient,
  interval: Type.Enum(SEED002_CRY_CHART_INTERVALS, { default: '1 day' }),
  days: ChartDays(7),
});
export type Seed002CryChartQuery = Static<typeof Seed002CryChartQuerySchema>;

export const Seed002CryChartSchema = Type.Object(
  {
    labels: Type.Array(Type.String(), {
      description:
        'Bucket start, UTC, as seed 002 writes it (`%a %d`: `Mon 11`, for hourly buckets too); oldest first; buckets without readings are absent',
    }),
    cry_count: Type.Array(Type.Integer(), { description: 'Readings with cry_detected' }),
    sick_count: Type.Array(Type.Integer(), { description: 'Readings with sick_detected' }),
  },
  { title: 'Seed002CryChart' },
);
export type Seed002CryChart = Static<typeof Seed002CryChartSchema>;

export const Seed002ChartDaysQuerySchema = Type.Object({
  patient_id: ChartPatient,
  days: ChartDays(7),
});
export type Seed002ChartDaysQuery = Static<typeof Seed002ChartDaysQuerySchema>;

/** Seed 002's pie slices, in its order, with its (Vietnamese) labels and colours. */
export const SEED002_HEALTH_DISTRIBUTION = {
  labels: ['Bình thường', 'Khóc', 'Sốt', 'Nguy hiểm'],
  colors: ['#4CAF50', '#FFC107', '#FF9800', '#F44336'],
} as const;

export const Seed002HealthDistributionSchema = Type.Object(
  {
    labels: Type.Array(Type.String(), {
      description:
        'Normal (no cry, below the infant_sick threshold), crying (not sick), fever (no cry, at or above the threshold: default 38 °C), critical (crying and sick)',
    }),
    values: Type.Array(Type.Integer(), { description: 'Readings in each slice' }),
    percentages: Type.Array(Type.Number(), {
      description: 'Share of all the readings, %, 1 decimal (all 0 without readings)',
    }),
    colors: Type.Array(Type.String()),
  },
  { title: 'Seed002HealthDistribution' },
);
export type Seed002HealthDistribution = Static<typeof Seed002HealthDistributionSchema>;

export const Seed002HourlyHeatmapSchema = Type.Object(
  {
    hours: Type.Array(Type.Integer(), { description: '0–23 (UTC)' }),
    days: Type.Array(Type.String(), { description: 'Sun … Sat' }),
    data: Type.Array(Type.Array(Type.Integer()), {
      description: 'data[day][hour]: readings with cry_detected; 7 rows (Sunday first) of 24',
    }),
  },
  { title: 'Seed002HourlyHeatmap' },
);
export type Seed002HourlyHeatmap = Static<typeof Seed002HourlyHeatmapSchema>;
