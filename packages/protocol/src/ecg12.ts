import { Type, type Static } from 'typebox';
import { OffsetParam } from './common.js';

/**
 * Resting 12-lead ECG classification (seed 003): one 10 s recording of the 12 standard
 * leads plus the patient's age, sex, height, weight and heart axis in; the PTB-XL diagnostic
 * superclass (the seed's `class_index`, `class_name`, `class_description`) with probabilities,
 * measurements and the criteria that fired out. Every request is stored in a history.
 */

/** Heart axis values of the seed (PTB-XL `heart_axis` plus NO_DATA). */
export const ECG12_HEART_AXES = [
  'ALAD',
  'ARAD',
  'AXL',
  'AXR',
  'LAD',
  'MID',
  'RAD',
  'SAG',
  'NO_DATA',
] as const;
export type Ecg12HeartAxis = (typeof ECG12_HEART_AXES)[number];

/**
 * Seconds of signal in one request: the standard resting ECG is 10 s (PTB-XL, CinC 2021's
 * Georgia set, seed 003's 5000 × 12 at 500 Hz); records of 5–60 s are interpreted too, as the
 * interpreter measures median beats (`@vigil/signal`'s ECG12_MIN_SECONDS / ECG12_MAX_SECONDS).
 */
export const ECG12_DURATION_S = 10;
export const ECG12_MIN_DURATION_S = 5;
export const ECG12_MAX_DURATION_S = 60;
export const ECG12_DEFAULT_RATE_HZ = 500;
export const ECG12_MIN_RATE_HZ = 250;
export const ECG12_MAX_RATE_HZ = 1000;
/** Most samples one batch request may carry. */
export const ECG12_MAX_BATCH = 100;

/**
 * The classes, by the seed's `class_index` (0 N normal, 1 S STTC, …). `class_name` is the seed's
 * one-letter name; `superclass` the PTB-XL superclass the probabilities are keyed by.
 */
export const ECG12_CLASS_TABLE = [
  { class_index: 0, class_name: 'N', superclass: 'NORM', class_description: 'Normal ECG' },
  { class_index: 1, class_name: 'S', superclass: 'STTC', class_description: 'STTC' },
  { class_index: 2, class_name: 'M', superclass: 'MI', class_description: 'Myocardial infarction' },
  {
    class_index: 3,
    class_name: 'C',
    superclass: 'CD',
    class_description: 'Conduction disturbance',
  },
  { class_index: 4, class_name: 'H', superclass: 'HYP', class_description: 'Hypertrophy' },
] as const;

// An enum, not a union of literals: a union fails once per literal and TypeBox reports at most
// 8 errors, so a refusal listed 8 of the 9 axes and left out NO_DATA.
export const Ecg12HeartAxisSchema = Type.Enum(ECG12_HEART_AXES, {
  description: `One of ${ECG12_HEART_AXES.join(', ')}`,
});

const patientFields = {
  age: Type.Number({ minimum: 0, maximum: 130, description: 'Age, years' }),
  sex: Type.Union([Type.Literal(0), Type.Literal(1)], { description: '0 female, 1 male' }),
  height: Type.Number({ exclusiveMinimum: 0, maximum: 300, description: 'Height, cm' }),
  weight: Type.Number({ exclusiveMinimum: 0, maximum: 700, description: 'Weight, kg' }),
  heart_axis: Ecg12HeartAxisSchema,
};

/**
 * The matrix is checked by the server's normaliser, not by this schema (a schema per sample
 * would cost 60,000 checks): rows of 12 finite numbers, 5–60 s × sampling_rate_hz rows.
 */
const EcgSignalSchema = Type.Array(Type.Unknown(), {
  description:
    'ECG, [n_samples][12] numbers in mV, leads I II III aVR aVL aVF V1–V6; 5–60 s: n_samples from 5 s to 60 s × sampling_rate_hz (the standard 10 s is 5000 at 500 Hz)',
});

export const Ecg12ClassifyBodySchema = Type.Object(
  {
    ...patientFields,
    ecg_signal: EcgSignalSchema,
    sampling_rate_hz: Type.Optional(
      Type.Number({
        minimum: ECG12_MIN_RATE_HZ,
        maximum: ECG12_MAX_RATE_HZ,
        default: ECG12_DEFAULT_RATE_HZ,
        description: 'Sampling rate, Hz (default 500)',
      }),
    ),
    patient_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'The patient the ECG belongs to (a patient the caller may see)',
      }),
    ),
  },
  { title: 'Ecg12ClassifyBody' },
);
export type Ecg12ClassifyBody = Static<typeof Ecg12ClassifyBodySchema>;

export const Ecg12BatchBodySchema = Type.Object(
  {
    samples: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: ECG12_MAX_BATCH,
      description: `1–${ECG12_MAX_BATCH} bodies of POST /api/v1/ecg/classify, all checked before any is classified: one refused sample refuses the batch`,
    }),
  },
  { title: 'Ecg12BatchBody' },
);
export type Ecg12BatchBody = Static<typeof Ecg12BatchBodySchema>;

