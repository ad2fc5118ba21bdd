import { Type, type Static } from 'typebox';
import { deviceBodySchema, deviceBodyValidator } from './device-payload.js';
import { VitalsPacketSchema } from './vitals.js';

const envelope = VitalsPacketSchema.properties;

/**
 * One reading of a pulse oximeter without ECG (e.g. a MAX30102 finger clip on an ESP32), over
 * HTTP (`POST /api/v1/oximetry`) and MQTT (`vigil/devices/{device_id}/oximetry`). The envelope
 * (`device_id`, `timestamp` in epoch s or ms, `sequence`) is the vitals packet's, with the same
 * identity rule: a retry with the same (device_id, timestamp) returns the original result.
 */
export const OximetryPacketSchema = Type.Object(
  {
    device_id: envelope.device_id,
    timestamp: envelope.timestamp,
    sequence: envelope.sequence,
    spo2_percent: Type.Number({ minimum: 0, maximum: 100, description: 'SpO2 (%)' }),
    pulse_rate_bpm: Type.Number({
      exclusiveMinimum: 0,
      maximum: 300,
      description: 'Pulse rate from the photoplethysmogram (bpm)',
    }),
    perfusion_index: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 100,
        description: 'Perfusion index: pulsatile over static infrared absorption (%)',
      }),
    ),
    battery_percent: envelope.battery_percent,
  },
  { title: 'OximetryPacket' },
);
export type OximetryPacket = Static<typeof OximetryPacketSchema>;

export const OximetryBodySchema = deviceBodySchema(OximetryPacketSchema);
export type OximetryBody = Static<typeof OximetryBodySchema>;

/** Validates an oximetry body (one reading or a batch), naming the field at fault. */
export const validateOximetryBody = deviceBodyValidator(OximetryPacketSchema);
