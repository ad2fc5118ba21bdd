import { Type, type Static } from 'typebox';
import { CursorParam, cursorPage } from './common.js';

/**
 * An MQTT message the server set aside after it failed `attempts` times on the server's side
 * (MQTT_POISON_ATTEMPTS): what the device sent, byte for byte, and why it failed.
 */
export const MqttDeadLetterSchema = Type.Object(
  {
    id: Type.String(),
    received_at: Type.Integer({ description: 'epoch ms the message was set aside' }),
    device_id: Type.String(),
    topic: Type.String(),
    payload_base64: Type.String({ description: 'the payload as the broker delivered it, base64' }),
    error_code: Type.String({ description: 'the last failure: a catalogue code' }),
    error_message: Type.String({ description: "the last failure's message (server internals)" }),
    attempts: Type.Integer({ minimum: 1, description: 'failures before it was set aside' }),
  },
  { title: 'MqttDeadLetter' },
);
export type MqttDeadLetterView = Static<typeof MqttDeadLetterSchema>;

export const MqttDeadLetterQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  cursor: CursorParam,
});
export type MqttDeadLetterQuery = Static<typeof MqttDeadLetterQuerySchema>;

export const MqttDeadLetterPageSchema = cursorPage(MqttDeadLetterSchema, 'MqttDeadLetterPage');
export type MqttDeadLetterPage = Static<typeof MqttDeadLetterPageSchema>;
