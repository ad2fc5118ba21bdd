import type { Clock } from '../adapters/clock.js';
import { DomainError } from '../errors/catalogue.js';
import { auditOutcome, type AuditRecorder } from '../services/audit.service.js';
import type { DeviceAuth } from '../services/devices.service.js';
import type { MqttChannel, MqttChannels } from '../transports/mqtt/device-message.js';

/**
 * MQTT uploads into the audit trail: each channel's ingest records one coalesced event per
 * device (`<channel>.ingest`, count = packets), so a device publishing every second adds one
 * row per flush window, not one per packet. HTTP uploads are recorded by the HTTP audit hook.
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
      async ingest(auth, payloads, batch) {
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
        try {
          const results = await channel.ingest(auth, payloads, batch);
          record(200);
          return results;
        } catch (error) {
          record(error instanceof DomainError ? error.status : 500);
          throw error;
        }
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
