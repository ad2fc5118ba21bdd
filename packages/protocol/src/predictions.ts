import { Type, type Static } from 'typebox';

export const RiskReasonSchema = Type.Object({
  code: Type.String({
    description: 'Stable code, e.g. HR_HIGH, SPO2_LOW, AF, VT_RUN, POOR_SIGNAL',
  }),
  text: Type.String({ description: 'e.g. "HR 142 bpm for 3 min"' }),
  points: Type.Number({ description: 'Points added to the aggregate score' }),
});

export const HrvSummarySchema = Type.Object({
  window_ms: Type.Number(),
  n_beats: Type.Integer(),
  mean_nn_ms: Type.Number(),
  sdnn_ms: Type.Number(),
  rmssd_ms: Type.Number(),
  pnn50: Type.Number(),
});

export const ArrhythmiaSummarySchema = Type.Object({
  af_since: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Epoch ms AF began, null if none ongoing',
  }),
  vt_run_beats: Type.Integer({ description: 'Longest VT run in this packet (0 if none)' }),
  longest_pause_ms: Type.Union([Type.Number(), Type.Null()]),
  veb_percent: Type.Union([Type.Number(), Type.Null()]),
  sveb_percent: Type.Union([Type.Number(), Type.Null()]),
  veb_beats: Type.Optional(
    Type.Union([Type.Integer(), Type.Null()], {
      description: 'Beats classified VEB in this packet (null when findings are withheld)',
    }),
  ),
  sveb_beats: Type.Optional(
    Type.Union([Type.Integer(), Type.Null()], {
      description: 'Beats classified SVEB in this packet (null when findings are withheld)',
    }),
  ),
  episodes: Type.Array(
    Type.Object({
      rhythm: Type.String(),
      start: Type.Integer({ description: 'Epoch ms' }),
      end: Type.Union([Type.Integer(), Type.Null()]),
      ongoing: Type.Boolean(),
    }),
  ),
  withheld: Type.Union([Type.String(), Type.Null()], { description: 'Why findings were withheld' }),
});

export const PredictionSchema = Type.Object(
  {
    id: Type.String(),
    vitals_id: Type.String(),
    device_id: Type.String(),
    patient_id: Type.Union([Type.String(), Type.Null()]),
    timestamp: Type.Integer({ description: 'Epoch ms of the packet it scores' }),
    created_at: Type.Integer(),
    risk_score: Type.Number({ minimum: 0, maximum: 1 }),
    risk_label: Type.Enum(['normal', 'low', 'moderate', 'elevated', 'high']),
    confidence: Type.Number({ minimum: 0, maximum: 1 }),
    model_version: Type.String(),
    reasons: Type.Array(RiskReasonSchema),
    heart_rate_bpm: Type.Union([Type.Number(), Type.Null()]),
    heart_rate_source: Type.Union([Type.Literal('ecg'), Type.Literal('device'), Type.Null()]),
    qrs_duration_ms: Type.Union([Type.Number(), Type.Null()]),
    analysable: Type.Union([Type.Boolean(), Type.Null()]),
    quality_score: Type.Union([Type.Number(), Type.Null()]),
    hrv: Type.Union([HrvSummarySchema, Type.Null()]),
    arrhythmia: Type.Union([ArrhythmiaSummarySchema, Type.Null()]),
  },
  { title: 'Prediction' },
);
export type Prediction = Static<typeof PredictionSchema>;
export type HrvSummary = Static<typeof HrvSummarySchema>;
export type ArrhythmiaSummary = Static<typeof ArrhythmiaSummarySchema>;

export const PredictionsQuerySchema = Type.Object({
  from: Type.Optional(Type.Integer({ minimum: 0 })),
  to: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  offset: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 1_000_000,
      description:
        "Rows to skip: the cardiac-monitor app's paging; answers its `{predictions, total}` form",
    }),
  ),
  skip: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Alias of offset' }),
  ),
});
export type PredictionsQuery = Static<typeof PredictionsQuerySchema>;

export const PredictionsPageSchema = Type.Object(
  { items: Type.Array(PredictionSchema), next_cursor: Type.Union([Type.String(), Type.Null()]) },
  { title: 'PredictionsPage' },
);
export type PredictionsPage = Static<typeof PredictionsPageSchema>;
