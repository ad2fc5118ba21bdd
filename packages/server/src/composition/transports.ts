import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/env.js';
import { startEmbeddedBroker } from '../transports/mqtt/embedded-broker.js';
import { startExternalSubscriber } from '../transports/mqtt/external-subscriber.js';
import { createMqttMetrics } from '../transports/mqtt/mqtt-metrics.js';
import type { MqttChannels, MqttOutcome } from '../transports/mqtt/device-message.js';
import type { CloseStack } from './close-stack.js';
import type { Identity } from './identity.js';

/**
 * The MQTT transport: Vigil's embedded broker by default, or a subscriber on an external broker
 * (MQTT_URL). HTTP and WebSocket routes are the app's (app.ts), built over the same services.
 * Returns the embedded broker's port, null when it is not running.
 */
export async function startMqtt(o: {
  config: Config;
  /** The device messages accepted, by topic suffix (`vitals`, `oximetry`). */
  channels: MqttChannels;
  identity: Identity;
  log: Logger;
  metrics: Registry;
  stack: CloseStack;
  /** Observes every MQTT message outcome (tests). */
  onOutcome?: ((deviceId: string, outcome: MqttOutcome) => void) | undefined;
}): Promise<{ port: number | null }> {
  const mqttMetrics = createMqttMetrics(o.metrics);
  const onOutcome = (deviceId: string, outcome: MqttOutcome): void => {
    mqttMetrics.count(outcome);
    o.onOutcome?.(deviceId, outcome);
  };
  if (o.config.mqtt.url !== undefined) {
    const sub = await startExternalSubscriber({
      url: o.config.mqtt.url,
      ...(o.config.mqtt.clientId === undefined ? {} : { clientId: o.config.mqtt.clientId }),
      discardSessionOnClose: o.config.nodeEnv === 'test',
      sharedGroup: o.config.mqtt.sharedGroup,
      channels: o.channels,
      devices: o.identity.devices,
      log: o.log,
      onOutcome,
    });
    o.stack.push(() => sub.close());
    return { port: null };
  }
  if (o.config.mqtt.port > 0) {
    const broker = await startEmbeddedBroker({
      port: o.config.mqtt.port,
      channels: o.channels,
      devices: o.identity.devices,
      log: o.log,
      onOutcome,
    });
    if (broker !== null) {
      o.stack.push(() => broker.close());
      return { port: broker.port };
    }
  }
  return { port: null };
}
