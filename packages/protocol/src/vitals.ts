import { Type, type Static } from 'typebox';
import { CursorParam, cursorPage } from './common.js';
import { deviceBodySchema, deviceBodyValidator } from './device-payload.js';

/** The standard 12 leads, in the order of every multi-lead input and output (AHA/IEC order). */
export const ECG_LEAD_NAMES = [
  'I',
  'II',
  'III',
  'aVR',
  'aVL',
  'aVF',
  'V1',
  'V2',
  'V3',
  'V4',
  'V5',
  'V6',
] as const;
export type EcgLeadName = (typeof ECG_LEAD_NAMES)[number];

const leadSamples = Type.Array(Type.Number(), { minItems: 1, maxItems: 10_000 });

/**
 * A multi-lead packet's leads by name: 1 to 12 of the standard leads, each the same number of
 * samples in mV (within ±50 mV), oldest first.
 */
export const EcgLeadsSchema = Type.Object(
  {
    I: Type.Optional(leadSamples),
    II: Type.Optional(leadSamples),
    III: Type.Optional(leadSamples),
    aVR: Type.Optional(leadSamples),
    aVL: Type.Optional(leadSamples),
    aVF: Type.Optional(leadSamples),
    V1: Type.Optional(leadSamples),
    V2: Type.Optional(leadSamples),
    V3: Type.Optional(leadSamples),
    V4: Type.Optional(leadSamples),
    V5: Type.Optional(leadSamples),
    V6: Type.Optional(leadSamples),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Named leads (1–12 of I, II, III, aVR, aVL, aVF, V1–V6), mV, equal lengths',
  },
);
export type EcgLeads = Static<typeof EcgLeadsSchema>;

const seedLead = Type.Optional(Type.Number());
/**
 * Seed 004's sensor batch (`sensors` documents of github.com/Saifeddine-Rejeb/
 * real-time-ecg-mi-predictor, read by `back/routes/mongo_stream.py`): one object per sample
 * instant with `lead1` … `lead12` = I, II, III, aVR, aVL, aVF, V1–V6 in mV. A lead absent from
 * every sample is a lead the device does not have.
 */
export const Seed004BatchSchema = Type.Array(
  Type.Object({
    lead1: seedLead,
    lead2: seedLead,
    lead3: seedLead,
    lead4: seedLead,
    lead5: seedLead,
    lead6: seedLead,
    lead7: seedLead,
    lead8: seedLead,
    lead9: seedLead,
    lead10: seedLead,
    lead11: seedLead,
    lead12: seedLead,
  }),
  {
    minItems: 1,
    maxItems: 10_000,
    description:
      "Seed 004's batch of samples {lead1 … lead12} (mV); its rate is ecg_sample_rate_hz, " +
      'else 500 Hz (the rate its back end assumes)',
  },
);

/**
 * One vitals packet as ESP32 firmware sends it (seed 000), over HTTP and MQTT alike.
 *
 * `timestamp` is epoch seconds or epoch milliseconds: values below 1e11 are seconds (1e11 s is
 * the year 5138, while 1e11 ms is March 1973, before any device clock), larger ones are
 * milliseconds. Fractional seconds are allowed. The packet's identity is (device_id, timestamp):
 * a retry with the same pair returns the original result.
 *
 * Extra fields a firmware adds are ignored, so newer firmware keeps working.
 */
