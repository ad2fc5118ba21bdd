import { DomainError, ERROR_CATALOGUE, isDomainError } from '../../errors/catalogue.js';
import { describeValidation } from '../../errors/describe-validation.js';
import type { IngestResult, MqttRejection } from '@vigil/protocol';
import type { TLocalizedValidationError } from 'typebox/error';
import type { DeviceAuth } from '../../services/devices.service.js';
import type { PayloadIngest } from '../../ingest/signal-kind.js';

/**
 * One kind of device message over MQTT, on `vigil/devices/{device_id}/{channel}` (device_id
 * without `/`, `+`, `#`): how its payload is validated and which ingest takes it.
 */
export interface MqttChannel {
  validate(input: unknown): { errors?: readonly TLocalizedValidationError[] | undefined };
  ingest(
    auth: DeviceAuth,
    payloads: readonly { device_id: string }[],
    batch: boolean,
    message: MqttDelivery,
  ): Promise<IngestResult[]>;
}

/**
 * The MQTT message a payload came in: its bytes, and whether the broker flagged it DUP (a
 * redelivery of a QoS 1 message whose acknowledgement it did not receive; MQTT 3.1.1 §3.3.1.1).
 */
export interface MqttDelivery {
  payload: Buffer;
  dup: boolean;
}

/** The channels a deployment accepts, by topic suffix (`vitals`, `oximetry`). */
export type MqttChannels = Readonly<Record<string, MqttChannel>>;

/** A channel from a payload validator and the ingest of that payload's kind. */
export function mqttChannel<P extends { device_id: string }>(
  validate: (input: unknown) => { errors?: readonly TLocalizedValidationError[] | undefined },
  ingest: PayloadIngest<P>,
): MqttChannel {
  return {
    validate,
    // Called only with payloads `validate` accepted, which are Ps.
    ingest: (auth, payloads, batch) => ingest.ingest(auth, payloads as readonly P[], batch),
  };
}

const TOPIC = /^vigil\/devices\/([^/+#]+)\/([^/+#]+)$/;

/** The topic's device id when it is a known channel's topic, else null. */
export function deviceIdOfTopic(topic: string, channels: MqttChannels): string | null {
  const m = TOPIC.exec(topic);
  return m?.[1] !== undefined && m[2] !== undefined && Object.hasOwn(channels, m[2]) ? m[1] : null;
}

/**
 * What Vigil subscribes to on an external broker for one device, `vigil/devices/{device}/{channel}`
 * per channel; `device` `+` gives every device's topics.
 */
export function topicPatterns(channels: MqttChannels, device = '+'): string[] {
  return Object.keys(channels).map((c) => `vigil/devices/${device}/${c}`);
}

/**
 * Where Vigil tells a device that a message was refused: `vigil/devices/{device_id}/errors`.
 * Only that device may subscribe to it (embedded broker; ACL line for Mosquitto in
 * docs/mosquitto.md).
 */
export function errorsTopic(deviceId: string): string {
  return `vigil/devices/${deviceId}/errors`;
}

/** A refused message: the HTTP error body's fields, plus the packet's identity when known. */
export interface MqttRejected {
  ok: false;
  code: string;
  /** The HTTP status the same error has on `POST /api/v1/vitals`. */
  status: number;
  field?: string | undefined;
  message: string;
  /** `sequence` / `timestamp` of the packet at fault, as the device sent them, when parseable. */
  sequence?: number | undefined;
  timestamp?: number | undefined;
}

export type MqttOutcome = { ok: true; results: IngestResult[] } | MqttRejected;

/** An unexpected failure, reported without internals (the log has them). */
export function internalFailure(): MqttRejected {
  return {
    ok: false,
    code: 'INTERNAL_ERROR',
    status: ERROR_CATALOGUE.INTERNAL_ERROR.status,
    message: ERROR_CATALOGUE.INTERNAL_ERROR.message,
  };
}

/** The JSON published on the device's errors topic: the HTTP error body (ERRORS.md) + identity. */
export function rejectionMessage(r: MqttRejected): Buffer {
  const body: MqttRejection = {
    code: r.code,
    message: r.message,
    ...(r.field === undefined ? {} : { field: r.field }),
    statusCode: r.status,
    detail: r.message,
    ...(r.sequence === undefined ? {} : { sequence: r.sequence }),
    ...(r.timestamp === undefined ? {} : { timestamp: r.timestamp }),
  };
  return Buffer.from(JSON.stringify(body));
}

/**
 * The `sequence` and `timestamp` of the packet a rejection is about: the whole payload when it is
 * one packet, the `[i]` of the field in a batch (a batch error without an index names no packet).
 */
export function packetIdentity(
  body: unknown,
  field: string | undefined,
): { sequence?: number; timestamp?: number } {
  let packet: unknown = body;
  if (Array.isArray(body)) {
    const index = /^\[(\d+)\]/.exec(field ?? '')?.[1];
    packet = index === undefined ? undefined : (body as unknown[])[Number(index)];
  }
  if (typeof packet !== 'object' || packet === null) return {};
  const { sequence, timestamp } = packet as Record<string, unknown>;
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  return {
    ...(finite(sequence) ? { sequence } : {}),
    ...(finite(timestamp) ? { timestamp } : {}),
  };
}

/**
 * One MQTT device message through the same validation and ingest as HTTP. The topic's
 * device is the publisher's identity (the broker authenticated it); a payload naming another
 * device is rejected with DEVICE_MISMATCH even when the broker's ACL let it through.
 */
export async function handleDeviceMessage(
  channels: MqttChannels,
  auth: DeviceAuth,
  topic: string,
  payload: Buffer,
  dup = false,
): Promise<MqttOutcome> {
  let body: unknown;
  try {
    const m = TOPIC.exec(topic);
    const topicDevice = m?.[1];
    const channel =
      m?.[2] === undefined || !Object.hasOwn(channels, m[2]) ? undefined : channels[m[2]];
    if (topicDevice === undefined || channel === undefined)
      throw new DomainError('VALIDATION_FAILED', {
        field: 'topic',
        message: `topic ${topic} is not vigil/devices/{device_id}/{${Object.keys(channels).join('|')}}`,
      });
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      throw new DomainError('MALFORMED_REQUEST', { message: 'The payload is not JSON' });
    }
    const checked = channel.validate(body);
    if (checked.errors !== undefined) {
      const { field, message } = describeValidation(checked.errors);
      throw new DomainError('VALIDATION_FAILED', { field, message });
    }
    const batch = Array.isArray(body);
    // A payload without device_id (the seed-002 monitor's; other channels' validators require
    // it) is the topic's device's.
    const packets = ((batch ? body : [body]) as { device_id?: string }[]).map((p) =>
      p.device_id === undefined ? { ...p, device_id: topicDevice } : p,
    ) as { device_id: string }[];
    packets.forEach((p, i) => {
      if (p.device_id !== topicDevice)
        throw new DomainError('DEVICE_MISMATCH', {
          field: batch ? `[${i}].device_id` : 'device_id',
          message: `device_id ${p.device_id} does not match the topic's device ${topicDevice}`,
        });
    });
    return { ok: true, results: await channel.ingest(auth, packets, batch, { payload, dup }) };
  } catch (error) {
    if (isDomainError(error))
      return {
        ok: false,
        code: error.code,
        status: error.status,
        field: error.field,
        message: error.message,
        ...packetIdentity(body, error.field),
      };
    throw error;
  }
}
