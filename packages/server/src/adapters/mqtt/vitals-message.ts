import { DomainError, isDomainError } from '../../errors/catalogue.js';
import { describeValidation } from '../../http/error-handler.js';
import { validateVitalsBody } from '../../http/schemas/vitals.schemas.js';
import type { DeviceAuth } from '../../services/devices.service.js';
import type { IngestPacket, IngestResultView } from '../../services/ingest.service.js';

/** Topic devices publish to: `vigil/devices/{device_id}/vitals` (device_id without `/`, `+`, `#`). */
export const VITALS_TOPIC_PATTERN = 'vigil/devices/+/vitals';
const TOPIC = /^vigil\/devices\/([^/+#]+)\/vitals$/;

export function deviceIdOfTopic(topic: string): string | null {
  return TOPIC.exec(topic)?.[1] ?? null;
}

export interface MqttIngest {
  ingest(
    auth: DeviceAuth,
    packets: readonly IngestPacket[],
    batch: boolean,
  ): Promise<IngestResultView[]>;
}

export type MqttOutcome =
  | { ok: true; results: IngestResultView[] }
  | { ok: false; code: string; field?: string | undefined; message: string };

/**
 * One MQTT vitals message through the same validation and ingest service as HTTP. The topic's
 * device is the publisher's identity (the broker authenticated it); a payload naming another
 * device is rejected with DEVICE_MISMATCH even when the broker's ACL let it through.
 */
export async function handleVitalsMessage(
  ingest: MqttIngest,
  auth: DeviceAuth,
  topic: string,
  payload: Buffer,
): Promise<MqttOutcome> {
  try {
    const topicDevice = deviceIdOfTopic(topic);
    if (topicDevice === null)
      throw new DomainError('VALIDATION_FAILED', {
        field: 'topic',
        message: `topic ${topic} is not vigil/devices/{device_id}/vitals`,
      });
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      throw new DomainError('MALFORMED_REQUEST', { message: 'The payload is not JSON' });
    }
    const checked = validateVitalsBody(body);
    if (checked.errors !== undefined) {
      const { field, message } = describeValidation(checked.errors);
      throw new DomainError('VALIDATION_FAILED', { field, message });
    }
    const batch = Array.isArray(body);
    const packets = (batch ? body : [body]) as IngestPacket[];
    packets.forEach((p, i) => {
      if (p.device_id !== topicDevice)
        throw new DomainError('DEVICE_MISMATCH', {
          field: batch ? `[${i}].device_id` : 'device_id',
          message: `device_id ${p.device_id} does not match the topic's device ${topicDevice}`,
        });
    });
    return { ok: true, results: await ingest.ingest(auth, packets, batch) };
  } catch (error) {
    if (isDomainError(error))
      return { ok: false, code: error.code, field: error.field, message: error.message };
    throw error;
  }
}
