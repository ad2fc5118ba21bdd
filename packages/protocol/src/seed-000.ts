import { Type, type Static } from 'typebox';
import { IsoDateTime } from './common.js';

/**
 * The cardiac-monitor Flutter app's view of Vigil (seed 000; github.com/Sanuka23/cardiac-monitor,
 * `app/cardiac_monitor/lib/services/api_service.dart` and `lib/models/`): ISO-8601 times (its
 * models parse `timestamp` and `created_at` with `DateTime.tryParse`), the firmware's field
 * names, and offset paging into `{vitals|predictions, total}`. Which requests get this view is
 * `isSeed000Request` (packages/server/docs/pipeline.md, "The cardiac-monitor app").
 */
export const Seed000VitalsSchema = Type.Object(
  {
    id: Type.String(),
    device_id: Type.String(),
    timestamp: IsoDateTime,
    created_at: IsoDateTime,
    heart_rate_bpm: Type.Union([Type.Number(), Type.Null()]),
    spo2_percent: Type.Union([Type.Integer(), Type.Null()]),
    ecg_lead_off: Type.Boolean(),
    sample_rate_hz: Type.Integer(),
    window_ms: Type.Union([Type.Integer(), Type.Null()]),
    ecg_sample_count: Type.Integer(),
    sample_count: Type.Integer(),
    beat_count: Type.Integer(),
    timestamp_unsynced: Type.Boolean(),
    ecg_samples: Type.Optional(
      Type.Array(Type.Integer(), {
        description:
          "With include_ecg=true: the samples as the firmware's 12-bit ADC counts (2048 + 1365 per mV), whatever the device sent",
      }),
    ),
  },
  { title: 'Seed000Vitals' },
);
export type Seed000Vitals = Static<typeof Seed000VitalsSchema>;

export const Seed000VitalsListSchema = Type.Object(
  { vitals: Type.Array(Seed000VitalsSchema), total: Type.Integer() },
  { title: 'Seed000VitalsList' },
);
export type Seed000VitalsList = Static<typeof Seed000VitalsListSchema>;

export const Seed000PredictionSchema = Type.Object(
  {
    id: Type.String(),
    device_id: Type.String(),
    vitals_id: Type.String(),
    risk_score: Type.Number(),
    risk_label: Type.String(),
    confidence: Type.Number(),
    timestamp: IsoDateTime,
    created_at: IsoDateTime,
    heart_rate_bpm: Type.Union([Type.Number(), Type.Null()]),
    model_version: Type.String(),
  },
  { title: 'Seed000Prediction' },
);
export type Seed000Prediction = Static<typeof Seed000PredictionSchema>;

export const Seed000PredictionListSchema = Type.Object(
  { predictions: Type.Array(Seed000PredictionSchema), total: Type.Integer() },
  { title: 'Seed000PredictionList' },
);
export type Seed000PredictionList = Static<typeof Seed000PredictionListSchema>;

/** The app's paging: `limit` and `offset` (`skip` is accepted as its alias). */
export const Seed000PageQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  skip: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
});
export type Seed000PageQuery = Static<typeof Seed000PageQuerySchema>;

export const Seed000LatestQuerySchema = Type.Object({
  include_ecg: Type.Optional(Type.Boolean()),
});
