import { describe, expect, it } from 'vitest';
import type { RealtimeEvent } from '../../src/services/realtime-port.js';
import { createInstancePair } from '../helpers/instance-pair.js';

const url = process.env.DATABASE_URL;

describe.skipIf(url === undefined)(
  'real-time fan-out across instances (PostgreSQL LISTEN/NOTIFY)',
  () => {
    it('delivers what one instance publishes to the other instance sharing its schema', async () => {
      const { a, b } = await createInstancePair(url, 'vigil_fanout');
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
