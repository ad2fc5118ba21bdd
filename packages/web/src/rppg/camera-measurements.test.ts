import type { HeartRateObservation } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { cameraMeasurements } from './camera-measurements.js';

const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);

function obs(o: Partial<HeartRateObservation> & { ts: number; bpm: number }): HeartRateObservation {
  return { source: 'rppg', device_id: null, session_id: 's1', confidence: 'medium', ...o };
}

describe('cameraMeasurements', () => {
  it('groups camera readings by session, newest first, with the median and the best confidence', () => {
    const list = cameraMeasurements([
      obs({ ts: T0, bpm: 70, confidence: 'low' }),
      obs({ ts: T0 + 5000, bpm: 72, confidence: 'high' }),
      obs({ ts: T0 + 10_000, bpm: 90, confidence: 'medium' }),
      obs({ ts: T0 + 60_000, bpm: 64, session_id: 's2' }),
      obs({ ts: T0 + 65_000, bpm: 66, session_id: 's2' }),
    ]);
    expect(list).toEqual([
      {
        sessionId: 's2',
        startMs: T0 + 60_000,
        endMs: T0 + 65_000,
        medianBpm: 65,
        readings: 2,
        confidence: 'medium',
      },
      {
        sessionId: 's1',
        startMs: T0,
        endMs: T0 + 10_000,
        medianBpm: 72,
        readings: 3,
        confidence: 'high',
      },
    ]);
  });

  it("leaves out the devices' own heart rate", () => {
    expect(
      cameraMeasurements([
        obs({ ts: T0, bpm: 61, source: 'device', device_id: 'ESP32-1', session_id: null }),
      ]),
    ).toEqual([]);
  });
});
