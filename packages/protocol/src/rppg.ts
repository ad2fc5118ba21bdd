import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { CursorParam } from './common.js';

/**
 * Camera heart rate (remote photoplethysmography, seed 001): measurement sessions fed by a
 * client's camera over a WebSocket (JPEG frames, or per-frame mean skin colour in privacy mode),
 * by an uploaded video, or by a bedside camera on the server; the seed's `/bpm`, `/status`,
 * `/current_frame` and `/video_feed` answers for each.
 */

/** Uploads: largest accepted video (bytes), longest duration (s), accepted content types. */
export const RPPG_VIDEO_LIMITS = {
  maxBytes: 200 * 1024 * 1024,
  maxSeconds: 300,
  contentTypes: ['video/mp4', 'video/webm', 'video/quicktime'],
} as const;

/** WebSocket frames: largest JPEG accepted (bytes) and largest image (pixels). */
export const RPPG_FRAME_LIMITS = { maxBytes: 2 * 1024 * 1024, maxPixels: 1920 * 1080 } as const;

/**
 * Binary framing of one camera frame on `/api/v1/rppg/sessions/{id}/stream`: byte 0 is the
 * message type `RPPG_FRAME_TYPE_JPEG` (1), bytes 1–8 the capture time in epoch milliseconds as a
 * little-endian float64, and the rest is the JPEG. Capture times must increase.
 */
export const RPPG_FRAME_TYPE_JPEG = 1;
export const RPPG_FRAME_HEADER_BYTES = 9;

/** Builds one binary stream message (a client's side of the framing above). */
export function encodeRppgFrame(timestampMs: number, jpeg: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(RPPG_FRAME_HEADER_BYTES + jpeg.length);
  out[0] = RPPG_FRAME_TYPE_JPEG;
  new DataView(out.buffer).setFloat64(1, timestampMs, true);
  out.set(jpeg, RPPG_FRAME_HEADER_BYTES);
  return out;
}

