import { Type, type Static } from 'typebox';
import { AlertSeveritySchema } from './alerts.js';

/**
 * Seed 004's view of Vigil: the REST paths of the ECG MI predictor (github.com/Saifeddine-Rejeb/
 * real-time-ecg-mi-predictor, `back/app.py`, `back/routes/*.py`) as its React front end
 * (`frontend/src/pages/*.jsx`) calls and reads them. Documents carry `_id` (the seed's MongoDB
 * id, here Vigil's id) beside `id`; writes answer `{inserted_id}`, `{modified_count}`,
 * `{deleted_count}`. Times are epoch ms, as everywhere in Vigil.
 */
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

export const Seed004InsertedSchema = Type.Object(
  {
    inserted_id: Type.String(),
    api_key: Type.Optional(
      Type.String({ description: "A new device's API key (shown once; the seed had none)" }),
    ),
  },
  { title: 'Seed004Inserted' },
);
export const Seed004ModifiedSchema = Type.Object(
  { modified_count: Type.Integer({ minimum: 0, maximum: 1 }) },
  { title: 'Seed004Modified' },
);
export const Seed004DeletedSchema = Type.Object(
  { deleted_count: Type.Integer({ minimum: 0, maximum: 1 }) },
  { title: 'Seed004Deleted' },
);

export const Seed004RoleSchema = Type.Enum(['admin', 'doctor', 'patient']);

/** A user as `UserManagement.jsx` and `Settings.jsx` read it (`_id`, `name`, `email`, `type`). */
export const Seed004UserSchema = Type.Object(
  {
    _id: Type.String(),
    id: Type.String(),
    name: Type.String(),
    email: Type.String(),
    type: Seed004RoleSchema,
    role: Seed004RoleSchema,
    doctor_id: Nullable(Type.String()),
  },
  { title: 'Seed004User' },
);
export type Seed004User = Static<typeof Seed004UserSchema>;

/** `POST /api/users`: the seed's `type` (or `role`); extra fields of its form are ignored. */
export const Seed004CreateUserBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
    type: Type.Optional(Seed004RoleSchema),
    role: Type.Optional(Seed004RoleSchema),
  },
  { title: 'Seed004CreateUserBody' },
);
export const Seed004UpdateUserBodySchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    type: Type.Optional(Seed004RoleSchema),
    role: Type.Optional(Seed004RoleSchema),
  },
  { title: 'Seed004UpdateUserBody' },
);

/** A device as the seed's `devices` documents hold it (`serial`, `patient_id`, `status`). */
export const Seed004DeviceSchema = Type.Object(
  {
    _id: Type.String(),
    id: Type.String(),
    serial: Type.String(),
    name: Nullable(Type.String()),
    patient_id: Nullable(Type.String()),
    status: Type.Enum(['active', 'inactive']),
    assigned_at: Type.Integer(),
    last_seen: Nullable(Type.Integer()),
  },
  { title: 'Seed004Device' },
);
export const Seed004CreateDeviceBodySchema = Type.Object(
  {
    serial: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    patient_id: Type.Optional(Nullable(Type.String({ format: 'uuid' }))),
  },
  { title: 'Seed004CreateDeviceBody' },
);
export const Seed004UpdateDeviceBodySchema = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    patient_id: Type.Optional(Nullable(Type.String({ format: 'uuid' }))),
  },
  { title: 'Seed004UpdateDeviceBody' },
);

/**
 * An alert as the seed's `alerts` documents hold it (`back/models/alert_model.py`: device_id,
 * patient_id, doctor_id, type, message, timestamp, seen_by_patient, seen_by_doctor), with
 * Vigil's lifecycle beside it.
 */
export const Seed004AlertSchema = Type.Object(
  {
    _id: Type.String(),
    id: Type.String(),
    device_id: Nullable(Type.String()),
    patient_id: Type.String(),
    doctor_id: Nullable(Type.String()),
    type: Type.String({ description: "Vigil's rule kind (mi_12lead, hr_high, …) or manual" }),
    message: Type.String({ description: 'For an MI alert, the criteria that fired' }),
    severity: AlertSeveritySchema,
    timestamp: Type.Integer({ description: 'Epoch ms the alert opened' }),
    seen_by_patient: Type.Boolean({
      description: 'The patient marked it seen (PUT seen_by_patient: true)',
    }),
    seen_by_doctor: Type.Boolean({ description: 'Acknowledged by a clinician' }),
    resolved: Type.Boolean(),
  },
  { title: 'Seed004Alert' },
);
export type Seed004Alert = Static<typeof Seed004AlertSchema>;