export const VitalsPacketSchema = Type.Object(
  {
    device_id: Type.String({ minLength: 1, maxLength: 128 }),
    // At most 2^53 - 1 ms: what a device clock can mean (year 287,396) and what both databases
    // read back. A larger value (nanoseconds, garbage) used to be stored as the unsynchronised
    // device_ts, which PostgreSQL kept as a bigint that node-postgres then refused to read above
    // 2^53: every later read and upload of that device failed with a 500.
    timestamp: Type.Number({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Epoch seconds (< 1e11) or milliseconds (at most 2^53 - 1)',
    }),
    ecg_samples: Type.Optional(
      Type.Array(Type.Number(), {
        maxItems: 10_000,
        description:
          "ECG samples, oldest first, one lead, in the device's input units (its `ecg_input` " +
          'profile): mV (each within ±50 mV) by default, or ADC counts (the cardiac-monitor ' +
          'ESP32 sends 12-bit counts centred on 2048); converted to mV at ingest. Required ' +
          'unless the packet carries `leads` or `batch`',
      }),
    ),
    leads: Type.Optional(EcgLeadsSchema),
    batch: Type.Optional(Seed004BatchSchema),
    // No schema default: ingest must tell an absent rate from one sent, to check the alias.
    ecg_sample_rate_hz: Type.Optional(
      Type.Number({ minimum: 50, maximum: 2000, description: 'Hz; default 250' }),
    ),
    sample_rate_hz: Type.Optional(
      Type.Number({
        minimum: 50,
        maximum: 2000,
        description:
          'Alias of ecg_sample_rate_hz (what the ESP32 firmware of seed 000 sends); both present must agree',
      }),
    ),
    heart_rate_bpm: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 300,
        description: "The device's own HR (bpm); 0 means no reading (stored as null)",
      }),
    ),
    spo2_percent: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 100,
        description: '0 means no reading (oximeter off; stored as null)',
      }),
    ),
    // At most 2^53 - 1: the largest integer JSON numbers carry exactly, and stored alike by
    // SQLite and PostgreSQL (bigint) — beyond 2^63 - 1 PostgreSQL refused the row (a 500).
    sequence: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'Packet counter, for ordering (0 to 2^53 - 1)',
      }),
    ),
    battery_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    temperature_c: Type.Optional(Type.Number({ minimum: 20, maximum: 45 })),
    respiratory_rate: Type.Optional(
      Type.Number({ minimum: 0, maximum: 100, description: 'Breaths per minute' }),
    ),
    lead_off: Type.Optional(Type.Boolean({ description: 'Electrode lead-off flag (AD8232 LO±)' })),
    ecg_lead_off: Type.Optional(
      Type.Boolean({
        description:
          'Alias of lead_off (what the cardiac-monitor ESP32 firmware sends); both present must agree',
      }),
    ),
    window_ms: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 600_000,
        description:
          'Length of the window the firmware collected, ms (10,000 for its 10 s windows); stored',
      }),
    ),
    beat_timestamps_ms: Type.Optional(
      Type.Array(Type.Number({ minimum: 0 }), {
        maxItems: 1000,
        description:
          "Beats the device's pulse sensor detected, ms from the window start (stored as sent; " +
          'Vigil measures heart rate from the ECG itself)',
      }),
    ),
  },
  { title: 'VitalsPacket' },
);
export type VitalsPacket = Static<typeof VitalsPacketSchema>;

export const VitalsBodySchema = deviceBodySchema(VitalsPacketSchema);
export type VitalsBody = Static<typeof VitalsBodySchema>;

export const IngestResultSchema = Type.Object(
  {
    id: Type.String(),
    device_id: Type.String(),
    timestamp: Type.Integer({ description: 'Epoch ms, as stored' }),
    sequence: Type.Union([Type.Integer(), Type.Null()]),
  },
  { title: 'IngestResult' },
);
export type IngestResult = Static<typeof IngestResultSchema>;

export const IngestBatchResultSchema = Type.Object(
  { count: Type.Integer(), items: Type.Array(IngestResultSchema) },
  { title: 'IngestBatchResult' },
);
export type IngestBatchResult = Static<typeof IngestBatchResultSchema>;

/**
 * The risk of one uploaded vitals packet, in the answer to its upload. `risk_score`,
 * `risk_label` and `confidence` are what the cardiac-monitor ESP32 firmware (seed 000,
 * `data_sender.cpp`) reads from the 201 body to show risk on the device and over Bluetooth; the
 * rest is Vigil's own (the full record is `GET /api/v1/predictions/{device_id}`).
 */
