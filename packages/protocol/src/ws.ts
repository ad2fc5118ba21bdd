import { Type, type Static } from 'typebox';
import { AlertSchema } from './alerts.js';
import { PredictionSchema } from './predictions.js';
import { VitalsReadingsProperties } from './vitals.js';

/**
 * WebSocket `/api/v1/ws` messages. Server → client messages that come from the event log carry
 * `event_id`; a client that reconnects with `?last_event_id=N` (or `{type:"resume"}`) first
 * receives every stored event after N it may see, then `{type:"ready"}`, then live events.
 * Alert events are stored (no alert is lost across a disconnect); vitals and prediction events
 * are live only, since the history endpoints hold them.
 */

export const WsVitalsSchema = Type.Object(
  {
    type: Type.Literal('vitals'),
    data: Type.Object({
      vitals_id: Type.String(),
      device_id: Type.String(),
      patient_id: Type.Union([Type.String(), Type.Null()]),
      timestamp: Type.Integer(),
      ...VitalsReadingsProperties,
      ecg: Type.Object({ fs: Type.Number(), samples_mv: Type.Array(Type.Number()) }),
      leads: Type.Optional(
        Type.Object(
          {
            names: Type.Array(Type.String()),
            samples_mv: Type.Array(Type.Array(Type.Number())),
          },
          { description: "A multi-lead packet's leads (names in the order of samples_mv), mV" },
        ),
      ),
    }),
  },
  { title: 'WsVitals' },
);

export const WsPredictionSchema = Type.Object(
  { type: Type.Literal('prediction'), data: PredictionSchema },
  { title: 'WsPrediction' },
);

export const WsAlertSchema = Type.Object(
  {
    type: Type.Literal('alert'),
    event_id: Type.Integer(),
    action: Type.Enum(['opened', 'updated', 'acknowledged', 'cleared']),
    data: AlertSchema,
  },
  { title: 'WsAlert' },
);

/**
 * Seed-002 `CRY_DETECTED`: a baby monitor reading judged a cry (live only; the readings endpoints
 * hold the history). `event` is the seed's discriminator, `type` Vigil's.
 */
export const WsCryDetectedSchema = Type.Object(
  {
    type: Type.Literal('cry_detected'),
    event: Type.Literal('CRY_DETECTED'),
    reading_id: Type.String(),
    patient_id: Type.String(),
    sick_detected: Type.Boolean(),
    timestamp: Type.String({ format: 'date-time' }),
    data: Type.Object({
      temperature: Type.Union([Type.Number(), Type.Null()]),
      humidity: Type.Union([Type.Number(), Type.Null()]),
    }),
  },
  { title: 'WsCryDetected' },
);

export const WsControlSchema = Type.Union([
  Type.Object({
    type: Type.Literal('welcome'),
    user_id: Type.String(),
    last_event_id: Type.Integer(),
  }),
  Type.Object({ type: Type.Literal('ready'), last_event_id: Type.Integer() }),
  Type.Object({ type: Type.Literal('pong') }),
  Type.Object({ type: Type.Literal('error'), code: Type.String(), message: Type.String() }),
]);

export const WsServerMessageSchema = Type.Union([
  WsVitalsSchema,
  WsPredictionSchema,
  WsAlertSchema,
  WsCryDetectedSchema,
  WsControlSchema,
]);
export type WsVitals = Static<typeof WsVitalsSchema>;
export type WsPrediction = Static<typeof WsPredictionSchema>;
export type WsAlert = Static<typeof WsAlertSchema>;
export type WsCryDetected = Static<typeof WsCryDetectedSchema>;
export type WsServerMessage = Static<typeof WsServerMessageSchema>;

export const WsClientMessageSchema = Type.Union([
  Type.Object({
    type: Type.Literal('auth'),
    token: Type.String({ minLength: 1 }),
    last_event_id: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  Type.Object({ type: Type.Literal('resume'), last_event_id: Type.Integer({ minimum: 0 }) }),
  Type.Object({ type: Type.Literal('ping') }),
]);
export type WsClientMessage = Static<typeof WsClientMessageSchema>;

/** Seed 002's `WS /ws/{user_id}`: the id its clients put in the path (the token decides access). */
export const Seed002WsParamsSchema = Type.Object({
  user_id: Type.String({ minLength: 1, maxLength: 100 }),
});

export const WsQuerySchema = Type.Object({
  token: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Fallback only (redacted from the server log): prefer a first message {"type":"auth","token":…}',
    }),
  ),
  last_event_id: Type.Optional(Type.Integer({ minimum: 0 })),
  patient_id: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description:
        "Only this patient's events; a patient the caller may not see closes the socket (4404, PATIENT_NOT_FOUND)",
    }),
  ),
});
