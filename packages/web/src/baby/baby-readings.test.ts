import { describe, expect, it } from 'vitest';
import {
  babyTrends,
  cryEvidenceLabel,
  cryTimeline,
  loadLatestBabyReadings,
  type BabyReading,
} from './baby-readings.js';

const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);

function reading(o: Partial<BabyReading> & { atS: number }): BabyReading {
  const { atS, ...rest } = o;
  return {
    id: `r${atS}`,
    patient_id: 'baby',
    user_id: 'baby',
    device_id: 'MON-1',
    temperature: 36.8,
    humidity: 50,
    audio_url: null,
    cry_detected: false,
    cry_probability: null,
    cry_source: null,
    device_cry_detected: null,
    device_cry_probability: null,
    audio_cry_probability: null,
    sick_detected: false,
    created_at: new Date(T0 + atS * 1000).toISOString(),
    notes: null,
    ...rest,
  };
}

describe('baby monitor readings for the dashboard', () => {
  it('buckets temperature and humidity per minute with min, mean and max, skipping failed sensors', () => {
    const readings = [
      reading({ atS: 0, temperature: 36.8, humidity: 50 }),
      reading({ atS: 30, temperature: 37.2, humidity: null }),
      reading({ atS: 65, temperature: 38.6, humidity: 54 }),
      reading({ atS: 70, temperature: null, humidity: 56 }),
    ];
    const { temperature, humidity } = babyTrends(readings, 60_000);
    expect(temperature).toEqual([
      { t: T0, min: 36.8, avg: expect.closeTo(37.0, 9) as number, max: 37.2 },
      { t: T0 + 60_000, min: 38.6, avg: 38.6, max: 38.6 },
    ]);
    expect(humidity).toEqual([
      { t: T0, min: 50, avg: 50, max: 50 },
      { t: T0 + 60_000, min: 54, avg: 55, max: 56 },
    ]);
    expect(() => babyTrends(readings, 0)).toThrow(RangeError);
  });

  it('lists the cry events newest first with their probability, decider, sick flag and audio', () => {
    const events = cryTimeline([
      reading({ atS: 0 }),
      reading({
        atS: 45,
        cry_detected: true,
        cry_probability: 0.998,
        cry_source: 'server_audio',
        sick_detected: true,
        temperature: 38.6,
        audio_url: '/api/v1/readings/r45/audio',
      }),
      reading({ atS: 90, cry_detected: true, cry_probability: 0.91, cry_source: 'device' }),
    ]);
    expect(events.map((e) => [e.id, e.probability, e.source, e.sick, e.audioUrl])).toEqual([
      ['r90', 0.91, 'device', false, null],
      ['r45', 0.998, 'server_audio', true, '/api/v1/readings/r45/audio'],
    ]);
    expect(cryEvidenceLabel(events[1] ?? { probability: null, source: null })).toBe(
      'probability 1.00 · decided by server',
    );
    expect(cryEvidenceLabel({ probability: null, source: 'device' })).toBe(
      'no confidence · decided by monitor',
    );
  });

  it("shows a quiet baby's reading however old: the server's newest per patient, asked once", async () => {
    // Busy: a reading now (and, on the server, more than 1,000 newer than the quiet one's).
    // Quiet: one reading 2 h ago, at 38.9 °C.
    const busy = reading({ atS: 7200, patient_id: 'busy', temperature: 37.1 });
    const quiet = reading({ atS: 0, patient_id: 'quiet', temperature: 38.9 });
    const asked: string[] = [];
    const api = {
      get<T>(path: string): Promise<T> {
        asked.push(path);
        return Promise.resolve([busy, quiet] as T);
      },
    };
    const latest = await loadLatestBabyReadings(api);
    expect(asked).toEqual(['/api/v1/readings/latest']);
    expect([...latest.entries()].map(([p, r]) => [p, r.id, r.temperature])).toEqual([
      ['busy', 'r7200', 37.1],
      ['quiet', 'r0', 38.9],
    ]);
  });
});