export const UploadPredictionSchema = Type.Object(
  {
    id: Type.String(),
    risk_score: Type.Number({ minimum: 0, maximum: 1 }),
    risk_label: Type.Enum(['normal', 'low', 'moderate', 'elevated', 'high']),
    confidence: Type.Number({ minimum: 0, maximum: 1 }),
    model_version: Type.String(),
    heart_rate_bpm: Type.Union([Type.Number(), Type.Null()]),
    heart_rate_source: Type.Union([Type.Literal('ecg'), Type.Literal('device'), Type.Null()]),
    analysable: Type.Union([Type.Boolean(), Type.Null()], {
      description: 'false: the ECG is not analysable (no heart rate, no ECG findings)',
    }),
    reasons: Type.Array(Type.Object({ code: Type.String(), text: Type.String() })),
  },
  { title: 'UploadPrediction' },
);
export type UploadPrediction = Static<typeof UploadPredictionSchema>;

export const VitalsIngestResultSchema = Type.Object(
  {
    ...IngestResultSchema.properties,
    timestamp_unsynced: Type.Boolean({
      description:
        "true: the device's timestamp was clearly unsynchronised (before 2020 or more than a day " +
        'ahead) and the packet is stored at the server receive time',
    }),
    prediction: Type.Union([UploadPredictionSchema, Type.Null()], {
      description:
        'The risk of this packet, computed before the answer; null only while the packet waits ' +
        'for an earlier one that is missing (it is then scored when the gap fills or is given up)',
    }),
  },
  { title: 'VitalsIngestResult' },
);
export type VitalsIngestResult = Static<typeof VitalsIngestResultSchema>;

export const VitalsIngestBatchResultSchema = Type.Object(
  { count: Type.Integer(), items: Type.Array(VitalsIngestResultSchema) },
  { title: 'VitalsIngestBatchResult' },
);

export const DeviceParamsSchema = Type.Object({
  device_id: Type.String({ minLength: 1, maxLength: 128 }),
});

const EpochMs = Type.Integer({ minimum: 0, description: 'Epoch ms' });

/** A stored packet's scalar readings as clients read them (history and live events): null = not sent. */
export const VitalsReadingsProperties = {
  heart_rate_bpm: Type.Union([Type.Number(), Type.Null()]),
  spo2_percent: Type.Union([Type.Number(), Type.Null()]),
  temperature_c: Type.Union([Type.Number(), Type.Null()]),
  respiratory_rate: Type.Union([Type.Number(), Type.Null()]),
  battery_percent: Type.Union([Type.Number(), Type.Null()]),
  lead_off: Type.Union([Type.Boolean(), Type.Null()]),
};

/** What a stored packet keeps of the device's own framing (the cardiac-monitor firmware's fields). */
export const VitalsFramingProperties = {
  timestamp_unsynced: Type.Boolean({
    description: "true: stored at the server's receive time, the device clock was unsynchronised",
  }),
  device_timestamp: Type.Union([EpochMs, Type.Null()], {
    description: 'What an unsynchronised device sent as its timestamp (epoch ms); null otherwise',
  }),
  window_ms: Type.Union([Type.Integer(), Type.Null()]),
  beat_timestamps_ms: Type.Union([Type.Array(Type.Number()), Type.Null()]),
  ecg_input: Type.Union([Type.String(), Type.Null()], {
    description:
      'How the samples were converted to mV: mv, ad8232-esp32-12bit, custom, unknown (timing only)',
  }),
};

export const VitalsRecordSchema = Type.Object(
  {
    id: Type.String(),
    device_id: Type.String(),
    patient_id: Type.Union([Type.String(), Type.Null()]),
    timestamp: EpochMs,
    sequence: Type.Union([Type.Integer(), Type.Null()]),
    received_at: EpochMs,
    ...VitalsReadingsProperties,
    ecg_sample_rate_hz: Type.Number(),
    ecg_n_samples: Type.Integer(),
    ...VitalsFramingProperties,
  },
  { title: 'VitalsRecord' },
);
export type VitalsRecord = Static<typeof VitalsRecordSchema>;

