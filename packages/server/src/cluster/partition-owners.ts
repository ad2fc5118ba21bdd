import { DEVICE_PARTITIONS, partitionOf } from './device-partitions.js';
import type { ClusterLeases } from './pg-leases.js';

/** Which instance, at which address, analyses a device: read from the partition leases. */
export interface PartitionOwners {
  /**
   * The address of the instance that held the device's partition at the last refresh, when it
   * is another instance; undefined when it is this one, the partition was free, or its holder
   * advertised no address (no round trip).
   */
  elsewhere(deviceId: string): string | undefined;
  /** Reads the holders again (the periodic refresh's work; tests call it by hand). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The holders of the device partitions (`partition:<n>` leases) and their addresses, read from
 * PostgreSQL's lock table every `refreshMs` (one query). A takeover is seen at the next refresh:
 * until then uploads go to the dead or previous owner, whose answer (a refused connection, or
 * an instance that stores the packet and hands it over) is what happens without this directory.
 */
export function startPartitionOwners(o: {
  leases: ClusterLeases;
  /** This instance's advertised address: its own partitions are not "elsewhere". */
  self: string;
  partitions?: number;
  /** Refresh period, ms (default 1000, the partition heartbeat's); 0: no timer. */
  refreshMs?: number;
  log?: { warn(obj: object, msg: string): void };
}): PartitionOwners {
  const n = o.partitions ?? DEVICE_PARTITIONS;
  const names = Array.from({ length: n }, (_, p) => `partition:${String(p)}`);
  let owners: (string | undefined)[] = new Array<string | undefined>(n);
  let closed = false;
  let refreshing: Promise<void> | undefined;

  const read = async (): Promise<void> => {
    const holders = await o.leases.holders(names);
    owners = names.map((name) => {
      const address = holders.get(name);
      return address === o.self ? undefined : address;
    });
  };
  const refresh = (): Promise<void> => {
    if (closed) return Promise.resolve();
    refreshing ??= read()
      .catch((err: unknown) => {
        // Not knowing the owners only means uploads are handled where they arrive.
        owners = new Array<string | undefined>(n);
        o.log?.warn({ err }, 'reading the partition owners failed');
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  };
  const period = o.refreshMs ?? 1000;
  const timer = period > 0 ? setInterval(() => void refresh(), period) : undefined;
  timer?.unref();

  return {
    elsewhere: (deviceId) => owners[partitionOf(deviceId, n)],
    refresh,
    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await refreshing;
    },
  };
}