export const Seed004CreateAlertBodySchema = Type.Object(
  {
    patient_id: Type.String({ format: 'uuid' }),
    message: Type.String({ minLength: 1, maxLength: 2000 }),
    severity: Type.Optional(AlertSeveritySchema),
    device_id: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
  },
  { title: 'Seed004CreateAlertBody' },
);
export const Seed004UpdateAlertBodySchema = Type.Object(
  {
    message: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    severity: Type.Optional(AlertSeveritySchema),
    seen_by_doctor: Type.Optional(
      Type.Literal(true, { description: 'Acknowledges the alert (it cannot be un-seen)' }),
    ),
    seen_by_patient: Type.Optional(
      Type.Literal(true, {
        description:
          'The patient has seen the alert (the patient or their clinician; it cannot be un-seen)',
      }),
    ),
    resolved: Type.Optional(Type.Literal(true, { description: 'Resolves (clears) the alert' })),
  },
  { title: 'Seed004UpdateAlertBody' },
);

/** `GET /api/records?class=&meta=`: the stored 12-lead ECGs the caller may see. */
export const Seed004RecordsQuerySchema = Type.Object({
  class: Type.Optional(Type.Enum(['NORM', 'MI', 'STTC', 'CD', 'HYP'])),
  meta: Type.Optional(Type.Boolean({ default: false })),
});
export const Seed004RecordSchema = Type.Object(
  {
    id: Type.String(),
    class: Type.String({ description: 'The class Vigil interpreted (NORM, MI, STTC, CD, HYP)' }),
    path: Type.String({ description: 'What `/api/ecg?file=` and `/api/predict {file}` take' }),
    fs: Type.Optional(Type.Number()),
    samples: Type.Optional(Type.Integer()),
    leads: Type.Optional(Type.Integer()),
  },
  { title: 'Seed004Record' },
);
export const Seed004RecordListSchema = Type.Array(Seed004RecordSchema);

export const Seed004FileQuerySchema = Type.Object({
  file: Type.String({ minLength: 1, maxLength: 64, description: 'A record `path`' }),
});
export const Seed004PatientQuerySchema = Type.Object({
  patient: Type.String({ minLength: 1, maxLength: 64, description: 'A record `path`' }),
});

/** One sample instant of a record: `time` (sample index) and `lead1` … `lead12` in mV. */
export const Seed004EcgRowSchema = Type.Object(
  {
    time: Type.Integer(),
    lead1: Type.Number(),
    lead2: Type.Number(),
    lead3: Type.Number(),
    lead4: Type.Number(),
    lead5: Type.Number(),
    lead6: Type.Number(),
    lead7: Type.Number(),
    lead8: Type.Number(),
    lead9: Type.Number(),
    lead10: Type.Number(),
    lead11: Type.Number(),
    lead12: Type.Number(),
  },
  { title: 'Seed004EcgRow' },
);
export const Seed004EcgSchema = Type.Array(Seed004EcgRowSchema);
export type Seed004EcgRow = Static<typeof Seed004EcgRowSchema>;

/**
 * Vitals as `vitals.jsx` and `StreamingVitals.jsx` read them. Vigil measures heart rate, RR
 * intervals and their SD from the ECG; what it does not measure (PCG, skin temperature,
 * respiration) is null, never an example value.
 */
export const Seed004VitalsSchema = Type.Object(
  {
    heartRate: Nullable(Type.Number({ description: 'bpm: 60000 / mean RR' })),
    hrv: Nullable(Type.Number({ description: 'SD of the RR intervals, ms' })),
    rrDistances: Type.Array(Type.Integer(), { description: 'RR intervals, ms' }),
    rrIntervalAvg: Nullable(Type.Number({ description: 'Mean RR, ms' })),
    respiratoryRate: Type.Null(),
    skinTemp: Type.Null(),
    pcg: Type.Null(),
    pcgSignal: Type.Array(Type.Number(), { maxItems: 0 }),
    rhythmLead: Nullable(Type.String({ description: 'The lead the beats were detected on' })),
  },
  { title: 'Seed004Vitals' },
);
export type Seed004Vitals = Static<typeof Seed004VitalsSchema>;

/** What `prediction.jsx` reads: a class name, a full name and a confidence. */
export const Seed004PredictionSchema = Type.Object(
  {
    predicted_class: Type.String(),
    predicted_class_name: Type.String({
      description: 'NORM, MI, STTC, CD, HYP, or NOT_ASSESSABLE (fewer than 12 leads)',
    }),
    predicted_full_name: Type.String(),
    confidence: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
    probabilities: Nullable(
      Type.Object({
        NORM: Type.Number(),
        MI: Type.Number(),
        STTC: Type.Number(),
        CD: Type.Number(),
        HYP: Type.Number(),
      }),
    ),
    criteria: Type.Array(Type.String(), { description: 'The MI criteria that fired, if any' }),
    leads: Type.Integer({ description: 'Leads the prediction had' }),
  },
  { title: 'Seed004Prediction' },
);
export type Seed004Prediction = Static<typeof Seed004PredictionSchema>;

export const Seed004PredictBodySchema = Type.Object(
  { file: Type.String({ minLength: 1, maxLength: 64 }) },
  { title: 'Seed004PredictBody' },
);