const nullableNumber = (description: string) =>
  Type.Union([Type.Number(), Type.Null()], { description });

export const Ecg12ProbabilitiesSchema = Type.Object(
  {
    NORM: Type.Number({ minimum: 0, maximum: 1 }),
    MI: Type.Number({ minimum: 0, maximum: 1 }),
    STTC: Type.Number({ minimum: 0, maximum: 1 }),
    CD: Type.Number({ minimum: 0, maximum: 1 }),
    HYP: Type.Number({ minimum: 0, maximum: 1 }),
  },
  { description: 'Probability of each PTB-XL superclass (multi-label)' },
);

export const Ecg12MeasurementsSchema = Type.Object({
  heart_rate_bpm: nullableNumber('From the median RR interval'),
  rr_ms: nullableNumber('Median RR interval'),
  pr_ms: nullableNumber('PR interval; null when no P wave is found'),
  qrs_ms: nullableNumber('Global QRS duration'),
  qt_ms: nullableNumber('QT interval'),
  qtc_bazett_ms: nullableNumber('QTc, Bazett'),
  qtc_fridericia_ms: nullableNumber('QTc, Fridericia'),
  axis_deg: nullableNumber('Frontal QRS axis, degrees'),
  axis_sector: Type.String({ description: 'normal, left, right, extreme or indeterminate' }),
  beat_count: Type.Integer({ description: 'Beats averaged into the median beats' }),
});

export const Ecg12FindingSchema = Type.Object({
  class: Type.String({ description: 'NORM, MI, STTC, CD, HYP or NOTE' }),
  criterion: Type.String({ description: 'Stable criterion id, e.g. CRBBB' }),
  text: Type.String({ description: 'Statement with the measured values' }),
});

export const Ecg12ClassificationSchema = Type.Object(
  {
    id: Type.String({ description: 'Id of the history record' }),
    class_index: Type.Integer({ minimum: 0, maximum: 4 }),
    class_name: Type.String({ description: 'N, S, M, C or H' }),
    class_description: Type.String(),
    probabilities: Ecg12ProbabilitiesSchema,
    measurements: Ecg12MeasurementsSchema,
    findings: Type.Array(Ecg12FindingSchema),
    units_assessed: Type.Union([Type.Literal('mV'), Type.Literal('relative')]),
    model_version: Type.String(),
    processing_ms: Type.Number(),
  },
  { title: 'Ecg12Classification' },
);
export type Ecg12Classification = Static<typeof Ecg12ClassificationSchema>;

export const Ecg12BatchResultSchema = Type.Object(
  {
    results: Type.Array(
      Type.Object({
        index: Type.Integer({ minimum: 0 }),
        prediction: Ecg12ClassificationSchema,
        error: Type.Null({
          description:
            'Always null: a batch with a refused sample is refused whole (400/404/422 naming samples[i].<field>)',
        }),
      }),
    ),
    succeeded: Type.Integer({ description: 'The number of samples (all are classified)' }),
    failed: Type.Integer({ description: 'Always 0 (kept for older clients)' }),
  },
  { title: 'Ecg12BatchResult' },
);
export type Ecg12BatchResult = Static<typeof Ecg12BatchResultSchema>;

export const Ecg12HistoryQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: OffsetParam,
  patient_id: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'Only the classifications of this patient (one the caller may see, else 404)',
    }),
  ),
});
export type Ecg12HistoryQuery = Static<typeof Ecg12HistoryQuerySchema>;

export const Ecg12HistoryRecordSchema = Type.Object(
  {
    id: Type.String(),
    created_at: Type.Integer({ description: 'Epoch ms' }),
    request_type: Type.Union([Type.Literal('single'), Type.Literal('batch')]),
    success: Type.Boolean(),
    error_code: Type.Union([Type.String(), Type.Null()]),
    error_message: Type.Union([Type.String(), Type.Null()]),
    caller_user_id: Type.Union([Type.String(), Type.Null()], {
      description: 'null for an anonymous caller',
    }),
    patient_id: Type.Union([Type.String(), Type.Null()]),
    age: nullableNumber('Years'),
    sex: Type.Union([Type.Integer(), Type.Null()]),
    height: nullableNumber('cm'),
    weight: nullableNumber('kg'),
    heart_axis: Type.Union([Type.String(), Type.Null()]),
    sampling_rate_hz: nullableNumber('Hz'),
    n_samples: Type.Union([Type.Integer(), Type.Null()]),
    predicted_class_index: Type.Union([Type.Integer(), Type.Null()]),
    predicted_class_name: Type.Union([Type.String(), Type.Null()]),
    predicted_class_description: Type.Union([Type.String(), Type.Null()]),
    processing_ms: Type.Number(),
    model_version: Type.Union([Type.String(), Type.Null()]),
  },
  { title: 'Ecg12HistoryRecord' },
);
export type Ecg12HistoryRecord = Static<typeof Ecg12HistoryRecordSchema>;

