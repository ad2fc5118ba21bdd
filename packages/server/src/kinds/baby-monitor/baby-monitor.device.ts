import type { BabyMonitorMessage, IngestResult } from '@vigil/protocol';
import { checkedTimestampMs } from '../../ingest/timestamps.js';
import type { DeviceAuth } from '../../services/devices.service.js';
import { parseMonitorMessage } from './baby-monitor.assessor.js';
import type { BabyMonitorService } from './baby-monitor.service.js';

/**
 * A monitor's message (MQTT `vigil/devices/{device_id}/readings`, already validated against
 * BabyMonitorMessageSchema) through the same service as HTTP uploads. Its time is `timestamp`
 * when sent (epoch s below 1e11, else ms), else when it was received.
 */
export async function ingestMonitorMessage(
  service: BabyMonitorService,
  auth: DeviceAuth,
  deviceId: string,
  message: BabyMonitorMessage,
  nowMs: number,
): Promise<IngestResult> {
  const parsed = parseMonitorMessage(message);
  const atMs =
    message.timestamp === undefined
      ? nowMs
      : checkedTimestampMs(message.timestamp, 'timestamp', nowMs);
  const reading = await service.fromDevice(auth, deviceId, {
    ...parsed,
    atMs,
    notes: message.notes ?? null,
  });
  return { id: reading.id, device_id: deviceId, timestamp: atMs, sequence: null };
}
