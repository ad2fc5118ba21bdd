import mqtt, { type MqttClient } from 'mqtt';
import { topicPatterns } from './device-message.js';
import { installDeviceHandler, type DeviceSubscriberDeps } from './device-subscriber-handler.js';

export interface PartitionSessionsDeps extends DeviceSubscriberDeps {
  /** e.g. mqtt://vigil:secret@127.0.0.1:1883 (credentials of Vigil's privileged subscriber). */
  url: string;
  /**
   * The deployment's base client id (MQTT_PARTITION_SESSIONS): partition p's session is
   * `<base>-p<NN>`, the same on every instance, so that its next owner finds what it kept.
   */
  clientIdBase: string;
  /** Every registered device id (read at start, on `refresh()` and every `refreshMs`). */
  deviceIds(): Promise<string[]>;
  /** The partition of a device (device-partitions.ts). */
  partitionOf(deviceId: string): number;
  /** Period of the full re-read of the device list, ms (default 10 000; 0: none). */
  refreshMs?: number;
}

export interface PartitionSessions {
  /** This instance now owns partition p: connects its session (returns at once). */
  open(partition: number): void;
  /** This instance no longer owns partition p: ends its connection (the session stays). */
  release(partition: number): Promise<void>;
  /** A device was registered: subscribes it in its partition's session, if open here. */
  added(deviceId: string): void;
  /** Re-reads the device list and brings every open session's subscriptions in line. */
  refresh(): Promise<void>;
  /** Partitions whose session is connected now, with their subscribed devices (tests). */
  connected(): Map<number, string[]>;
  close(): Promise<void>;
}

/** The partition session's client id: `<base>-p07`. */
export function partitionClientId(base: string, partition: number): string {
  return `${base}-p${String(partition).padStart(2, '0')}`;
}

