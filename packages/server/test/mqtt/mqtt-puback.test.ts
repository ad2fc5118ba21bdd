import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createMonitoredPatient, createTestApp, type TestApp } from '../helpers/index.js';
import { syntheticPackets } from '../vitals/packets.js';
import { freePort } from './mosquitto-fixture.js';

/**
 * A PUBACK from the embedded broker means the packet is stored, as a 2xx does over HTTP. aedes
 * writes a QoS 1 PUBACK before it publishes a message, so Vigil used to acknowledge packets it
 * had not stored yet: `npm run test:reliability`'s crash test lost 1,303 of 1,842 acknowledged
 * MQTT packets over 6 SIGKILLs. Here the store is made unavailable (another process holds the
 * SQLite write lock): the device must get no PUBACK, and the packet sent again once the lock
 * is gone is acknowledged and stored once.
 */
const url = process.env.DATABASE_URL;
let t: TestApp | undefined;
let release: (() => void) | undefined;
const clients: MqttClient[] = [];
afterEach(async () => {
  release?.();
  for (const c of clients) c.end(true);
  await t?.close();
  t = undefined;
  release = undefined;
});

/** Resolves 'puback' or 'no puback' (connection closed, or nothing within `ms`). */
function publishOutcome(client: MqttClient, topic: string, body: string, ms: number) {
  return Promise.race([
    client.publishAsync(topic, body, { qos: 1 }).then(
      () => 'puback' as const,
      () => 'no puback' as const,
    ),
    new Promise<'no puback'>((resolve) => {
      client.once('close', () => {
        resolve('no puback');
      });
      setTimeout(() => {
        resolve('no puback');
      }, ms);
    }),
  ]);
}

describe('embedded MQTT broker acknowledgement', () => {
  it.skipIf(url !== undefined)(
    'sends no PUBACK for a packet it could not store, and acknowledges it once stored',
    async () => {
      const port = await freePort();
      t = await createTestApp({ sqliteFile: true, env: { MQTT_PORT: String(port) } });
      const deviceId = 'ESP32-PUBACK';
      const { key } = await createMonitoredPatient(t, deviceId);
      const [packet] = syntheticPackets(deviceId, 70, 1, t.clock.now() - 60_000, 1);
      const body = JSON.stringify(packet);
      const topic = `vigil/devices/${deviceId}/vitals`;
      const connect = async () => {
        const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${String(port)}`, {
          username: deviceId,
          password: key,
          reconnectPeriod: 0,
        });
        clients.push(c);
        return c;
      };

      const db = t.container.database.db;
      const { rows } = await sql<{ file: string }>`pragma database_list`.execute(db);
      await sql`pragma busy_timeout = 50`.execute(db);
      const other = new BetterSqlite3(rows[0]?.file ?? '');
      other.prepare('begin immediate').run();
      release = () => {
        if (other.inTransaction) other.prepare('rollback').run();
        other.close();
      };

      expect(await publishOutcome(await connect(), topic, body, 3000)).toBe('no puback');
      const stored = async () =>
        Number(
          (
            await sql<{
              n: number;
            }>`select count(*) as n from vitals where device_id = ${deviceId}`.execute(db)
          ).rows[0]?.n,
        );
      release();
      release = undefined;
      expect(await stored()).toBe(0);

      expect(await publishOutcome(await connect(), topic, body, 5000)).toBe('puback');
      expect(await stored()).toBe(1);
    },
  );
});
