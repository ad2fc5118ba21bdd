import { createHash } from 'node:crypto';
import type { BabyMonitorMessage, IngestResult } from '@vigil/protocol';
import { checkedTimestampMs } from '../../ingest/timestamps.js';
import type { DeviceAuth } from '../../services/devices.service.js';
import { parseMonitorMessage } from './baby-monitor.assessor.js';
import type { BabyMonitorService } from './baby-monitor.service.js';

/**
 * A monitor's message (MQTT `vigil/devices/{device_id}/readings`, already validated against
 * BabyMonitorMessageSchema) through the same service as HTTP uploads. Its time is `timestamp`
 * when sent (epoch s below 1e11, else ms), else when it was received. `delivery` identifies the
 * MQTT message (its payload bytes, the DUP flag): a redelivery of a stored message is not stored
 * again (BabyMonitorService.fromDevice, by the payload's SHA-256).
 */
export async function ingestMonitorMessage(
  service: BabyMonitorService,
  auth: DeviceAuth,
  deviceId: string,
  message: BabyMonitorMessage,
  nowMs: number,
  delivery?: { payload: Uint8Array; dup: boolean },
): Promise<IngestResult> {
  const parsed = parseMonitorMessage(message);
  const atMs =
    message.timestamp === undefined
      ? nowMs
      : checkedTimestampMs(message.timestamp, 'timestamp', nowMs);
  const reading = await service.fromDevice(
    auth,
    deviceId,
    { ...parsed, atMs, notes: message.notes ?? null },
    delivery === undefined
      ? undefined
      : {
          payloadSha256: createHash('sha256').update(delivery.payload).digest('hex'),
          dup: delivery.dup,
        },
  );
  return { id: reading.id, device_id: deviceId, timestamp: atMs, sequence: null };
}
