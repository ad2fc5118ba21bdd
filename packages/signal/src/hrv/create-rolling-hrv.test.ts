import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { createRollingHrv } from './create-rolling-hrv.js';
import { hrvTimeDomain } from './hrv-time-domain.js';
import { nnIntervals } from './nn-intervals.js';

/**
 * Beats at 250 Hz with sinus variability, premature beats with compensatory pauses, a missed beat,
 * a double detection and beats flagged not normal (as the analyzer does during noise).
 */
function beatSeries(n: number, seed: number): { samples: number[]; normal: boolean[] } {
  let s = seed;
  const u = (): number => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const samples: number[] = [];
  const normal: boolean[] = [];
  let at = 100;
  for (let i = 0; i < n; i++) {
    let rr = 200 + Math.round(20 * Math.sin(i / 6) + 10 * u());
    if (i % 37 === 10) rr = 130; // premature
    if (i % 37 === 11) rr = 270; // compensatory pause
    if (i === 150) rr = 420; // missed beat
    if (i === 220) rr = 30; // double detection
    at += rr;
    samples.push(at);
    normal.push(!(i >= 300 && i < 310));
  }
  return { samples, normal };
}

function offline(samples: number[], normal: boolean[], fs: number, minIntervals: number) {
  if (samples.length <= minIntervals) return null;
  const nn = nnIntervals(samples, fs, { beatIsNormal: normal });
  if (nn.nnMs.length < minIntervals) return null;
  const h = hrvTimeDomain(nn.nnMs, { followsPrevious: nn.followsPrevious });
  return {
    windowMs: (((samples[samples.length - 1] ?? 0) - (samples[0] ?? 0)) * 1000) / fs,
    nBeats: samples.length,
    meanNnMs: h.meanNnMs,
    sdnnMs: h.sdnnMs,
    rmssdMs: h.rmssdMs,
    pnn50: h.pnn50,
  };
}

describe('createRollingHrv', () => {
  it('equals nnIntervals + hrvTimeDomain on the beats held, after every push and drop', () => {
    const fs = 250;
    const { samples, normal } = beatSeries(600, 4);
    const rolling = createRollingHrv({ fs });
    const spanSamples = 60 * fs; // a 1 min window: beats leave it while others arrive
    let first = 0;
    let compared = 0;
    samples.forEach((sample, i) => {
      rolling.push(sample, normal[i] ?? true);
      // drop one or two seconds' worth at a time, like the analyzer
      if (i % 2 === 0) {
        rolling.dropBefore(sample - spanSamples);
        while ((samples[first] ?? 0) < sample - spanSamples) first++;
      }
      const held = samples.slice(first, i + 1);
      const expected = offline(held, normal.slice(first, i + 1), fs, 20);
      expect(rolling.value()).toEqual(expected);
      if (expected !== null) compared++;
    });
    expect(compared).toBeGreaterThan(500);
  });

  it('gives null with too few beats or NN intervals', () => {
    const rolling = createRollingHrv({ fs: 250, minIntervals: 5 });
    for (let i = 0; i < 5; i++) rolling.push(i * 200, true);
    expect(rolling.value()).toBeNull();
    rolling.push(1000, true);
    expect(rolling.value()?.nBeats).toBe(6);
    for (let i = 6; i < 12; i++) rolling.push(i * 200, false);
    rolling.dropBefore(1100);
    expect(rolling.value()).toBeNull();
  });

  it('rejects bad options with typed errors', () => {
    expect(() => createRollingHrv({ fs: 0 })).toThrow(SignalInputError);
    expect(() => createRollingHrv({ fs: 250, minIntervals: 0 })).toThrow(SignalInputError);
  });
});
