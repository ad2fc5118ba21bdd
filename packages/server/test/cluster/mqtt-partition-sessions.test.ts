import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { partitionOf } from '../../src/cluster/device-partitions.js';
import { discardPartitionSessions } from '../../src/transports/mqtt/partition-sessions.js';
import type { TestApp } from '../helpers/app.js';
import { createMonitoredPatient } from '../helpers/builders.js';
import { syntheticPackets } from '../vitals/packets.js';
import { deviceOwnedBy, ownership, twoInstances } from './two-instances.js';

const url = process.env.DATABASE_URL;
/** The machine's Mosquitto (tests use client ids and device ids of their own run). */
const MQTT_URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

async function storedSeconds(t: TestApp, deviceId: string, start: number): Promise<number[]> {
  const rows = await t.container.database.db
    .selectFrom('vitals')
    .select('ts')
    .where('device_id', '=', deviceId)
    .orderBy('ts')
    .execute();
  return rows.map((r) => (r.ts - start) / 1000);
}

describe.skipIf(url === undefined)('MQTT partition sessions (PostgreSQL, Mosquitto)', () => {
  const open: TestApp[] = [];
  const bases: string[] = [];
  afterEach(async () => {
    // The last one drops the schema.
    for (const t of open.splice(0)) await t.close();
    // The sessions outlive their owners on the broker (their point): discard this run's.
    for (const base of bases.splice(0)) await discardPartitionSessions(MQTT_URL, base);
  });

  it("stores a device registered after start through its partition owner's session, and the next owner receives what was published while the partition had none", async () => {
    const base = `vigil-test-ps-${randomBytes(4).toString('hex')}`;
    bases.push(base);
    const { a, b } = await twoInstances('vigil_mqps', {
      MQTT_URL,
      MQTT_PARTITION_SESSIONS: base,
    });
    open.push(a, b);
    // A device of a partition `a` holds, registered on `b` after both started.
    const deviceId = deviceOwnedBy(a, (k) => `MQ-PS-${base}-${String(k)}`);
    await createMonitoredPatient(b, deviceId);
    const start = a.clock.now() - 60_000;
    const packets = syntheticPackets(deviceId, 75, 6, start).map((p, k) => ({
      ...p,
      sequence: k,
    }));
    const device = await mqtt.connectAsync(MQTT_URL, { clientId: `dev-${base}` });
    const publish = async (k: number) => {
      await device.publishAsync(`vigil/devices/${deviceId}/vitals`, JSON.stringify(packets[k]), {
        qos: 1,
      });
    };
    try {
      // `a` learnt of the device (NOTIFY from `b`) and subscribed it in the partition's session.
      await vi.waitFor(
        async () => {
          await publish(0);
          expect(await storedSeconds(a, deviceId, start)).toEqual([0]);
        },
        { timeout: 10_000, interval: 500 },
      );
      await publish(1);
      await vi.waitFor(async () => {
        expect(await storedSeconds(a, deviceId, start)).toEqual([0, 1]);
      });

      // The owner goes; published while the partition has no owner, kept in its session.
      await a.close();
      open.splice(open.indexOf(a), 1);
      for (const k of [2, 3, 4]) await publish(k);
      await ownership(b).heartbeat();
      expect(ownership(b).owns(deviceId)).toBe(true);
      expect(partitionOf(deviceId)).toBeLessThan(32);
      await vi.waitFor(
        async () => {
          expect(await storedSeconds(b, deviceId, start)).toEqual([0, 1, 2, 3, 4]);
        },
        { timeout: 10_000 },
      );
      await publish(5);
      await vi.waitFor(async () => {
        expect(await storedSeconds(b, deviceId, start)).toEqual([0, 1, 2, 3, 4, 5]);
      });
    } finally {
      await device.endAsync();
    }
  }, 120_000);
});
