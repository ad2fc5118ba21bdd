import { hostname } from 'node:os';
import mqtt from 'mqtt';
import { topicPatterns } from './device-message.js';
import { installDeviceHandler, type DeviceSubscriberDeps } from './device-subscriber-handler.js';

export interface ExternalSubscriberDeps extends DeviceSubscriberDeps {
  /** e.g. mqtt://vigil:secret@127.0.0.1:1883 (credentials of Vigil's privileged subscriber). */
  url: string;
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
  // Several instances on one broker use partition sessions instead (partition-sessions.ts).
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
  installDeviceHandler(client, deps);
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
  await client.subscribeAsync(patterns, { qos: 1 });
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
