import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { partitionOf } from '../../src/cluster/device-partitions.js';
import { partitionClientId } from '../../src/transports/mqtt/partition-sessions.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createMonitoredPatient } from '../helpers/builders.js';
import { syntheticPackets } from '../vitals/packets.js';

const url = process.env.DATABASE_URL;
/** The machine's Mosquitto (tests use client ids and device ids of their own run). */
const MQTT_URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** An instance on a schema shared with others, MQTT partition sessions; heartbeats by hand. */
function instance(schema: string, name: string, base: string, drop: boolean): Promise<TestApp> {
  return createTestApp({
    env: { VIGIL_INSTANCE_NAME: name, MQTT_URL, MQTT_PARTITION_SESSIONS: base },
    database: { pgSchema: schema, dropSchemaOnClose: drop, maxConnections: 4 },
    vitals: { partitionHeartbeatMs: 0 },
  });
}

const ownership = (t: TestApp) => {
  const o = t.container.ownership();
  if (o === undefined) throw new Error('no device ownership on PostgreSQL');
  return o;
};

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
    for (const base of bases.splice(0))
      for (let p = 0; p < 32; p++) {
        const c = await mqtt.connectAsync(
          MQTT_URL,
          { clientId: partitionClientId(base, p), clean: true, reconnectPeriod: 0 },
          false,
        );
        await c.endAsync();
      }
  });

  it("stores a device registered after start through its partition owner's session, and the next owner receives what was published while the partition had none", async () => {
    const schema = `vigil_mqps_${randomBytes(5).toString('hex')}`;
    const base = `vigil-test-ps-${randomBytes(4).toString('hex')}`;
    bases.push(base);
    const a = await instance(schema, 'a', base, false);
    open.push(a);
    const b = await instance(schema, 'b', base, true);
    open.push(b);
    await ownership(a).heartbeat();
    await ownership(b).heartbeat();
    // A device of a partition `a` holds, registered on `b` after both started.
    let i = 0;
    const id = (k: number) => `MQ-PS-${base}-${String(k)}`;
    while (!ownership(a).owns(id(i))) i++;
    const deviceId = id(i);
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
