import { describe, expect, it } from 'vitest';
import { designBandpass } from './design-bandpass.js';
import { designButterworth } from './design-butterworth.js';
import { filtfilt } from './filtfilt.js';
import { amplitudeAt, sine } from './__tests__/sine-oracles.js';
import { removeBaseline } from './remove-baseline.js';
import { sosFilter } from './sos-filter.js';

const fs = 360;

describe('filtfilt', () => {
  it('has zero group delay: a sine comes out in phase, scaled by the squared gain', () => {
    const bp = designBandpass({ lowHz: 5, highHz: 15, fs });
    const x = sine(fs, 10, fs * 20);
    const y = filtfilt(x, bp);
    const gain = amplitudeAt(sosFilter(sine(fs, 10, fs * 60), bp), fs, 10, fs * 20);
    // Away from the ends (2 s, where padding effects are gone), y = gain² · x sample by sample,
    // while the causal filter's output lags the input.
    const causal = sosFilter(x, bp);
    let zeroPhaseError = 0;
    let causalError = 0;
    for (let i = 2 * fs; i < x.length - 2 * fs; i++) {
      zeroPhaseError = Math.max(zeroPhaseError, Math.abs((y[i] ?? 0) - gain * gain * (x[i] ?? 0)));
      causalError = Math.max(causalError, Math.abs((causal[i] ?? 0) - gain * (x[i] ?? 0)));
    }
    expect(zeroPhaseError).toBeLessThan(1e-6);
    expect(causalError).toBeGreaterThan(0.01);
  });

  it('keeps a constant signal constant through a low-pass (steady-state start)', () => {
    const y = filtfilt(
      new Float64Array(500).fill(2.5),
      designButterworth({ type: 'lowpass', order: 4, cutoffHz: 20, fs }),
    );
    for (const v of y) expect(v).toBeCloseTo(2.5, 9);
  });

  it('rejects an empty signal', () => {
    expect(() => filtfilt(new Float64Array(0), [])).toThrow(
      expect.objectContaining({ code: 'EMPTY_INPUT' }),
    );
  });
});

describe('removeBaseline', () => {
  it('removes 0.15 Hz wander and keeps a 10 Hz component in place', () => {
    const n = fs * 60;
    const wander = sine(fs, 0.15, n);
    const qrsBand = sine(fs, 10, n);
    const x = wander.map((w, i) => 2 * w + 0.5 * (qrsBand[i] ?? 0));
    const y = removeBaseline(x, { fs });
    // Two passes of a 2nd-order 0.5 Hz high-pass leave (1 + (0.5/0.15)^4)^-1 ≈ 0.8 % of the wander.
    expect(amplitudeAt(y, fs, 0.15, 0)).toBeLessThan(0.02);
    for (let i = 10 * fs; i < 50 * fs; i += 11) {
      expect(Math.abs((y[i] ?? 0) - 0.5 * (qrsBand[i] ?? 0))).toBeLessThan(0.02);
    }
  });
});
