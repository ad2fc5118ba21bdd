import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { createArgon2Hasher } from '../../src/adapters/password-hasher.js';
import { createContainer } from '../../src/composition.js';
import { loadConfig } from '../../src/config/env.js';
import type { RealtimeEvent } from '../../src/services/realtime-port.js';

const url = process.env.DATABASE_URL;

describe.skipIf(url === undefined)(
  'real-time fan-out across instances (PostgreSQL LISTEN/NOTIFY)',
  () => {
    it('delivers what one instance publishes to the other instance sharing its schema', async () => {
      const config = loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        JWT_SECRET: randomBytes(32).toString('hex'),
        MQTT_PORT: '0',
        DATABASE_URL: url,
      });
      const schema = `vigil_fanout_${randomBytes(5).toString('hex')}`;
      const make = (drop: boolean) =>
        createContainer(config, {
          clock: new ManualClock(Date.now()),
          passwordHasher: createArgon2Hasher({ memoryCost: 1024, timeCost: 1 }),
          database: { pgSchema: schema, dropSchemaOnClose: drop, maxConnections: 2 },
        });
      const a = await make(false);
      const b = await make(true);
      try {
        const seenByB: RealtimeEvent[] = [];
        const seenByA: RealtimeEvent[] = [];
        b.hub.deliver = (e) => seenByB.push(e);
        a.hub.deliver = (e) => seenByA.push(e);
        const event: RealtimeEvent = {
          type: 'vitals',
          patientId: 'p1',
          deviceId: 'd1',
          data: {
            vitals_id: 'v1',
            device_id: 'd1',
            patient_id: 'p1',
            timestamp: 1,
            heart_rate_bpm: 70,
            spo2_percent: 98,
            temperature_c: null,
            respiratory_rate: null,
            battery_percent: null,
            lead_off: null,
            ecg: { fs: 250, samples_mv: [0.1, 0.2] },
          },
        };
        a.hub.publish(event);
        for (let i = 0; i < 100 && seenByB.length === 0; i++)
          await new Promise((r) => setTimeout(r, 20));
        expect(seenByB).toEqual([event]);
        // An instance does not receive its own notifications back.
        expect(seenByA).toEqual([]);
      } finally {
        await a.close();
        await b.close();
      }
    });
  },
);
