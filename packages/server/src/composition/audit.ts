import type { Clock } from '../adapters/clock.js';
import { auditOutcome, type AuditRecorder } from '../services/audit.service.js';
import type { DeviceAuth } from '../services/devices.service.js';
import type { MqttChannel, MqttChannels, MqttOutcome } from '../transports/mqtt/device-message.js';

/**
 * MQTT uploads into the audit trail: each channel's accepted ingest records one coalesced event
 * per device (`<channel>.ingest`, count = packets), so a device publishing every second adds one
 * row per flush window, not one per packet; refused messages are recorded by
 * `auditMqttRejections`. HTTP uploads are recorded by the HTTP audit hook.
 */
export function auditedChannels(
  audit: AuditRecorder,
  clock: Clock,
  channels: MqttChannels,
): MqttChannels {
  const wrapped: Record<string, MqttChannel> = {};
  for (const [name, channel] of Object.entries(channels))
    wrapped[name] = {
      validate: (input) => channel.validate(input),
      async ingest(auth, payloads, batch, message) {
        const at = clock.now();
        const record = (status: number) => {
          audit.record(
            deviceUpload(
              auth,
              payloads[0]?.device_id,
              `${name}.ingest`,
              name,
              at,
              status,
              payloads.length,
            ),
          );
        };
        const results = await channel.ingest(auth, payloads, batch, message);
        record(200);
        return results;
      },
    };
  return wrapped;
}

function deviceUpload(
  auth: DeviceAuth,
  deviceId: string | undefined,
  action: string,
  resourceType: string,
  at: number,
  status: number,
  count: number,
) {
  const own = auth.kind === 'device' ? auth.device : undefined;
  return {
    at,
    actorId: own?.device_id ?? deviceId ?? null,
    actorKind: 'device' as const,
    ip: null,
    userAgent: 'mqtt',
    action,
    resourceType,
    resourceId: null,
    patientId: own?.patient_id,
    patientRef:
      own === undefined && deviceId !== undefined
        ? { kind: 'device' as const, key: deviceId }
        : undefined,
    outcome: auditOutcome(status),
    status,
    requestId: null,
    coalesce: true,
    count,
  };
}

/**
 * The MQTT transport's outcome observer that records refused messages (bad payload, unknown or
 * mismatched device, failed ingest) as `mqtt.ingest` events of the publishing device, coalesced
 * per device and status like accepted uploads. Accepted ones are recorded per channel above.
 */
export function auditMqttRejections(
  audit: AuditRecorder,
  clock: Clock,
): (deviceId: string, outcome: MqttOutcome) => void {
  return (deviceId, outcome) => {
    if (outcome.ok) return;
    audit.record({
      ...deviceUpload(
        { kind: 'global' },
        deviceId,
        'mqtt.ingest',
        'mqtt',
        clock.now(),
        outcome.status,
        1,
      ),
      // The broker authenticated this device (its MQTT username): it is the actor.
      actorId: deviceId,
    });
  };
}
