import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { createRng } from '../synth/create-rng.js';
import { atrialSpectrum } from './atrial-spectrum.js';

const fs = 250;
const n = 10 * fs;
/** TQ-like spans: 600 ms of each 800-ms cycle (the QRS and T wave gated out). */
const spans: number[] = [];
for (let p = 50; p + 150 < n; p += 200) spans.push(p, p + 150);

describe('atrialSpectrum', () => {
  it('reads a 6 Hz atrial wave seen only between the QRS complexes as 6 Hz, concentrated', () => {
    const x = Float64Array.from(
      { length: n },
      (_, t) => 0.1 * Math.sin((2 * Math.PI * 6 * t) / fs),
    );
    const r = atrialSpectrum(x, spans, { fs });
    expect(r?.dominantFrequencyHz).toBe(6);
    // Gating at the 1.25-Hz cycle puts sidebands at 6 ± 1.25 Hz (outside ± 1 Hz): most of the
    // power stays at 6 Hz, far above white noise's (9 of 37 frequencies, about 0.24).
    expect(r?.concentration ?? 0).toBeGreaterThan(0.7);
    expect(r?.measuredSamples).toBe(150 * (spans.length / 2));
  });

  it('finds a 4.5 Hz flutter wave under a baseline offset and drift in each span', () => {
    const x = Float64Array.from(
      { length: n },
      (_, t) => 0.08 * Math.sin((2 * Math.PI * 4.5 * t) / fs + 1) + 0.3 + 0.0004 * t,
    );
    const r = atrialSpectrum(x, spans, { fs });
    expect(r?.dominantFrequencyHz).toBe(4.5);
    expect(r?.concentration ?? 0).toBeGreaterThan(0.7);
  });

  it('gives white noise (no atrial activity) a low concentration', () => {
    const rng = createRng(3);
    const x = Float64Array.from({ length: n }, () => rng.uniform() - 0.5);
    const r = atrialSpectrum(x, spans, { fs });
    expect(r).not.toBeNull();
    expect(r?.concentration ?? 1).toBeLessThan(0.4);
  });

  it('returns null when no span has 4 samples', () => {
    expect(atrialSpectrum(new Float64Array(100), [10, 13, 20, 22], { fs })).toBeNull();
    expect(atrialSpectrum(new Float64Array(100), [], { fs })).toBeNull();
  });

  it('rejects a missing rate, a band above fs / 2 and spans that are not increasing pairs', () => {
    const x = new Float64Array(100);
    expect(() => atrialSpectrum(x, [0, 50], { fs: 0 })).toThrow(SignalInputError);
    expect(() => atrialSpectrum(x, [0, 50], { fs, bandHighHz: 200 })).toThrow(/bandHighHz/);
    expect(() => atrialSpectrum(x, [0, 50, 40], { fs })).toThrow(/pairs/);
    expect(() => atrialSpectrum(x, [30, 50, 40, 60], { fs })).toThrow(/increasing/);
    expect(() => atrialSpectrum(x, [0, 150], { fs })).toThrow(/within the signal/);
  });
});
