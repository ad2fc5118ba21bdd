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

        // Sizes are bytes: 3,000 '€' are 3,000 characters but 9,000 UTF-8 bytes, over NOTIFY's
        // 8000-byte limit (PostgreSQL refuses such a payload); with 20,000 ECG samples the event
        // is far above it. Both arrive whole, in order, split into parts where needed.
        const wide: RealtimeEvent = {
          ...event,
          data: {
            ...event.data,
            vitals_id: '€'.repeat(3000),
            ecg: { fs: 500, samples_mv: Array.from({ length: 20_000 }, (_, i) => i / 1000) },
          },
        };
        const small: RealtimeEvent = { ...event, data: { ...event.data, vitals_id: 'v2' } };
        a.hub.publish(small);
        a.hub.publish(wide);
        a.hub.publish(small);
        for (let i = 0; i < 100 && seenByB.length < 4; i++)
          await new Promise((r) => setTimeout(r, 20));
        expect(seenByB.slice(1)).toEqual([small, wide, small]);
      } finally {
        await a.close();
        await b.close();
      }
    });
  },
);
