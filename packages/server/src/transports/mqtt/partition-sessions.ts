import mqtt, { type MqttClient } from 'mqtt';
import { DEVICE_PARTITIONS } from '../../cluster/device-partitions.js';
import { leaseKey } from '../../cluster/pg-leases.js';
import { topicPatterns } from './device-message.js';
import { installDeviceHandler, type DeviceSubscriberDeps } from './device-subscriber-handler.js';

export interface PartitionSessionsDeps extends DeviceSubscriberDeps {
  /** e.g. mqtt://vigil:secret@127.0.0.1:1883 (credentials of Vigil's privileged subscriber). */
  url: string;
  /**
   * The deployment's base client id (MQTT_PARTITION_SESSIONS): partition p's sessions are
   * `<base>-p<NN>` and `<base>-p<NN>-s<k>`, the same on every instance, so that its next owner
   * finds what they kept.
   */
  clientIdBase: string;
  /**
   * Sessions per partition (MQTT_SESSIONS_PER_PARTITION, default 4), each with its share of the
   * partition's devices (a device is always on the same one, so its messages stay in order).
   * A session takes its next message only once the previous one is stored (mqtt.js reads the
   * next PUBLISH after the PUBACK), so a partition carries this many messages per ingest
   * latency.
   */
  sessionsPerPartition?: number;
  /** The session of a device within its partition (default: a stable hash of its id). */
  sessionOf?: (deviceId: string, sessions: number) => number;
  /** Every registered device id (read at start, on `refresh()` and every `refreshMs`). */
  deviceIds(): Promise<string[]>;
  /** The partition of a device (device-partitions.ts). */
  partitionOf(deviceId: string): number;
  /** Period of the full re-read of the device list, ms (default 10 000; 0: none). */
  refreshMs?: number;
}

export interface PartitionSessions {
  /** This instance now owns partition p: connects its sessions (returns at once). */
  open(partition: number): void;
  /** This instance no longer owns partition p: ends its connections (the sessions stay). */
  release(partition: number): Promise<void>;
  /** A device was registered: subscribes it in its session, if its partition is open here. */
  added(deviceId: string): void;
  /** Re-reads the device list and brings every open session's subscriptions in line. */
  refresh(): Promise<void>;
  /** Partitions whose sessions are all connected now, with their subscribed devices (tests). */
  connected(): Map<number, string[]>;
  close(): Promise<void>;
}

/**
 * A partition session's client id: `<base>-p07` for the first (the one id a partition had
 * before it had several sessions, so what a deployment's broker kept in it is read after an
 * upgrade), `<base>-p07-s1`… for the others.
 */
export function partitionClientId(base: string, partition: number, session = 0): string {
  const id = `${base}-p${String(partition).padStart(2, '0')}`;
  return session === 0 ? id : `${id}-s${String(session)}`;
}

/** Default `sessionsPerPartition`. */
export const SESSIONS_PER_PARTITION = 4;

/**
 * The session of a device within its partition: a hash of its id independent of the partition
 * hash (device-partitions.ts hashes `device:<id>`), so a partition's devices spread evenly.
 */
export function sessionOfDevice(deviceId: string, sessions: number): number {
  return leaseKey(`mqtt-session:${deviceId}`) % sessions;
}

/**
 * Discards a deployment's partition sessions on the broker (they outlive their owners, which is
 * their point): a clean connection under each client id ends its session and what it kept.
 * For tests and benches that made sessions of their own, or an operator retiring a base id.
 */
export async function discardPartitionSessions(
  url: string,
  base: string,
  sessionsPerPartition = SESSIONS_PER_PARTITION,
): Promise<void> {
  for (let p = 0; p < DEVICE_PARTITIONS; p++)
    for (let k = 0; k < sessionsPerPartition; k++) {
      const clientId = partitionClientId(base, p, k);
      const c = await mqtt
        .connectAsync(
          url,
          { clientId, clean: true, reconnectPeriod: 0, connectTimeout: 2000 },
          false,
        )
        .catch(() => undefined);
      await c?.endAsync();
    }
}

