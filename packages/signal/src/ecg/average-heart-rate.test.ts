import { describe, expect, it } from 'vitest';
import { averageHeartRate } from './average-heart-rate.js';
import { heartRate } from './heart-rate.js';

const FS = 250;

describe('averageHeartRate', () => {
  it('gives 75 bpm over the 13 beats of a 10 s window of 800 ms intervals', () => {
    const peaks = Array.from({ length: 20 }, (_, i) => 250 + i * 200);
    const last = peaks[19] ?? 0;
    expect(averageHeartRate(peaks, 20, FS, last, 10_000, 3)).toEqual({
      averageBpm: 75,
      nBeats: 13,
    });
  });

  it('reads only the first n peaks', () => {
    const peaks = [250, 450, 650, 850, 1e9];
    expect(averageHeartRate(peaks, 4, FS, 850, 10_000, 3).averageBpm).toBe(75);
  });

  it('is the average of heartRate, bit for bit, with a pause and irregular beats', () => {
    const peaks = [100, 290, 455, 700, 860, 1100, 1240, 1500, 1690];
    for (const end of [1690, 1800, 2400, 4000]) {
      const expected = heartRate(peaks, FS, { endSample: end, windowMs: 4000 });
      const got = averageHeartRate(peaks, peaks.length, FS, end, 4000, 3);
      expect(got.averageBpm).toBe(expected.averageBpm);
      expect(got.nBeats).toBe(expected.nBeats);
    }
  });
});
