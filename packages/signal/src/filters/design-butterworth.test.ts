import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { designButterworth } from './design-butterworth.js';
import { amplitudeAt, sine } from './__tests__/sine-oracles.js';
import { sosFilter } from './sos-filter.js';

const fs = 360;
const n = 36_000;
// Skip the first 10 s so the start-up transient has died out before measuring.
const settle = 3600;

function measuredGain(sections: ReturnType<typeof designButterworth>, f: number): number {
  return amplitudeAt(sosFilter(sine(fs, f, n), sections), fs, f, settle);
}

describe('designButterworth', () => {
  it.each([1, 2, 3, 4, 5])(
    'low-pass order %i is −3 dB at the cutoff and flat at low frequency',
    (order) => {
      const lp = designButterworth({ type: 'lowpass', order, cutoffHz: 40, fs });
      expect(measuredGain(lp, 40)).toBeCloseTo(Math.SQRT1_2, 3);
      expect(measuredGain(lp, 1)).toBeCloseTo(1, 3);
      // Butterworth magnitude: 1 / sqrt(1 + (Ω/Ωc)^(2N)) with pre-warped Ω = tan(π f / fs).
      const ratio = Math.tan((Math.PI * 80) / fs) / Math.tan((Math.PI * 40) / fs);
      expect(measuredGain(lp, 80)).toBeCloseTo(1 / Math.sqrt(1 + ratio ** (2 * order)), 3);
    },
  );

  it.each([1, 2, 4])(
    'high-pass order %i is −3 dB at the cutoff and passes the QRS band',
    (order) => {
      const hp = designButterworth({ type: 'highpass', order, cutoffHz: 5, fs });
      expect(measuredGain(hp, 5)).toBeCloseTo(Math.SQRT1_2, 3);
      expect(measuredGain(hp, 60)).toBeCloseTo(1, 2);
      expect(measuredGain(hp, 0.5)).toBeLessThan(0.11);
    },
  );

  it('has the documented section count: ⌊N/2⌋ biquads plus one first-order section when N is odd', () => {
    expect(designButterworth({ type: 'lowpass', order: 5, cutoffHz: 10, fs })).toHaveLength(3);
    expect(designButterworth({ type: 'highpass', cutoffHz: 10, fs })).toHaveLength(1);
  });

  it('rejects a cutoff at or above Nyquist, a bad order and a bad fs with typed errors', () => {
    expect(() => designButterworth({ type: 'lowpass', cutoffHz: 180, fs })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', field: 'options.cutoffHz' }),
    );
    expect(() => designButterworth({ type: 'lowpass', order: 0, cutoffHz: 10, fs })).toThrow(
      expect.objectContaining({ field: 'options.order' }),
    );
    expect(() => designButterworth({ type: 'lowpass', cutoffHz: 10, fs: Number.NaN })).toThrow(
      SignalInputError,
    );
  });
});
