import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/env.js';
import { startEmbeddedBroker } from '../transports/mqtt/embedded-broker.js';
import {
  DEVICE_PARTITIONS,
  partitionOf,
  type DeviceOwnership,
} from '../cluster/device-partitions.js';
import { startExternalSubscriber } from '../transports/mqtt/external-subscriber.js';
import { startPartitionSessions } from '../transports/mqtt/partition-sessions.js';
import { createMqttMetrics } from '../transports/mqtt/mqtt-metrics.js';
import type { MqttChannels, MqttOutcome } from '../transports/mqtt/device-message.js';
import { createPoisonQuarantine } from '../transports/mqtt/poison-messages.js';
import type { MqttDeadLettersService } from '../services/mqtt-dead-letters.service.js';
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
  /** Where messages that keep failing are set aside (MQTT_POISON_ATTEMPTS). */
  deadLetters: Pick<MqttDeadLettersService, 'store'>;
  log: Logger;
  metrics: Registry;
  stack: CloseStack;
  /** Device partitions: with MQTT_PARTITION_SESSIONS, their sessions (all of them on SQLite). */
  partitions: {
    /** Which partitions this instance owns; undefined on SQLite. */
    ownership: DeviceOwnership | undefined;
    deviceIds(): Promise<string[]>;
    /** Calls `listener` with every device registered on any instance. */
    onRegistered(listener: (deviceId: string) => void): Promise<void>;
  };
  /** Observes every MQTT message outcome (tests). */
  onOutcome?: ((deviceId: string, outcome: MqttOutcome) => void) | undefined;
}): Promise<{ port: number | null }> {
  const mqttMetrics = createMqttMetrics(o.metrics);
  const onOutcome = (deviceId: string, outcome: MqttOutcome): void => {
    mqttMetrics.count(outcome);
    o.onOutcome?.(deviceId, outcome);
  };
  // One quarantine for whichever transport runs, so a message's failures count across reconnections.
  const quarantine = createPoisonQuarantine({
    attempts: o.config.mqtt.poisonAttempts,
    deadLetters: o.deadLetters,
    log: o.log,
    onQuarantined: () => {
      mqttMetrics.deadLettered();
    },
  });
  if (o.config.mqtt.url !== undefined && o.config.mqtt.partitionSessions !== undefined) {
    const { ownership } = o.partitions;
    const sessions = await startPartitionSessions({
      url: o.config.mqtt.url,
      clientIdBase: o.config.mqtt.partitionSessions,
      sessionsPerPartition: o.config.mqtt.sessionsPerPartition,
      deviceIds: () => o.partitions.deviceIds(),
      partitionOf: (deviceId) => partitionOf(deviceId),
      channels: o.channels,
      devices: o.identity.devices,
      log: o.log,
      onOutcome,
      quarantine,
    });
    o.stack.push(() => sessions.close());
    await o.partitions.onRegistered((deviceId) => {
      sessions.added(deviceId);
    });
    if (ownership === undefined) {
      // A single instance (SQLite) owns every partition: the sessions spread its devices over
      // several connections, each with its own queue on the broker.
      for (let p = 0; p < DEVICE_PARTITIONS; p++) sessions.open(p);
    } else
      ownership.watch({
        gained: (p) => {
          sessions.open(p);
        },
        lost: (p) => {
          sessions.release(p).catch((err: unknown) => {
            o.log.warn({ err, partition: p }, 'ending an MQTT partition session failed');
          });
        },
      });
    o.log.info(
      {
        url: o.config.mqtt.url.replace(/\/\/[^@]*@/, '//***@'),
        held: ownership?.held() ?? 'all',
        sessionsPerPartition: o.config.mqtt.sessionsPerPartition,
      },
      'MQTT partition sessions on the external broker',
    );
    return { port: null };
  }
  if (o.config.mqtt.url !== undefined) {
    const sub = await startExternalSubscriber({
      url: o.config.mqtt.url,
      ...(o.config.mqtt.clientId === undefined ? {} : { clientId: o.config.mqtt.clientId }),
      discardSessionOnClose: o.config.nodeEnv === 'test',
      channels: o.channels,
      devices: o.identity.devices,
      log: o.log,
      onOutcome,
      quarantine,
    });
    o.stack.push(() => sub.close());
    return { port: null };
  }
  if (o.config.mqtt.port > 0) {
    const broker = await startEmbeddedBroker({
      port: o.config.mqtt.port,
      portRequired: o.config.nodeEnv === 'production',
      channels: o.channels,
      devices: o.identity.devices,
      log: o.log,
      onOutcome,
      quarantine,
    });
    if (broker !== null) {
      o.stack.push(() => broker.close());
      return { port: broker.port };
    }
  }
  return { port: null };
}
