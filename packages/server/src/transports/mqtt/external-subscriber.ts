import { hostname } from 'node:os';
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
  /**
   * MQTT client id of the persistent session (MQTT_CLIENT_ID; default `vigil-<host name>`). Each
   * Vigil instance on one broker needs its own: the broker disconnects a session's older client.
   */
  clientId?: string;
  /**
   * Discards the persistent session when closing (tests: a shared broker would keep queueing
   * messages for every test's session). Production keeps it: a restart must not lose messages.
   */
  discardSessionOnClose?: boolean;
  /**
   * Several Vigil instances on one broker: subscribe as members of this MQTT shared
   * subscription group (`$share/<group>/vigil/devices/+/…`, MQTT 5 and Mosquitto 2), so the
   * broker hands each message to one instance instead of every instance processing it.
   */
  sharedGroup?: string | undefined;
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
  // A persistent session (clean: false) under a stable client id: while Vigil is disconnected
  // (the broker restarting, a network cut, Vigil restarting) the broker queues the QoS 1 messages
  // for it instead of dropping them. With a clean session and a random id, every message a device
  // published between the broker's return and the subscriber's reconnection was lost (the
  // reliability suite's broker restart: 33 of 311 acknowledged packets).
  //
  // With a shared subscription group the session stays persistent too: Mosquitto 2.0 goes on
  // handing the group's messages, in turn, to a member whose session is offline, and delivers
  // them when it reconnects, so a dead instance must be restarted (or replaced under the same
  // MQTT_CLIENT_ID) to deliver its share (docs/scaling.md). A clean session would lose every
  // message in flight to it, and each one a 5xx leaves unacknowledged (test:cluster: 1,714 of
  // 2,100 acknowledged messages lost under overload).
  const clientId = deps.clientId ?? `vigil-${hostname()}`;
  // Not connectAsync: the broker sends the messages it kept for the persistent session right
  // after its CONNACK, and mqtt.js handles them before an awaited connectAsync resumes, with its
  // default handler, which acknowledges at once and hands them to no one (a message in flight
  // to an instance killed with SIGKILL was lost so, test:cluster). The handler below is in place
  // before the first packet is read.
  const client = mqtt.connect(deps.url, {
    clientId,
    reconnectPeriod: 2000,
    clean: false,
  });
  client.on('error', (err) => {
    deps.log.warn({ err: err.message }, 'MQTT subscriber error');
  });
  const report = async (deviceId: string, outcome: MqttOutcome): Promise<void> => {
    if (outcome.ok) return;
    await client.publishAsync(errorsTopic(deviceId), rejectionMessage(outcome), { qos: 1 });
  };
  /** Ingests one message; false when the server failed (5xx) and the message must come again. */
  const handle = async (topic: string, payload: Buffer): Promise<boolean> => {
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
      return rejected.status < 500;
    }
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
      deps.log.warn({ deviceId, code: outcome.code, field: outcome.field }, 'MQTT vitals rejected');
    deps.onOutcome?.(deviceId, outcome);
    if (!outcome.ok && outcome.status >= 500) return false;
    // Not awaited: its PUBACK arrives on the incoming stream, which waits for this handler.
    report(deviceId, outcome).catch((err: unknown) => {
      deps.log.warn({ err, deviceId }, 'could not publish an MQTT rejection');
    });
    return true;
  };
  // mqtt.js sends a QoS 1 PUBACK once `handleMessage` calls back, so the broker drops a message
  // only after Vigil stored it (the default handler acknowledges at once). A server failure
  // (database unavailable) leaves the message unacknowledged and drops the connection: the
  // broker delivers it again on the reconnection, from the persistent session.
  client.handleMessage = (packet, callback) => {
    const payload =
      typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    handle(packet.topic, payload).then(
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
  await new Promise<void>((resolve, reject) => {
    const onConnect = (): void => {
      client.off('error', onError);
      resolve();
    };
    const onError = (err: Error): void => {
      client.off('connect', onConnect);
      client.end(true);
      reject(err);
    };
    client.once('connect', onConnect);
    client.once('error', onError);
  });
  const patterns = topicPatterns(deps.channels);
  await client.subscribeAsync(
    deps.sharedGroup === undefined
      ? patterns
      : patterns.map((t) => `$share/${deps.sharedGroup}/${t}`),
    { qos: 1 },
  );
  deps.log.info(
    { url: deps.url.replace(/\/\/[^@]*@/, '//***@') },
    'subscribed to external MQTT broker',
  );
  return {
    async close() {
      await client.endAsync();
      if (deps.discardSessionOnClose === true) {
        // Connecting once with a clean session discards the persistent one on the broker.
        const c = await mqtt.connectAsync(
          deps.url,
          {
            clientId,
            clean: true,
            reconnectPeriod: 0,
            connectTimeout: 2000,
            // false: a broker closing the socket before CONNACK rejects instead of hanging the
            // shutdown (mqtt.js otherwise waits for a reconnect that reconnectPeriod 0 never makes).
          },
          false,
        );
        await c.endAsync();
      }
    },
  };
}
