import { leaseKey, type ClusterLeases } from './pg-leases.js';

/** Partitions devices are hashed into (each one lease); a few per instance keeps the spread even. */
export const DEVICE_PARTITIONS = 32;

/** The partition of a device: a stable hash of its id. */
export function partitionOf(deviceId: string, partitions = DEVICE_PARTITIONS): number {
  return leaseKey(`device:${deviceId}`) % partitions;
}

/** Which instance analyses which device: the holder of the device's partition lease. */
export interface DeviceOwnership {
  /** Whether this instance holds the device's partition now (no round trip). */
  owns(deviceId: string): boolean;
  /** Re-balances once (the periodic heartbeat's work; tests call it by hand). */
  heartbeat(): Promise<void>;
  /** Partitions held now. */
  held(): number[];
  /**
   * Tells `listener` of the partitions held now (gained at once), then of every partition
   * gained or lost, in the order the listeners were added.
   */
  watch(listener: PartitionListener): void;
  close(): Promise<void>;
}

export interface PartitionListener {
  gained(partition: number): void;
  lost(partition: number): void;
}

/**
 * Device partitions over cluster leases (`partition:<n>`). Every heartbeat each instance
 * confirms the partitions it holds (one round trip), then takes free ones until it holds its
 * share, ceil(partitions / live instances), and gives back those above its share (so an
 * instance that joins gets its share at the others' next heartbeat). A partition whose holder died is free at once
 * (its lease connection closed) and taken at the next heartbeat of another instance.
 * Listeners (`watch`) hear of a partition after it is taken, and before one is given back or
 * when it was found lost.
 */
export function startDevicePartitions(o: {
  leases: ClusterLeases;
  partitions?: number;
  /** Heartbeat period, ms (default 1000); 0: no timer (tests call heartbeat()). */
  heartbeatMs?: number;
  /** This instance's first choice of free partition (spreads first claims): any integer. */
  startAt?: number;
  log?: { warn(obj: object, msg: string): void };
}): DeviceOwnership {
  const n = o.partitions ?? DEVICE_PARTITIONS;
  const name = (p: number) => `partition:${String(p)}`;
  const names = Array.from({ length: n }, (_, p) => name(p));
  const mine = new Set<number>();
  const listeners: PartitionListener[] = [];
  const gained = (p: number): void => {
    for (const l of listeners) l.gained(p);
  };
  const lost = (p: number): void => {
    for (const l of listeners) l.lost(p);
  };
  let closed = false;
  let beating: Promise<void> | undefined;

  const beat = async (): Promise<void> => {
    const still = await o.leases.confirm(names);
    for (const p of [...mine])
      if (!still.has(name(p))) {
        mine.delete(p);
        lost(p);
      }
    const share = Math.ceil(n / (await o.leases.members()));
    const start = (((o.startAt ?? 0) % n) + n) % n;
    for (let i = 0; i < n && mine.size < share && !closed; i++) {
      const p = (start + i) % n;
      if (mine.has(p)) continue;
      if (await o.leases.acquire(name(p))) {
        mine.add(p);
        gained(p);
      }
    }
    for (const extra of [...mine].slice(share)) {
      mine.delete(extra);
      lost(extra);
      await o.leases.release(name(extra));
    }
  };
  const heartbeat = (): Promise<void> => {
    beating ??= beat()
      .catch((err: unknown) => {
        o.log?.warn({ err }, 'device partition heartbeat failed');
      })
      .finally(() => {
        beating = undefined;
      });
    return beating;
  };
  const period = o.heartbeatMs ?? 1000;
  const timer = period > 0 ? setInterval(() => void heartbeat(), period) : undefined;
  timer?.unref();

  return {
    owns: (deviceId) => mine.has(partitionOf(deviceId, n)),
    heartbeat,
    held: () => [...mine].sort((a, b) => a - b),
    watch(listener) {
      listeners.push(listener);
      for (const p of mine) listener.gained(p);
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await beating;
    },
  };
}