/** Device ids that cannot be an MQTT topic level (`/`, `+`, `#`) have no MQTT topics. */
const TOPIC_LEVEL = /^[^/+#]+$/;

/** Topics subscribed per SUBSCRIBE packet. */
const SUBSCRIBE_CHUNK = 500;

interface Session {
  client: MqttClient;
  /** Devices subscribed on the current connection. */
  subscribed: Set<string>;
  /** Counts connections: a subscription made on an earlier one does not count for this one. */
  generation: number;
  /** Subscription changes, one at a time. */
  chain: Promise<void>;
  ended: boolean;
}

/**
 * Several Vigil instances on one external broker: one persistent MQTT session per device
 * partition (clean: false, client id `<base>-pNN`), held by the instance that owns the
 * partition, subscribed (QoS 1) to the topics of that partition's devices only. The session is
 * the partition's, not the instance's: when its owner dies, the broker queues the partition's
 * messages in it, and the next owner (which takes the partition lease at its next heartbeat)
 * connects under the same client id and receives them, then the redelivery of those that were
 * in flight (stored once: ingest is exactly-once on device and sequence). Messages of devices
 * not registered are not subscribed to, so they reach no instance.
 */
export async function startPartitionSessions(
  deps: PartitionSessionsDeps,
): Promise<PartitionSessions> {
  const sessions = new Map<number, Session>();
  /** Registered devices by partition (device ids usable as a topic level only). */
  const devicesOf = new Map<number, Set<string>>();
  const topicsOf = (deviceId: string): string[] => topicPatterns(deps.channels, deviceId);
  let closed = false;

  const remember = (deviceId: string): number | undefined => {
    if (!TOPIC_LEVEL.test(deviceId)) return undefined;
    const p = deps.partitionOf(deviceId);
    let set = devicesOf.get(p);
    if (set === undefined) devicesOf.set(p, (set = new Set()));
    set.add(deviceId);
    return p;
  };

  /** Brings a session's subscriptions in line with the partition's devices (queued). */
  const sync = (p: number, s: Session): Promise<void> => {
    s.chain = s.chain
      .then(async () => {
        if (s.ended || !s.client.connected) return;
        const generation = s.generation;
        const wanted = devicesOf.get(p) ?? new Set<string>();
        const add = [...wanted].filter((d) => !s.subscribed.has(d));
        const drop = [...s.subscribed].filter((d) => !wanted.has(d));
        for (let i = 0; i < add.length; i += SUBSCRIBE_CHUNK) {
          const chunk = add.slice(i, i + SUBSCRIBE_CHUNK);
          await s.client.subscribeAsync(chunk.flatMap(topicsOf), { qos: 1 });
          if (s.generation === generation) for (const d of chunk) s.subscribed.add(d);
        }
        for (let i = 0; i < drop.length; i += SUBSCRIBE_CHUNK) {
          const chunk = drop.slice(i, i + SUBSCRIBE_CHUNK);
          await s.client.unsubscribeAsync(chunk.flatMap(topicsOf));
          if (s.generation === generation) for (const d of chunk) s.subscribed.delete(d);
        }
      })
      .catch((err: unknown) => {
        // The connection dropped: the next connection subscribes again.
        if (!s.ended) deps.log.warn({ err, partition: p }, 'MQTT partition subscribe failed');
      });
    return s.chain;
  };

  const open = (p: number): void => {
    if (closed || sessions.has(p)) return;
    // Not connectAsync: the broker sends what the session kept right after CONNACK, and the
    // device handler must be in place before the first packet is read (device-subscriber-handler.ts).
    const client = mqtt.connect(deps.url, {
      clientId: partitionClientId(deps.clientIdBase, p),
      clean: false,
      reconnectPeriod: 2000,
      // Subscriptions are this module's (sync on every connection), not mqtt.js's.
      resubscribe: false,
    });
    const s: Session = {
      client,
      subscribed: new Set(),
      generation: 0,
      chain: Promise.resolve(),
      ended: false,
    };
    sessions.set(p, s);
    installDeviceHandler(client, deps);
    client.on('error', (err) => {
      deps.log.warn({ err: err.message, partition: p }, 'MQTT partition session error');
    });
    client.on('connect', () => {
      // Every connection subscribes the partition's devices again: the broker keeps them in
      // the session, but one that lost the session (a broker without persistence) has none, and
      // a device registered while the partition had no owner was never subscribed. Subscribing
      // an existing subscription again changes nothing.
      s.generation++;
      s.subscribed.clear();
      void sync(p, s);
    });
  };

  const release = async (p: number): Promise<void> => {
    const s = sessions.get(p);
    if (s === undefined) return;
    sessions.delete(p);
    s.ended = true;
    // Forced: a message being stored now is not acknowledged, so the broker gives it to the
    // next owner again (stored once); the session and its subscriptions stay on the broker.
    await s.client.endAsync(true);
  };

  let refreshing: Promise<void> | undefined;
  /** Re-reads asked for; one asked for during a re-read runs after it. */
  let asked = 0;
  const reread = async (): Promise<void> => {
    const ids = await deps.deviceIds();
    devicesOf.clear();
    for (const id of ids) remember(id);
    await Promise.all([...sessions].map(([p, s]) => sync(p, s)));
  };
  const refresh = (): Promise<void> => {
    asked++;
    refreshing ??= (async () => {
      for (let done = 0; done !== asked && !closed;) {
        done = asked;
        await reread();
      }
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  await refresh();
  const period = deps.refreshMs ?? 10_000;
  const timer =
    period > 0
      ? setInterval(() => {
          refresh().catch((err: unknown) => {
            deps.log.warn({ err }, 'MQTT partition sessions: device list re-read failed');
          });
        }, period)
      : undefined;
  timer?.unref();

  return {
    open,
    release,
    added(deviceId) {
      const p = remember(deviceId);
      const s = p === undefined ? undefined : sessions.get(p);
      if (p !== undefined && s !== undefined) void sync(p, s);
    },
    refresh,
    connected: () =>
      new Map(
        [...sessions]
          .filter(([, s]) => s.client.connected)
          .map(([p, s]) => [p, [...s.subscribed].sort()]),
      ),
    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await refreshing?.catch(() => undefined);
      const all = [...sessions];
      sessions.clear();
      await Promise.all(
        all.map(async ([, s]) => {
          s.ended = true;
          await s.client.endAsync();
        }),
      );
    },
  };
}
