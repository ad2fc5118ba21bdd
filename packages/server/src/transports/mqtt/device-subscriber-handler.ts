import type { MqttClient } from 'mqtt';
import type { DeviceAuth, DeviceIdentity } from '../../services/devices.service.js';
import { isDomainError } from '../../errors/catalogue.js';
import {
  deviceIdOfTopic,
  errorsTopic,
  handleDeviceMessage,
  internalFailure,
  rejectionMessage,
  type MqttChannels,
  type MqttOutcome,
  type MqttRejected,
} from './device-message.js';
import { failureDetail, type PoisonQuarantine } from './poison-messages.js';

/** What a subscriber on an external broker needs to ingest device messages. */
export interface DeviceSubscriberDeps {
  /** The device messages accepted, by topic suffix. */
  channels: MqttChannels;
  devices: { resolveUploader(auth: DeviceAuth, deviceId: string): Promise<DeviceIdentity> };
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
  onOutcome?: ((deviceId: string, outcome: MqttOutcome) => void) | undefined;
  /**
   * Sets aside a message that keeps failing (poison-messages.ts); without it a failed message is
   * never acknowledged.
   */
  quarantine?: PoisonQuarantine | undefined;
}

/**
 * Installs the device-message handler on a client (before its connection opens: the broker
 * sends a persistent session's kept messages right after CONNACK, and mqtt.js's default handler
 * would acknowledge them unread). mqtt.js sends a QoS 1 PUBACK once `handleMessage` calls back,
 * so the broker drops a message only after Vigil stored it. A server failure (database
 * unavailable) leaves the message unacknowledged and drops the connection: the broker delivers
 * it again on the reconnection, from the persistent session; one that failed MQTT_POISON_ATTEMPTS
 * times is stored in the dead letters instead and acknowledged (`deps.quarantine`).
 */
export function installDeviceHandler(client: MqttClient, deps: DeviceSubscriberDeps): void {
  const report = async (deviceId: string, outcome: MqttOutcome): Promise<void> => {
    if (outcome.ok) return;
    await client.publishAsync(errorsTopic(deviceId), rejectionMessage(outcome), { qos: 1 });
  };
  /** After a server failure: true when the quarantine took the message (acknowledge it). */
  const failed = async (
    deviceId: string,
    topic: string,
    payload: Buffer,
    failure: MqttRejected,
    detail: string,
  ): Promise<boolean> => {
    const rejection = await deps.quarantine?.failed(deviceId, topic, payload, {
      code: failure.code,
      status: failure.status,
      message: detail,
    });
    if (rejection === null || rejection === undefined) return false;
    deps.onOutcome?.(deviceId, rejection);
    report(deviceId, rejection).catch((err: unknown) => {
      deps.log.warn({ err, deviceId }, 'could not publish an MQTT rejection');
    });
    return true;
  };
  /** Ingests one message; false when the server failed (5xx) and the message must come again. */
  const handle = async (topic: string, payload: Buffer, dup: boolean): Promise<boolean> => {
    const deviceId = deviceIdOfTopic(topic, deps.channels);
    if (deviceId === null) return true;
    let device;
    try {
      device = await deps.devices.resolveUploader({ kind: 'global' }, deviceId);
    } catch (err) {
      // Not registered here (DEVICE_NOT_FOUND): counted and logged, not answered.
      const rejected = isDomainError(err)
        ? { ok: false as const, code: err.code, status: err.status, message: err.message }
        : internalFailure();
      deps.log.warn(
        { deviceId, code: rejected.code },
        'MQTT vitals from an unknown device or failed',
      );
      deps.onOutcome?.(deviceId, rejected);
      if (rejected.status < 500) return true;
      return failed(deviceId, topic, payload, rejected, failureDetail(err));
    }
    let thrown: unknown;
    const outcome = await handleDeviceMessage(
      deps.channels,
      { kind: 'device', device },
      topic,
      payload,
      dup,
    ).catch((err: unknown): MqttOutcome => {
      deps.log.error({ err, deviceId }, 'MQTT vitals failed');
      thrown = err;
      return internalFailure();
    });
    if (!outcome.ok)
      deps.log.warn({ deviceId, code: outcome.code, field: outcome.field }, 'MQTT vitals rejected');
    deps.onOutcome?.(deviceId, outcome);
    if (!outcome.ok && outcome.status >= 500)
      return failed(
        deviceId,
        topic,
        payload,
        outcome,
        thrown === undefined ? outcome.message : failureDetail(thrown),
      );
    deps.quarantine?.settled(topic, payload);
    // Not awaited: its PUBACK arrives on the incoming stream, which waits for this handler.
    report(deviceId, outcome).catch((err: unknown) => {
      deps.log.warn({ err, deviceId }, 'could not publish an MQTT rejection');
    });
    return true;
  };
  client.handleMessage = (packet, callback) => {
    // A message with the retain flag is the broker's kept copy of a device's last retained
    // publication, sent to every new subscription (MQTT 3.1.1 §3.3.1.3), and Vigil subscribes
    // anew on every start and reconnection: it is not a new reading. Stored, a seed-002 monitor's
    // message (no timestamp) came back as a new reading at each restart, its cry pushed again.
    // The publication itself reached Vigil without the flag, live or from its persistent session.
    if (packet.retain) {
      deps.log.info({ topic: packet.topic }, 'MQTT retained copy skipped (not a new message)');
      callback();
      return;
    }
    const payload =
      typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    handle(packet.topic, payload, packet.dup).then(
      (stored) => {
        if (stored) callback();
        else client.stream.destroy();
      },
      (err: unknown) => {
        deps.log.error({ err }, 'MQTT message handling failed');
        client.stream.destroy();
      },
    );
  };
}
