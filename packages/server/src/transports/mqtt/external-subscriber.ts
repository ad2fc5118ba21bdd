import mqtt from 'mqtt';
import type { DeviceAuth, DeviceIdentity } from '../../services/devices.service.js';
import { isDomainError } from '../../errors/catalogue.js';
import {
  deviceIdOfTopic,
  errorsTopic,
  handleDeviceMessage,
  internalFailure,
  rejectionMessage,
  topicPatterns,
  type MqttChannels,
  type MqttOutcome,
} from './device-message.js';

export interface ExternalSubscriberDeps {
  /** e.g. mqtt://vigil:secret@127.0.0.1:1883 (credentials of Vigil's privileged subscriber). */
  url: string;
  /** The device messages accepted, by topic suffix. */
  channels: MqttChannels;
  devices: { resolveUploader(auth: DeviceAuth, deviceId: string): Promise<DeviceIdentity> };
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
  onOutcome?: (deviceId: string, outcome: MqttOutcome) => void;
  /** MQTT client id (default vigil-<random>); a shared subscription group can be added later. */
  clientId?: string;
}

export interface ExternalSubscriber {
  close(): Promise<void>;
}

/**
 * Subscribes to an external broker (Mosquitto) for `vigil/devices/+/vitals`. With an external
 * broker, device authentication and topic ACLs belong to the broker (docs/mosquitto.md); Vigil
 * trusts the topic's device id as the publisher, still requires a registered device, and rejects
 * a payload whose device_id differs from the topic's. A refused message's error is published on
 * `vigil/devices/{device_id}/errors` (the broker's ACL lets only that device read it). Messages
 * of devices Vigil does not know get no answer: several Vigil deployments may share a broker,
 * and one must not tell another's device that it does not exist.
 */
export async function startExternalSubscriber(
  deps: ExternalSubscriberDeps,
): Promise<ExternalSubscriber> {
  const client = await mqtt.connectAsync(deps.url, {
    clientId: deps.clientId ?? `vigil-${Math.random().toString(36).slice(2, 10)}`,
    reconnectPeriod: 2000,
    clean: true,
  });
  client.on('error', (err) => {
    deps.log.warn({ err: err.message }, 'MQTT subscriber error');
  });
  const report = async (deviceId: string, outcome: MqttOutcome): Promise<void> => {
    if (outcome.ok) return;
    await client.publishAsync(errorsTopic(deviceId), rejectionMessage(outcome), { qos: 1 });
  };
  client.on('message', (topic, payload) => {
    const deviceId = deviceIdOfTopic(topic, deps.channels);
    if (deviceId === null) return;
    deps.devices
      .resolveUploader({ kind: 'global' }, deviceId)
      .then(
        async (device) => {
          const outcome = await handleDeviceMessage(
            deps.channels,
            { kind: 'device', device },
            topic,
            payload,
          ).catch((err: unknown): MqttOutcome => {
            deps.log.error({ err, deviceId }, 'MQTT vitals failed');
            return internalFailure();
          });
          if (!outcome.ok)
            deps.log.warn(
              { deviceId, code: outcome.code, field: outcome.field },
              'MQTT vitals rejected',
            );
          deps.onOutcome?.(deviceId, outcome);
          await report(deviceId, outcome);
        },
        (err: unknown) => {
          // Not registered here (DEVICE_NOT_FOUND): counted and logged, not answered.
          const rejected = isDomainError(err)
            ? { ok: false as const, code: err.code, status: err.status, message: err.message }
            : internalFailure();
          deps.log.warn(
            { deviceId, code: rejected.code },
            'MQTT vitals from an unknown device or failed',
          );
          deps.onOutcome?.(deviceId, rejected);
        },
      )
      .catch((err: unknown) => {
        deps.log.warn({ err, deviceId }, 'could not publish an MQTT rejection');
      });
  });
  await client.subscribeAsync(topicPatterns(deps.channels), { qos: 1 });
  deps.log.info(
    { url: deps.url.replace(/\/\/[^@]*@/, '//***@') },
    'subscribed to external MQTT broker',
  );
  return {
    async close() {
      await client.endAsync();
    },
  };
}
