import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { heartRate } from './heart-rate.js';

const FS = 250;
/** Beats every `rrMs` from 1 s on. */
const train = (rrMs: number, n: number): number[] =>
  Array.from({ length: n }, (_, i) => Math.round(((1000 + i * rrMs) * FS) / 1000));

describe('heartRate', () => {
  it('gives 75 bpm for 800 ms intervals, instantaneous and averaged', () => {
    const hr = heartRate(train(800, 20), FS);
    expect(hr.instantaneousBpm.length).toBe(19);
    expect(hr.instantaneousBpm.every((v) => Math.abs(v - 75) < 1e-9)).toBe(true);
    expect(hr.averageBpm).toBeCloseTo(75, 9);
    // 10 s window ending at the last beat: beats at 0.8 s steps, 13 of them (9.6 s span)
    expect(hr.nBeats).toBe(13);
  });

  it('is unchanged by a premature beat with a full compensatory pause', () => {
    const beats = train(800, 20);
    beats[15] = (beats[15] ?? 0) - Math.round(0.3 * FS); // premature by 300 ms
    expect(heartRate(beats, FS).averageBpm).toBeCloseTo(75, 9);
  });

  it('falls during a pause after the last beat instead of freezing', () => {
    const beats = train(800, 10); // last beat at 8.2 s
    const end = Math.round(14.2 * FS); // 6 s of silence
    const hr = heartRate(beats, FS, { endSample: end });
    // beats from 4.2 s on: 4.2 … 8.2 s = 6 beats; the 6 s gap is > 2 × 0.8 s, so it counts:
    // k / (end − first) = 6 / 10 s = 36 bpm
    expect(hr.averageBpm).toBeCloseTo(36, 6);
  });

  it('reports no average with fewer than minBeats beats in the window', () => {
    expect(heartRate(train(800, 2), FS).averageBpm).toBeNull();
    expect(heartRate([], FS).averageBpm).toBeNull();
    expect(heartRate(train(800, 20), FS, { endSample: 100 * FS }).averageBpm).toBeNull();
  });

  it('rejects hostile input with typed errors', () => {
    const fail = (fn: () => unknown, code: string, field: string): void => {
      expect(fn).toThrow(SignalInputError);
      try {
        fn();
      } catch (error) {
        expect((error as SignalInputError).code).toBe(code);
        expect((error as SignalInputError).field).toBe(field);
      }
    };
    fail(() => heartRate([3, 2], FS), 'INVALID_ARGUMENT', 'peaks[1]');
    fail(() => heartRate([1, Infinity], FS), 'NON_FINITE_SAMPLE', 'peaks[1]');
    fail(() => heartRate([1, 2], -5), 'INVALID_SAMPLE_RATE', 'fs');
    fail(() => heartRate([1, 200], FS, { endSample: 100 }), 'INVALID_OPTION', 'options.endSample');
    fail(() => heartRate([1, 200], FS, { windowMs: 0 }), 'INVALID_OPTION', 'options.windowMs');
    fail(() => heartRate([1, 200], FS, { minBeats: 1 }), 'INVALID_OPTION', 'options.minBeats');
  });
});