/** Reads one binary stream message; null when the header is not a JPEG frame's. */
export function decodeRppgFrame(
  message: Uint8Array,
): { timestampMs: number; jpeg: Uint8Array } | null {
  if (message.length < RPPG_FRAME_HEADER_BYTES || message[0] !== RPPG_FRAME_TYPE_JPEG) return null;
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  return {
    timestampMs: view.getFloat64(1, true),
    jpeg: message.subarray(RPPG_FRAME_HEADER_BYTES),
  };
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

export const RppgConfidenceSchema = Type.Enum(['high', 'medium', 'low']);
export const RppgSignalQualitySchema = Type.Enum(['good', 'fair', 'poor']);

export const RppgSessionCreateSchema = Type.Object(
  {
    patient_id: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'The patient measured; a patient measuring themselves may leave it out',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RppgSessionCreate = Static<typeof RppgSessionCreateSchema>;

export const RppgSessionSchema = Type.Object(
  {
    session_id: Type.String(),
    patient_id: Type.String(),
    source: Type.Enum(['client', 'upload', 'bedside']),
    created_at: Type.Integer({ description: 'epoch ms' }),
    stream_path: Type.String({ description: 'WebSocket path for frames or mean colours' }),
  },
  { title: 'RppgSession' },
);
export type RppgSession = Static<typeof RppgSessionSchema>;

export const RppgSessionParamsSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
});

/** Seed 001's HeartRateResponse. */
export const RppgBpmSchema = Type.Object(
  {
    bpm: Nullable(
      Type.Number({
        description:
          'Pulse rate, bpm, at medium or high confidence; null when there is none (no face, too few frames, weak signal): `message` says why',
      }),
    ),
    confidence: RppgConfidenceSchema,
    message: Type.String(),
    face_detected: Type.Boolean(),
    buffer_fill: Type.String({
      description: "'samples/size' of the analysis window, e.g. '180/200'",
    }),
    timestamp: Type.Number({ description: 'epoch seconds' }),
    signal_quality: RppgSignalQualitySchema,
  },
  { title: 'RppgBpm' },
);
export type RppgBpm = Static<typeof RppgBpmSchema>;

/**
 * The bedside root path `/bpm`: seed 001's HeartRateResponse as its Streamlit dashboard reads it
 * (it compares `bpm` with numbers), so `bpm` is 0 when there is no reading, the seed's own value
 * before its first estimate; `confidence` is then 'low' and `message` says why.
 */
export const RppgSeedBpmSchema = Type.Object(
  {
    ...RppgBpmSchema.properties,
    bpm: Type.Number({ description: 'bpm; 0 when there is no reading (seed 001)' }),
  },
  { title: 'RppgSeedBpm' },
);
export type RppgSeedBpm = Static<typeof RppgSeedBpmSchema>;

/** Seed 001's SystemStatusResponse. */
export const RppgStatusSchema = Type.Object(
  {
    camera_active: Type.Boolean({
      description:
        'A camera feeds the session (the bedside camera, a connected frame stream or a video being analysed) and a frame arrived in the last 5 s; false once an uploaded video has been analysed or the stream closed',
    }),
    face_detected: Type.Boolean(),
    buffer_size: Type.Integer({ description: 'Samples in the analysis window' }),
    max_buffer_size: Type.Integer(),
    time_since_last_update: Type.Union([Type.Number(), Type.Null()], {
      description:
        "Seconds since the last frame; null before any frame (seed 001's float('inf'), which JSON cannot carry)",
    }),
    signal_quality: RppgSignalQualitySchema,
    api_version: Type.String(),
    system_health: Type.Enum(['healthy', 'degraded', 'unhealthy']),
  },
  { title: 'RppgStatus' },
);
export type RppgStatus = Static<typeof RppgStatusSchema>;

/** Seed 001's `/current_frame`: the latest frame, annotated, as a base64 JPEG. */
export const RppgFrameSchema = Type.Object(
  {
    frame: Type.String({ description: 'Base64 JPEG with the face box and the BPM drawn' }),
    face_detected: Type.Boolean(),
    bpm: Nullable(Type.Number()),
    timestamp: Type.Number({ description: 'epoch seconds' }),
  },
  { title: 'RppgFrame' },
);
export type RppgFrame = Static<typeof RppgFrameSchema>;

/** The result of an uploaded video. */
export const RppgVideoResultSchema = Type.Object(
  {
    session_id: Type.String(),
    frames: Type.Integer(),
    face_frames: Type.Integer({ description: 'Frames in which a face was found' }),
    duration_s: Type.Number(),
    fps: Type.Number({ description: 'Frame rate analysed' }),
    processing_fps: Type.Number({ description: 'Frames analysed per second of server time' }),
    observations_stored: Type.Integer({ description: 'Heart-rate observations stored' }),
    result: RppgBpmSchema,
  },
  { title: 'RppgVideoResult' },
);
export type RppgVideoResult = Static<typeof RppgVideoResultSchema>;

/** Privacy mode: a client sends the mean skin colour of each frame instead of the frame. */
export const RppgMeanRgbMessageSchema = Type.Object(
  {
    type: Type.Literal('mean_rgb'),
    timestamp_ms: Type.Number({ description: 'Capture time, epoch ms, increasing' }),
    r: Type.Number({ exclusiveMinimum: 0, maximum: 255 }),
    g: Type.Number({ exclusiveMinimum: 0, maximum: 255 }),
    b: Type.Number({ exclusiveMinimum: 0, maximum: 255 }),
    face_detected: Type.Optional(Type.Boolean()),
    box: Type.Optional(
      Type.Object({
        x: Type.Number(),
        y: Type.Number(),
        width: Type.Number({ exclusiveMinimum: 0 }),
        height: Type.Number({ exclusiveMinimum: 0 }),
      }),
    ),
  },
  { additionalProperties: false, title: 'RppgMeanRgbMessage' },
);
export type RppgMeanRgbMessage = Static<typeof RppgMeanRgbMessageSchema>;
export const validateRppgMeanRgbMessage = Compile(RppgMeanRgbMessageSchema);

/** Server → client on the stream: the estimate after a frame (at most a few per second). */
export const RppgEstimateMessageSchema = Type.Object(
  {
    type: Type.Literal('estimate'),
    ...RppgBpmSchema.properties,
    snr_db: Nullable(Type.Number()),
    frame_rate_hz: Nullable(Type.Number()),
    waveform: Type.Array(Type.Number(), { description: 'Band-passed pulse, unit variance' }),
    waveform_rate_hz: Type.Number(),
  },
  { title: 'RppgEstimateMessage' },
);
export type RppgEstimateMessage = Static<typeof RppgEstimateMessageSchema>;

/** Server → client on the stream: a refused message (the session goes on). */
export const RppgStreamErrorSchema = Type.Object(
  {
    type: Type.Literal('error'),
    code: Type.String(),
    message: Type.String(),
    field: Type.Optional(Type.String()),
  },
  { title: 'RppgStreamError' },
);
export type RppgStreamError = Static<typeof RppgStreamErrorSchema>;

export const RppgStreamQuerySchema = Type.Object({
  token: Type.Optional(Type.String({ description: 'Access token (browsers cannot set headers)' })),
});

/** One heart-rate observation of a patient, from a device or a camera measurement. */
export const HeartRateObservationSchema = Type.Object({
  ts: Type.Integer({ description: 'epoch ms' }),
  bpm: Type.Number(),
  source: Type.Enum(['device', 'rppg']),
  device_id: Nullable(Type.String()),
  session_id: Nullable(Type.String()),
  confidence: Nullable(RppgConfidenceSchema),
});
export type HeartRateObservation = Static<typeof HeartRateObservationSchema>;

export const HeartRateHistoryQuerySchema = Type.Object({
  from: Type.Optional(Type.Integer({ description: 'epoch ms (default: 24 h before to)' })),
  to: Type.Optional(Type.Integer({ description: 'epoch ms (default: now)' })),
  limit: Type.Integer({
    minimum: 1,
    maximum: 5000,
    default: 1000,
    description: 'At most this many observations, the newest of the range (next_cursor: older)',
  }),
  cursor: CursorParam,
});
export type HeartRateHistoryQuery = Static<typeof HeartRateHistoryQuerySchema>;

export const HeartRateHistorySchema = Type.Object(
  {
    patient_id: Type.String(),
    observations: Type.Array(HeartRateObservationSchema, { description: 'Oldest first' }),
    next_cursor: Type.Union([Type.String(), Type.Null()], {
      description:
        'null when the range is complete; else the range held more than limit observations, and this cursor (with the same from/to) gives the older ones',
    }),
  },
  { title: 'HeartRateHistory' },
);
export type HeartRateHistory = Static<typeof HeartRateHistorySchema>;
