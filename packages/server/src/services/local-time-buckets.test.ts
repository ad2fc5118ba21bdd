import { describe, expect, it } from 'vitest';
import type { SeriesBucketRow } from '../repositories/vitals.repository.js';
import { isTimeZone, mergeIntoLocalBuckets } from './local-time-buckets.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** A 15-minute UTC bucket of one packet at heart rate `hr`. */
function quarter(iso: string, hr: number): SeriesBucketRow {
  const one = (v: number | null) => ({ min: v, avg: v, max: v, count: v === null ? 0 : 1 });
  return {
    time: Date.parse(iso),
    packets: 1,
    heart_rate_bpm: one(hr),
    spo2_percent: one(null),
    temperature_c: one(null),
  };
}

describe('mergeIntoLocalBuckets', () => {
  it("puts Paris's nights on their local day across the spring change (a 23-hour day)", () => {
    // CET (+1) until 2026-03-29 01:00 UTC, then CEST (+2).
    const days = mergeIntoLocalBuckets(
      [
        quarter('2026-03-28T22:30:00Z', 60), // 23:30 on the 28th
        quarter('2026-03-28T23:30:00Z', 70), // 00:30 on the 29th
        quarter('2026-03-29T21:30:00Z', 90), // 23:30 on the 29th (CEST)
        quarter('2026-03-29T22:30:00Z', 100), // 00:30 on the 30th
      ],
      { intervalMs: DAY, timeZone: 'Europe/Paris' },
    );
    expect(days.map((d) => new Date(d.time).toISOString())).toEqual([
      '2026-03-27T23:00:00.000Z',
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
    ]);
    expect(days.map((d) => d.packets)).toEqual([1, 2, 1]);
    expect(days[1]?.heart_rate_bpm).toEqual({ min: 70, avg: 80, max: 90, count: 2 });
    // The 29th is 23 hours long.
    expect((days[2]?.time ?? 0) - (days[1]?.time ?? 0)).toBe(23 * HOUR);
  });

  it("gives New York's autumn change day 25 hours", () => {
    // EDT (-4) until 2026-11-01 06:00 UTC, then EST (-5).
    const days = mergeIntoLocalBuckets(
      [
        quarter('2026-11-01T04:00:00Z', 60), // 00:00 EDT on the 1st
        quarter('2026-11-02T04:45:00Z', 70), // 23:45 EST on the 1st
        quarter('2026-11-02T05:00:00Z', 80), // 00:00 EST on the 2nd
      ],
      { intervalMs: DAY, timeZone: 'America/New_York' },
    );
    expect(days.map((d) => [new Date(d.time).toISOString(), d.packets])).toEqual([
      ['2026-11-01T04:00:00.000Z', 2],
      ['2026-11-02T05:00:00.000Z', 1],
    ]);
  });

  it('starts local hours at half past the UTC hour in Asia/Kolkata', () => {
    const hours = mergeIntoLocalBuckets(
      [
        quarter('2026-06-01T00:00:00Z', 60), // 05:30 IST
        quarter('2026-06-01T00:15:00Z', 62),
        quarter('2026-06-01T00:30:00Z', 64), // 06:00 IST
      ],
      { intervalMs: HOUR, timeZone: 'Asia/Kolkata' },
    );
    expect(hours.map((h) => [new Date(h.time).toISOString(), h.packets])).toEqual([
      ['2026-05-31T23:30:00.000Z', 2],
      ['2026-06-01T00:30:00.000Z', 1],
    ]);
    expect(hours[0]?.heart_rate_bpm.avg).toBe(61);
  });

  it('keeps a bucket without values null, and refuses another interval', () => {
    const empty = { ...quarter('2026-06-01T00:00:00Z', 60) };
    empty.heart_rate_bpm = { min: null, avg: null, max: null, count: 0 };
    const [day] = mergeIntoLocalBuckets([empty, empty], { intervalMs: DAY, timeZone: 'UTC' });
    expect(day?.heart_rate_bpm).toEqual({ min: null, avg: null, max: null, count: 0 });
    expect(day?.packets).toBe(2);
    expect(() => mergeIntoLocalBuckets([], { intervalMs: 60_000, timeZone: 'UTC' })).toThrow(
      RangeError,
    );
  });
});

describe('isTimeZone', () => {
  it('knows IANA names and refuses anything else', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});
