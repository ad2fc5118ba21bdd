import { describe, expect, it } from 'vitest';
import { scoreRppgWindows } from './score-rppg-windows.js';

describe('scoreRppgWindows', () => {
  it('scores errors over reported windows only and coverage over all', () => {
    // Errors +2, -6, +10 on the three reported windows; one window without a number.
    const score = scoreRppgWindows([
      { bpm: 72, referenceBpm: 70 },
      { bpm: 64, referenceBpm: 70 },
      { bpm: null, referenceBpm: 70 },
      { bpm: 90, referenceBpm: 80 },
    ]);
    expect(score.windows).toBe(4);
    expect(score.reported).toBe(3);
    expect(score.coverage).toBe(0.75);
    expect(score.maeBpm).toBeCloseTo(6, 12);
    expect(score.rmseBpm).toBeCloseTo(Math.sqrt((4 + 36 + 100) / 3), 12);
    expect(score.withinTolerance).toBeCloseTo(1 / 3, 12);
    expect(score.hitRate).toBe(0.25);
  });

  it('takes the tolerance from the options and gives NaN errors when nothing was reported', () => {
    expect(scoreRppgWindows([{ bpm: 76, referenceBpm: 70 }], { toleranceBpm: 6 }).hitRate).toBe(1);
    const silent = scoreRppgWindows([{ bpm: null, referenceBpm: 70 }]);
    expect(silent.coverage).toBe(0);
    expect(silent.maeBpm).toBeNaN();
    expect(silent.hitRate).toBe(0);
  });

  it('refuses a window whose reference or estimate is not a number', () => {
    expect(() => scoreRppgWindows([{ bpm: 70, referenceBpm: NaN }])).toThrow(/windows\[0\]|finite/);
    expect(() => scoreRppgWindows([{ bpm: Infinity, referenceBpm: 70 }])).toThrow(/finite/);
  });
});