/** Device ids that cannot be an MQTT topic level (`/`, `+`, `#`) have no MQTT topics. */
const TOPIC_LEVEL = /^[^/+#]+$/;

/** Topics subscribed per SUBSCRIBE packet. */
const SUBSCRIBE_CHUNK = 500;

interface Session {
  partition: number;
  /** The session's index within its partition. */
  index: number;
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
 * Vigil instances on one external broker (several, or one holding every partition): persistent
 * MQTT sessions per device partition
 * (clean: false, client ids `<base>-pNN`, `<base>-pNN-s1`…), held by the instance that owns the
 * partition, each subscribed (QoS 1) to the topics of its share of the partition's devices only.
 * The sessions are the partition's, not the instance's: when its owner dies, the broker queues
 * the partition's messages in them, and the next owner (which takes the partition lease at its
 * next heartbeat) connects under the same client ids and receives them, then the redelivery of
 * those that were in flight (stored once: ingest is exactly-once on device and sequence).
 * Messages of devices not registered are not subscribed to, so they reach no instance.
 */
export async function startPartitionSessions(
  deps: PartitionSessionsDeps,
): Promise<PartitionSessions> {
  const perPartition = deps.sessionsPerPartition ?? SESSIONS_PER_PARTITION;
  if (!Number.isInteger(perPartition) || perPartition < 1)
    throw new RangeError(
      `sessionsPerPartition must be an integer ≥ 1, got ${String(perPartition)}`,
    );
  const sessionOf = deps.sessionOf ?? sessionOfDevice;
  /** The open partitions' sessions, by partition, in session order. */
  const sessions = new Map<number, Session[]>();
  /** Registered devices by session key `<partition>:<index>` (topic-level ids only). */
  const devicesOf = new Map<string, Set<string>>();
  const keyOf = (partition: number, index: number): string =>
    `${String(partition)}:${String(index)}`;
  const topicsOf = (deviceId: string): string[] => topicPatterns(deps.channels, deviceId);
  let closed = false;

  /** Files a device under its session; returns its partition (undefined: no topics). */
  const remember = (deviceId: string): number | undefined => {
    if (!TOPIC_LEVEL.test(deviceId)) return undefined;
    const p = deps.partitionOf(deviceId);
    const key = keyOf(p, sessionOf(deviceId, perPartition));
    let set = devicesOf.get(key);
    if (set === undefined) devicesOf.set(key, (set = new Set()));
    set.add(deviceId);
    return p;
  };

  /** Brings a session's subscriptions in line with its share of the devices (queued). */
  const sync = (s: Session): Promise<void> => {
    s.chain = s.chain
      .then(async () => {
        if (s.ended || !s.client.connected) return;
        const generation = s.generation;
        const wanted = devicesOf.get(keyOf(s.partition, s.index)) ?? new Set<string>();
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
        if (!s.ended)
          deps.log.warn(
            { err, partition: s.partition, session: s.index },
            'MQTT partition subscribe failed',
          );
      });
    return s.chain;
  };

  const connect = (p: number, index: number): Session => {
    // Not connectAsync: the broker sends what the session kept right after CONNACK, and the
    // device handler must be in place before the first packet is read (device-subscriber-handler.ts).
    const client = mqtt.connect(deps.url, {
      clientId: partitionClientId(deps.clientIdBase, p, index),
      clean: false,
      reconnectPeriod: 2000,
      // Subscriptions are this module's (sync on every connection), not mqtt.js's.
      resubscribe: false,
    });
    const s: Session = {
      partition: p,
      index,
      client,
      subscribed: new Set(),
      generation: 0,
      chain: Promise.resolve(),
      ended: false,
    };
    installDeviceHandler(client, deps);
    client.on('error', (err) => {
      deps.log.warn(
        { err: err.message, partition: p, session: index },
        'MQTT partition session error',
      );
    });
    client.on('connect', () => {
      // Every connection subscribes the session's devices again: the broker keeps them in the
      // session, but one that lost the session (a broker without persistence) has none, and a
      // device registered while the partition had no owner was never subscribed. Subscribing
      // an existing subscription again changes nothing.
      s.generation++;
      s.subscribed.clear();
      void sync(s);
    });
    return s;
  };

  const open = (p: number): void => {
    if (closed || sessions.has(p)) return;
    sessions.set(
      p,
      Array.from({ length: perPartition }, (_, index) => connect(p, index)),
    );
  };

  const release = async (p: number): Promise<void> => {
    const of = sessions.get(p);
    if (of === undefined) return;
    sessions.delete(p);
    await Promise.all(
      of.map(async (s) => {
        s.ended = true;
        // Forced: a message being stored now is not acknowledged, so the broker gives it to
        // the next owner again (stored once); the session and its subscriptions stay on the
        // broker.
        await s.client.endAsync(true);
      }),
    );
  };

  let refreshing: Promise<void> | undefined;
  /** Re-reads asked for; one asked for during a re-read runs after it. */
  let asked = 0;
  const reread = async (): Promise<void> => {
    const ids = await deps.deviceIds();
    devicesOf.clear();
    for (const id of ids) remember(id);
    await Promise.all([...sessions.values()].flat().map(sync));
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
      const s = p === undefined ? undefined : sessions.get(p)?.[sessionOf(deviceId, perPartition)];
      if (s !== undefined) void sync(s);
    },
    refresh,
    connected: () =>
      new Map(
        [...sessions]
          .filter(([, of]) => of.every((s) => s.client.connected))
          .map(([p, of]) => [p, of.flatMap((s) => [...s.subscribed]).sort()]),
      ),
    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await refreshing?.catch(() => undefined);
      const all = [...sessions.values()].flat();
      sessions.clear();
      await Promise.all(
        all.map(async (s) => {
          s.ended = true;
          await s.client.endAsync();
        }),
      );
    },
  };
}