export const VitalsHistoryQuerySchema = Type.Object({
  from: Type.Optional(EpochMs),
  to: Type.Optional(EpochMs),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  cursor: CursorParam,
  offset: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 1_000_000,
      description:
        "Rows to skip: the cardiac-monitor app's paging; answers its `{vitals, total}` form",
    }),
  ),
  skip: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Alias of offset' }),
  ),
});
export type VitalsHistoryQuery = Static<typeof VitalsHistoryQuerySchema>;

export const VitalsPageSchema = cursorPage(VitalsRecordSchema, 'VitalsPage');
export type VitalsPage = Static<typeof VitalsPageSchema>;

export const EcgQuerySchema = Type.Object({
  from: EpochMs,
  to: EpochMs,
});
export type EcgQuery = Static<typeof EcgQuerySchema>;

export const EcgWindowSchema = Type.Object(
  {
    device_id: Type.String(),
    from: EpochMs,
    to: EpochMs,
    segments: Type.Array(
      Type.Object({
        start: EpochMs,
        fs: Type.Number({ description: 'Hz' }),
        samples_mv: Type.Array(Type.Number()),
      }),
      { description: 'Contiguous runs of samples; a new segment starts after a gap' },
    ),
  },
  { title: 'EcgWindow' },
);
export type EcgWindow = Static<typeof EcgWindowSchema>;

export const SERIES_INTERVALS = {
  '1m': 60_000,
  '5m': 300_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
} as const;
export type SeriesInterval = keyof typeof SERIES_INTERVALS;

/** An IANA time zone name for hour and day buckets on a clinic's own clock. */
const SeriesTimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  description:
    "IANA time zone (Europe/Paris, America/New_York): 1h and 1d buckets start on that zone's hours and midnights, so a day of a DST change lasts 23 or 25 hours; each bucket's time is its local start as epoch ms. Absent: UTC. 1m and 5m buckets are the same in every zone",
});

export const SeriesQuerySchema = Type.Object({
  interval: Type.Enum(['1m', '5m', '1h', '1d'], { default: '1h' }),
  from: Type.Optional(EpochMs),
  to: Type.Optional(EpochMs),
  tz: Type.Optional(SeriesTimeZone),
});
export type SeriesQuery = Static<typeof SeriesQuerySchema>;

const Agg = Type.Object({
  min: Type.Union([Type.Number(), Type.Null()]),
  avg: Type.Union([Type.Number(), Type.Null()]),
  max: Type.Union([Type.Number(), Type.Null()]),
  count: Type.Integer(),
});

export const SeriesSchema = Type.Object(
  {
    device_id: Type.String(),
    interval: Type.String(),
    tz: Type.Optional(SeriesTimeZone),
    from: EpochMs,
    to: EpochMs,
    buckets: Type.Array(
      Type.Object({
        time: EpochMs,
        packets: Type.Integer(),
        heart_rate_bpm: Agg,
        spo2_percent: Agg,
        temperature_c: Agg,
      }),
    ),
  },
  { title: 'VitalsSeries' },
);
export type Series = Static<typeof SeriesSchema>;

export const StatsQuerySchema = Type.Object({
  from: Type.Optional(EpochMs),
  to: Type.Optional(EpochMs),
});
export type StatsQuery = Static<typeof StatsQuerySchema>;

export const VitalsStatsSchema = Type.Object(
  {
    device_id: Type.String(),
    total_packets: Type.Integer(),
    first_timestamp: Type.Union([EpochMs, Type.Null()]),
    last_timestamp: Type.Union([EpochMs, Type.Null()]),
    heart_rate_bpm: Agg,
    spo2_percent: Agg,
    temperature_c: Agg,
    latest: Type.Union([VitalsRecordSchema, Type.Null()]),
  },
  { title: 'VitalsStats' },
);
export type VitalsStats = Static<typeof VitalsStatsSchema>;

/** Validates a vitals body (one packet or a batch), naming the field at fault. */
export const validateVitalsBody = deviceBodyValidator(VitalsPacketSchema);