/**
 * `POST /api/realtime/predict {ecg}`: samples as rows of leads (`[[I, II, … V6], …]`, mV, what
 * `/api/mongo/stream` returns) or one lead (`[v, …]`, what the seed's dashboard sends: 187
 * min-max normalised values of lead 1, on which MI cannot be assessed).
 */
export const Seed004RealtimePredictBodySchema = Type.Object(
  {
    ecg: Type.Union([
      Type.Array(Type.Number(), { minItems: 1, maxItems: 20_000 }),
      Type.Array(Type.Array(Type.Number(), { minItems: 1, maxItems: 12 }), {
        minItems: 1,
        maxItems: 10_000,
      }),
    ]),
    fs: Type.Optional(
      Type.Number({ minimum: 250, maximum: 1000, description: 'Hz of the rows; default 500' }),
    ),
  },
  { title: 'Seed004RealtimePredictBody' },
);
export const Seed004RealtimePredictSchema = Type.Object(
  { success: Type.Boolean(), prediction: Seed004PredictionSchema },
  { title: 'Seed004RealtimePredict' },
);

const StreamScope = {
  device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  patient_id: Type.Optional(Type.String({ format: 'uuid' })),
};
export const Seed004StreamQuerySchema = Type.Object({
  start: Type.Integer({ minimum: 0, default: 0 }),
  count: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  ...StreamScope,
});
export const Seed004StreamVitalsQuerySchema = Type.Object({
  window: Type.Integer({ minimum: 1, maximum: 120, default: 10 }),
  start: Type.Integer({ minimum: 0, default: 0 }),
  ...StreamScope,
});
/** One stored multi-lead packet: `ecg` rows of 12 values (I … V6; 0 for a lead not sent). */
export const Seed004StreamBatchSchema = Type.Object(
  {
    ecg: Type.Array(Type.Array(Type.Number(), { minItems: 12, maxItems: 12 })),
    timestamp: Type.Integer(),
    fs: Type.Number(),
    leads: Type.Array(Type.String(), { description: 'The leads the device sent' }),
    device_id: Type.String(),
  },
  { title: 'Seed004StreamBatch' },
);
export const Seed004StreamSchema = Type.Array(Seed004StreamBatchSchema);

/** `POST /api/auth/login`: what `Login.jsx` and `App.jsx` store (token, role, user_id, email). */
export const Seed004LoginBodySchema = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { title: 'Seed004LoginBody' },
);
export const Seed004LoginSchema = Type.Object(
  {
    token: Type.String(),
    role: Seed004RoleSchema,
    email: Type.String(),
    user_id: Type.String(),
  },
  { title: 'Seed004Login' },
);
export const Seed004MessageSchema = Type.Object(
  { message: Type.String() },
  { title: 'Seed004Message' },
);

/**
 * A report as the seed's `reports` documents hold it (`back/models/report_model.py`: doctor_id,
 * patient_id, date, content, files, diagnosis), from a Vigil clinical report: `content` is its
 * notes, `diagnosis` its title, `files` its PDF; its period and status beside them. The seed's
 * `Reports.jsx` reads `pdfUrl`, `diagnosis` and `timestamp`.
 */
export const Seed004ReportSchema = Type.Object(
  {
    _id: Type.String(),
    id: Type.String(),
    doctor_id: Nullable(Type.String()),
    patient_id: Type.String(),
    date: Type.String({ description: 'ISO 8601, when the report was built' }),
    timestamp: Type.Integer({ description: 'Epoch ms, when the report was built' }),
    content: Type.String(),
    diagnosis: Type.String(),
    files: Type.Array(Type.String()),
    pdfUrl: Type.String(),
    status: Type.String(),
    period_start: Type.Integer(),
    period_end: Type.Integer(),
  },
  { title: 'Seed004Report' },
);
export type Seed004Report = Static<typeof Seed004ReportSchema>;

export const Seed004CreateReportBodySchema = Type.Object(
  {
    patient_id: Type.String({ format: 'uuid' }),
    doctor_id: Type.Optional(Type.String({ description: 'Ignored: the author is the caller' })),
    content: Type.Optional(Type.String({ maxLength: 10_000 })),
    diagnosis: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    date: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'End of the period (default now); the period is the 24 h before it',
      }),
    ),
    period_start: Type.Optional(Type.Integer({ minimum: 0 })),
    period_end: Type.Optional(Type.Integer({ minimum: 1 })),
    files: Type.Optional(Type.Array(Type.String(), { maxItems: 0, description: 'Not stored' })),
  },
  { additionalProperties: false },
);
export type Seed004CreateReportBody = Static<typeof Seed004CreateReportBodySchema>;

export const Seed004UpdateReportBodySchema = Type.Object(
  {
    content: Type.Optional(Type.String({ maxLength: 10_000 })),
    diagnosis: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('final')])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type Seed004UpdateReportBody = Static<typeof Seed004UpdateReportBodySchema>;