export const Ecg12HistoryPageSchema = Type.Object(
  {
    total: Type.Integer({ description: 'Records the caller may see' }),
    limit: Type.Integer(),
    offset: Type.Integer(),
    records: Type.Array(Ecg12HistoryRecordSchema),
  },
  { title: 'Ecg12HistoryPage' },
);
export type Ecg12HistoryPage = Static<typeof Ecg12HistoryPageSchema>;

export const Ecg12HistoryDeletedSchema = Type.Object(
  { message: Type.String(), deleted_count: Type.Integer({ minimum: 0 }) },
  { title: 'Ecg12HistoryDeleted' },
);
export type Ecg12HistoryDeleted = Static<typeof Ecg12HistoryDeletedSchema>;

export const Ecg12StoredSignalSchema = Type.Object(
  {
    sampling_rate_hz: Type.Number(),
    leads: Type.Array(Type.String(), { description: 'I II III aVR aVL aVF V1–V6' }),
    samples_mv: Type.Array(Type.Array(Type.Number()), {
      description:
        'One array per lead (lead-major, unlike ecg_signal), in the units given (mV unless the result says units_assessed = relative); stored as int16, so within 1/65534 of each lead’s range',
    }),
  },
  { title: 'Ecg12StoredSignal' },
);
export type Ecg12StoredSignal = Static<typeof Ecg12StoredSignalSchema>;

export const Ecg12StoredClassificationSchema = Type.Object(
  {
    record: Ecg12HistoryRecordSchema,
    result: Type.Union([Ecg12ClassificationSchema, Type.Null()], {
      description: 'The classification as answered; null for a refused request',
    }),
    signal: Type.Union([Ecg12StoredSignalSchema, Type.Null()], {
      description: 'The 12 leads; kept only for an ECG classified for a patient',
    }),
  },
  { title: 'Ecg12StoredClassification' },
);
export type Ecg12StoredClassification = Static<typeof Ecg12StoredClassificationSchema>;

export const Ecg12PatientHistoryQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: OffsetParam,
});
export type Ecg12PatientHistoryQuery = Static<typeof Ecg12PatientHistoryQuerySchema>;

const Distribution = Type.Record(Type.String(), Type.Integer());
const Summary = Type.Union([
  Type.Object({ mean: Type.Number(), min: Type.Number(), max: Type.Number(), std: Type.Number() }),
  Type.Null(),
]);

export const Ecg12StatsSchema = Type.Object(
  {
    total_requests: Type.Integer(),
    successful_requests: Type.Integer(),
    failed_requests: Type.Integer(),
    processing_time: Type.Union([
      Type.Object({
        mean_ms: Type.Number(),
        p50_ms: Type.Number(),
        p95_ms: Type.Number(),
        p99_ms: Type.Number(),
        min_ms: Type.Number(),
        max_ms: Type.Number(),
      }),
      Type.Null(),
    ]),
    input_stats: Type.Object({
      age: Summary,
      height: Summary,
      weight: Summary,
      sex_distribution: Distribution,
      heart_axis_distribution: Distribution,
    }),
    class_distribution: Distribution,
  },
  { title: 'Ecg12Stats' },
);
export type Ecg12Stats = Static<typeof Ecg12StatsSchema>;

// Seed 003 compatibility shapes (the /api/v1/forward … aliases).

export const Seed003PredictionSchema = Type.Object(
  {
    class_index: Type.Integer(),
    class_name: Type.String(),
    class_description: Type.String(),
  },
  { title: 'Seed003Prediction' },
);

export const Seed003BatchSchema = Type.Object(
  {
    predictions: Type.Array(Seed003PredictionSchema, {
      description:
        'One per sample, in order; a batch with a refused sample is refused whole (400 naming samples[i].<field>)',
    }),
  },
  { title: 'Seed003Batch' },
);

/** A history record as seed 003 gives it: `created_at` an ISO date-time, not epoch ms. */
export const Seed003HistoryRecordSchema = Type.Object(
  {
    ...Ecg12HistoryRecordSchema.properties,
    created_at: Type.String({
      format: 'date-time',
      description: "ISO 8601, UTC (seed 003's shape; /api/v1/ecg/history gives epoch ms)",
    }),
  },
  { title: 'Seed003HistoryRecord' },
);

export const Seed003HistorySchema = Type.Object(
  { total: Type.Integer(), records: Type.Array(Seed003HistoryRecordSchema) },
  { title: 'Seed003History' },
);

export const Seed003HealthSchema = Type.Object(
  {
    status: Type.Literal('healthy'),
    model_loaded: Type.Boolean(),
    model_version: Type.String(),
  },
  { title: 'Seed003Health' },
);
