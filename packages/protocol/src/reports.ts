import { Type, type Static } from 'typebox';
import { Ecg12FindingSchema, Ecg12MeasurementsSchema } from './ecg12.js';

/**
 * Clinical reports: a document about one patient over a period, built once from what
 * Vigil stored and kept with the report (`content`), so a final report does not change when data
 * is later deleted by retention. Every figure is either computed from stored rows or null with
 * the reason in `no_data`; none is estimated.
 */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

export const REPORT_STATUSES = ['draft', 'final'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** Longest period one report may cover (31 days): bounds the build time and the PDF. */
export const MAX_REPORT_PERIOD_MS = 31 * 86_400_000;

export const ThresholdTimeSchema = Type.Object({
  threshold: Type.Number({ description: "The patient's alert-rule threshold in force" }),
  rule: Type.String({ description: 'The alert rule it comes from (hr_high, spo2_low, …)' }),
  ms: Type.Integer({ description: 'Time the reading was beyond the threshold, ms' }),
  percent: Nullable(Type.Number({ description: 'Of the monitored time' })),
});

export const MeasureSummarySchema = Type.Object({
  unit: Type.String(),
  count: Type.Integer({ description: 'Readings in the period' }),
  min: Type.Number(),
  mean: Type.Number(),
  max: Type.Number(),
  monitored_ms: Type.Integer({
    description:
      "Time covered by readings: each holds until the device's next packet (temperature: its next temperature), at most 60 s",
  }),
  above: Nullable(ThresholdTimeSchema),
  below: Nullable(ThresholdTimeSchema),
});
export type MeasureSummary = Static<typeof MeasureSummarySchema>;

export const HrvReportSchema = Type.Object({
  windows: Type.Integer({ description: 'Stored analysis windows averaged' }),
  window_ms: Type.Number({ description: 'Length of each analysis window' }),
  mean_nn_ms: Type.Number(),
  sdnn_index_ms: Type.Number({
    description: 'Mean of the per-window SDNN (an SDNN index over short windows)',
  }),
  rmssd_ms: Type.Number({ description: 'Mean of the per-window RMSSD' }),
  pnn50_percent: Type.Number({ description: 'Mean of the per-window pNN50, in percent' }),
});
export type HrvReport = Static<typeof HrvReportSchema>;

export const ArrhythmiaReportSchema = Type.Object({
  analysed_ms: Type.Integer({ description: 'Time of analysable ECG with findings not withheld' }),
  af_ms: Type.Integer(),
  af_percent: Nullable(Type.Number()),
  longest_pause_ms: Nullable(Type.Number()),
  vt_runs: Type.Integer({ description: 'Distinct VT episodes (by device and start)' }),
  longest_vt_run_beats: Type.Integer(),
  veb_per_hour: Type.Union([Type.Number(), Type.Literal('not recorded')], {
    description:
      'VEB classified in the analysed packets per hour of those that carry beat counts (counted_ms); "not recorded" when none does (see no_data.veb_per_hour)',
  }),
  sveb_per_hour: Type.Union([Type.Number(), Type.Literal('not recorded')], {
    description: 'SVEB per hour, as veb_per_hour',
  }),
  veb_beats: Nullable(Type.Integer({ description: 'VEB classified in counted_ms' })),
  sveb_beats: Nullable(Type.Integer({ description: 'SVEB classified in counted_ms' })),
  counted_ms: Type.Integer({
    description:
      "Analysed time whose packets carry their classified beat counts (the rates' denominator)",
  }),
});
export type ArrhythmiaReport = Static<typeof ArrhythmiaReportSchema>;

export const ReportAlertSchema = Type.Object({
  id: Type.String(),
  rule_kind: Type.String(),
  severity: Type.String(),
  message: Type.String(),
  value: Nullable(Type.Number()),
  device_id: Nullable(Type.String()),
  opened_at: Type.Integer({ description: 'Server clock when the alert opened (epoch ms)' }),
  onset_at: Type.Optional(
    Nullable(
      Type.Integer({
        description:
          'Data time (device clock, epoch ms) of the event that opened the alert; the report places the alert and its ECG strip at it. Null when no data opened it; absent from reports built before Vigil recorded it',
      }),
    ),
  ),
  acknowledged_at: Nullable(Type.Integer()),
  acknowledged_by: Nullable(Type.String()),
  ack_delay_ms: Nullable(Type.Integer()),
  cleared_at: Nullable(Type.Integer()),
});
export type ReportAlert = Static<typeof ReportAlertSchema>;

export const BabyMonitorReportSchema = Type.Object({
  readings: Type.Integer(),
  temperature_c: Nullable(
    Type.Object({ min: Type.Number(), mean: Type.Number(), max: Type.Number() }),
  ),
  humidity_percent: Nullable(
    Type.Object({ min: Type.Number(), mean: Type.Number(), max: Type.Number() }),
  ),
  cries: Type.Integer(),
  sick: Type.Integer(),
});
export type BabyMonitorReport = Static<typeof BabyMonitorReportSchema>;

export const Ecg12ReportItemSchema = Type.Object({
  id: Type.String(),
  created_at: Type.Integer(),
  class_name: Nullable(Type.String()),
  class_description: Nullable(Type.String()),
  // Optional: reports built before they were added hold the class only.
  measurements: Type.Optional(
    Type.Union([Ecg12MeasurementsSchema, Type.Null()], {
      description: "The interpretation's intervals and axis (null when its result was not kept)",
    }),
  ),
  findings: Type.Optional(
    Type.Array(Ecg12FindingSchema, {
      description: 'The published criteria that fired, with their measured values',
    }),
  ),
});

export type Ecg12ReportItem = Static<typeof Ecg12ReportItemSchema>;

export const EcgStripSchema = Type.Object({
  alert_id: Type.String(),
  rule_kind: Type.String(),
  device_id: Type.String(),
  start: Type.Integer({ description: 'Epoch ms of the first sample slot' }),
  fs_hz: Type.Number(),
  samples_mv: Type.Array(Nullable(Type.Number()), {
    description: '10 s of ECG in mV, one slot per sample; null where no sample was stored',
  }),
});
export type EcgStrip = Static<typeof EcgStripSchema>;

export const TrendPointSchema = Type.Object({
  t: Type.Integer({ description: 'Bucket start, epoch ms' }),
  hr_bpm: Nullable(Type.Number()),
  spo2_percent: Nullable(Type.Number()),
  temperature_c: Nullable(Type.Number()),
});
export type TrendPoint = Static<typeof TrendPointSchema>;

export const ReportContentSchema = Type.Object(
  {
    generated_at: Type.Integer(),
    patient: Type.Object({ id: Type.String(), name: Type.String() }),
    devices: Type.Array(Type.String(), { description: 'Hardware ids whose packets were read' }),
    packets: Type.Integer(),
    heart_rate: Nullable(MeasureSummarySchema),
    spo2: Nullable(MeasureSummarySchema),
    temperature: Nullable(MeasureSummarySchema),
    hrv: Nullable(HrvReportSchema),
    arrhythmia: Nullable(ArrhythmiaReportSchema),
    alerts: Type.Object({ total: Type.Integer(), items: Type.Array(ReportAlertSchema) }),
    baby_monitor: Nullable(BabyMonitorReportSchema),
    ecg12: Nullable(Type.Array(Ecg12ReportItemSchema)),
    ecg_strips: Type.Array(EcgStripSchema),
    trends: Type.Object({ bucket_ms: Type.Integer(), points: Type.Array(TrendPointSchema) }),
    no_data: Type.Record(Type.String(), Type.String(), {
      description: 'Why a figure is null or a section is absent, by figure name',
    }),
  },
  { title: 'ReportContent' },
);
export type ReportContent = Static<typeof ReportContentSchema>;

export const ReportAddendumSchema = Type.Object({
  text: Type.String(),
  author_id: Nullable(Type.String()),
  created_at: Type.Integer(),
});
export type ReportAddendum = Static<typeof ReportAddendumSchema>;

const reportFields = {
  id: Type.String(),
  patient_id: Type.String(),
  author_id: Nullable(Type.String()),
  period_start: Type.Integer(),
  period_end: Type.Integer(),
  title: Type.String(),
  notes: Type.String(),
  status: Type.Enum(REPORT_STATUSES),
  addenda: Type.Array(ReportAddendumSchema),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
  finalized_at: Nullable(Type.Integer()),
};

export const ReportSummarySchema = Type.Object(reportFields, { title: 'ReportSummary' });
export type ReportSummary = Static<typeof ReportSummarySchema>;

export const ReportSchema = Type.Object(
  { ...reportFields, content: ReportContentSchema },
  { title: 'Report' },
);
export type Report = Static<typeof ReportSchema>;

export const ReportsPageSchema = Type.Object(
  { items: Type.Array(ReportSummarySchema), next_cursor: Nullable(Type.String()) },
  { title: 'ReportsPage' },
);
export type ReportsPage = Static<typeof ReportsPageSchema>;

export const CreateReportSchema = Type.Object(
  {
    period_start: Type.Integer({ minimum: 0, description: 'Epoch ms, inclusive' }),
    period_end: Type.Integer({
      minimum: 1,
      description: 'Epoch ms, exclusive; at most 31 days on',
    }),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    notes: Type.Optional(Type.String({ maxLength: 10_000 })),
  },
  { additionalProperties: false },
);
export type CreateReport = Static<typeof CreateReportSchema>;

export const UpdateReportSchema = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    notes: Type.Optional(Type.String({ maxLength: 10_000 })),
    status: Type.Optional(Type.Enum(REPORT_STATUSES)),
    addendum: Type.Optional(
      Type.String({ minLength: 1, maxLength: 10_000, description: 'Only on a final report' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateReport = Static<typeof UpdateReportSchema>;

export const ReportsQuerySchema = Type.Object({
  patient_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export type ReportsQuery = Static<typeof ReportsQuerySchema>;

export const ReportParamsSchema = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
