import { Type, type Static } from 'typebox';
import { ErrorResponseSchema } from './common.js';

/**
 * What Vigil publishes on `vigil/devices/{device_id}/errors` when it refuses a message the device
 * published on its vitals topic: the error body `POST /api/v1/vitals` would answer (same codes,
 * ERRORS.md), plus the `sequence` and `timestamp` of the packet at fault, echoed as sent, so the
 * device can tell which packet to fix or drop.
 */
export const MqttRejectionSchema = Type.Object(
  {
    ...ErrorResponseSchema.properties,
    sequence: Type.Optional(Type.Number({ description: 'sequence of the refused packet' })),
    timestamp: Type.Optional(
      Type.Number({ description: 'timestamp of the refused packet, as the device sent it' }),
    ),
  },
  { title: 'MqttRejection' },
);
export type MqttRejection = Static<typeof MqttRejectionSchema>;
