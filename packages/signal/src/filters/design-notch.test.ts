import { describe, expect, it } from 'vitest';
import { designNotch } from './design-notch.js';
import { amplitudeAt, sine } from './__tests__/sine-oracles.js';
import { sosFilter } from './sos-filter.js';

describe('designNotch', () => {
  it.each([
    [50, 250],
    [60, 360],
    [50, 500],
  ])('removes %i Hz powerline at fs %i Hz (> 40 dB) and passes the QRS band', (f0, fs) => {
    const notch = [designNotch({ frequencyHz: f0, fs })];
    const n = fs * 60;
    const settle = fs * 20;
    const at = (f: number): number => amplitudeAt(sosFilter(sine(fs, f, n), notch), fs, f, settle);
    expect(20 * Math.log10(at(f0))).toBeLessThan(-40);
    expect(at(10)).toBeCloseTo(1, 2);
    // Narrow (Q = 30, −3 dB width f0 / 30): deep 0.4 Hz away, nearly transparent 5 Hz away.
    expect(at(f0 - 0.4)).toBeLessThan(0.6);
    expect(at(f0 + 0.4)).toBeLessThan(0.6);
    expect(at(f0 - 5)).toBeGreaterThan(0.95);
    expect(at(f0 + 5)).toBeGreaterThan(0.95);
  });

  it('rejects a notch frequency above Nyquist', () => {
    expect(() => designNotch({ frequencyHz: 60, fs: 100 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', field: 'options.frequencyHz' }),
    );
  });
});
